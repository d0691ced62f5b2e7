/**
 * protel's wire, checked from both sides. Every request Relay's adapter sends is read with the
 * simulator's XML reader and every answer the simulator gives with the adapter's, and each must be
 * a SOAP 1.2 envelope (http://www.w3.org/2003/05/soap-envelope) sent as application/soap+xml with
 * the SOAPAction, protel's Action / CorrelationID / Target header elements (http://protel.io/soap)
 * and the hotel's bearer token. The simulator refuses anything else as protel does (SOAP 1.2
 * VersionMismatch and Sender faults), and the adapter refuses answers that are not protel's.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FailureType } from '../../../src/domain/failure-types';
import { PmsFailureType } from '../../../src/integrations/pms/errors';
import { ProtelAdapter } from '../../../src/integrations/pms/protel/adapter';
import { readXml, type XmlElement } from '../../../src/integrations/pms/protel/xml';
import type { SimExchange } from '../../../src/integrations/pms/protel/simulator';
import { type El, parseXml } from '../../../src/integrations/pms/protel/simulator/xml';
import { failureOf, type Harness, harness, localDay, logger } from './helpers';

const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const PROTEL = 'http://protel.io/soap';
const HTNG_ASYNC = 'http://htng.org/PWSWG/2007/02/AsyncHeaders';
const OTA = 'http://www.opentravel.org/OTA/2003/05';
const HTNG = 'http://htng.org/2011B';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The messages Relay sends, their answers and namespaces. */
const MESSAGES: Record<string, { rs: string; ns: string }> = {
  OTA_ReadRQ: { rs: 'OTA_ResRetrieveRS', ns: OTA },
  OTA_ProfileReadRQ: { rs: 'OTA_ProfileReadRS', ns: OTA },
  OTA_ProfileModifyRQ: { rs: 'OTA_ProfileModifyRS', ns: OTA },
  HTNG_ChargePostingRQ: { rs: 'HTNG_ChargePostingRS', ns: HTNG },
  HTNG_HotelFolioRQ: { rs: 'HTNG_HotelFolioRS', ns: HTNG },
  IO_ResModifyNotifRQ: { rs: 'IO_ResModifyNotifRS', ns: PROTEL },
  HTNG_HotelRoomStatusRQ: { rs: 'HTNG_HotelRoomStatusRS', ns: HTNG },
};

const exchanges: SimExchange[] = [];
let h: Harness;
let token: string;

beforeAll(async () => {
  // Small pages, so that MoreDataEchoToken is on the wire too.
  h = await harness({ record: (e) => exchanges.push(e), maxPageSize: 3 }, { rooms: 7, arrivalsPerDay: 3 });
  token = String(h.hotel.credentials.token);
  const adapter = h.adapter();
  const hotel = h.hotel.vendorPropertyId;
  const made = await h.control.addReservation(hotel, { arrivalDate: localDay(0), departureDate: localDay(2), guest: { firstName: 'Sanne', lastName: 'de Vries', phone: '06-12345678', email: 'sanne@example.nl', language: 'nl' } });
  await adapter.listArrivals({ from: localDay(0), to: localDay(1) });
  await adapter.searchReservations({ confirmationNumber: made.confirmationNumber });
  await adapter.searchReservations({ lastName: 'de Vr', arrivalFrom: localDay(0), arrivalTo: localDay(2) });
  await adapter.getReservation(made.reservationVendorId);
  await adapter.getReservation('999999');
  await adapter.getGuest(made.guestVendorId);
  await adapter.updateGuest(made.guestVendorId, { firstName: 'Sanna', phone: '+31 6 33334444', email: 'sanna@example.nl', language: 'en', preferences: ['High floor'] });
  await adapter.postCharge({ reservationVendorId: made.reservationVendorId, amount: { amount: '12.50', currency: 'EUR' }, description: 'Minibar & <snacks>', reference: 'wire-charge-1' });
  await h.control.setFaults({ loseAnswers: 1 });
  await expect(adapter.postCharge({ reservationVendorId: made.reservationVendorId, amount: { amount: '3.00', currency: 'EUR' }, description: 'Parking', reference: 'wire-charge-2' })).rejects.toThrow();
  await h.control.setFaults({});
  await adapter.findCharge(made.reservationVendorId, 'wire-charge-2');
  await adapter.postNote({ reservationVendorId: made.reservationVendorId, text: 'Late arrival', reference: 'wire-note-1' });
  await adapter.findNote(made.reservationVendorId, 'wire-note-1');
  await adapter.listRooms();
  await expect(adapter.postCharge({ reservationVendorId: '999999', amount: { amount: '1.00', currency: 'EUR' }, description: 'x', reference: 'wire-missing' })).rejects.toThrow();
});
afterAll(async () => {
  await h?.sim.close();
});

const adapterExchanges = () => exchanges.filter((e) => e.headers['x-wire-check'] === undefined);
const kid = (el: El | undefined, local: string, ns: string): El | undefined => el?.elements.find((e) => e.local === local && e.ns === ns);
const child = (el: XmlElement | undefined, name: string, ns: string): XmlElement | undefined => el?.children.find((c) => c.name === name && c.ns === ns);

test('Relay used every protel message it needs, pages and protel’s refusals included', () => {
  const actions = new Set(adapterExchanges().map((e) => kid(kid(parseXml(e.requestBody), 'Header', SOAP12), 'Action', PROTEL)?.text));
  expect([...actions].sort()).toEqual(Object.keys(MESSAGES).sort());
  expect(adapterExchanges().some((e) => e.requestBody.includes('MoreDataEchoToken='))).toBe(true);
  expect(adapterExchanges().some((e) => e.responseBody.includes('<Errors>'))).toBe(true);
  expect(adapterExchanges().some((e) => e.lost)).toBe(true);
});

test('every request is a SOAP 1.2 envelope with protel’s header elements, the SOAPAction and the hotel’s bearer token', () => {
  const sent = adapterExchanges();
  expect(sent.length).toBeGreaterThan(15);
  for (const e of sent) {
    expect(e.method).toBe('POST');
    expect(e.path).toBe('/io/sync');
    expect(e.headers.authorization).toBe(`Bearer ${token}`);
    const contentType = String(e.headers['content-type']);
    const match = /^application\/soap\+xml; charset=utf-8; action="(http:\/\/htng\.org\/PWSWG\/2010\/12\/(\w+)_SubmitRequest)"$/.exec(contentType);
    expect(match).not.toBeNull();
    expect(e.headers.soapaction).toBe(match![1]);
    expect(e.requestBody).not.toContain(SOAP11);

    const envelope = parseXml(e.requestBody);
    expect([envelope.ns, envelope.local]).toEqual([SOAP12, 'Envelope']);
    const header = kid(envelope, 'Header', SOAP12);
    const action = kid(header, 'Action', PROTEL)?.text;
    const correlationId = kid(header, 'CorrelationID', PROTEL)?.text;
    expect(action).toBe(match![2]);
    expect(correlationId).toMatch(UUID);
    expect(kid(header, 'CorrelationID', HTNG_ASYNC)?.text).toBe(correlationId);
    expect(kid(header, 'Target', PROTEL)?.text).toBe('io.protel.pms');
    expect(e.headers.correlationid).toBe(correlationId);

    const body = kid(envelope, 'Body', SOAP12)!.elements;
    expect(body).toHaveLength(1);
    const message = body[0]!;
    expect([message.ns, message.local]).toEqual([MESSAGES[action!]!.ns, action]);
    expect(message.attributes).toMatchObject({ CorrelationID: correlationId, EchoToken: correlationId, TimeStamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/), Version: expect.any(String) });
    if (message.ns !== PROTEL) {
      expect(kid(kid(kid(message, 'POS', message.ns!), 'Source', message.ns!), 'RequestorID', message.ns!)?.attributes).toEqual({ Type: '10', ID: h.hotel.vendorPropertyId, ID_Context: 'protelIO' });
    }
  }
  // One CorrelationID per request.
  expect(new Set(sent.map((e) => e.headers.correlationid)).size).toBe(sent.length);
});

test('every answer is a SOAP 1.2 envelope naming the RS and echoing the request’s CorrelationID', () => {
  for (const e of adapterExchanges().filter((x) => !x.lost)) {
    expect(e.status).toBe(200);
    expect(e.responseHeaders['content-type']).toMatch(/^application\/soap\+xml/);
    const request = kid(kid(parseXml(e.requestBody), 'Header', SOAP12), 'Action', PROTEL)!.text;
    const correlationId = String(e.headers.correlationid);
    const envelope = readXml(e.responseBody);
    expect([envelope.ns, envelope.name]).toEqual([SOAP12, 'Envelope']);
    const header = child(envelope, 'Header', SOAP12);
    expect(child(header, 'Action', PROTEL)?.text).toBe(MESSAGES[request]!.rs);
    expect(child(header, 'CorrelationID', PROTEL)?.text).toBe(correlationId);
    const rs = child(envelope, 'Body', SOAP12)!.children[0]!;
    expect([rs.ns, rs.name]).toEqual([MESSAGES[request]!.ns, MESSAGES[request]!.rs]);
    expect(rs.attrs.CorrelationID).toBe(correlationId);
    expect(rs.children.some((c) => c.name === 'Success' || c.name === 'Errors')).toBe(true);
  }
});

test('values travel escaped by the XML library and arrive as they were sent', async () => {
  const charges = await h.control.charges(h.hotel.vendorPropertyId);
  expect(charges.find((c) => c.reference === 'wire-charge-1')?.description).toBe('Minibar & <snacks>');
  expect(adapterExchanges().some((e) => e.requestBody.includes('Minibar &amp; &lt;snacks&gt;'))).toBe(true);
});

describe('the simulator refuses what protel I/O refuses', () => {
  /** A valid request the adapter sent, as a template to break. */
  const valid = () => adapterExchanges().find((e) => e.requestBody.includes('OTA_ProfileReadRQ') && e.status === 200)!;
  const send = (body: string, headers: Record<string, string> = {}) => {
    const e = valid();
    return fetch(`${h.sim.url}/io/sync`, {
      method: 'POST',
      headers: { 'content-type': String(e.headers['content-type']), soapaction: String(e.headers.soapaction), authorization: `Bearer ${token}`, 'x-wire-check': 'deliberate', ...headers },
      body,
    });
  };
  async function fault(res: Response): Promise<{ code: string | undefined; subcode: string | undefined; envelope: XmlElement }> {
    expect(res.headers.get('content-type')).toMatch(/^application\/soap\+xml/);
    const envelope = readXml(await res.text());
    expect([envelope.ns, envelope.name]).toEqual([SOAP12, 'Envelope']);
    const f = child(child(envelope, 'Body', SOAP12), 'Fault', SOAP12);
    const code = child(f, 'Code', SOAP12);
    return { code: child(code, 'Value', SOAP12)?.text, subcode: child(child(code, 'Subcode', SOAP12), 'Value', SOAP12)?.text, envelope };
  }

  it('a SOAP 1.1 envelope: VersionMismatch, naming SOAP 1.2 as the supported envelope', async () => {
    const res = await send(valid().requestBody.replace(SOAP12, SOAP11));
    expect(res.status).toBe(500);
    const f = await fault(res);
    expect(f.code).toBe('env:VersionMismatch');
    const upgrade = child(child(f.envelope, 'Header', SOAP12), 'Upgrade', SOAP12);
    expect(child(upgrade, 'SupportedEnvelope', SOAP12)?.attrs.qname).toMatch(/:Envelope$/);
  });

  it('SOAP 1.1’s content type (text/xml), or none: 415 with a SOAP 1.2 Sender fault', async () => {
    const soap11 = await send(valid().requestBody.replace(SOAP12, SOAP11), { 'content-type': 'text/xml; charset=utf-8' });
    expect(soap11.status).toBe(415);
    expect(await fault(soap11)).toMatchObject({ code: 'env:Sender', subcode: 'p:UnsupportedMediaType' });
    expect((await send(valid().requestBody, { 'content-type': 'application/xml' })).status).toBe(415);
  });

  it('no bearer token, or another one: 401 with a Sender fault and a Bearer challenge', async () => {
    const none = await send(valid().requestBody, { authorization: '' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(await fault(none)).toMatchObject({ code: 'env:Sender', subcode: 'p:Unauthorized' });
    expect((await send(valid().requestBody, { authorization: 'Basic dXNlcjpwYXNz' })).status).toBe(401);
    expect((await send(valid().requestBody, { authorization: 'Bearer pio_unknown' })).headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('protel’s header elements missing or wrong, another SOAPAction, another body: 400 Sender faults', async () => {
    const body = valid().requestBody;
    const cases: Array<[string, Record<string, string>, string]> = [
      [body.replace(/<p:Action>[^<]*<\/p:Action>/, ''), {}, 'p:MissingHeader'],
      [body.replace(/<p:CorrelationID>[^<]*<\/p:CorrelationID>/, '').replace(/<htnga:CorrelationID[^>]*>[^<]*<\/htnga:CorrelationID>/, ''), {}, 'p:MissingHeader'],
      [body.replace(/<p:Target>[^<]*<\/p:Target>/, '<p:Target>io.protel.elsewhere</p:Target>'), {}, 'p:InvalidTarget'],
      [body, { soapaction: 'http://htng.org/PWSWG/2010/12/OTA_ReadRQ_SubmitRequest' }, 'p:ActionMismatch'],
      [body.replace(/<p:Action>[^<]*<\/p:Action>/, '<p:Action>OTA_HotelResNotifRQ</p:Action>'), {}, 'p:ActionNotSupported'],
      [body.replace('<?xml version="1.0" encoding="utf-8"?>', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>'), {}, 'p:MalformedMessage'],
      [body.replace('</env:Envelope>', ''), {}, 'p:MalformedMessage'],
    ];
    for (const [broken, headers, subcode] of cases) {
      const res = await send(broken, headers);
      expect([res.status, (await fault(res)).subcode]).toEqual([400, subcode]);
    }
  });

  it('a header block it must understand but does not: 500 MustUnderstand', async () => {
    const body = valid().requestBody.replace('<env:Header>', '<env:Header><x:Security xmlns:x="urn:example" env:mustUnderstand="true"/>');
    const res = await send(body);
    expect(res.status).toBe(500);
    expect((await fault(res)).code).toBe('env:MustUnderstand');
  });

  it('a message without its mandatory TimeStamp: OTA Errors inside the answer, HTTP 200', async () => {
    const res = await send(valid().requestBody.replace(/ TimeStamp="[^"]*"/, ''));
    expect(res.status).toBe(200);
    const rs = child(readXml(await res.text()), 'Body', SOAP12)!.children[0]!;
    const error = child(child(rs, 'Errors', OTA), 'Error', OTA);
    expect(error?.attrs).toMatchObject({ Type: '10', Code: '321' });
  });
});

describe('the adapter refuses answers that are not protel’s', () => {
  let server: Server;
  let url: string;
  let answer: (requestBody: string) => { status: number; body: string; contentType?: string } | 'hang up';
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const a = answer(Buffer.concat(chunks).toString('utf8'));
        if (a === 'hang up') return void req.socket.destroy();
        res.writeHead(a.status, { 'content-type': a.contentType ?? 'application/soap+xml; charset=utf-8' });
        res.end(a.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const adapter = () =>
    new ProtelAdapter({
      settings: { endpointUrl: `${url}/io/sync`, target: 'io.protel.pms' },
      property: { propertyId: 'p', vendorPropertyId: '2501', timezone: 'Europe/Amsterdam', credentials: { token: 'pio_0123456789abcdef', chargeItemId: '5000' } },
      logger,
      withinLimit: (send) => send(),
    });
  const correlationOf = (body: string) => /<p:CorrelationID>([^<]+)<\/p:CorrelationID>/.exec(body)![1]!;
  const rs = (envelopeNs: string, correlationId: string, name = 'HTNG_HotelRoomStatusRS', ns = HTNG) =>
    `<?xml version="1.0"?><e:Envelope xmlns:e="${envelopeNs}"><e:Header><q:Action xmlns:q="${PROTEL}">${name}</q:Action><q:CorrelationID xmlns:q="${PROTEL}">${correlationId}</q:CorrelationID></e:Header><e:Body><${name} xmlns="${ns}" CorrelationID="${correlationId}"><Success/><Rooms><Room RoomID="101" HousekeepingStatus="Clean" OccupancyStatus="Vacant"/></Rooms></${name}></e:Body></e:Envelope>`;
  const soapFault = (code: string) => `<?xml version="1.0"?><env:Envelope xmlns:env="${SOAP12}"><env:Body><env:Fault><env:Code><env:Value>env:${code}</env:Value></env:Code><env:Reason><env:Text xml:lang="en">no</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>`;
  const charge = { reservationVendorId: '1', amount: { amount: '1.00', currency: 'EUR' }, description: 'x', reference: 'r' };

  it('reads an answer with any prefixes, as long as it is SOAP 1.2 and the request’s', async () => {
    answer = (body) => ({ status: 200, body: rs(SOAP12, correlationOf(body)) });
    await expect(adapter().listRooms()).resolves.toEqual([expect.objectContaining({ vendorId: '101', status: 'clean', occupied: false })]);
  });

  it('a SOAP 1.1 answer, or one with another CorrelationID or message: retryable, and for a write of unknown outcome', async () => {
    answer = (body) => ({ status: 200, body: rs(SOAP11, correlationOf(body)) });
    expect(await failureOf(adapter().listRooms())).toMatchObject({ type: FailureType.VendorUnavailable, nonRetryable: false });
    answer = () => ({ status: 200, body: rs(SOAP12, '00000000-0000-4000-8000-000000000000') });
    expect((await failureOf(adapter().listRooms())).message).toContain('CorrelationID');
    answer = (body) => ({ status: 200, body: rs(SOAP12, correlationOf(body)) });
    expect(await failureOf(adapter().postCharge(charge))).toMatchObject({ type: FailureType.VendorOutcomeUnknown, nonRetryable: false });
    answer = () => ({ status: 200, body: '<html>maintenance</html>', contentType: 'text/html' });
    expect(await failureOf(adapter().listRooms())).toMatchObject({ type: FailureType.VendorUnavailable, nonRetryable: false });
  });

  it('faults: VersionMismatch and Sender are Relay’s mistakes (never retried), Receiver and a gateway’s 502 are passing', async () => {
    answer = () => ({ status: 500, body: soapFault('VersionMismatch') });
    expect(await failureOf(adapter().listRooms())).toMatchObject({ type: PmsFailureType.Rejected, nonRetryable: true });
    answer = () => ({ status: 400, body: soapFault('Sender') });
    expect(await failureOf(adapter().listRooms())).toMatchObject({ type: PmsFailureType.Rejected, nonRetryable: true });
    answer = () => ({ status: 500, body: soapFault('Receiver') });
    expect(await failureOf(adapter().listRooms())).toMatchObject({ type: FailureType.VendorUnavailable, nonRetryable: false });
    answer = () => ({ status: 502, body: 'Bad Gateway', contentType: 'text/plain' });
    expect(await failureOf(adapter().postCharge(charge))).toMatchObject({ type: FailureType.VendorOutcomeUnknown, nonRetryable: false });
    expect(await failureOf(adapter().listRooms())).toMatchObject({ type: FailureType.VendorUnavailable, nonRetryable: false });
    answer = () => ({ status: 403, body: soapFault('Sender') });
    expect(await failureOf(adapter().listRooms())).toMatchObject({ type: PmsFailureType.Unauthorized, nonRetryable: true });
  });

  it('a connection lost before the answer: a write’s outcome is unknown, a read (also a POST) is just unavailable', async () => {
    answer = () => 'hang up';
    expect(await failureOf(adapter().postCharge(charge))).toMatchObject({ type: FailureType.VendorOutcomeUnknown, nonRetryable: false });
    const read = await failureOf(adapter().listRooms());
    expect(read).toMatchObject({ type: FailureType.VendorUnavailable, nonRetryable: false });
    expect(read.details?.[0]).toMatchObject({ ambiguous: false });
  });
});
