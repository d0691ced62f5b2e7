/**
 * Generated hotel data: rooms, guests and their phone numbers as front desks type them (national
 * formats, some that no library can read), deterministic for a seed.
 */
import type { HousekeepingStatus, SimRoomRecord } from './model';
import { drawDigits as digits, drawTypedContact, type PhoneWriter } from '../../simulator-kit/people';
import { drawRooms } from '../../simulator-kit/rooms';
import type { Rng } from './random';

interface CountryData {
  given: readonly string[];
  surnames: readonly string[];
  language: string;
  currency: string;
  /** Each draws one phone number as it is typed in that country. */
  phones: readonly PhoneWriter[];
}

/** Numbers no parser can make sense of: typos, notes typed into the phone field. */
const UNPARSEABLE: readonly PhoneWriter[] = [(rng) => `06-${digits(rng, 4)}`, () => 'ask at check-in', (rng) => digits(rng, 3)];

const COUNTRIES: Record<string, CountryData> = {
  NL: {
    given: ['Sanne', 'Daan', 'Emma', 'Lucas', 'Julia', 'Sem', 'Tess', 'Bram', 'Lotte', 'Finn', 'Anouk', 'Thijs'],
    surnames: ['de Vries', 'Jansen', 'van den Berg', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'de Groot', 'Bos', 'Peters'],
    language: 'NL',
    currency: 'EUR',
    phones: [
      (rng) => `06-${digits(rng, 8)}`,
      (rng) => `+31 (0)6 ${digits(rng, 4)} ${digits(rng, 4)}`,
      (rng) => `06 ${digits(rng, 2)} ${digits(rng, 2)} ${digits(rng, 2)} ${digits(rng, 2)}`,
      (rng) => `020-${digits(rng, 7)}`,
      (rng) => `0031${rng.int(10, 79)}${digits(rng, 7)}`,
    ],
  },
  DE: {
    given: ['Lukas', 'Anna', 'Jonas', 'Lea', 'Leon', 'Mia', 'Felix', 'Hannah'],
    surnames: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Wagner', 'Becker', 'Hoffmann'],
    language: 'DE',
    currency: 'EUR',
    phones: [(rng) => `0151 ${digits(rng, 8)}`, (rng) => `+49 (0)30 ${digits(rng, 7)}`, (rng) => `0171/${digits(rng, 7)}`],
  },
  GB: {
    given: ['Oliver', 'Amelia', 'George', 'Isla', 'Harry', 'Ava', 'Jack', 'Emily'],
    surnames: ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Davies', 'Evans'],
    language: 'EN',
    currency: 'GBP',
    phones: [(rng) => `07${digits(rng, 3)} ${digits(rng, 6)}`, (rng) => `+44 (0)20 ${digits(rng, 4)} ${digits(rng, 4)}`],
  },
};

/** Any other country: international names, numbers in a generic national format. */
const ELSEWHERE: CountryData = {
  given: ['Maria', 'David', 'Sofia', 'Daniel', 'Laura', 'Marco', 'Elena', 'Paul'],
  surnames: ['Garcia', 'Rossi', 'Martin', 'Silva', 'Novak', 'Dubois', 'Costa', 'Horvat'],
  language: 'EN',
  currency: 'EUR',
  phones: [(rng) => `0${rng.int(1, 9)}${digits(rng, 2)} ${digits(rng, 3)} ${digits(rng, 3)}`, (rng) => `(${digits(rng, 3)}) ${digits(rng, 3)}-${digits(rng, 4)}`],
};

export function countryData(country: string): CountryData {
  return COUNTRIES[country.toUpperCase()] ?? ELSEWHERE;
}

export interface GeneratedGuest {
  givenName: string;
  surname: string;
  email: string | null;
  phone: string | null;
  language: string;
  nationality: string;
  optInSms: boolean;
}

export function generateGuest(rng: Rng, country: string): GeneratedGuest {
  const data = countryData(country);
  return {
    ...drawTypedContact(rng, data, { typed: data.phones, unreadable: UNPARSEABLE }, 0.8),
    language: data.language,
    nationality: country.toUpperCase(),
    optInSms: rng.chance(0.7),
  };
}

const ROOM_TYPES = ['STDK', 'STDQ', 'DLXK', 'STDT', 'SUIT'] as const;

/** OPERA's housekeeping statuses, most rooms clean or dirty, a few out of order. */
const housekeeping = (r: number): HousekeepingStatus =>
  r < 0.45 ? 'Clean' : r < 0.75 ? 'Dirty' : r < 0.88 ? 'Inspected' : r < 0.95 ? 'Pickup' : r < 0.98 ? 'OutOfService' : 'OutOfOrder';

export const generateRooms = (rng: Rng, count: number): SimRoomRecord[] => drawRooms(rng, count, ROOM_TYPES, housekeeping);

/**
 * An OPERA hotel code from the hotel's name and its seed (upper-case letters and digits): the same
 * seed gives the same code, and hotels seeded by runs that share one database do not collide.
 * `taken` makes it unique in this simulator.
 */
export function hotelCode(name: string, seed: number, taken: (code: string) => boolean): string {
  const letters = name.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 6) || 'HOTEL';
  for (let n = Math.abs(Math.trunc(seed)) % 1_000_000; ; n = (n + 1) % 1_000_000) {
    const code = `${letters}${String(n).padStart(6, '0')}`;
    if (!taken(code)) return code;
  }
}
