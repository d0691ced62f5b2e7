/**
 * Making a hotel (a Mews enterprise) and its records: an accommodation (Bookable) service
 * with check-in at 14:00 and check-out at 12:00 local time, an orderable (Additional) service
 * for extras, adult and child age categories, rooms, and guests with reservations arriving on
 * the hotel's local days. Everything is drawn from the hotel's seed.
 */
import { DateTime } from 'luxon';
import { generateGuest, languageCode } from './people';
import { mixSeed, type Random, seededRandom } from './random';
import { type Enterprise, newId, type SimStore } from './store';
import { badRequest, utc, type WireCustomer, type WireReservation, type WireResource, type WireService } from './wire';

/** Service offsets from the start and end day (Mews' StartOffset / EndOffset). */
const CHECK_IN_HOUR = 14;
const CHECK_OUT_HOUR = 12;

export interface HotelSpec {
  name: string;
  timezone: string;
  country: string;
  rooms: number;
  arrivalsPerDay: number;
  seed: number;
  /** A portfolio token shared with other hotels (simulator extension); a fresh token when absent. */
  accessToken?: string;
}

/** The hotel's local calendar day `offset` days from today. */
export function localDay(e: Enterprise, offset: number, now = Date.now()): string {
  return DateTime.fromMillis(now, { zone: e.timezone }).plus({ days: offset }).toISODate()!;
}

/** The UTC instant of `hour`:00 on a local day. */
function localInstant(e: Enterprise, day: string, hour: number): string {
  const dt = DateTime.fromISO(day, { zone: e.timezone });
  if (!dt.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(day)) throw badRequest(`not a date: ${day}`);
  return utc(dt.set({ hour }).toMillis());
}

function accessToken(rng: Random): string {
  return `${rng.hex(32)}-${rng.hex(31)}`;
}

function service(store: SimStore, e: Pick<Enterprise, 'id' | 'rng'>, kind: 'Bookable' | 'Additional', name: string, ordering: number): WireService {
  const id = e.rng.guid();
  store.created(id);
  const now = utc(Date.now());
  const value = kind === 'Bookable'
    ? { StartOffset: `PT${CHECK_IN_HOUR}H`, EndOffset: `PT${CHECK_OUT_HOUR - 24}H`, OccupancyStartOffset: 'PT0S', OccupancyEndOffset: 'PT0S', TimeUnitPeriod: 'Day' }
    : { Promotions: { BeforeCheckIn: false, AfterCheckIn: true, DuringStay: true, BeforeCheckOut: false, AfterCheckOut: false, DuringCheckOut: false } };
  return { Id: id, EnterpriseId: e.id, IsActive: true, Names: { 'en-US': name }, Options: { BillAsPackage: false }, Ordering: ordering, Data: { Discriminator: kind, Value: value }, ExternalIdentifier: null, CreatedUtc: now, UpdatedUtc: now };
}

export function createHotel(store: SimStore, spec: HotelSpec): Enterprise {
  const rng = seededRandom(mixSeed(spec.seed, store.hotelsCreated++));
  const id = rng.guid();
  const partial = { id, rng };
  const e: Enterprise = {
    id,
    name: spec.name,
    timezone: spec.timezone,
    country: spec.country.toUpperCase(),
    chainId: rng.guid(),
    accessToken: spec.accessToken ?? accessToken(rng),
    rng,
    profileId: rng.guid(),
    rateId: rng.guid(),
    resourceCategoryId: rng.guid(),
    bookable: service(store, partial, 'Bookable', 'Accommodation', 0),
    additional: service(store, partial, 'Additional', 'Minibar & extras', 1),
    ageCategories: [],
    resources: new Map(),
    customers: new Map(),
    reservations: new Map(),
    orders: new Map(),
    orderItems: new Map(),
    notes: new Map(),
    nextNumber: rng.int(1000, 9000),
    nextCustomerNumber: rng.int(10_000, 90_000),
  };
  const now = utc(Date.now());
  for (const [classification, name, min, max] of [['Adult', 'Adult', 18, null], ['Child', 'Child', 0, 17]] as const) {
    const categoryId = newId(store, e);
    e.ageCategories.push({ Id: categoryId, ServiceId: e.bookable.Id, MinimalAge: min, MaximalAge: max, Names: { 'en-US': name }, ShortNames: { 'en-US': name.slice(0, 1) }, CreatedUtc: now, UpdatedUtc: now, Classification: classification, IsActive: true, ExternalIdentifier: null });
  }
  for (let i = 0; i < spec.rooms; i++) addRoom(store, e, i);
  store.addEnterprise(e);
  seedStays(store, e, spec.arrivalsPerDay);
  return e;
}

function addRoom(store: SimStore, e: Enterprise, index: number): WireResource {
  const floor = 1 + Math.floor(index / 20);
  const roll = e.rng.next();
  const state = roll < 0.45 ? 'Clean' : roll < 0.8 ? 'Dirty' : roll < 0.95 ? 'Inspected' : 'OutOfService';
  const now = utc(Date.now());
  const room: WireResource = {
    Id: newId(store, e),
    EnterpriseId: e.id,
    IsActive: true,
    ParentResourceId: null,
    Name: `${floor}${String((index % 20) + 1).padStart(2, '0')}`,
    State: state,
    Descriptions: {},
    CreatedUtc: now,
    UpdatedUtc: now,
    Data: { Discriminator: 'Space', Value: { FloorNumber: String(floor), LocationNotes: null } },
  };
  e.resources.set(room.Id, room);
  return room;
}

/** Yesterday's arrivals are in house; today's, tomorrow's and the day after's are expected (a few cancelled or optional). */
function seedStays(store: SimStore, e: Enterprise, perDay: number): void {
  const rooms = [...e.resources.values()].filter((r) => r.State !== 'OutOfService');
  let n = 0;
  for (const offset of [-1, 0, 1, 2]) {
    for (let i = 0; i < perDay; i++, n++) {
      const guest = generateGuest(e.rng, e.country);
      const customer = addCustomer(store, e, {
        firstName: guest.firstName,
        lastName: guest.lastName,
        email: guest.email,
        phone: guest.phone,
        languageCode: guest.languageCode,
        nationality: guest.nationality,
        preferredSpaceFeatures: guest.preferredSpaceFeatures,
        dietaryRequirements: guest.dietaryRequirements,
      });
      const nights = e.rng.int(1, 4);
      const state = offset < 0 ? 'Started' : n % 11 === 5 ? 'Canceled' : n % 13 === 7 ? 'Optional' : 'Confirmed';
      const room = offset <= 0 && rooms.length > 0 ? rooms[n % rooms.length]!.Id : null;
      addReservation(store, e, {
        arrivalDate: localDay(e, offset),
        departureDate: localDay(e, offset + nights),
        customerId: customer.Id,
        roomId: room,
        adults: e.rng.int(1, 2),
        children: e.rng.chance(0.2) ? 1 : 0,
        state,
      });
    }
  }
}

export interface CustomerInput {
  firstName?: string | null;
  lastName: string;
  email?: string | null;
  phone?: string | null;
  languageCode?: string | null;
  nationality?: string | null;
  preferredSpaceFeatures?: string[];
  dietaryRequirements?: string | null;
}

export function addCustomer(store: SimStore, e: Enterprise, input: CustomerInput): WireCustomer {
  const id = newId(store, e);
  const now = store.touch(id);
  const language = input.languageCode ? languageCode(input.languageCode) : null;
  const customer: WireCustomer = {
    Id: id,
    ChainId: e.chainId,
    Number: String(e.nextCustomerNumber++),
    Title: null,
    Sex: null,
    FirstName: input.firstName ?? null,
    LastName: input.lastName,
    SecondLastName: null,
    NationalityCode: input.nationality ?? null,
    PreferredLanguageCode: language,
    LanguageCode: language,
    BirthDate: null,
    BirthPlace: null,
    Occupation: null,
    Email: input.email ?? null,
    HasOtaEmail: false,
    Phone: input.phone ?? null,
    TaxIdentificationNumber: null,
    LoyaltyCode: null,
    AccountingCode: null,
    BillingCode: null,
    Notes: null,
    CarRegistrationNumber: null,
    DietaryRequirements: input.dietaryRequirements ?? null,
    CreatedUtc: now,
    UpdatedUtc: now,
    AddressId: null,
    Classifications: [],
    // Marketing preferences, not consent to service messages.
    Options: e.rng.chance(0.4) ? ['SendMarketingEmails'] : [],
    ItalianDestinationCode: null,
    ItalianFiscalCode: null,
    CompanyId: null,
    MergeTargetId: null,
    IsActive: true,
    PreferredSpaceFeatures: input.preferredSpaceFeatures ?? [],
    CreatorProfileId: e.profileId,
    UpdaterProfileId: e.profileId,
  };
  e.customers.set(id, customer);
  return customer;
}

export interface ReservationInput {
  arrivalDate: string;
  departureDate: string;
  customerId: string;
  roomId: string | null;
  adults: number;
  children: number;
  state: WireReservation['State'];
}

export function addReservation(store: SimStore, e: Enterprise, input: ReservationInput): WireReservation {
  const id = newId(store, e);
  const now = store.touch(id);
  const start = localInstant(e, input.arrivalDate, CHECK_IN_HOUR);
  const end = localInstant(e, input.departureDate, CHECK_OUT_HOUR);
  if (Date.parse(end) <= Date.parse(start)) throw badRequest('departure must be after arrival');
  const [adult, child] = e.ageCategories;
  const started = input.state === 'Started';
  const reservation: WireReservation = {
    Id: id,
    EnterpriseId: e.id,
    ServiceId: e.bookable.Id,
    AccountId: input.customerId,
    AccountType: 'Customer',
    CreatorProfileId: e.profileId,
    UpdaterProfileId: e.profileId,
    BookerId: null,
    Number: String(e.nextNumber++),
    State: input.state,
    Origin: 'Commander',
    CommanderOrigin: 'Phone',
    OriginDetails: null,
    CreatedUtc: now,
    UpdatedUtc: now,
    CancelledUtc: input.state === 'Canceled' ? now : null,
    VoucherId: null,
    BusinessSegmentId: null,
    Options: { OwnerCheckedIn: started, AllCompanionsCheckedIn: started, AnyCompanionCheckedIn: started, ConnectorCheckIn: false },
    RateId: e.rateId,
    CreditCardId: null,
    GroupId: e.rng.guid(),
    RequestedResourceCategoryId: e.resourceCategoryId,
    AssignedResourceId: input.roomId,
    AvailabilityBlockId: null,
    PartnerCompanyId: null,
    TravelAgencyId: null,
    AssignedResourceLocked: false,
    ChannelNumber: null,
    ChannelManagerNumber: null,
    CancellationReason: input.state === 'Canceled' ? 'RequestedByGuest' : null,
    ReleasedUtc: null,
    ScheduledStartUtc: start,
    ActualStartUtc: started ? start : null,
    ScheduledEndUtc: end,
    ActualEndUtc: null,
    Purpose: 'Leisure',
    QrCodeData: null,
    PersonCounts: [
      ...(input.adults > 0 ? [{ AgeCategoryId: adult!.Id, Count: input.adults }] : []),
      ...(input.children > 0 ? [{ AgeCategoryId: child!.Id, Count: input.children }] : []),
    ],
    StartUtc: start,
    EndUtc: end,
  };
  e.reservations.set(id, reservation);
  return reservation;
}

/** Moves a reservation's dates (the service's check-in and check-out hours on the new local days). */
export function reschedule(e: Enterprise, r: WireReservation, arrivalDate: string | undefined, departureDate: string | undefined): void {
  const start = arrivalDate === undefined ? r.ScheduledStartUtc : localInstant(e, arrivalDate, CHECK_IN_HOUR);
  const end = departureDate === undefined ? r.ScheduledEndUtc : localInstant(e, departureDate, CHECK_OUT_HOUR);
  if (Date.parse(end) <= Date.parse(start)) throw badRequest('departure must be after arrival');
  r.ScheduledStartUtc = r.StartUtc = start;
  r.ScheduledEndUtc = r.EndUtc = end;
}

/** A state change as the front desk makes it (cancel, check in, confirm again). */
export function applyState(r: WireReservation, next: WireReservation['State'], now = utc(Date.now())): void {
  r.State = next;
  r.CancelledUtc = next === 'Canceled' ? now : null;
  r.CancellationReason = next === 'Canceled' ? 'RequestedByGuest' : null;
  const started = next === 'Started';
  r.ActualStartUtc = started ? now : null;
  r.Options = { ...r.Options, OwnerCheckedIn: started, AllCompanionsCheckedIn: started, AnyCompanionCheckedIn: started };
}
