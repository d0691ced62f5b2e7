/**
 * The simulated OPERA environment's data: hotels of one enterprise, the enterprise's guest
 * profiles, reservations with their comments, folio postings. Ids are OPERA-like numbers handed
 * out in order, so a seed and a sequence of calls always give the same ids.
 */
import type { SimHotelSpec } from '../../simulator-control';
import type { SimCommentRecord, SimHotelRecord, SimPostingRecord, SimProfileRecord, SimReservationRecord } from './model';
import type { StayRequest } from '../../simulator-kit/bookings';
import { drawFate, drawStay, seedArrivals } from '../../simulator-kit/seeded-stays';
import { StayStore } from '../../simulator-kit/stay-store';
import { mixSeed, type Rng, seededRng } from './random';
import { countryData, generateGuest, generateRooms, hotelCode } from './seed';

const FIRST_ID = { reservation: 100_001, confirmation: 42_000_017, profile: 300_001, transaction: 9_000_001, comment: 120_001, entry: 700_001 };
/** Preferences guests of a generated hotel have (OPERA keys them by type and code). */
const SEEDED_PREFERENCES = [
  { type: 'ROOM', code: 'HF', description: 'High floor' },
  { type: 'ROOM', code: 'QR', description: 'Quiet room' },
  { type: 'PILLOW', code: 'FOAM', description: 'Foam pillow' },
] as const;

export interface ProfileInput {
  givenName?: string | null;
  surname: string;
  email?: string | null;
  phone?: string | null;
  language?: string | null;
  nationality?: string | null;
  optInSms?: boolean | null;
}

/** Every change stamps its record's `lastModifyDateTime` (`stamp()`), as OPERA's delta reads need. */
export class OperaStore extends StayStore<keyof typeof FIRST_ID> {
  readonly hotels = new Map<string, SimHotelRecord>();
  readonly profiles = new Map<string, SimProfileRecord>();

  constructor(now: () => number = Date.now) {
    super(FIRST_ID, now);
  }

  reset(): void {
    this.hotels.clear();
    this.profiles.clear();
    this.resetIds();
  }

  /** OPERA's business-date view of a stay: `DueIn` on its arrival day, `DueOut` on its departure day. */
  computedStatus(hotel: SimHotelRecord, r: SimReservationRecord): string {
    const today = this.today(hotel);
    if (r.status === 'Reserved' && r.arrival === today) return 'DueIn';
    if (r.status === 'InHouse' && r.departure === today) return 'DueOut';
    return r.status;
  }

  addHotel(spec: SimHotelSpec): SimHotelRecord {
    const code = hotelCode(spec.name, spec.seed, (c) => this.hotels.has(c));
    const rng = seededRng(mixSeed(spec.seed, code));
    const hotel: SimHotelRecord = {
      code,
      name: spec.name,
      timezone: spec.timezone,
      country: spec.country.toUpperCase(),
      currency: countryData(spec.country).currency,
      seed: spec.seed,
      rooms: generateRooms(rng, spec.rooms),
      reservations: new Map(),
      postings: [],
    };
    this.hotels.set(code, hotel);
    seedArrivals(spec.arrivalsPerDay, (day) => this.seedArrival(hotel, rng, day));
    return hotel;
  }

  /** One generated guest arriving `day` days from today; some have already checked in, a few cancelled. */
  seedArrival(hotel: SimHotelRecord, rng: Rng, day: number): SimReservationRecord {
    const guest = generateGuest(rng, hotel.country);
    const profile = this.addProfile(guest);
    if (rng.chance(0.3)) profile.preferences.push({ ...rng.pick(SEEDED_PREFERENCES) });
    const r = this.addReservation(hotel, profile.id, drawStay(rng, hotel.timezone, day, this.now()));
    const fate = drawFate(rng, day);
    if (fate === 'checkedIn') this.checkIn(hotel, r);
    // Seeded as cancelled, not cancelled now: its modification time stays its creation.
    else if (fate === 'cancelled') r.status = 'Cancelled';
    return r;
  }

  addProfile(input: ProfileInput): SimProfileRecord {
    const at = this.stamp();
    const profile: SimProfileRecord = {
      id: this.nextId('profile'),
      givenName: input.givenName ?? null,
      surname: input.surname,
      email: input.email ?? null,
      emailId: input.email ? this.nextId('entry') : null,
      phone: input.phone ?? null,
      phoneId: input.phone ? this.nextId('entry') : null,
      language: input.language ?? null,
      nationality: input.nationality ?? null,
      optInSms: input.optInSms ?? null,
      preferences: [],
      createdAt: at,
      modifiedAt: at,
    };
    this.profiles.set(profile.id, profile);
    return profile;
  }

  /** A profile's phone or e-mail entry gets an id when it is first set (OPERA keys them by id). */
  entryId(): string {
    return this.nextId('entry');
  }

  addReservation(hotel: SimHotelRecord, profileId: string, spec: StayRequest): SimReservationRecord {
    const r: SimReservationRecord = { ...this.newBooking(hotel.rooms, spec, 'STDK'), hotelCode: hotel.code, profileId, status: 'Reserved', comments: [] };
    hotel.reservations.set(r.id, r);
    return r;
  }

  /** Checks a reservation in, giving it a vacant room when it has none. */
  checkIn(hotel: SimHotelRecord, r: SimReservationRecord): void {
    this.checkInto(hotel.rooms, hotel.reservations.values(), r, 'InHouse');
  }

  addComment(r: SimReservationRecord, comment: Omit<SimCommentRecord, 'id' | 'createdAt'>): SimCommentRecord {
    const record: SimCommentRecord = { ...comment, id: this.nextId('comment'), createdAt: this.stamp() };
    r.comments.push(record);
    r.modifiedAt = record.createdAt;
    return record;
  }

  addPosting(hotel: SimHotelRecord, posting: Omit<SimPostingRecord, 'transactionNo' | 'postedAt' | 'businessDate'>): SimPostingRecord {
    const record: SimPostingRecord = { ...posting, transactionNo: Number(this.nextId('transaction')), postedAt: this.stamp(), businessDate: this.today(hotel) };
    hotel.postings.push(record);
    return record;
  }

  touchProfile(profile: SimProfileRecord): void {
    this.touch(profile);
  }

  /** The hotel that holds a reservation id, for control calls that name only the reservation. */
  findReservation(code: string, id: string): SimReservationRecord | undefined {
    return this.hotels.get(code)?.reservations.get(id);
  }
}
