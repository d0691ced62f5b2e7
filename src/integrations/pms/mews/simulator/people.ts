/**
 * Guests as a hotel's front desk types them: names, e-mail addresses and phone numbers in the
 * hotel country's national formats ("06-12345678", "+31 (0)6 1234 5678"), some of which no
 * parser can read. Deterministic for a seeded `Random`.
 */
import { drawMobileContact, type MobileFormat, type MobileFormats, type Names } from '../../simulator-kit/people';
import type { Random } from './random';

const FIRST_NAMES = ['Sanne', 'Daan', 'Emma', 'Lucas', 'Julia', 'Sem', 'Tess', 'Finn', 'Anna', 'Noah', 'Mila', 'Levi', 'Sophie', 'Jan', 'Marie', 'Thomas', 'Olivia', 'James', 'Lena', 'Paul'];
const LAST_NAMES = ['de Vries', 'Jansen', 'van den Berg', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'de Groot', 'Bos', 'Vos', 'Peters', 'Hendriks', 'Müller', 'Schmidt', 'Smith', 'Brown', 'Dubois', 'Rossi'];
const LANGUAGES = ['nl-NL', 'en-GB', 'de-DE', 'fr-FR', 'en-US'];
const FEATURES = ['SeaView', 'QuietRoom', 'HighFloor', 'TwinBeds', 'Bathtub'];
const DIETS = ['Vegetarian', 'Vegan', 'Gluten-free', 'Halal'];

/** Writers of a mobile number `digits` (8 subscriber digits) as staff type them, per country. */
const BY_COUNTRY: Record<string, MobileFormat[]> = {
  NL: [
    (d) => `06-${d}`,
    (d) => `+31 (0)6 ${d.slice(0, 4)} ${d.slice(4)}`,
    (d) => `06 ${d.slice(0, 2)} ${d.slice(2, 4)} ${d.slice(4, 6)} ${d.slice(6)}`,
    (d) => `06${d}`,
    (d) => `0031 6 ${d}`,
  ],
  DE: [(d) => `0151 ${d}`, (d) => `+49 (0)151 ${d.slice(0, 4)} ${d.slice(4)}`, (d) => `0151-${d}`],
  GB: [(d) => `07700 9${d.slice(0, 5)}`, (d) => `+44 (0)7700 9${d.slice(0, 5)}`, (d) => `07700-9${d.slice(0, 5)}`],
  BE: [(d) => `0470 ${d.slice(0, 2)} ${d.slice(2, 4)} ${d.slice(4, 6)}`, (d) => `+32 (0)470 ${d.slice(0, 6)}`],
};
const GENERIC: MobileFormat[] = [(d) => `0${d}`, (d) => `0${d.slice(0, 3)} ${d.slice(3)}`];
/** What staff sometimes type where a number belongs. */
const UNPARSEABLE = ['see e-mail', '12345', 'ask at check-in', '+31 6', 'n/a'];
const NAMES: Names = { given: FIRST_NAMES, surnames: LAST_NAMES };
const MOBILE_FORMATS: MobileFormats = { byCountry: BY_COUNTRY, generic: GENERIC, unreadable: UNPARSEABLE };

export interface GeneratedGuest {
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  languageCode: string;
  nationality: string;
  preferredSpaceFeatures: string[];
  dietaryRequirements: string | null;
}

export function generateGuest(rng: Random, country: string): GeneratedGuest {
  return {
    ...drawMobileContact(rng, NAMES, country, MOBILE_FORMATS, 0.85),
    languageCode: rng.pick(LANGUAGES),
    nationality: rng.chance(0.6) ? country.toUpperCase() : rng.pick(['NL', 'DE', 'GB', 'FR', 'BE', 'US']),
    preferredSpaceFeatures: rng.chance(0.3) ? [rng.pick(FEATURES)] : [],
    dietaryRequirements: rng.chance(0.15) ? rng.pick(DIETS) : null,
  };
}

/** A language as a hotel's form records it: `nl` → `nl-NL`; a full code is kept. */
export function languageCode(language: string): string {
  if (/^[a-z]{2}-[A-Z]{2}$/.test(language)) return language;
  const lang = language.slice(0, 2).toLowerCase();
  const region: Record<string, string> = { en: 'GB', nl: 'NL', de: 'DE', fr: 'FR', es: 'ES', it: 'IT', da: 'DK', sv: 'SE', ja: 'JP', zh: 'CN' };
  return `${lang}-${region[lang] ?? lang.toUpperCase()}`;
}
