/**
 * The OPERA vendor definition and its pure parts: settings from the environment, the limit's scope,
 * property credentials, status and room mapping, the guest's change marker, references.
 */
import { ConfigError } from '../../../src/config';
import { operaCloudVendor, operaRateScope } from '../../../src/integrations/pms/opera-cloud';
import { amountNumber, decimalText, fromProfile, fromRoom, reservationStatus } from '../../../src/integrations/pms/opera-cloud/mapping';
import { noteMarker, noteText, postingReference } from '../../../src/integrations/pms/opera-cloud/references';
import { OPERA_DEMO } from '../../../src/integrations/pms/opera-cloud/simulator/demo';
import { pmsVendor } from '../../../src/integrations/pms/registry';

const env = {
  PMS_OPERA_GATEWAY_URL: 'https://gw.example.oraclecloud.com/',
  PMS_OPERA_CLIENT_ID: 'client',
  PMS_OPERA_CLIENT_SECRET: 'secret',
  PMS_OPERA_APP_KEY: '6f1c2b7e-3a4d-4e8f-9b21-5c7d8e9f0a1b',
  PMS_OPERA_ENTERPRISE_ID: 'CHAIN1',
};

describe('the vendor definition', () => {
  it('is registered under opera-cloud with the pinned OHIP version and a simulator on 4620', () => {
    expect(pmsVendor('opera-cloud')).toBe(operaCloudVendor);
    expect(operaCloudVendor.apiVersion).toBe('25.5.0.0');
    expect(operaCloudVendor.webhook).toBeUndefined();
    expect(operaCloudVendor.simulator).toMatchObject({ entry: 'src/integrations/pms/opera-cloud/simulator/main.ts', defaultPort: 4620, portVariable: 'OPERA_SIMULATOR_PORT' });
  });

  it('loads nothing without client credentials, and refuses a partial or invalid configuration', () => {
    const load = operaCloudVendor.settings.load;
    expect(load({})).toBeNull();
    expect(load({ PMS_OPERA_GATEWAY_URL: env.PMS_OPERA_GATEWAY_URL })).toBeNull();
    expect(() => load({ PMS_OPERA_CLIENT_ID: 'client' })).toThrow(ConfigError);
    expect(() => load({ ...env, PMS_OPERA_APP_KEY: 'not-a-key' })).toThrow(/PMS_OPERA_APP_KEY/);
    expect(() => load({ ...env, PMS_OPERA_ENTERPRISE_ID: 'chain-1' })).toThrow(/PMS_OPERA_ENTERPRISE_ID/);
    expect(() => load({ ...env, PMS_OPERA_GATEWAY_URL: 'ftp://x' })).toThrow(/PMS_OPERA_GATEWAY_URL/);
    expect(load(env)).toEqual({ gatewayUrl: 'https://gw.example.oraclecloud.com', clientId: 'client', clientSecret: 'secret', appKey: env.PMS_OPERA_APP_KEY, enterpriseId: 'CHAIN1', externalSystem: null });
    expect(load({ ...env, PMS_OPERA_EXTERNAL_SYSTEM: 'RELAY' })?.externalSystem).toBe('RELAY');
    expect(operaCloudVendor.settings.variables).toEqual(expect.arrayContaining(Object.keys(env)));
  });

  it('demo settings use the simulator’s public demo client', () => {
    expect(operaCloudVendor.settings.demo('http://127.0.0.1:4620/')).toEqual({ gatewayUrl: 'http://127.0.0.1:4620', ...OPERA_DEMO });
  });

  it('limits per environment: gateway host and enterprise, 50 requests per second', () => {
    const settings = operaCloudVendor.settings.load(env)!;
    expect(operaCloudVendor.rateScope(settings, { vendorPropertyId: 'H1', credentials: {} })).toEqual({ key: 'opera:env:gw.example.oraclecloud.com:CHAIN1', limit: 50, windowMs: 1000 });
    expect(operaRateScope({ gatewayUrl: 'http://127.0.0.1:4620', enterpriseId: 'X' }).key).toBe('opera:env:127.0.0.1:4620:X');
  });

  it('takes an optional transaction code as a property’s credentials, nothing else', () => {
    expect(operaCloudVendor.credentials.parse({})).toEqual({});
    expect(operaCloudVendor.credentials.parse({ chargeTransactionCode: ' 2000 ' })).toEqual({ chargeTransactionCode: '2000' });
    expect(() => operaCloudVendor.credentials.parse({ clientSecret: 'x' })).toThrow();
  });
});

describe('mapping', () => {
  it('maps every OPERA reservation status, the stored one first', () => {
    const expected = {
      Reserved: 'confirmed',
      DueIn: 'confirmed',
      Requested: 'tentative',
      Waitlisted: 'tentative',
      InHouse: 'checked_in',
      DueOut: 'checked_in',
      Walkin: 'checked_in',
      PendingCheckout: 'checked_in',
      CheckedOut: 'checked_out',
      Cancelled: 'cancelled',
      NoShow: 'no_show',
    };
    for (const [opera, relay] of Object.entries(expected)) expect(reservationStatus(opera, undefined)).toBe(relay);
    expect(reservationStatus('InHouse', 'DueOut')).toBe('checked_in');
    expect(reservationStatus(undefined, 'DueIn')).toBe('confirmed');
    expect(() => reservationStatus('Booked', undefined)).toThrow(/pMS_ResStatusType/);
  });

  it('maps housekeeping statuses and front-office occupancy', () => {
    const room = (status: string, fo?: string) => fromRoom({ roomId: '101', housekeeping: { housekeepingRoomStatus: { housekeepingRoomStatus: status, frontOfficeStatus: fo } } });
    expect(room('OutOfOrder', 'Occupied')).toMatchObject({ status: 'out_of_order', occupied: true });
    expect(room('Inspected')).toMatchObject({ status: 'inspected', occupied: null });
    expect(() => room('Sparkling')).toThrow();
  });

  it('versions a profile by its lastModifyDateTime, else by a stable digest of the fields Relay maps', () => {
    const details = { customer: { personName: [{ givenName: 'Anna', surname: 'Smit', nameType: 'Primary' }] }, telephones: { telephoneInfo: [{ telephone: { phoneNumber: '06-1', primaryInd: false } }, { telephone: { phoneNumber: '06-2', primaryInd: true } }] } };
    const a = fromProfile({ profileDetails: details }, '1');
    expect(a.phone).toBe('06-2');
    expect(a.version).toMatch(/^h:[0-9a-f]{32}$/);
    expect(fromProfile({ profileDetails: structuredClone(details) }, '1').version).toBe(a.version);
    const renamed = structuredClone(details);
    renamed.customer.personName[0]!.givenName = 'Anne';
    expect(fromProfile({ profileDetails: renamed }, '1').version).not.toBe(a.version);
    expect(fromProfile({ profileDetails: { ...details, lastModifyDateTime: '2025-03-01T10:00:00.000Z' } }, '1').version).toBe('2025-03-01T10:00:00.000Z');
  });

  it('keeps amounts exact as decimal text', () => {
    expect(amountNumber('12.50')).toBe(12.5);
    expect(amountNumber('1e3')).toBeNull();
    expect(decimalText(12.5, 'EUR')).toBe('12.50');
    expect(decimalText(1200, 'JPY')).toBe('1200');
    expect(decimalText(1.125, 'KWD')).toBe('1.125');
  });
});

describe('references', () => {
  it('go as they are when they fit, as a stable digest when they do not', () => {
    expect(postingReference('abc')).toBe('abc');
    const long = 'k'.repeat(2001);
    expect(postingReference(long)).toMatch(/^relay-[0-9a-f]{32}$/);
    expect(postingReference(long)).toBe(postingReference(`${long}`));
    expect(postingReference(long)).not.toBe(postingReference(`${long}x`));
    expect(noteMarker('n-1')).toBe('[relay:n-1]');
    expect(noteText('Late arrival  ', 'n-1')).toBe('Late arrival [relay:n-1]');
  });
});
