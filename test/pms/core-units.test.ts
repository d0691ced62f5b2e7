import { arrivalStateHash } from '../../src/activities/pms/arrival-hash';
import { idPart, writeReference, writeRequestHash } from '../../src/db/pms/references';
import { pmsProblemOf } from '../../src/domain/pms/failures';
import { normaliseGuestPhone } from '../../src/domain/pms/guest-phone';
import { arrivalWindow, isTimeZone, localDay } from '../../src/domain/pms/local-days';
import { mayWelcome } from '../../src/domain/pms/welcome';
import { FailureType } from '../../src/domain/failure-types';
import { PmsFailureType } from '../../src/integrations/pms/errors';
import type { PmsReservation } from '../../src/integrations/pms/model';

/** The PMS core's pure rules: hotel days, references, failure names, phones, consent, arrival state. */
describe('PMS core rules', () => {
  it('counts days where the hotel is: one instant is two dates in Auckland and Honolulu', () => {
    const at = new Date('2026-03-29T01:30:00Z');
    expect(localDay('Europe/Amsterdam', 0, at)).toBe('2026-03-29');
    expect(arrivalWindow('Pacific/Auckland', at)).toEqual({ from: '2026-03-29', to: '2026-03-30' });
    expect(arrivalWindow('Pacific/Honolulu', at)).toEqual({ from: '2026-03-28', to: '2026-03-29' });
    expect(localDay('Europe/Amsterdam', 1, new Date('2026-12-31T22:00:00Z'))).toBe('2027-01-01');
    expect(isTimeZone('Europe/Amsterdam')).toBe(true);
    for (const bad of ['Mars/Olympus', 'Amsterdam', '', 'CET+1']) expect(isTimeZone(bad)).toBe(false);
  });

  it('derives a short, stable reference per property and key, and compares requests regardless of key order', () => {
    const ref = writeReference('11111111-1111-4111-8111-111111111111', 'order-42');
    expect(ref).toMatch(/^rly-[0-9a-f]{20}$/);
    expect(writeReference('11111111-1111-4111-8111-111111111111', 'order-42')).toBe(ref);
    expect(writeReference('22222222-2222-4222-8222-222222222222', 'order-42')).not.toBe(ref);
    expect(writeRequestHash('charge', 'r1', { a: 1, b: { c: 2, d: 3 } })).toBe(writeRequestHash('charge', 'r1', { b: { d: 3, c: 2 }, a: 1 }));
    expect(writeRequestHash('charge', 'r1', { a: 1 })).not.toBe(writeRequestHash('charge', 'r2', { a: 1 }));
    expect(idPart('res-1.2:3')).toBe('res-1.2:3');
    expect(idPart('Résa 1/2')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('names the problem of every failure the contract and the vendor HTTP client raise', () => {
    expect(pmsProblemOf(PmsFailureType.Rejected)).toBe('rejected');
    expect(pmsProblemOf(PmsFailureType.NotFound)).toBe('not_found');
    expect(pmsProblemOf(PmsFailureType.Unauthorized)).toBe('unauthorized');
    expect(pmsProblemOf(PmsFailureType.Unsupported)).toBe('unsupported');
    expect(pmsProblemOf(PmsFailureType.Unavailable)).toBe('unavailable');
    expect(pmsProblemOf(FailureType.VendorAuthFailed)).toBe('unauthorized');
    expect(pmsProblemOf(FailureType.VendorOutcomeUnknown)).toBe('unavailable');
    expect(pmsProblemOf(undefined)).toBe('unavailable');
  });

  it('reads national phone formats with the hotel’s country and flags what is no number', () => {
    expect(normaliseGuestPhone({ phone: '06-12345678' }, 'NL')).toEqual({ raw: '06-12345678', e164: '+31612345678', problem: null });
    expect(normaliseGuestPhone({ phone: '+31 (0)6 1234 5678' }, 'NL').e164).toBe('+31612345678');
    expect(normaliseGuestPhone({ phone: '06 12 34 56 78' }, 'FR').e164).toBe('+33612345678');
    expect(normaliseGuestPhone({ phone: 'ask at desk' }, 'NL')).toMatchObject({ e164: null, problem: expect.stringMatching(/^phone number must be a phone number/) });
    expect(normaliseGuestPhone({ phone: '  ' }, 'NL')).toEqual({ raw: null, e164: null, problem: null });
  });

  it('welcomes with the PMS’s consent where it has the field, else unless Relay recorded a STOP', () => {
    expect(mayWelcome({ pms: true, relay: null })).toBe(true);
    expect(mayWelcome({ pms: false, relay: { optedOut: false } })).toBe(false);
    expect(mayWelcome({ pms: true, relay: { optedOut: true } })).toBe(false);
    expect(mayWelcome({ pms: null, relay: null })).toBe(true);
    expect(mayWelcome({ pms: null, relay: { optedOut: true } })).toBe(false);
  });

  it('hashes the arrival state: a change of what a guest sees moves it, a cancelled one has one state', () => {
    const r: PmsReservation = { vendorId: 'r1', confirmationNumber: 'C1', status: 'confirmed', arrivalDate: '2026-05-01', departureDate: '2026-05-03', guestVendorId: 'g1', roomVendorId: null, roomNumber: null, adults: 2, children: 0, updatedAt: null };
    expect(arrivalStateHash(r)).toBe(arrivalStateHash({ ...r, updatedAt: '2026-04-01T00:00:00Z', roomVendorId: 'x' }));
    expect(arrivalStateHash({ ...r, roomNumber: '101' })).not.toBe(arrivalStateHash(r));
    expect(arrivalStateHash({ ...r, status: 'cancelled' })).toBe(arrivalStateHash({ ...r, status: 'cancelled', adults: 4 }));
  });
});
