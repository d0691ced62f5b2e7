/**
 * The simulated protel installation: hotels with their tokens, rooms, guest profiles,
 * reservations with comments, and folio postings. Ids are protel-like numbers handed out in
 * order, so a seed and a sequence of calls always give the same ids.
 */
import { createHash } from 'node:crypto';
import type { SimHotelSpec } from '../../simulator-control';
import type { SimComment, SimHotel, SimPosting, SimProfile, SimReservation } from './model';
import type { StayRequest } from '../../simulator-kit/bookings';
import { drawFate, drawStay, seedArrivals } from '../../simulator-kit/seeded-stays';
import { StayStore } from '../../simulator-kit/stay-store';
import { mixSeed, type Rng, seededRng } from './random';
import { countryOf, generateGuest, generateRooms } from './seed';

const FIRST = { reservation: 345_001, confirmation: 8_100_017, profile: 880_001, posting: 7_000_001, comment: 120_001 };

export interface ProfileInput {
  givenName?: string | null;
  surname: string;
  email?: string | null;
  phone?: string | null;
  language?: string | null;
  nationality?: string | null;
  preferences?: string[];
}

/** A hotel's token: deterministic for its seed, code and how often it was replaced. */
function hotelToken(seed: number, code: string, generation: number): string {
  return `pio_${createHash('sha256').update(`${seed}:${code}:${generation}`).digest('hex').slice(0, 40)}`;
}

/** Every change stamps its record's LastModifyDateTime (`stamp()`), as protel's delta reads need. */
export class ProtelStore extends StayStore<keyof typeof FIRST> {
  readonly hotels = new Map<string, SimHotel>();
  private readonly byToken = new Map<string, SimHotel>();
  private readonly generations = new Map<string, number>();

  constructor(now: () => number = Date.now) {
    super(FIRST, now);
  }

  reset(): void {
    this.hotels.clear();
    this.byToken.clear();
    this.generations.clear();
    this.resetIds();
  }

  /** A hotel code that follows the seed (runs sharing one database do not collide), unique here. */
  private hotelCode(seed: number): string {
    let n = 10_000 + (Math.abs(Math.trunc(seed)) % 89_990_000);
    while (this.hotels.has(String(n))) n++;
    return String(n);
  }

  hotelOfToken(token: string): SimHotel | undefined {
    return this.byToken.get(token);
  }

  addHotel(spec: SimHotelSpec): SimHotel {
    const code = this.hotelCode(spec.seed);
    const rng = seededRng(mixSeed(spec.seed, code));
    const hotel: SimHotel = {
      code,
      name: spec.name,
      timezone: spec.timezone,
      country: spec.country.toUpperCase(),
      currency: countryOf(spec.country).currency,
      seed: spec.seed,
      token: hotelToken(spec.seed, code, 0),
      rooms: generateRooms(rng, spec.rooms),
      profiles: new Map(),
      reservations: new Map(),
      postings: [],
    };
    this.hotels.set(code, hotel);
    this.byToken.set(hotel.token, hotel);
    seedArrivals(spec.arrivalsPerDay, (day) => this.seedArrival(hotel, rng, day));
    return hotel;
  }

  /** protel issues the hotel a new token; the old one is refused from now on. */
  replaceToken(hotel: SimHotel): string {
    const generation = (this.generations.get(hotel.code) ?? 0) + 1;
    this.generations.set(hotel.code, generation);
    this.byToken.delete(hotel.token);
    hotel.token = hotelToken(hotel.seed, hotel.code, generation);
    this.byToken.set(hotel.token, hotel);
    return hotel.token;
  }

  /** One generated guest arriving `day` days from today; some already checked in, a few cancelled. */
  seedArrival(hotel: SimHotel, rng: Rng, day: number): SimReservation {
    const guest = generateGuest(rng, hotel.country);
    const profile = this.addProfile(hotel, guest);
    const r = this.addReservation(hotel, profile.id, drawStay(rng, hotel.timezone, day, this.now()));
    const fate = drawFate(rng, day);
    if (fate === 'checkedIn') this.checkIn(hotel, r);
    else if (fate === 'cancelled') this.setStatus(r, 'Cancelled');
    return r;
  }

  addProfile(hotel: SimHotel, input: ProfileInput): SimProfile {
    const at = this.stamp();
    const profile: SimProfile = {
      id: this.nextId('profile'),
      givenName: input.givenName ?? null,
      surname: input.surname,
      email: input.email ?? null,
      phone: input.phone ?? null,
      language: input.language ?? null,
      nationality: input.nationality ?? null,
      preferences: [...(input.preferences ?? [])],
      createdAt: at,
      modifiedAt: at,
    };
    hotel.profiles.set(profile.id, profile);
    return profile;
  }

  addReservation(hotel: SimHotel, profileId: string, spec: StayRequest): SimReservation {
    const r: SimReservation = { ...this.newBooking(hotel.rooms, spec, 'DZ'), profileId, status: 'Reserved', comments: [] };
    hotel.reservations.set(r.id, r);
    return r;
  }

  /** Checks a reservation in, giving it a vacant room when it has none. */
  checkIn(hotel: SimHotel, r: SimReservation): void {
    this.checkInto(hotel.rooms, hotel.reservations.values(), r, 'In-house');
  }

  addComment(r: SimReservation, text: string, guestViewable: boolean): SimComment {
    const comment: SimComment = { id: this.nextId('comment'), text, guestViewable, createdAt: this.stamp() };
    r.comments.push(comment);
    r.modifiedAt = comment.createdAt;
    return comment;
  }

  addPosting(hotel: SimHotel, posting: Omit<SimPosting, 'id' | 'postedAt' | 'businessDate' | 'folioWindow'>): SimPosting {
    const record: SimPosting = { ...posting, id: this.nextId('posting'), folioWindow: 1, postedAt: this.stamp(), businessDate: this.today(hotel) };
    hotel.postings.push(record);
    return record;
  }
}
