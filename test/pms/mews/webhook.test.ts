import { mewsVendor } from '../../../src/integrations/pms/mews';
import { demoMewsSettings, MEWS_DEMO_WEBHOOK_TOKEN } from '../../../src/integrations/pms/mews/settings';

// Mews signs no webhook: it appends the secret token Relay chose to the URL. The body names entities only.

const settings = demoMewsSettings('http://127.0.0.1:4610');
const webhook = mewsVendor.webhook!;
const request = (query: Record<string, unknown>) => ({ query, headers: {}, rawBody: Buffer.from('{}') });

test('accepts the configured token in the URL and refuses anything else', () => {
  expect(webhook.authenticate(request({ token: MEWS_DEMO_WEBHOOK_TOKEN }), settings)).toBe(true);
  // Mews' own picture spells the parameter `Token`.
  expect(webhook.authenticate(request({ Token: MEWS_DEMO_WEBHOOK_TOKEN }), settings)).toBe(true);
  for (const query of [{}, { token: '' }, { token: 'wrong' }, { token: `${MEWS_DEMO_WEBHOOK_TOKEN}x` }, { token: MEWS_DEMO_WEBHOOK_TOKEN.slice(0, -1) }, { token: [MEWS_DEMO_WEBHOOK_TOKEN] }]) {
    expect(webhook.authenticate(request(query), settings)).toBe(false);
  }
  // Without a configured token no push is accepted at all.
  expect(webhook.authenticate(request({ token: MEWS_DEMO_WEBHOOK_TOKEN }), { ...settings, webhookToken: null })).toBe(false);
});

test('turns a General webhook into hints: reservations from ServiceOrderUpdated, guests from CustomerAdded/Updated', () => {
  const hints = webhook.parse({
    EnterpriseId: 'ent-1',
    IntegrationId: 'int-1',
    Events: [
      { Discriminator: 'ServiceOrderUpdated', Value: { Id: 'res-1' } },
      { Discriminator: 'ServiceOrderUpdated', Value: { Id: 'res-1' } },
      { Discriminator: 'CustomerAdded', Value: { Id: 'cus-1' } },
      { Discriminator: 'CustomerUpdated', Value: { Id: 'cus-1' } },
      { Discriminator: 'ResourceUpdated', Value: { Id: 'room-1' } },
      { Discriminator: 'PaymentUpdated', Value: { Id: 'pay-1' } },
      { Discriminator: 'SomethingNew', Value: 42 },
    ],
  });
  expect(hints).toEqual([{ vendorPropertyId: 'ent-1', reservationVendorIds: ['res-1'], guestVendorIds: ['cus-1'] }]);
  expect(webhook.parse({ EnterpriseId: 'ent-1', IntegrationId: 'int-1', Events: [{ Discriminator: 'MessageAdded', Value: { Id: 'm' } }] })).toEqual([]);
});

test('throws on a body that is not a General webhook', () => {
  for (const body of [
    null,
    'text',
    {},
    { EnterpriseId: 'ent-1', Events: [] },
    { EnterpriseId: 'ent-1', IntegrationId: 'int-1', Events: {} },
    { EnterpriseId: 'ent-1', IntegrationId: 'int-1', Events: [{ Value: { Id: 'x' } }] },
    { EnterpriseId: 'ent-1', IntegrationId: 'int-1', Events: [{ Discriminator: 'ServiceOrderUpdated', Value: {} }] },
    { EnterpriseId: 'ent-1', IntegrationId: 'int-1', Events: [{ Discriminator: 'CustomerUpdated', Value: { Id: 7 } }] },
  ]) {
    expect(() => webhook.parse(body)).toThrow(/not a Mews General webhook body/);
  }
});

test('settings: no ClientToken means Mews is off; the base URL defaults to production', () => {
  expect(mewsVendor.settings.load({})).toBeNull();
  expect(mewsVendor.settings.load({ PMS_MEWS_CLIENT_TOKEN: '  ' })).toBeNull();
  expect(mewsVendor.settings.load({ PMS_MEWS_CLIENT_TOKEN: 'ct' })).toMatchObject({ baseUrl: 'https://api.mews.com', clientToken: 'ct', webhookToken: null, client: expect.stringMatching(/^Relay \d/) });
  expect(mewsVendor.settings.load({ PMS_MEWS_CLIENT_TOKEN: 'ct', PMS_MEWS_BASE_URL: 'https://api.mews-demo.com/', PMS_MEWS_WEBHOOK_TOKEN: 'wh' })).toMatchObject({ baseUrl: 'https://api.mews-demo.com', webhookToken: 'wh' });
  expect(mewsVendor.rateScope(settings, { vendorPropertyId: 'e', credentials: { accessToken: 'abc' } })).toEqual({ key: expect.stringMatching(/^mews:token:[0-9a-f]{16}$/), limit: 200, windowMs: 30_000 });
  expect(() => mewsVendor.credentials.parse({})).toThrow();
});
