import request from 'supertest';
import { PMS_VENDORS } from '../../src/integrations/pms/registry';
import { bearer, uniqueId } from '../helpers/relay';
import { type TestProperty, addArrival, addProperty, usePmsRelay } from '../helpers/pms';
import { waitFor } from '../helpers/wait';

/**
 * Write-through over every registered vendor: the PMS first, then the cache and the audit log;
 * a failure changes nothing locally; a retried charge whose answer was lost is found, never
 * posted twice; a guest changed at the hotel since it was read is not overwritten.
 */
describe.each(PMS_VENDORS.map((v) => [v.key]))('PMS write-through: %s', (key) => {
  const pms = usePmsRelay({ env: { PMS_WRITE_WAIT: '20s' } });
  const api = () => request(pms.relay().app);
  const auth = bearer('service');
  const control = () => pms.sim(key).control;
  let p: TestProperty;

  beforeAll(async () => {
    p = await addProperty(pms.relay(), pms.sim(key));
  });
  afterEach(async () => {
    await control().setFaults({});
  });

  const charge = (reservation: string, idempotencyKey: string | undefined, body: object = { amount: { amount: '12.50', currency: 'EUR' }, description: 'Minibar' }) => {
    const req = api().post(`/v1/properties/${p.id}/reservations/${reservation}/charges`).set('authorization', auth);
    return (idempotencyKey === undefined ? req : req.set('idempotency-key', idempotencyKey)).send(body);
  };
  /** The vendor keeps the reference in its own field, or (no such field) as a marker in the text. */
  const carries = (reference: string, entry: { reference: string | null; description: string }) => entry.reference === reference || entry.description.includes(reference);
  const folio = async (reservation: string) => (await control().charges(p.hotel.vendorPropertyId)).filter((c) => c.reservationVendorId === reservation);
  const audits = (writeId: string) => pms.relay().prisma.auditLog.findMany({ where: { entity: 'pms_property', entityId: p.id, after: { path: ['writeId'], equals: writeId } }, orderBy: { id: 'asc' } });

  it('posts a charge once per key, audits it, answers a repeat from the record and refuses the key for another body', async () => {
    const stay = await addArrival(p, 0, { lastName: 'Smit' });
    const k = uniqueId('charge');
    const posted = await charge(stay.reservationVendorId, k).expect(201);
    expect(posted.body).toMatchObject({ status: 'succeeded', operation: 'charge', idempotencyKey: k, replayed: false, foundExisting: false, charge: { reference: posted.body.reference, amount: { amount: '12.50', currency: 'EUR' } } });
    expect(await folio(stay.reservationVendorId)).toEqual([expect.objectContaining({ currency: 'EUR' })]);
    expect(carries(posted.body.reference, (await folio(stay.reservationVendorId))[0]!)).toBe(true);

    const repeat = await charge(stay.reservationVendorId, k).expect(201);
    expect(repeat.body).toMatchObject({ replayed: true, charge: posted.body.charge });
    const reused = await charge(stay.reservationVendorId, k, { amount: { amount: '99.00', currency: 'EUR' }, description: 'Minibar' });
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ reason: 'idempotency_key_reused' });
    expect(await folio(stay.reservationVendorId)).toHaveLength(1);

    const [row] = await audits(posted.body.writeId);
    expect(row).toMatchObject({ actor: 'ci', action: 'pms.charge.succeeded', correlationId: posted.body.workflowId });
    expect(row?.after).toMatchObject({ operation: 'charge', vendor: key, idempotencyKey: k, reference: posted.body.reference, request: { reservationVendorId: stay.reservationVendorId, amount: { amount: '12.50' } }, vendorResponse: { posted: { reference: posted.body.reference } }, attempt: 1 });
    expect(typeof (row?.after as { durationMs: number }).durationMs).toBe('number');
  });

  it('finds a charge whose answer was lost instead of posting it again', async () => {
    const stay = await addArrival(p, 0, { lastName: 'Mulder' });
    await control().setFaults({ loseAnswers: 1 });
    const res = await charge(stay.reservationVendorId, uniqueId('lost')).expect(201);
    expect(res.body).toMatchObject({ status: 'succeeded', foundExisting: true });
    expect(await folio(stay.reservationVendorId)).toHaveLength(1);
    expect((await audits(res.body.writeId)).map((a) => a.action)).toEqual(['pms.charge.attempt_failed', 'pms.charge.succeeded']);
  });

  it('changes nothing locally when the PMS is down, and a retry with the same key posts once', async () => {
    const stay = await addArrival(p, 0, { lastName: 'Visser' });
    const k = uniqueId('down');
    await control().setFaults({ outage: true });
    // Unresolved once its attempts are spent (503), or still retrying when the vendor asked for a long pause (202).
    const down = await charge(stay.reservationVendorId, k);
    expect(down.status === 503 ? down.body.error : down.body.status).toBe(down.status === 503 ? 'pms_write_unresolved' : 'pending');
    if (down.status === 503) expect(down.body.message).toMatch(/same Idempotency-Key/);
    const attempts = await audits(down.body.writeId);
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    expect(new Set(attempts.map((a) => a.action))).toEqual(new Set(['pms.charge.attempt_failed']));
    expect(await folio(stay.reservationVendorId)).toHaveLength(0);

    await control().setFaults({});
    const retried = await waitFor('the retried charge', async () => {
      const res = await charge(stay.reservationVendorId, k);
      return res.status === 201 ? res : undefined;
    }, 120_000);
    expect(retried.body).toMatchObject({ writeId: down.body.writeId, foundExisting: false });
    expect(await folio(stay.reservationVendorId)).toHaveLength(1);
  }, 180_000);

  it('answers a refusal by the PMS with a 4xx naming it, audited, nothing cached', async () => {
    const res = await charge('00000000-0000-4000-8000-00000000dead', uniqueId('refused'));
    expect([404, 422]).toContain(res.status);
    expect(res.body.message).toMatch(/\S/);
    expect((await audits(res.body.writeId)).map((a) => a.action)).toEqual(['pms.charge.failed']);
  });

  it('requires an Idempotency-Key and valid input, naming what is wrong', async () => {
    const stay = await addArrival(p, 0, { lastName: 'Kok' });
    const missing = await charge(stay.reservationVendorId, undefined);
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/Idempotency-Key: header is required/);
    expect((await charge(stay.reservationVendorId, 'bad key!')).body.message).toMatch(/Idempotency-Key: must be/);
    const badAmount = await charge(stay.reservationVendorId, uniqueId('bad'), { amount: { amount: '12,50', currency: 'EUR' }, description: 'x' });
    expect(badAmount.status).toBe(400);
    expect(badAmount.body.message).toMatch(/amount\.amount: must be a decimal amount/);
    expect(await folio(stay.reservationVendorId)).toHaveLength(0);
  });

  it('posts a note once, also when its answer was lost', async () => {
    const stay = await addArrival(p, 1, { lastName: 'de Boer' });
    const note = (k: string) => api().post(`/v1/properties/${p.id}/reservations/${stay.reservationVendorId}/notes`).set('authorization', auth).set('idempotency-key', k).send({ text: 'Late arrival, around 23:00' });
    const supported = pms.sim(key).vendor.capabilities.postNote.supported;
    await control().setFaults({ loseAnswers: 1 });
    const res = await note(uniqueId('note'));
    if (!supported) return expect(res.body).toMatchObject({ reason: 'unsupported_operation' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'succeeded', foundExisting: true, note: { reference: res.body.reference } });
    const notes = (await control().notes(p.hotel.vendorPropertyId)).filter((n) => n.reservationVendorId === stay.reservationVendorId);
    expect(notes).toHaveLength(1);
    expect(notes[0]?.text).toContain('Late arrival, around 23:00');
  });

  it('updates a guest against the version read; refuses with 409 (both values) a guest the hotel changed since', async () => {
    const stay = await addArrival(p, 1, { firstName: 'Emma', lastName: 'Meijer', phone: '06-11112222' });
    const read = await api().get(`/v1/properties/${p.id}/guests/${stay.guestVendorId}`).set('authorization', auth).expect(200);
    const patch = (k: string, body: object) => api().patch(`/v1/properties/${p.id}/guests/${stay.guestVendorId}`).set('authorization', auth).set('idempotency-key', k).send(body);

    const updated = await patch(uniqueId('guest'), { version: read.body.guest.version, phone: '+31 6 33334444', language: 'en' }).expect(200);
    expect(updated.body.guest).toMatchObject({ vendorId: stay.guestVendorId, phoneE164: '+31633334444', language: 'en' });
    expect(updated.body.guest.version).not.toBe(read.body.guest.version);
    const cached = await pms.relay().prisma.pmsGuest.findUniqueOrThrow({ where: { propertyId_vendorId: { propertyId: p.id, vendorId: stay.guestVendorId } } });
    expect(cached).toMatchObject({ phoneE164: '+31633334444', vendorVersion: updated.body.guest.version });

    await control().changeGuest(p.hotel.vendorPropertyId, stay.guestVendorId, { firstName: 'Emmy' });
    const conflict = await patch(uniqueId('guest'), { version: updated.body.guest.version, firstName: 'Emilia' });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ reason: 'version_conflict', current: { firstName: 'Emmy' }, requested: { firstName: 'Emilia', version: updated.body.guest.version } });
    expect(conflict.body.current.version).not.toBe(updated.body.guest.version);
    // Nothing overwritten: the hotel's edit stands, the cache is as the update left it.
    await api().get(`/v1/properties/${p.id}/guests/${stay.guestVendorId}`).set('authorization', auth).expect(200);
    expect((await pms.relay().prisma.pmsGuest.findUniqueOrThrow({ where: { id: cached.id } })).firstName).toBe('Emma');
    expect((await audits(conflict.body.writeId)).map((a) => a.action)).toEqual(['pms.guest_update.conflict']);
  });

  it('takes a guest update whose answer was lost for done when the profile holds it (no 409 against itself)', async () => {
    const stay = await addArrival(p, 1, { firstName: 'Noor', lastName: 'Hendriks' });
    const read = await api().get(`/v1/properties/${p.id}/guests/${stay.guestVendorId}`).set('authorization', auth).expect(200);
    await control().setFaults({ loseAnswers: 1 });
    const res = await api().patch(`/v1/properties/${p.id}/guests/${stay.guestVendorId}`).set('authorization', auth).set('idempotency-key', uniqueId('glost')).send({ version: read.body.guest.version, language: 'de' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ foundExisting: true, guest: { language: 'de' } });
  });

  it('leaves the cached guest as it was when the update fails', async () => {
    const stay = await addArrival(p, 1, { firstName: 'Lars', lastName: 'Dekker' });
    const read = await api().get(`/v1/properties/${p.id}/guests/${stay.guestVendorId}`).set('authorization', auth).expect(200);
    const before = await pms.relay().prisma.pmsGuest.findUniqueOrThrow({ where: { propertyId_vendorId: { propertyId: p.id, vendorId: stay.guestVendorId } } });
    await control().setFaults({ outage: true });
    const res = await api().patch(`/v1/properties/${p.id}/guests/${stay.guestVendorId}`).set('authorization', auth).set('idempotency-key', uniqueId('gdown')).send({ version: read.body.guest.version, lastName: 'Dijkstra' });
    expect([202, 503]).toContain(res.status);
    expect(await pms.relay().prisma.pmsGuest.findUniqueOrThrow({ where: { id: before.id } })).toEqual(before);
  }, 60_000);
});
