/**
 * The protel vendor definition and its pure parts: settings from the environment, the limit's
 * scope, property credentials, the envelope, status and room mapping, the guest's change marker,
 * references.
 */
import { ConfigError } from '../../../src/config';
import { protelRateScope, protelVendor } from '../../../src/integrations/pms/protel';
import { fromHotelReservation, fromProfileInfo, fromRoom, reservationStatus } from '../../../src/integrations/pms/protel/mapping';
import { noteMarker, noteText, postingReference } from '../../../src/integrations/pms/protel/references';
import { buildEnvelope, readEnvelope } from '../../../src/integrations/pms/protel/soap';
import { readXml, XmlError } from '../../../src/integrations/pms/protel/xml';
import { pmsVendor } from '../../../src/integrations/pms/registry';

const OTA = 'http://www.opentravel.org/OTA/2003/05';

describe('the vendor definition', () => {
  it('is registered under protel with its pinned message sets, no webhook and a simulator on 4640', () => {
    expect(pmsVendor('protel')).toBe(protelVendor);
    expect(protelVendor.apiVersion).toBe('protel I/O SOAP 1.2, OTA 2011A / HTNG 2011B');
    expect(protelVendor.webhook).toBeUndefined();
    expect(protelVendor.simulator).toMatchObject({ entry: 'src/integrations/pms/protel/simulator/main.ts', defaultPort: 4640, portVariable: 'PROTEL_SIMULATOR_PORT' });
    for (const capability of Object.values(protelVendor.capabilities)) expect(capability).toMatchObject({ supported: true, note: expect.stringMatching(/\S/) });
  });

  it('loads nothing without an endpoint, and refuses a partial or invalid configuration', () => {
    const load = protelVendor.settings.load;
    expect(load({})).toBeNull();
    expect(() => load({ PMS_PROTEL_TARGET: 'io.protel.air' })).toThrow(ConfigError);
    expect(() => load({ PMS_PROTEL_URL: 'ftp://io.example' })).toThrow(/PMS_PROTEL_URL/);
    expect(() => load({ PMS_PROTEL_URL: 'https://io.example/ws/sync', PMS_PROTEL_TARGET: 'io.protel.cloud' })).toThrow(/PMS_PROTEL_TARGET/);
    expect(load({ PMS_PROTEL_URL: ' https://io.example/ws/sync ' })).toEqual({ endpointUrl: 'https://io.example/ws/sync', target: 'io.protel.pms' });
    expect(load({ PMS_PROTEL_URL: 'https://io.example/ws/sync', PMS_PROTEL_TARGET: 'io.protel.onpremise' })?.target).toBe('io.protel.onpremise');
    expect(protelVendor.settings.variables).toEqual(['PMS_PROTEL_URL', 'PMS_PROTEL_TARGET']);
  });

  it('demo settings point at the simulator’s synchronous endpoint', () => {
    expect(protelVendor.settings.demo('http://127.0.0.1:4640/')).toEqual({ endpointUrl: 'http://127.0.0.1:4640/io/sync', target: 'io.protel.pms' });
  });

  it('limits per hotel token, 120 requests a minute, under a key that does not reveal the token', () => {
    const settings = protelVendor.settings.demo('http://127.0.0.1:4640');
    const scope = protelVendor.rateScope(settings, { vendorPropertyId: '2501', credentials: { token: 'pio_0123456789abcdef' } });
    expect(scope).toEqual({ key: expect.stringMatching(/^protel:token:[0-9a-f]{24}$/), limit: 120, windowMs: 60_000 });
    expect(scope.key).not.toContain('0123456789abcdef');
    expect(protelRateScope({ token: 'pio_0123456789abcdef' })).toEqual(scope);
    expect(protelRateScope({ token: 'pio_fedcba9876543210' }).key).not.toBe(scope.key);
  });

  it('takes the hotel’s bearer token and an optional article as a property’s credentials, nothing else', () => {
    expect(protelVendor.credentials.parse({ token: ' pio_0123456789abcdef ' })).toEqual({ token: 'pio_0123456789abcdef' });
    expect(protelVendor.credentials.parse({ token: 'pio_0123456789abcdef', chargeItemId: '5000' })).toEqual({ token: 'pio_0123456789abcdef', chargeItemId: '5000' });
    expect(() => protelVendor.credentials.parse({})).toThrow();
    expect(() => protelVendor.credentials.parse({ token: 'short' })).toThrow();
    expect(() => protelVendor.credentials.parse({ token: 'has a space in it 0123' })).toThrow();
    expect(() => protelVendor.credentials.parse({ token: 'pio_0123456789abcdef', clientSecret: 'x' })).toThrow();
  });
});

describe('the envelope', () => {
  it('is built by the XML library and read back by namespace', () => {
    const text = buildEnvelope({ action: 'OTA_ReadRQ', correlationId: 'c-1', target: 'io.protel.pms', body: { name: 'OTA_ReadRQ', ns: OTA, content: { '@_EchoToken': 'a"b<c&' } } });
    const answer = readEnvelope(text.replace('OTA_ReadRQ xmlns', 'OTA_ReadRQ CorrelationID="c-1" xmlns'));
    expect(answer).toMatchObject({ kind: 'message', action: 'OTA_ReadRQ', correlationId: 'c-1', message: { ns: OTA, name: 'OTA_ReadRQ', attrs: { EchoToken: 'a"b<c&' } } });
  });

  it('refuses documents that are not one well-formed element, and DTDs', () => {
    expect(() => readXml('<a><b></a>')).toThrow(XmlError);
    expect(() => readXml('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>')).toThrow(/document type/);
    expect(() => readXml('<p:a/>')).toThrow(/undeclared prefix/);
    expect(() => readEnvelope('<Envelope/>')).toThrow(/SOAP 1.2/);
  });
});

describe('mapping', () => {
  const xml = (text: string) => readXml(`<root xmlns="${OTA}">${text}</root>`).children[0]!;

  it('maps every reservation status protel answers with', () => {
    const expected = { Reserved: 'confirmed', Requested: 'tentative', Waitlisted: 'tentative', 'In-house': 'checked_in', 'Checked out': 'checked_out', Cancelled: 'cancelled', 'No-show': 'no_show' };
    for (const [protel, relay] of Object.entries(expected)) expect(reservationStatus(protel)).toBe(relay);
    expect(() => reservationStatus('Booked')).toThrow();
  });

  it('reads a reservation: ids, stay, guest counts, room, primary guest, confirmation number, comments', () => {
    const read = fromHotelReservation(
      xml(`<HotelReservation ResStatus="In-house" LastModifyDateTime="2026-03-01T10:00:00Z">
        <UniqueID Type="14" ID="345001" ID_Context="protelIO"/>
        <RoomStays><RoomStay><RoomTypes><RoomType RoomTypeCode="DZ" RoomID="204"/></RoomTypes>
          <GuestCounts><GuestCount AgeQualifyingCode="10" Count="2"/><GuestCount AgeQualifyingCode="8" Count="1"/></GuestCounts>
          <TimeSpan Start="2026-03-01" End="2026-03-04"/></RoomStay></RoomStays>
        <ResGuests><ResGuest><Profiles><ProfileInfo><UniqueID Type="1" ID="1"/></ProfileInfo></Profiles></ResGuest>
          <ResGuest PrimaryIndicator="true"><Profiles><ProfileInfo><UniqueID Type="1" ID="880002"/></ProfileInfo></Profiles></ResGuest></ResGuests>
        <ResGlobalInfo><Comments><Comment ParagraphNumber="7"><Text>Late [relay:n]</Text></Comment></Comments>
          <HotelReservationIDs><HotelReservationID ResID_Type="10" ResID_Value="8100017"/></HotelReservationIDs></ResGlobalInfo>
      </HotelReservation>`),
    );
    expect(read).toEqual({
      reservation: { vendorId: '345001', confirmationNumber: '8100017', status: 'checked_in', arrivalDate: '2026-03-01', departureDate: '2026-03-04', guestVendorId: '880002', roomVendorId: '204', roomNumber: '204', adults: 2, children: 1, updatedAt: '2026-03-01T10:00:00.000Z' },
      comments: [{ id: '7', text: 'Late [relay:n]' }],
    });
    expect(() => fromHotelReservation(xml('<HotelReservation ResStatus="Reserved"/>'))).toThrow(/UniqueID/);
  });

  it('versions a profile by its LastModifyDateTime, else by a stable digest of the fields Relay maps', () => {
    const profile = (extra: string, name = 'Anna') =>
      fromProfileInfo(xml(`<ProfileInfo><UniqueID Type="1" ID="9"/><Profile ${extra}><Customer Language="nl-NL"><PersonName><GivenName>${name}</GivenName><Surname>Smit</Surname></PersonName>
        <Telephone PhoneNumber="06-1"/><Telephone PhoneNumber="06-2" DefaultInd="true"/><Email>a@example.nl</Email><CitizenCountryName Code="nl"/></Customer></Profile></ProfileInfo>`));
    const a = profile('');
    expect(a).toMatchObject({ vendorId: '9', firstName: 'Anna', lastName: 'Smit', phone: '06-2', email: 'a@example.nl', language: 'nl', nationality: 'NL', preferences: [], messagingConsent: null });
    expect(a.version).toMatch(/^h:[0-9a-f]{32}$/);
    expect(profile('').version).toBe(a.version);
    expect(profile('', 'Anne').version).not.toBe(a.version);
    expect(profile('LastModifyDateTime="2026-03-01T10:00:00Z"').version).toBe('2026-03-01T10:00:00.000Z');
  });

  it('maps housekeeping statuses and occupancy', () => {
    const room = (status: string, occupancy?: string) => fromRoom(xml(`<Room RoomID="101" HousekeepingStatus="${status}"${occupancy ? ` OccupancyStatus="${occupancy}"` : ''}/>`));
    expect(room('OutOfOrder', 'Occupied')).toMatchObject({ status: 'out_of_order', occupied: true });
    expect(room('Inspected')).toMatchObject({ status: 'inspected', occupied: null, roomType: null });
    expect(() => room('Sparkling')).toThrow();
  });
});

describe('references', () => {
  it('go as they are when they fit ReferenceID, as a stable 32-character digest when they do not', () => {
    expect(postingReference('abc')).toBe('abc');
    expect(postingReference('k'.repeat(32))).toBe('k'.repeat(32));
    const long = 'k'.repeat(33);
    expect(postingReference(long)).toMatch(/^relay-[0-9a-f]{26}$/);
    expect(postingReference(long)).toHaveLength(32);
    expect(postingReference(long)).toBe(postingReference('k'.repeat(33)));
    expect(postingReference(long)).not.toBe(postingReference(`${long}x`));
    expect(noteMarker('n-1')).toBe('[relay:n-1]');
    expect(noteText('Late arrival  ', 'n-1')).toBe('Late arrival [relay:n-1]');
  });
});
