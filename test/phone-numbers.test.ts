import { DEFAULT_PHONE_REGION, isPhoneRegion, parsePhoneNumber, toE164 } from '../src/domain/phone-numbers';

/** Phone numbers as callers and guest profiles write them, read into E.164. */
describe('phone numbers', () => {
  const problemOf = (input: string, region = DEFAULT_PHONE_REGION) => {
    const parsed = parsePhoneNumber(input, region);
    return 'problem' in parsed ? parsed.problem : undefined;
  };

  it('reads E.164 and international formats as they are, whatever the default region', () => {
    expect(parsePhoneNumber('+33612345678', 'NL')).toEqual({ e164: '+33612345678', region: 'FR' });
    expect(parsePhoneNumber('+1 202 555 0143', 'NL')).toEqual({ e164: '+12025550143', region: 'US' });
    expect(parsePhoneNumber(' +44 20 7946 0958 ', 'FR')).toEqual({ e164: '+442079460958', region: 'GB' });
    expect(toE164('0031612345678', 'NL')).toBe('+31612345678');
  });

  it('reads national formats in the default region, as PMS guest profiles hold them', () => {
    expect(parsePhoneNumber('06-12345678', 'NL')).toEqual({ e164: '+31612345678', region: 'NL' });
    expect(parsePhoneNumber('+31 (0)6 1234 5678', 'NL')).toEqual({ e164: '+31612345678', region: 'NL' });
    expect(toE164('(06) 12 34 56 78', 'NL')).toBe('+31612345678');
    expect(toE164('06 12 34 56 78', 'FR')).toBe('+33612345678');
    expect(toE164('020 7946 0958', 'GB')).toBe('+442079460958');
  });

  it('refuses numbers that do not fit the numbering plan, naming why', () => {
    expect(problemOf('+999 1234567')).toMatch(/no country code that exists/);
    expect(problemOf('+31 6 1234 56')).toMatch(/not a valid phone number for NL/);
    // A UK number in national format, read in NL, is no Dutch number.
    expect(problemOf('020 7946 0958', 'NL')).toMatch(/not a valid phone number for NL/);
  });

  it('refuses numbers too short or too long', () => {
    expect(problemOf('0612')).toBe('is too short for a phone number');
    expect(problemOf('+3361234')).toBe('is too short for a phone number');
    expect(problemOf('+3361234567890123')).toBe('is too long for a phone number');
  });

  it('refuses letters, extensions and anything that is not a written number', () => {
    expect(problemOf('abc')).toMatch(/without letters/);
    expect(problemOf('06-1234567a')).toMatch(/without letters/);
    expect(problemOf('1-800-FLOWERS')).toMatch(/without letters/);
    expect(problemOf('06 1234 5678 ext. 12')).toMatch(/without letters/);
    expect(problemOf('+31612345678;ext=1')).toMatch(/without letters/);
    expect(problemOf('')).toMatch(/digits, spaces/);
    expect(problemOf('++31612345678')).toMatch(/digits, spaces/);
    expect(problemOf('+31_612345678')).toMatch(/digits, spaces/);
  });

  it('keeps WhatsApp numbers bare: the whatsapp: prefix is Twilio’s wire format, added when sending', () => {
    expect(problemOf('whatsapp:+31612345678')).toMatch(/bare number.*adds whatsapp: itself/);
  });

  it('knows its regions: ISO 3166-1 alpha-2 codes with a numbering plan', () => {
    expect(isPhoneRegion('NL')).toBe(true);
    expect(isPhoneRegion('FR')).toBe(true);
    expect(isPhoneRegion('nl')).toBe(false);
    expect(isPhoneRegion('NLD')).toBe(false);
    expect(isPhoneRegion('ZZ')).toBe(false);
  });

  it('throws for input that was not validated first', () => {
    expect(() => toE164('not a number', 'NL')).toThrow(TypeError);
  });
});
