import { ConfigError } from '../../../src/config';
import { cloudbedsVendor } from '../../../src/integrations/pms/cloudbeds';
import { phpForm } from '../../../src/integrations/pms/cloudbeds/form';
import { CLOUDBEDS_DEMO } from '../../../src/integrations/pms/cloudbeds/simulator/demo';
import { authenticateCloudbedsWebhook, parseCloudbedsWebhook } from '../../../src/integrations/pms/cloudbeds/webhook';

/** The Cloudbeds vendor definition: settings, credentials, limit scopes, form encoding and the webhook hint. */

describe('settings', () => {
  const load = cloudbedsVendor.settings.load;

  it('is off until enabled or given an OAuth client; both halves of the client go together', () => {
    expect(load({})).toBeNull();
    expect(load({ PMS_CLOUDBEDS_ENABLED: 'true' })).toEqual({ baseUrl: 'https://api.cloudbeds.com', oauth: null, webhookToken: null });
    expect(load({ PMS_CLOUDBEDS_CLIENT_ID: 'live1_x', PMS_CLOUDBEDS_CLIENT_SECRET: 's', PMS_CLOUDBEDS_BASE_URL: 'https://api.example.test/' })).toEqual({
      baseUrl: 'https://api.example.test',
      oauth: { clientId: 'live1_x', clientSecret: 's' },
      webhookToken: null,
    });
    expect(() => load({ PMS_CLOUDBEDS_CLIENT_ID: 'live1_x' })).toThrow(ConfigError);
    expect(() => load({ PMS_CLOUDBEDS_ENABLED: 'yes' })).toThrow(ConfigError);
    expect(() => load({ PMS_CLOUDBEDS_ENABLED: 'true', PMS_CLOUDBEDS_BASE_URL: 'ftp://x' })).toThrow(ConfigError);
  });

  it('points demo mode at the simulator with its public OAuth client', () => {
    expect(cloudbedsVendor.settings.demo('http://127.0.0.1:4630/')).toEqual({ baseUrl: 'http://127.0.0.1:4630', oauth: { clientId: CLOUDBEDS_DEMO.clientId, clientSecret: CLOUDBEDS_DEMO.clientSecret }, webhookToken: CLOUDBEDS_DEMO.webhookToken });
    expect(cloudbedsVendor.simulator).toMatchObject({ entry: 'src/integrations/pms/cloudbeds/simulator/main.ts', defaultPort: 4630, portVariable: 'CLOUDBEDS_SIMULATOR_PORT' });
  });
});

describe('credentials and limit scopes', () => {
  const settings = { baseUrl: 'https://api.cloudbeds.com', oauth: { clientId: 'live1_relay', clientSecret: 's' }, webhookToken: null };

  it('takes an API key or a refresh token, never both and never a key without its prefix', () => {
    expect(cloudbedsVendor.credentials.parse({ apiKey: 'cbat_0123456789abcdef' })).toEqual({ apiKey: 'cbat_0123456789abcdef' });
    expect(cloudbedsVendor.credentials.parse({ refreshToken: 'rt_0123456789', languageCustomField: 'lang' })).toEqual({ refreshToken: 'rt_0123456789', languageCustomField: 'lang' });
    expect(cloudbedsVendor.credentials.safeParse({ apiKey: '0123456789abcdef' }).success).toBe(false);
    expect(cloudbedsVendor.credentials.safeParse({ apiKey: 'cbat_0123456789abcdef', refreshToken: 'rt_0123456789' }).success).toBe(false);
  });

  it('counts a property key’s 5 per second at the key, and 10 per second at Relay’s OAuth client for every consenting hotel', () => {
    const key = cloudbedsVendor.rateScope(settings, { vendorPropertyId: '1', credentials: { apiKey: 'cbat_0123456789abcdef' } });
    expect(key).toEqual({ key: expect.stringMatching(/^cloudbeds:key:[0-9a-f]{16}$/), limit: 5, windowMs: 1000 });
    expect(key.key).not.toContain('0123456789abcdef');
    const a = cloudbedsVendor.rateScope(settings, { vendorPropertyId: '1', credentials: { refreshToken: 'rt_aaaaaaaaaa' } });
    const b = cloudbedsVendor.rateScope(settings, { vendorPropertyId: '2', credentials: { refreshToken: 'rt_bbbbbbbbbb' } });
    expect(a).toEqual({ key: 'cloudbeds:client:live1_relay', limit: 10, windowMs: 1000 });
    expect(b).toEqual(a);
  });
});

it('encodes nested form fields in PHP bracket notation, leaving absent values out', () => {
  expect(phpForm({ a: '1', items: [{ itemName: 'x', itemTaxes: [{ taxName: 'VAT', taxValue: 1.5 }], skip: undefined }], flag: false })).toEqual({
    a: '1',
    'items[0][itemName]': 'x',
    'items[0][itemTaxes][0][taxName]': 'VAT',
    'items[0][itemTaxes][0][taxValue]': '1.5',
    flag: 'false',
  });
});

describe('webhook hints', () => {
  it('accepts only the secret Relay put in the address it subscribed', () => {
    expect(authenticateCloudbedsWebhook({ token: 'secret' }, { webhookToken: 'secret' })).toBe(true);
    expect(authenticateCloudbedsWebhook({ token: 'other' }, { webhookToken: 'secret' })).toBe(false);
    expect(authenticateCloudbedsWebhook({}, { webhookToken: 'secret' })).toBe(false);
    expect(authenticateCloudbedsWebhook({ token: 'secret' }, { webhookToken: null })).toBe(false);
  });

  it('names the reservation or guest a delivery is about, and nothing for other objects', () => {
    const delivery = { reservationID: '7061304407766', propertyID: 318267, propertyID_str: '318267', status: 'canceled', event: 'reservation/status_changed', version: '1.0', timestamp: 1766005381.8 };
    expect(parseCloudbedsWebhook(delivery)).toEqual([{ vendorPropertyId: '318267', reservationVendorIds: ['7061304407766'], guestVendorIds: [] }]);
    expect(parseCloudbedsWebhook({ event: 'guest/created', propertyID: 318267, guestId: 55 })).toEqual([{ vendorPropertyId: '318267', reservationVendorIds: [], guestVendorIds: ['55'] }]);
    expect(parseCloudbedsWebhook({ event: 'housekeeping/room_condition_changed', propertyID: 318267, roomID: '1' })).toEqual([]);
    expect(() => parseCloudbedsWebhook({ reservationID: '1' })).toThrow(/not a Cloudbeds webhook body/);
  });
});
