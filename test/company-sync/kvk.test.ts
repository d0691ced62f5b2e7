import { type KvkInvalidReason, kvkKey, kvkSpellings, normaliseKvk } from '../../src/domain/company-sync/kvk';

/** KVK numbers as Exact's free-text ChamberOfCommerce field holds them, read into a match key or refused. */
describe('KVK numbers', () => {
  const valid: Array<[string, string]> = [
    ['12345678', '12345678'],
    [' 12345678 ', '12345678'],
    ['1234 5678', '12345678'],
    ['12.34.56.78', '12345678'],
    ['12-345-678', '12345678'],
    ['01234567', '01234567'],
    ['00000001', '00000001'],
    ['KVK 12345678', '12345678'],
    ['kvk12345678', '12345678'],
    ['KvK: 12345678', '12345678'],
    ['K.v.K. 1234 5678', '12345678'],
    ['KvK-nummer 12345678', '12345678'],
    ['kvk nr. 12.34.56.78', '12345678'],
  ];

  it.each(valid)('reads %j as %s', (raw, value) => {
    expect(normaliseKvk(raw)).toEqual({ kind: 'valid', value });
  });

  const invalid: Array<[string, KvkInvalidReason]> = [
    ['1234567', 'wrong_length'], // seven digits are not padded: which digit is missing is a guess
    ['123456789', 'wrong_length'],
    ['123456780000', 'wrong_length'], // a branch (vestiging) number is not cut down
    ['00000000', 'all_zero'],
    ['0000 0000', 'all_zero'],
    ['1234567a', 'not_digits'],
    ['NL123456789B01', 'not_digits'], // a VAT number in the wrong field
    ['12345678/1', 'not_digits'],
    ['onbekend', 'not_digits'],
  ];

  it.each(invalid)('refuses %j (%s), keeping the value as written', (raw, reason) => {
    expect(normaliseKvk(raw)).toEqual({ kind: 'invalid', raw, reason });
  });

  it('keeps the raw value trimmed', () => {
    expect(normaliseKvk('  1234567 ')).toEqual({ kind: 'invalid', raw: '1234567', reason: 'wrong_length' });
  });

  it.each([null, undefined, '', '   ', '-', '.', 'KVK', 'KvK:'])('reads %j as no KVK number', (raw) => {
    expect(normaliseKvk(raw)).toEqual({ kind: 'empty' });
  });

  it('gives a match key only for valid numbers', () => {
    expect(kvkKey(normaliseKvk('12.34.56.78'))).toBe('12345678');
    expect(kvkKey(normaliseKvk('1234567'))).toBeNull();
    expect(kvkKey(normaliseKvk(null))).toBeNull();
  });
});

describe('KVK spellings searched in Exact', () => {
  it('covers the ways people type one number, each reading back as that number', () => {
    const spellings = kvkSpellings('12345678');
    expect(spellings).toEqual(expect.arrayContaining(['12345678', '12.34.56.78', '1234 5678', '12 34 56 78', 'KvK: 12345678']));
    for (const s of spellings) expect(normaliseKvk(s)).toEqual({ kind: 'valid', value: '12345678' });
  });
});
