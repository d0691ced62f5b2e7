/**
 * The Clock PMS+ vendor definition and its pure parts: settings from the environment, the limit's
 * scope (the API user), property credentials, HTTP Digest as RFC 2617 computes it, the nonce
 * sessions, mapping and references.
 */
import { ConfigError } from '../../../src/config';
import { clockVendor } from '../../../src/integrations/pms/clock';
import { ClockDigestSessions } from '../../../src/integrations/pms/clock/auth';
import { type DigestChallenge, digestAuthorization, parseDigestChallenge } from '../../../src/integrations/pms/clock/digest';
import { centsText, languageCode, reservationStatus, roomStatus } from '../../../src/integrations/pms/clock/mapping';
import { carriesReference, chargeText, referenceMarker } from '../../../src/integrations/pms/clock/references';
import { CLOCK_SIMULATOR_DEFAULT_PORT } from '../../../src/integrations/pms/clock/simulator';
import { PMS_OPERATIONS } from '../../../src/integrations/pms/operations';
import { pmsVendor } from '../../../src/integrations/pms/registry';

const credentials = { apiUser: 'relay_api', apiKey: 'secret', subscriptionId: '17001', region: 'eu1' };

describe('the vendor definition', () => {
  it('is registered under clock with a pinned API version, every operation, no webhook and a simulator on 4650', () => {
    expect(pmsVendor('clock')).toBe(clockVendor);
    expect(clockVendor.apiVersion).toMatch(/^pms_api \(Clock PMS\+ API Docs, change log \d{4}-\d{2}-\d{2}\)$/);
    expect(Object.keys(clockVendor.capabilities).sort()).toEqual([...PMS_OPERATIONS].sort());
    for (const op of PMS_OPERATIONS) expect(clockVendor.capabilities[op]).toMatchObject({ supported: true, note: expect.stringMatching(/\S/) });
    expect(clockVendor.webhook).toBeUndefined();
    expect(clockVendor.simulator).toMatchObject({ entry: 'src/integrations/pms/clock/simulator/main.ts', defaultPort: 4650, portVariable: 'CLOCK_SIMULATOR_PORT' });
    expect(CLOCK_SIMULATOR_DEFAULT_PORT).toBe(4650);
  });

  it('is off unless PMS_CLOCK_ENABLED says so; the host pattern defaults to Clock’s regions', () => {
    const load = clockVendor.settings.load;
    expect(load({})).toBeNull();
    expect(load({ PMS_CLOCK_ENABLED: 'false', PMS_CLOCK_BASE_URL: 'https://x.example' })).toBeNull();
    expect(load({ PMS_CLOCK_ENABLED: 'true' })).toEqual({ baseUrl: 'https://sky-{region}.clock-software.com' });
    expect(load({ PMS_CLOCK_ENABLED: '1', PMS_CLOCK_BASE_URL: 'https://sandbox-{region}.example.com/' })).toEqual({ baseUrl: 'https://sandbox-{region}.example.com' });
    expect(() => load({ PMS_CLOCK_ENABLED: 'maybe' })).toThrow(ConfigError);
    expect(() => load({ PMS_CLOCK_ENABLED: 'true', PMS_CLOCK_BASE_URL: 'ftp://x' })).toThrow(/PMS_CLOCK_BASE_URL/);
    expect(() => load({ PMS_CLOCK_ENABLED: 'true', PMS_CLOCK_BASE_URL: 'https://x.example/pms_api' })).toThrow(/host only/);
    expect(clockVendor.settings.variables).toEqual(['PMS_CLOCK_ENABLED', 'PMS_CLOCK_BASE_URL']);
    expect(clockVendor.settings.demo('http://127.0.0.1:4650/')).toEqual({ baseUrl: 'http://127.0.0.1:4650' });
  });

  it('counts the limit per API user: 5 calls a second, shared by every hotel the user serves', () => {
    const settings = clockVendor.settings.load({ PMS_CLOCK_ENABLED: 'true' })!;
    const scope = clockVendor.rateScope(settings, { vendorPropertyId: '24001', credentials: clockVendor.credentials.parse(credentials) });
    expect(scope).toEqual({ key: 'clock:user:sky-eu1.clock-software.com/17001/relay_api', limit: 5, windowMs: 1000 });
    const sister = clockVendor.rateScope(settings, { vendorPropertyId: '24002', credentials: clockVendor.credentials.parse(credentials) });
    expect(sister).toEqual(scope);
    expect(clockVendor.rateScope(settings, { vendorPropertyId: '24001', credentials: clockVendor.credentials.parse({ ...credentials, apiUser: 'other' }) }).key).not.toBe(scope.key);
  });

  it('takes the API user, its key, the subscription and the region as a property’s credentials', () => {
    expect(clockVendor.credentials.parse({ ...credentials, subscriptionId: 17001, region: ' SKY-EU1 ' })).toEqual(credentials);
    expect(clockVendor.credentials.parse({ ...credentials, chargeRevenueGroup: 'f&b' })).toMatchObject({ chargeRevenueGroup: 'f&b' });
    for (const bad of [{ ...credentials, apiKey: '' }, { ...credentials, subscriptionId: 'abc' }, { ...credentials, region: 'europe' }, { ...credentials, chargeRevenueGroup: 'tax' }, { ...credentials, password: 'x' }]) {
      expect(() => clockVendor.credentials.parse(bad)).toThrow();
    }
  });
});

describe('HTTP Digest', () => {
  it('computes RFC 2617’s own example (section 3.5)', () => {
    const challenge = parseDigestChallenge('Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"')!;
    expect(challenge).toEqual({ realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', opaque: '5ccc069c403ebaf9f0171e9517f40e41', qop: 'auth', stale: false });
    const header = digestAuthorization({ challenge, method: 'GET', uri: '/dir/index.html', username: 'Mufasa', password: 'Circle Of Life', nc: 1, cnonce: '0a4f113b' });
    expect(header).toContain('response="6629fae49393a05397450978507c4ef1"');
    expect(header).toMatch(/^Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="\/dir\/index.html", algorithm=MD5, response="[0-9a-f]{32}", opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth, nc=00000001, cnonce="0a4f113b"$/);
  });

  it('reads challenges with bare and quoted values, beside another scheme, and refuses what it cannot answer', () => {
    expect(parseDigestChallenge('Basic realm="x", Digest realm="Clock", nonce=abc, qop=auth, algorithm=MD5, stale=TRUE')).toEqual({ realm: 'Clock', nonce: 'abc', opaque: undefined, qop: 'auth', stale: true });
    expect(parseDigestChallenge('Digest realm="a, b", nonce="n", opaque="o", Basic realm="y"')).toMatchObject({ realm: 'a, b', nonce: 'n', opaque: 'o' });
    expect(parseDigestChallenge('Digest realm="r", nonce="n"')).toMatchObject({ qop: undefined });
    expect(parseDigestChallenge('Digest realm="r", nonce="n", algorithm=SHA-256')).toBeUndefined();
    expect(parseDigestChallenge('Digest realm="r", nonce="n", qop="auth-int"')).toBeUndefined();
    expect(parseDigestChallenge('Basic realm="r"')).toBeUndefined();
    expect(parseDigestChallenge(null)).toBeUndefined();
  });

  it('asks for one challenge per API user whoever waits for it, counts the nonce up, and renews only the nonce that was refused', async () => {
    const sessions = new ClockDigestSessions();
    const challenge = (nonce: string): DigestChallenge => ({ realm: 'r', nonce, qop: 'auth', stale: false });
    let asked = 0;
    const obtain = async () => {
      asked++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return challenge(`n${asked}`);
    };
    const request = { method: 'GET', uri: '/x', username: 'u', password: 'p' };
    const signed = await Promise.all([1, 2, 3].map(() => sessions.sign('host/1/u', request, obtain)));
    expect(asked).toBe(1);
    expect(signed.map((s) => /nc=(\w+)/.exec(s.authorization)![1])).toEqual(['00000001', '00000002', '00000003']);
    // A late 401 to a request signed with an older nonce leaves the current one alone.
    sessions.renew('host/1/u', 'older', challenge('fresh'));
    expect((await sessions.sign('host/1/u', request, obtain)).nonce).toBe('n1');
    sessions.renew('host/1/u', 'n1', challenge('fresh'));
    const renewed = await sessions.sign('host/1/u', request, obtain);
    expect(renewed.nonce).toBe('fresh');
    expect(renewed.authorization).toContain('nc=00000001');
    // Without a challenge in the 401, the next call asks for one.
    sessions.renew('host/1/u', 'fresh', undefined);
    expect((await sessions.sign('host/1/u', request, obtain)).nonce).toBe('n2');
    // Another API user has its own nonce; a failed challenge request is not kept.
    await expect(sessions.sign('host/1/v', request, () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect((await sessions.sign('host/1/v', request, obtain)).nonce).toBe('n3');
    expect(sessions.challenges).toBe(4);
  });
});

describe('mapping and references', () => {
  it('maps Clock’s statuses and housekeeping, and refuses ones it does not know', () => {
    expect(['expected', 'checked_in', 'checked_out', 'canceled', 'no_show'].map(reservationStatus)).toEqual(['confirmed', 'checked_in', 'checked_out', 'cancelled', 'no_show']);
    expect(() => reservationStatus('optional')).toThrow(/unknown booking status/);
    expect(['', 'inspect', 'progress', 'dirty', 'checked out', null].map(roomStatus)).toEqual(['clean', 'dirty', 'dirty', 'dirty', 'dirty', 'clean']);
    expect(() => roomStatus('out of order')).toThrow(/housekeeping/);
  });

  it('reads languages as ISO 639-1 and cents as decimal text', () => {
    expect(['en', 'EN', 'en-GB', 'nl_NL', 'English', '', null].map(languageCode)).toEqual(['en', 'en', 'en', 'nl', null, null, null]);
    expect([1250, 5, 0, -799, 100_000].map(centsText)).toEqual(['12.50', '0.05', '0.00', '-7.99', '1000.00']);
  });

  it('marks texts so that one reference is never taken for another', () => {
    expect(referenceMarker('idem-1')).toBe('[relay:idem-1]');
    expect(carriesReference('Minibar [relay:idem-10]', 'idem-1')).toBe(false);
    expect(carriesReference('Minibar [relay:idem-1]', 'idem-1')).toBe(true);
    expect(carriesReference(null, 'idem-1')).toBe(false);
    expect(referenceMarker('a b')).toBe(referenceMarker('a b'));
    expect(referenceMarker('a b')).not.toBe(referenceMarker('a  b'));
    const text = chargeText('x'.repeat(400), 'ref');
    expect(text).toHaveLength(255);
    expect(text.endsWith(' [relay:ref]')).toBe(true);
  });
});
