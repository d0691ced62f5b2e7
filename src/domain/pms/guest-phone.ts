import type { PmsGuest } from '../../integrations/pms/model';
import { type PhoneRegion, isPhoneNumberProblem, parsePhoneNumber } from '../phone-numbers';

/** A guest's phone as the cache keeps it: as the PMS holds it, and in E.164 when it is a number. */
export interface GuestPhone {
  raw: string | null;
  e164: string | null;
  /** Why the PMS's value is not a usable number (flagged, never guessed); null when it is one or absent. */
  problem: string | null;
}

/**
 * Reads the PMS's phone with the hotel's country as the region of national formats
 * ("06-12345678" and "+31 (0)6 1234 5678" in NL are both +31612345678).
 */
export function normaliseGuestPhone(guest: Pick<PmsGuest, 'phone'>, country: PhoneRegion): GuestPhone {
  const raw = guest.phone?.trim() ? guest.phone : null;
  if (raw === null) return { raw: null, e164: null, problem: null };
  const parsed = parsePhoneNumber(raw, country);
  return isPhoneNumberProblem(parsed) ? { raw, e164: null, problem: `phone number ${parsed.problem}` } : { raw, e164: parsed.e164, problem: null };
}
