/**
 * Writes whose answers were lost, as every vendor's adapter must survive them: the write is found
 * by its reference alone before a retry, so it is never made twice. What the vendor holds
 * afterwards is the vendor test's to check.
 */
import { FailureType } from '../../../src/domain/failure-types';
import type { PmsAdapter } from '../../../src/integrations/pms/adapter';
import type { SimHotel, SimReservationCreated, SimulatorControl } from '../../../src/integrations/pms/simulator-control';
import { failureOf } from './failures';

export interface LostCharge {
  made: SimReservationCreated;
  /** The lost charge's request. */
  request: { reservationVendorId: string; amount: { amount: string; currency: string }; description: string; reference: string };
}

/**
 * A charge whose answer was lost, then another of the same amount and text, each found by its
 * reference. `stay` is the booking's dates; `unknownReference` one that no charge has.
 */
export async function postLostChargeThenAnother(
  adapter: PmsAdapter,
  control: SimulatorControl,
  hotel: SimHotel,
  stay: { arrivalDate: string; departureDate: string },
  unknownReference: string,
): Promise<LostCharge> {
  const made = await control.addReservation(hotel.vendorPropertyId, { ...stay, guest: { lastName: 'Kok' } });
  const request = { reservationVendorId: made.reservationVendorId, amount: { amount: '7.50', currency: 'EUR' }, description: 'Room service', reference: 'charge-lost-1' };
  await expect(adapter.findCharge(made.reservationVendorId, request.reference)).resolves.toBeNull();

  await control.setFaults({ loseAnswers: 1 });
  const lost = await failureOf(adapter.postCharge(request));
  expect(lost).toMatchObject({ type: FailureType.VendorOutcomeUnknown, nonRetryable: false });
  await control.setFaults({});

  // The same amount and text from another request is a different charge.
  const other = await adapter.postCharge({ ...request, reference: 'charge-other-1' });
  const found = await adapter.findCharge(made.reservationVendorId, request.reference);
  expect(found).toMatchObject({ reference: request.reference, amount: { amount: '7.50', currency: 'EUR' } });
  expect(found?.vendorId).not.toBe(other.vendorId);
  await expect(adapter.findCharge(made.reservationVendorId, 'charge-other-1')).resolves.toMatchObject({ vendorId: other.vendorId });
  await expect(adapter.findCharge(made.reservationVendorId, unknownReference)).resolves.toBeNull();
  return { made, request };
}

/** A note posted and found by its marker, then one whose answer was lost found the same way; both in the vendor's notes with their markers. */
export async function postNoteThenLostNote(adapter: PmsAdapter, control: SimulatorControl, hotel: SimHotel, reservationVendorId: string): Promise<void> {
  const note = await adapter.postNote({ reservationVendorId, text: 'Late arrival, around 23:00', reference: 'note-1' });
  await expect(adapter.findNote(reservationVendorId, 'note-1')).resolves.toEqual({ vendorId: note.vendorId, reference: 'note-1' });
  await control.setFaults({ loseAnswers: 1 });
  expect((await failureOf(adapter.postNote({ reservationVendorId, text: 'Extra towels', reference: 'note-2' }))).type).toBe(FailureType.VendorOutcomeUnknown);
  await control.setFaults({});
  await expect(adapter.findNote(reservationVendorId, 'note-2')).resolves.toMatchObject({ reference: 'note-2' });
  await expect(adapter.findNote(reservationVendorId, 'note-3')).resolves.toBeNull();
  const texts = (await control.notes(hotel.vendorPropertyId)).filter((n) => n.reservationVendorId === reservationVendorId).map((n) => n.text);
  expect(texts).toEqual(['Late arrival, around 23:00 [relay:note-1]', 'Extra towels [relay:note-2]']);
}
