/**
 * Generated hotel data: rooms with protel-style room types, guests with names, languages and
 * phone numbers as front desks type them (national formats, and some that no parser can read),
 * deterministic for a seed.
 */
import type { SimRoom } from './model';
import { drawDigits as digits, drawTypedContact, type PhoneWriter } from '../../simulator-kit/people';
import { drawRooms } from '../../simulator-kit/rooms';
import type { Rng } from './random';
import type { HousekeepingStatus } from './wire';

interface Country {
  given: readonly string[];
  surnames: readonly string[];
  language: string;
  currency: string;
  phones: readonly PhoneWriter[];
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
const UNPARSEABLE: readonly PhoneWriter[] = [() => 'ask at check-in', (rng) => digits(rng, 4), () => 'see e-mail'];

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
  return {
    ...drawTypedContact(rng, country, { typed: country.phones, unreadable: UNPARSEABLE }, 0.8),
    language: country.language,
    nationality: countryCode.toUpperCase(),
    preferences: rng.chance(0.3) ? [rng.pick(PREFERENCES)] : [],
  };
}

/** protel-style room types: single, double, double superior, junior suite. */
const ROOM_TYPES = ['EZ', 'DZ', 'DZS', 'JS'] as const;
/** protel's housekeeping statuses, most rooms clean or dirty, a few out of order. */
const housekeeping = (r: number): HousekeepingStatus =>
  r < 0.45 ? 'Clean' : r < 0.75 ? 'Dirty' : r < 0.88 ? 'Inspected' : r < 0.95 ? 'Pickup' : r < 0.98 ? 'OutOfService' : 'OutOfOrder';

export const generateRooms = (rng: Rng, count: number): SimRoom[] => drawRooms(rng, count, ROOM_TYPES, housekeeping);
