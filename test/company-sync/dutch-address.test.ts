import { type DutchAddressParts, formatDutchAddress, isUnparsedAddress, parseDutchAddress, type UnparsedAddressReason } from '../../src/domain/company-sync/dutch-address';

/** Exact's AddressLine1 split into Relay's street, number and addition, and written back. */
describe('Dutch addresses', () => {
  const parts = (streetName: string | null, buildingNumber: string | null, buildingNumberAddition: string | null): DutchAddressParts => ({
    streetName,
    buildingNumber,
    buildingNumberAddition,
  });

  const parsed: Array<[string, DutchAddressParts]> = [
    ['Keizersgracht 123', parts('Keizersgracht', '123', null)],
    ['Dorpsstraat 5A', parts('Dorpsstraat', '5', 'A')],
    ['Dorpsstraat 5 A', parts('Dorpsstraat', '5', 'A')],
    ['Dorpsstraat 5-A', parts('Dorpsstraat', '5', 'A')],
    ['Dorpsstraat 5a', parts('Dorpsstraat', '5', 'a')],
    // An Amsterdam ordinal street; the dash separates number and addition, the addition keeps "3 hs".
    ['1e Jacob van Campenstraat 12-3 hs', parts('1e Jacob van Campenstraat', '12', '3 hs')],
    ['2de Hugo de Grootstraat 4', parts('2de Hugo de Grootstraat', '4', null)],
    ['Laan 1940-1945 12', parts('Laan 1940-1945', '12', null)],
    ['Plein 1944 3', parts('Plein 1944', '3', null)],
    ['Straat 12 bis', parts('Straat', '12', 'bis')],
    ['Straat 12bis', parts('Straat', '12', 'bis')],
    // A range is not interpreted: the upper bound is the addition and formats back unchanged.
    ['Hoofdweg 12-14', parts('Hoofdweg', '12', '14')],
    ['Keizersgracht 123 III', parts('Keizersgracht', '123', 'III')],
    ['Burgemeester de Withstraat 2 A1', parts('Burgemeester de Withstraat', '2', 'A1')],
    ['  Van  Eeghenstraat   100  ', parts('Van Eeghenstraat', '100', null)],
    ['Rue de l’Église 7', parts('Rue de l’Église', '7', null)],
    ['Lange Nieuwstraat 99999', parts('Lange Nieuwstraat', '99999', null)],
    ['Rijksweg 1944A', parts('Rijksweg', '1944', 'A')],
    // A number-and-letter at the end is a building number and addition, not an ordinal.
    ['Dorpsstraat 1e', parts('Dorpsstraat', '1', 'e')],
  ];

  it.each(parsed)('splits %j', (line, expected) => {
    expect(parseDutchAddress(line)).toEqual(expected);
  });

  it.each([null, '', '   '])('reads %j as no address at all', (line) => {
    expect(parseDutchAddress(line)).toEqual(parts(null, null, null));
  });

  const flagged: Array<[string, UnparsedAddressReason]> = [
    ['Postbus 123', 'po_box'],
    ['postbus 123', 'po_box'],
    ['Postbus123', 'po_box'],
    ['Antwoordnummer 1234', 'po_box'],
    ['P.O. Box 55', 'po_box'],
    ['PO Box 55', 'po_box'],
    // A street named after a year, or a street "Plein" at number 1944: not ours to guess.
    ['Plein 1944', 'ambiguous_number'],
    ['Plein 1813', 'ambiguous_number'],
    ['Laan 1940-1945', 'ambiguous_number'],
    ['Straat 12 3', 'ambiguous_number'],
    ['Keizersgracht 123 app 4', 'ambiguous_number'],
    ['Keizersgracht', 'no_number'],
    ['Industrieterrein De Hoek', 'no_number'],
    ['1e Jacob van Campenstraat', 'no_number'],
    ['123', 'no_street'],
    ['12 Main Street', 'no_street'],
    ['Keizersgracht 0', 'invalid_number'],
    ['Keizersgracht 012', 'invalid_number'],
    ['Keizersgracht 123456', 'invalid_number'],
    ['Hoofdweg 12 t/m 14', 'ambiguous_number'],
    ['Hoofdweg 12/14', 'unrecognised_addition'],
    ['Dorpsstraat 5, Amsterdam', 'unrecognised_addition'],
    ['Keizersgracht 12 achter de kerk', 'unrecognised_addition'],
    ['Keizersgracht 12 verdieping', 'unrecognised_addition'],
  ];

  it.each(flagged)('flags %j (%s) instead of guessing', (line, reason) => {
    expect(parseDutchAddress(line)).toEqual({ unparsed: line, reason });
  });

  it('keeps the unparsed line with its whitespace collapsed', () => {
    expect(parseDutchAddress('  Postbus   123 ')).toEqual({ unparsed: 'Postbus 123', reason: 'po_box' });
  });

  it('does not take a street starting with "Postbus" for a PO box', () => {
    expect(parseDutchAddress('Postbusweg 3')).toEqual(parts('Postbusweg', '3', null));
  });

  const formatted: Array<[DutchAddressParts, string | null]> = [
    [parts('Keizersgracht', '123', null), 'Keizersgracht 123'],
    [parts('Dorpsstraat', '5', 'A'), 'Dorpsstraat 5A'],
    [parts('1e Jacob van Campenstraat', '12', '3 hs'), '1e Jacob van Campenstraat 12-3 hs'],
    [parts('Hoofdweg', '12', '14'), 'Hoofdweg 12-14'],
    [parts('Straat', '12', 'bis'), 'Straat 12 bis'],
    [parts('Straat', '2', 'A1'), 'Straat 2 A1'],
    [parts(' Straat ', ' 2 ', ''), 'Straat 2'],
    [parts('Keizersgracht', null, null), 'Keizersgracht'],
    [parts(null, '12', 'A'), '12A'],
    [parts(null, null, null), null],
    [parts('', ' ', null), null],
  ];

  it.each(formatted)('formats %j as %j', (input, line) => {
    expect(formatDutchAddress(input)).toBe(line);
  });

  it.each(parsed.map(([line]) => line))('round-trips %j: what it parses formats to a line that parses the same', (line) => {
    const first = parseDutchAddress(line);
    if (isUnparsedAddress(first)) throw new Error(`${line} should parse`);
    const again = formatDutchAddress(first);
    expect(parseDutchAddress(again)).toEqual(first);
    expect(formatDutchAddress(parseDutchAddress(again) as DutchAddressParts)).toBe(again);
  });

  it('formats the canonical spelling, which may differ from the original in spacing only', () => {
    expect(formatDutchAddress(parts('Dorpsstraat', '5', 'A'))).toBe('Dorpsstraat 5A');
    expect(formatDutchAddress(parseDutchAddress('Dorpsstraat 5 A') as DutchAddressParts)).toBe('Dorpsstraat 5A');
    expect(formatDutchAddress(parseDutchAddress('Laan 1940-1945 12') as DutchAddressParts)).toBe('Laan 1940-1945 12');
  });
});
