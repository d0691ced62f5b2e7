import { isTimeZone } from '../../../domain/pms/local-days';
import { ARRIVAL_EVENT_TYPES } from '../../../domain/pms/arrival-state';
import { isPhoneRegion } from '../../../domain/phone-numbers';
import { WORKFLOW_ID_PART } from '../../../domain/workflow-ids';
import { PMS_OPERATIONS } from '../../../integrations/pms/operations';
import { freeJson } from '../../free-json';
import { z } from '../../openapi';

/** Request and answer shapes of the PMS routes; the OpenAPI document is generated from them. */

export const VendorParams = z.object({ vendor: z.string().min(1) });

export const PropertyParams = z.object({ id: z.uuid({ message: 'must be a property id (a UUID)' }) });

/** A vendor's id or Relay's: whatever the caller knows the record by. */
const recordId = (what: string) =>
  z
    .string()
    .min(1)
    .max(200)
    .openapi({ description: `The ${what}'s id at the PMS (or Relay's id of it)` });

export const GuestParams = PropertyParams.extend({ guestId: recordId('guest') });
export const ReservationParams = PropertyParams.extend({ reservationId: recordId('reservation') });

const TimeZone = z.string().refine(isTimeZone, 'is not an IANA time zone, e.g. Europe/Amsterdam').openapi({ example: 'Europe/Amsterdam' });
const Country = z
  .string()
  .transform((v) => v.trim().toUpperCase())
  .refine(isPhoneRegion, 'must be an ISO 3166-1 alpha-2 country code with a phone numbering plan, e.g. NL')
  .openapi({ type: 'string', description: "The hotel's country: guests' phone numbers in national format are read as its", example: 'NL' });

const settable = {
  name: z.string().trim().min(1, 'is required').max(200).openapi({ example: 'Hotel Amstel' }),
  vendorPropertyId: z.string().trim().min(1, 'is required').max(100).openapi({ description: "The vendor's id of the hotel (Mews enterprise id, OPERA hotel code)" }),
  timezone: TimeZone,
  country: Country,
  pollIntervalSeconds: z.number().int().min(30).max(86_400).openapi({ description: 'Arrivals poll interval (default PMS_POLL_INTERVAL)' }),
  pollEnabled: z.boolean().openapi({ description: 'False pauses the arrivals schedule' }),
  welcomeTemplate: z
    .string()
    .min(1)
    .max(1_600)
    .nullable()
    .openapi({ description: 'Welcome message for new arrivals with consent; `{{firstName}}`, `{{guestName}}`, `{{hotel}}`, `{{arrivalDate}}`, `{{confirmationNumber}}`, `{{roomNumber}}`. Null: none' }),
  welcomeChannel: z.enum(['sms', 'whatsapp']).openapi({ description: 'Channel of welcome messages (default sms)' }),
};

const Credentials = freeJson(z.record(z.string(), z.unknown())).openapi({ description: "The vendor's credentials for this hotel (see GET /v1/pms/vendors); sealed at rest, never answered" });

export const CreatePropertyBody = z
  .object({
    vendor: z.string().min(1).max(50).openapi({ example: 'mews' }),
    credentials: Credentials,
    name: settable.name,
    vendorPropertyId: settable.vendorPropertyId,
    timezone: settable.timezone,
    country: settable.country,
    pollIntervalSeconds: settable.pollIntervalSeconds.optional(),
    pollEnabled: settable.pollEnabled.optional(),
    welcomeTemplate: settable.welcomeTemplate.optional(),
    welcomeChannel: settable.welcomeChannel.optional(),
  })
  .strict()
  .openapi('CreateProperty');

export const UpdatePropertyBody = z
  .object({
    credentials: Credentials.optional(),
    name: settable.name.optional(),
    vendorPropertyId: settable.vendorPropertyId.optional(),
    timezone: settable.timezone.optional(),
    country: settable.country.optional(),
    pollIntervalSeconds: settable.pollIntervalSeconds.optional(),
    pollEnabled: settable.pollEnabled.optional(),
    welcomeTemplate: settable.welcomeTemplate.optional(),
    welcomeChannel: settable.welcomeChannel.optional(),
  })
  .strict()
  .openapi('UpdateProperty', { description: 'Fields given replace the current ones; fields left out keep their value.' });

export const ListPropertiesQuery = z.object({ vendor: z.string().max(50).optional() });

export const ScheduleActionBody = z
  .object({ note: z.string().max(500).optional().openapi({ description: 'Why (shown in the Web UI next to the schedule)' }) })
  .strict();

const day = z.iso.date({ message: 'must be a date, YYYY-MM-DD' });

export const SearchReservationsQuery = z
  .object({
    confirmationNumber: z.string().min(1).max(100).optional(),
    lastName: z.string().min(1).max(200).optional(),
    arrivalFrom: day.optional(),
    arrivalTo: day.optional(),
  })
  .strict()
  .refine((q) => Object.values(q).some((v) => v !== undefined), { message: 'give at least one of confirmationNumber, lastName, arrivalFrom, arrivalTo' })
  .refine((q) => !q.arrivalFrom || !q.arrivalTo || q.arrivalFrom <= q.arrivalTo, { message: 'arrivalFrom must not be after arrivalTo', path: ['arrivalTo'] });

export const ListEventsQuery = z.object({
  type: z.enum(ARRIVAL_EVENT_TYPES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().regex(/^\d{1,20}$/, 'is not a cursor of this list; pass the nextCursor of the previous page').optional(),
});

/** The caller's idempotency key of a write (header `Idempotency-Key`). */
export const IdempotencyKeyHeader = z.object({
  'idempotency-key': z.string().max(100).regex(WORKFLOW_ID_PART).openapi({ description: 'Required: one key per write; a repeat answers the same outcome and never writes twice' }),
});
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,100}$/;

const Amount = z
  .string()
  .regex(/^-?\d{1,9}(\.\d{1,4})?$/, 'must be a decimal amount as text, e.g. "12.50"')
  .openapi({ example: '12.50' });

export const ChargeBody = z
  .object({
    amount: z.object({ amount: Amount, currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code, e.g. EUR') }).strict(),
    description: z.string().trim().min(1).max(200).openapi({ example: 'Minibar' }),
    itemCode: z.string().min(1).max(50).optional().openapi({ description: "The vendor's item or transaction code where it needs one" }),
  })
  .strict()
  .openapi('PostCharge');

export const NoteBody = z
  .object({ text: z.string().trim().min(1).max(2_000).openapi({ example: 'Late arrival, around 23:00' }) })
  .strict()
  .openapi('PostNote');

export const GuestPatchBody = z
  .object({
    version: z.string().min(1).max(200).openapi({ description: 'The guest `version` you read: a change made at the hotel since is refused with 409, nothing overwritten' }),
    firstName: z.string().trim().min(1).max(200).optional(),
    lastName: z.string().trim().min(1).max(200).optional(),
    email: z.email().nullable().optional(),
    phone: z.string().min(3).max(40).nullable().optional(),
    language: z.string().regex(/^[a-z]{2}$/, 'must be an ISO 639-1 code, e.g. nl').nullable().optional(),
    preferences: z.array(z.string().min(1).max(200)).max(50).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).some((k) => k !== 'version'), { message: 'change at least one field besides version' })
  .openapi('UpdateGuest');

// ---- answers ----------------------------------------------------------------------------

const Instant = z.string().nullable();

export const PropertyView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    vendor: z.string(),
    vendorPropertyId: z.string(),
    timezone: z.string(),
    country: z.string(),
    pollIntervalSeconds: z.number().int(),
    pollEnabled: z.boolean(),
    welcomeTemplate: z.string().nullable(),
    welcomeChannel: z.enum(['sms', 'whatsapp']),
    freshness: z.object({
      lastPollAt: Instant,
      lastPollOkAt: Instant,
      lastPushAt: Instant,
      lastError: z.string().nullable(),
      lastErrorAt: Instant,
      lagSeconds: z.number().int().nullable().openapi({ description: 'Seconds since the last successful poll or push (null before the first)' }),
    }),
    scheduleId: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Property');

export const PropertyList = z.object({ items: z.array(PropertyView) }).openapi('PropertyList');

const Freshness = { stale: z.boolean().openapi({ description: 'True: the PMS could not be reached; this is the cached copy' }), syncedAt: z.string(), staleReason: z.string().optional() };

export const GuestView = z
  .object({
    id: z.uuid(),
    vendorId: z.string(),
    firstName: z.string().nullable(),
    lastName: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable().openapi({ description: 'As the PMS holds it' }),
    phoneE164: z.string().nullable(),
    phoneInvalid: z.boolean().openapi({ description: 'The PMS value is not a phone number of the hotel’s country; `phoneProblem` says why' }),
    phoneProblem: z.string().nullable(),
    language: z.string().nullable(),
    nationality: z.string().nullable(),
    preferences: z.array(z.string()),
    messagingConsent: z.boolean().nullable(),
    version: z.string(),
  })
  .openapi('Guest');

export const ReservationView = z
  .object({
    id: z.uuid(),
    vendorId: z.string(),
    confirmationNumber: z.string(),
    status: z.string(),
    arrivalDate: z.string(),
    departureDate: z.string(),
    guestVendorId: z.string().nullable(),
    roomVendorId: z.string().nullable(),
    roomNumber: z.string().nullable(),
    adults: z.number().int(),
    children: z.number().int(),
    updatedAt: Instant,
  })
  .openapi('Reservation');

export const RoomView = z
  .object({ id: z.uuid(), vendorId: z.string(), number: z.string(), status: z.string(), occupied: z.boolean().nullable(), roomType: z.string().nullable(), floor: z.string().nullable() })
  .openapi('Room');

export const GuestAnswer = z.object({ guest: GuestView, ...Freshness }).openapi('GuestAnswer');
export const ReservationAnswer = z.object({ reservation: ReservationView, ...Freshness }).openapi('ReservationAnswer');
export const ReservationsAnswer = z.object({ items: z.array(ReservationView), ...Freshness }).openapi('ReservationList');
export const RoomsAnswer = z.object({ items: z.array(RoomView), ...Freshness }).openapi('RoomList');

export const WriteAnswer = z
  .object({
    writeId: z.uuid(),
    operation: z.enum(['charge', 'note', 'guest_update']),
    status: z.enum(['succeeded', 'pending']),
    idempotencyKey: z.string(),
    reference: z.string().openapi({ description: 'Sent to the PMS with the write (e.g. Mews ExternalIdentifier, OPERA postingReference)' }),
    replayed: z.boolean().openapi({ description: 'The key was seen before: its recorded outcome, nothing written again' }),
    foundExisting: z.boolean().optional().openapi({ description: 'An earlier attempt’s answer was lost; the write was found at the PMS, not made twice' }),
    charge: z.object({ vendorId: z.string(), reference: z.string(), amount: z.object({ amount: z.string(), currency: z.string() }), postedAt: Instant }).optional(),
    note: z.object({ vendorId: z.string(), reference: z.string() }).optional(),
    guest: GuestView.optional(),
    workflowId: z.string(),
    webUiUrl: z.string(),
  })
  .openapi('PmsWrite');

export const EventView = z
  .object({
    id: z.string(),
    type: z.enum(ARRIVAL_EVENT_TYPES),
    eventKey: z.string(),
    reservationVendorId: z.string(),
    arrivalDate: z.string(),
    stateVersion: z.number().int(),
    payload: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    dispatchedAt: Instant,
  })
  .openapi('ArrivalEvent');
export const EventList = z.object({ items: z.array(EventView), nextCursor: z.string().nullable() }).openapi('ArrivalEventList');

export const ScheduleView = z
  .object({ scheduleId: z.string(), paused: z.boolean(), note: z.string().nullable(), nextRuns: z.array(z.string()), recentRuns: z.array(z.object({ scheduledAt: z.string(), workflowId: z.string() })) })
  .openapi('ArrivalsSchedule');

const Capability = z.object({ supported: z.boolean(), note: z.string().optional() });
export const VendorList = z
  .object({
    items: z.array(
      z.object({
        key: z.string(),
        displayName: z.string(),
        apiVersion: z.string(),
        enabled: z.boolean(),
        missing: z.array(z.string()).optional().openapi({ description: 'Variables that would enable a disabled vendor' }),
        capabilities: z.object(Object.fromEntries(PMS_OPERATIONS.map((op) => [op, Capability])) as Record<(typeof PMS_OPERATIONS)[number], typeof Capability>),
        webhook: z.string().nullable().openapi({ description: 'Where the vendor pushes changes (null: the vendor does not push)' }),
        callsPaused: z
          .object({ until: z.iso.datetime(), reason: z.string() })
          .nullable()
          .openapi({ description: 'The vendor refuses every call until then (e.g. a firewall ban that each call would extend): no worker calls it, polls and writes fail retryably and retry after it' }),
      }),
    ),
  })
  .openapi('PmsVendorList');

export const RefreshAnswer = z
  .object({ workflowId: z.string(), reservations: z.number().int(), guests: z.number().int(), rooms: z.number().int(), events: z.number().int(), welcomed: z.number().int() })
  .openapi('PropertyRefresh');
