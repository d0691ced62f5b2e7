/**
 * Generated hotel data: rooms with protel-style room types, guests with names, languages and
 * phone numbers as front desks type them (national formats, and some that no parser can read),
 * deterministic for a seed.
 */
import type { SimRoom } from './model';
import type { Rng } from './random';
import type { HousekeepingStatus } from './wire';

/** The hotel's calendar day `offset` days from `now`: protel's dates of stay are the hotel's own days. */
export function localDay(timezone: string, offset = 0, now = Date.now()): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(now));
  return addDays(today, offset);
}

export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

const digits = (rng: Rng, n: number): string => Array.from({ length: n }, () => rng.int(0, 9)).join('');

interface Country {
  given: readonly string[];
  surnames: readonly string[];
  language: string;
  currency: string;
  phones: ReadonlyArray<(rng: Rng) => string>;
}

const COUNTRIES: Record<string, Country> = {
  NL: {
    given: ['Sanne', 'Daan', 'Emma', 'Lucas', 'Julia', 'Sem', 'Tess', 'Bram', 'Lotte', 'Finn'],
    surnames: ['de Vries', 'Jansen', 'van den Berg', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'Bos'],
    language: 'nl',
    currency: 'EUR',
    phones: [
      (rng) => `06-${digits(rng, 8)}`,
      (rng) => `+31 (0)6 ${digits(rng, 4)} ${digits(rng, 4)}`,
      (rng) => `06 ${digits(rng, 2)} ${digits(rng, 2)} ${digits(rng, 2)} ${digits(rng, 2)}`,
      (rng) => `010-${digits(rng, 7)}`,
    ],
  },
  DE: {
    given: ['Lukas', 'Anna', 'Jonas', 'Lea', 'Felix', 'Hannah', 'Paul', 'Marie'],
    surnames: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Wagner', 'Becker', 'Hoffmann'],
    language: 'de',
    currency: 'EUR',
    phones: [(rng) => `0171 ${digits(rng, 7)}`, (rng) => `+49 (0)40 ${digits(rng, 7)}`, (rng) => `0152/${digits(rng, 8)}`],
  },
  GB: {
    given: ['Oliver', 'Amelia', 'George', 'Isla', 'Harry', 'Ava'],
    surnames: ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Evans'],
    language: 'en',
    currency: 'GBP',
    phones: [(rng) => `07${digits(rng, 3)} ${digits(rng, 6)}`, (rng) => `+44 (0)161 ${digits(rng, 3)} ${digits(rng, 4)}`],
  },
  FR: {
    given: ['Camille', 'Louis', 'Chloé', 'Hugo', 'Léa', 'Jules'],
    surnames: ['Martin', 'Bernard', 'Dubois', 'Laurent', 'Moreau', 'Lefèvre'],
    language: 'fr',
    currency: 'EUR',
    phones: [(rng) => `06 ${digits(rng, 2)} ${digits(rng, 2)} ${digits(rng, 2)} ${digits(rng, 2)}`, (rng) => `+33 (0)6 ${digits(rng, 8)}`],
  },
};

const ELSEWHERE: Country = {
  given: ['Maria', 'David', 'Sofia', 'Marco', 'Elena', 'Piotr'],
  surnames: ['Garcia', 'Rossi', 'Silva', 'Novak', 'Costa', 'Kowalski'],
  language: 'en',
  currency: 'EUR',
  phones: [(rng) => `0${rng.int(1, 9)}${digits(rng, 2)} ${digits(rng, 3)} ${digits(rng, 3)}`],
};

/** What staff sometimes type into the phone field. */
const UNPARSEABLE: ReadonlyArray<(rng: Rng) => string> = [() => 'ask at check-in', (rng) => digits(rng, 4), () => 'see e-mail'];

export const countryOf = (code: string): Country => COUNTRIES[code.toUpperCase()] ?? ELSEWHERE;

const PREFERENCES = ['High floor', 'Quiet room', 'Feather-free pillow', 'Twin beds', 'Late check-out'] as const;

export interface GeneratedGuest {
  givenName: string;
  surname: string;
  email: string | null;
  phone: string | null;
  language: string;
  nationality: string;
  preferences: string[];
}

export function generateGuest(rng: Rng, countryCode: string): GeneratedGuest {
  const country = countryOf(countryCode);
  const givenName = rng.pick(country.given);
  const surname = rng.pick(country.surnames);
  const roll = rng.next();
  const phone = roll < 0.1 ? null : roll < 0.2 ? rng.pick(UNPARSEABLE)(rng) : rng.pick(country.phones)(rng);
  const local = `${givenName}.${surname}`.toLowerCase().normalize('NFD').replace(/[^a-z.]/g, '');
  return {
    givenName,
    surname,
    email: rng.chance(0.8) ? `${local}${rng.int(1, 99)}@example.com` : null,
    phone,
    language: country.language,
    nationality: countryCode.toUpperCase(),
    preferences: rng.chance(0.3) ? [rng.pick(PREFERENCES)] : [],
  };
}

/** protel-style room types: single, double, double superior, junior suite. */
const ROOM_TYPES = ['EZ', 'DZ', 'DZS', 'JS'] as const;
const ROOMS_PER_FLOOR = 20;

export function generateRooms(rng: Rng, count: number): SimRoom[] {
  return Array.from({ length: count }, (_, i) => {
    const floor = Math.floor(i / ROOMS_PER_FLOOR) + 1;
    const r = rng.next();
    const status: HousekeepingStatus = r < 0.45 ? 'Clean' : r < 0.75 ? 'Dirty' : r < 0.88 ? 'Inspected' : r < 0.95 ? 'Pickup' : r < 0.98 ? 'OutOfService' : 'OutOfOrder';
    return { id: String(floor * 100 + (i % ROOMS_PER_FLOOR) + 1), roomType: rng.pick(ROOM_TYPES), floor: String(floor), status, occupied: rng.chance(0.4) };
  });
}
