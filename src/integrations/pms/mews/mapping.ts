/**
 * Mews records (as the Connector API returns them) and their mapping to Relay's common model.
 * Only the fields Relay reads are checked; Mews adds fields over time and they pass unseen.
 * Field names and values: operations/reservations.md (ver 2023-06-06), customers.md,
 * resources.md, orderitems.md, serviceordernotes.md, agecategories.md.
 */
import { z } from 'zod';
import type { PmsGuest, PmsReservation, PmsRoom, ReservationStatus, RoomStatus } from '../model';
import { localDayOf } from './time';

const id = z.string().min(1);
const optionalText = z.string().nullish();

export const mewsReservation = z.object({
  Id: id,
  ServiceId: id,
  AccountId: id,
  AccountType: z.string(),
  Number: z.string(),
  State: z.string(),
  CancellationReason: optionalText,
  ScheduledStartUtc: z.string(),
  ScheduledEndUtc: z.string(),
  AssignedResourceId: optionalText,
  PersonCounts: z.array(z.object({ AgeCategoryId: id, Count: z.number().int() })).nullish(),
  UpdatedUtc: optionalText,
});
export type MewsReservation = z.infer<typeof mewsReservation>;

export const mewsCustomer = z.object({
  Id: id,
  FirstName: optionalText,
  LastName: z.string(),
  Email: optionalText,
  Phone: optionalText,
  PreferredLanguageCode: optionalText,
  LanguageCode: optionalText,
  NationalityCode: optionalText,
  DietaryRequirements: optionalText,
  PreferredSpaceFeatures: z.array(z.string()).nullish(),
  Options: z.array(z.string()).nullish(),
  UpdatedUtc: z.string().min(1),
});
export type MewsCustomer = z.infer<typeof mewsCustomer>;

export const mewsResource = z.object({
  Id: id,
  Name: z.string(),
  State: z.string(),
  IsActive: z.boolean().nullish(),
  Data: z.object({ Discriminator: z.string(), Value: z.object({ FloorNumber: z.union([z.string(), z.number()]).nullish() }).nullish() }).nullish(),
});
export type MewsResource = z.infer<typeof mewsResource>;

export const mewsAgeCategory = z.object({ Id: id, Classification: z.string() });
export type MewsAgeCategory = z.infer<typeof mewsAgeCategory>;

export const mewsService = z.object({ Id: id, IsActive: z.boolean(), Data: z.object({ Discriminator: z.string() }).nullish() });
export type MewsService = z.infer<typeof mewsService>;

export const mewsProductServiceOrder = z.object({ Id: id, LinkedReservationId: optionalText });

const amount = z.object({ Currency: z.string(), GrossValue: z.number().nullish(), NetValue: z.number().nullish() });

export const mewsOrderItem = z.object({
  Id: id,
  ServiceOrderId: id,
  ExternalIdentifier: optionalText,
  Amount: amount,
  CreatedUtc: optionalText,
});
export type MewsOrderItem = z.infer<typeof mewsOrderItem>;

export const mewsServiceOrderNote = z.object({ Id: id, OrderId: id, Text: optionalText, Type: z.string().nullish() });
export type MewsServiceOrderNote = z.infer<typeof mewsServiceOrderNote>;

/** Parses what Mews returned, so that a changed answer fails loudly instead of mapping to nonsense. */
export function parseAll<T>(schema: z.ZodType<T>, items: unknown[], what: string): T[] {
  return items.map((item, i) => {
    const parsed = schema.safeParse(item);
    if (!parsed.success) throw new MewsMappingError(`${what} #${i + 1}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`);
    return parsed.data;
  });
}

export class MewsMappingError extends Error {
  override readonly name = 'MewsMappingError';
}

// --- reservations ---------------------------------------------------------------------------------

const STATES: Record<string, ReservationStatus> = {
  Confirmed: 'confirmed',
  Started: 'checked_in',
  Processed: 'checked_out',
  Canceled: 'cancelled',
  Optional: 'tentative',
  Inquired: 'tentative',
  Requested: 'tentative',
};

/** Mews records a no-show as a cancellation with reason `NoShow`. */
export function reservationStatus(state: string, cancellationReason: string | null | undefined): ReservationStatus {
  const status = STATES[state];
  if (status === undefined) throw new MewsMappingError(`unknown reservation State ${state}`);
  return status === 'cancelled' && cancellationReason === 'NoShow' ? 'no_show' : status;
}

export interface ReservationContext {
  timezone: string;
  /** Resource id → room number (`Name`). */
  roomNames: ReadonlyMap<string, string>;
  /** Age category ids classified `Child`; every other category counts as adults. */
  childCategories: ReadonlySet<string>;
}

export function toReservation(r: MewsReservation, ctx: ReservationContext): PmsReservation {
  let adults = 0;
  let children = 0;
  for (const p of r.PersonCounts ?? []) {
    if (ctx.childCategories.has(p.AgeCategoryId)) children += p.Count;
    else adults += p.Count;
  }
  const room = r.AssignedResourceId ?? null;
  return {
    vendorId: r.Id,
    confirmationNumber: r.Number,
    status: reservationStatus(r.State, r.CancellationReason),
    arrivalDate: localDayOf(r.ScheduledStartUtc, ctx.timezone),
    departureDate: localDayOf(r.ScheduledEndUtc, ctx.timezone),
    // A company owning the reservation is no guest.
    guestVendorId: r.AccountType === 'Customer' ? r.AccountId : null,
    roomVendorId: room,
    roomNumber: room === null ? null : (ctx.roomNames.get(room) ?? null),
    adults,
    children,
    updatedAt: r.UpdatedUtc ?? null,
  };
}

// --- customers ------------------------------------------------------------------------------------

/** `en-GB` → `en`. */
function languageOf(code: string | null | undefined): string | null {
  const language = code?.split(/[-_]/)[0]?.toLowerCase();
  return language && /^[a-z]{2}$/.test(language) ? language : null;
}

function textOrNull(value: string | null | undefined): string | null {
  return value === null || value === undefined || value.trim() === '' ? null : value;
}

export function toGuest(c: MewsCustomer): PmsGuest {
  const preferences = [...(c.PreferredSpaceFeatures ?? [])];
  const dietary = textOrNull(c.DietaryRequirements);
  if (dietary !== null) preferences.push(dietary);
  return {
    vendorId: c.Id,
    firstName: textOrNull(c.FirstName),
    lastName: c.LastName,
    email: textOrNull(c.Email),
    phone: textOrNull(c.Phone),
    language: languageOf(c.PreferredLanguageCode) ?? languageOf(c.LanguageCode),
    nationality: c.NationalityCode && /^[A-Za-z]{2}$/.test(c.NationalityCode) ? c.NationalityCode.toUpperCase() : null,
    preferences,
    // Mews' customer Options hold marketing consents (SendMarketingEmails, ...), not consent to
    // service messages by SMS or WhatsApp: Relay's own consent record decides.
    messagingConsent: null,
    version: c.UpdatedUtc,
  };
}

/**
 * A language as Mews' `PreferredLanguageCode` takes it (language and culture): `en` → `en-US`,
 * `nl` → `nl-NL` (the likeliest region), `en-GB` kept.
 */
export function toMewsLanguageCode(language: string): string {
  let locale: Intl.Locale;
  try {
    locale = new Intl.Locale(language.trim().replace('_', '-'));
  } catch {
    throw new MewsMappingError(`not a language code: ${language}`);
  }
  const region = locale.region ?? locale.maximize().region;
  return region ? `${locale.language}-${region}` : locale.language;
}

// --- rooms ----------------------------------------------------------------------------------------

const ROOM_STATES: Record<string, RoomStatus> = {
  Dirty: 'dirty',
  Clean: 'clean',
  Inspected: 'inspected',
  OutOfService: 'out_of_service',
  OutOfOrder: 'out_of_order',
};

export function toRoom(r: MewsResource): PmsRoom {
  const status = ROOM_STATES[r.State];
  if (status === undefined) throw new MewsMappingError(`unknown resource State ${r.State}`);
  const floor = r.Data?.Value?.FloorNumber;
  return { vendorId: r.Id, number: r.Name, status, occupied: null, roomType: null, floor: floor === null || floor === undefined || floor === '' ? null : String(floor) };
}

/** Rooms are the `Space` resources; objects (parking places, ...) are no rooms. */
export function isRoom(r: MewsResource): boolean {
  return r.Data === null || r.Data === undefined || r.Data.Discriminator === 'Space';
}

// --- money ----------------------------------------------------------------------------------------

const AMOUNT = /^-?\d{1,13}(\.\d{1,4})?$/;

/** "12.50" → 12.5 for Mews' decimal fields; refuses what a double could not carry exactly. */
export function toMewsDecimal(amount: string): number {
  if (!AMOUNT.test(amount)) throw new MewsMappingError(`not an amount: ${amount}`);
  return Number(amount);
}

/** 12.5 → "12.50": at least two decimals, as folios show money. */
export function fromMewsDecimal(value: number): string {
  const text = Number.isInteger(value) ? value.toFixed(2) : String(value);
  if (/e/i.test(text)) return value.toFixed(2);
  const decimals = text.split('.')[1] ?? '';
  return decimals.length === 1 ? `${text}0` : text;
}

/** The marker a note carries so that `findNote` can tell which request posted it. */
export function noteMarker(reference: string): string {
  return `[relay:${reference}]`;
}
