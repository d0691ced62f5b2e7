/**
 * The welcome message an `arrival.new` starts: who may get one, under which notification id
 * (derived from the reservation, so a repeated event, a webhook and a poll send it once),
 * and the values of the property's template.
 */

export interface ConsentFacts {
  /** The PMS profile's consent field; null when the vendor has none. */
  pms: boolean | null;
  /** Relay's consent record for the number (notifications: STOP/START, PUT /v1/consents); null: none. */
  relay: { optedOut: boolean } | null;
}

/**
 * The PMS profile decides where the vendor has a consent field; otherwise Relay's consent record
 * does, as it does for every message Relay sends: a number may be messaged unless it opted out.
 * A recorded opt-out (a STOP) always wins, whatever the PMS says.
 */
export function mayWelcome(consent: ConsentFacts): boolean {
  if (consent.relay?.optedOut) return false;
  return consent.pms ?? true;
}

export interface WelcomeValues {
  firstName: string | null;
  lastName: string;
  hotel: string;
  arrivalDate: string;
  departureDate: string;
  confirmationNumber: string;
  roomNumber: string | null;
}

/** The template's `{{name}}` values (the notifications feature fills them in). */
export function welcomeVariables(v: WelcomeValues): Record<string, string> {
  return {
    firstName: v.firstName ?? v.lastName,
    lastName: v.lastName,
    guestName: [v.firstName, v.lastName].filter(Boolean).join(' '),
    hotel: v.hotel,
    arrivalDate: v.arrivalDate,
    departureDate: v.departureDate,
    confirmationNumber: v.confirmationNumber,
    roomNumber: v.roomNumber ?? '',
  };
}

/** Placeholders a welcome template may use. */
export const WELCOME_PLACEHOLDERS = ['firstName', 'lastName', 'guestName', 'hotel', 'arrivalDate', 'departureDate', 'confirmationNumber', 'roomNumber'] as const;
