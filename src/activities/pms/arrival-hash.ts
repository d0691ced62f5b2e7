import { createHash } from 'node:crypto';
import type { PmsReservation } from '../../integrations/pms/model';

/**
 * The state an arrival event announces about a reservation: a change of any of these fields is
 * an `arrival.changed`; a cancelled reservation has one state whatever else changes on it, so
 * it is announced cancelled once.
 */
export function arrivalStateHash(r: PmsReservation): string {
  if (r.status === 'cancelled') return 'cancelled';
  const fields = [r.status, r.arrivalDate, r.departureDate, r.roomNumber ?? '', r.adults, r.children, r.guestVendorId ?? '', r.confirmationNumber];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 32);
}
