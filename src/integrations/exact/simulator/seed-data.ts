/**
 * Realistic Dutch account data for seeding, deterministic for a given seed: company names, street addresses as
 * Exact keeps them in one line (`AddressLine1`: "Keizersgracht 123", "Dorpsstraat 5A", "1e Jacob van Campenstraat
 * 12-3 hs", "Postbus 123", …), postcodes "1234 AB" in the city's own range, KVK numbers that are mostly valid
 * 8-digit values but sometimes written with spaces or dots, invalid, empty, or repeated from another account (Exact
 * does not enforce KVK uniqueness), and SearchCodes typed by office staff. Everything here is fictional.
 */
import type { Rng } from './random';

const SURNAMES = [
  'Jansen', 'de Vries', 'van den Berg', 'van Dijk', 'Bakker', 'Janssen', 'Visser', 'Smit', 'Meijer', 'de Boer',
  'Mulder', 'de Groot', 'Bos', 'Vos', 'Peters', 'Hendriks', 'van Leeuwen', 'Dekker', 'Brouwer', 'de Wit',
  'Dijkstra', 'Smits', 'de Graaf', 'van der Meer', 'van der Linden', 'Kok', 'Jacobs', 'de Haan', 'Vermeulen',
  'van den Heuvel', 'van der Veen', 'van den Broek', 'de Bruijn', 'de Jong', 'Schouten', 'Willems', 'van Beek',
  'Prins', 'Huisman', 'Kuipers', 'Postma', 'Verhoeven', 'Koster', 'Maas', 'Timmermans', 'Hoekstra', 'Bosman',
  "van 't Hof", 'ter Horst', 'Oosterhuis',
];

const TRADES = [
  'Bouwbedrijf', 'Installatietechniek', 'Transport', 'Hoveniersbedrijf', 'Schildersbedrijf', 'Loodgietersbedrijf',
  'Elektrotechniek', 'Administratiekantoor', 'Accountants', 'Bakkerij', 'Slagerij', 'Autobedrijf', 'Logistiek',
  'Metaalbewerking', 'Afvalinzameling', 'Containerservice', 'Recycling', 'Grondverzet', 'Sloopwerken',
  'Dakdekkersbedrijf', 'Tandartspraktijk', 'Advocatenkantoor', 'Makelaardij', 'Schoonmaakbedrijf', 'Timmerfabriek',
  'Milieudiensten', 'Koeltechniek', 'Drukkerij', 'Catering', 'Tuincentrum',
];

const STEMS = ['Noord', 'Zuid', 'West', 'Oost', 'Delta', 'Polder', 'Kanaal', 'Duin', 'Molen', 'Haven', 'Eiken', 'Linden', 'Zilver', 'Horizon', 'Kompas'];
const STEM_TAILS = ['Groep', 'Partners', 'Techniek', 'Service', 'Solutions', 'Logistics', 'Vastgoed', 'Milieu', 'Bouw', 'Handel'];
const LEGAL = ['B.V.', 'B.V.', 'B.V.', 'V.O.F.', 'N.V.', 'Holding B.V.', '& Zn.', '& Zonen B.V.', ''];

const CITIES: ReadonlyArray<{ city: string; from: number; to: number }> = [
  { city: 'Amsterdam', from: 1011, to: 1109 },
  { city: 'Rotterdam', from: 3011, to: 3089 },
  { city: "'s-Gravenhage", from: 2491, to: 2599 },
  { city: 'Utrecht', from: 3511, to: 3585 },
  { city: 'Eindhoven', from: 5611, to: 5658 },
  { city: 'Groningen', from: 9711, to: 9747 },
  { city: 'Tilburg', from: 5011, to: 5049 },
  { city: 'Almere', from: 1311, to: 1363 },
  { city: 'Breda', from: 4811, to: 4839 },
  { city: 'Nijmegen', from: 6511, to: 6546 },
  { city: 'Apeldoorn', from: 7311, to: 7339 },
  { city: 'Haarlem', from: 2011, to: 2037 },
  { city: 'Arnhem', from: 6811, to: 6846 },
  { city: 'Enschede', from: 7511, to: 7548 },
  { city: 'Amersfoort', from: 3811, to: 3830 },
  { city: "'s-Hertogenbosch", from: 5211, to: 5237 },
  { city: 'Zwolle', from: 8011, to: 8043 },
  { city: 'Leiden', from: 2311, to: 2334 },
  { city: 'Maastricht', from: 6211, to: 6229 },
  { city: 'Dordrecht', from: 3311, to: 3329 },
  { city: 'Leeuwarden', from: 8911, to: 8939 },
  { city: 'Delft', from: 2611, to: 2629 },
  { city: 'Deventer', from: 7411, to: 7431 },
  { city: 'Alkmaar', from: 1811, to: 1834 },
  { city: 'Volendam', from: 1131, to: 1132 },
  { city: 'Ootmarsum', from: 7631, to: 7631 },
];

const STREETS = [
  'Dorpsstraat', 'Kerkstraat', 'Hoofdstraat', 'Schoolstraat', 'Molenweg', 'Stationsweg', 'Nieuwstraat',
  'Industrieweg', 'Keizersgracht', 'Herengracht', 'Prinsengracht', 'Marktplein', 'Julianalaan', 'Wilhelminastraat',
  'Beatrixlaan', 'Oranjestraat', 'Havenweg', 'Energieweg', 'Nijverheidsweg', 'Ambachtsweg',
  '1e Jacob van Campenstraat', '2e Hugo de Grootstraat', 'Laan van Meerdervoort', "'s-Gravendijkwal",
  'Burgemeester de Vlugtlaan', 'Oudezijds Voorburgwal', 'Tweede Kostverlorenkade', 'Van Heemstraweg', 'Oude Gracht',
  'Plein 1944', 'Straatweg', 'Zuideinde', 'Einsteinstraat', 'Marconistraat',
];

/** Letters PostNL uses in postcodes (never F, I, O, Q, U, Y); SA, SD and SS are not issued. */
const LETTERS = [...'ABCDEGHJKLMNPRSTVWXZ'];

export interface SeedAccount {
  Name: string;
  AddressLine1: string | null;
  Postcode: string | null;
  City: string | null;
  Country: string | null;
  ChamberOfCommerce: string | null;
  SearchCode: string | null;
  Email: string | null;
  Phone: string | null;
  Website: string | null;
  Status: string;
  Blocked: boolean;
  IsSales: boolean;
  IsSupplier: boolean;
  /** How long before "now" the account was created (ms). */
  ageMs: number;
}

function postcode(rng: Rng, from: number, to: number): string {
  for (;;) {
    const letters = rng.pick(LETTERS) + rng.pick(LETTERS);
    if (letters === 'SA' || letters === 'SD' || letters === 'SS') continue;
    return `${rng.int(from, to)} ${letters}`;
  }
}

function companyName(rng: Rng): string {
  const surname = rng.pick(SURNAMES);
  const cap = surname.charAt(0).toUpperCase() + surname.slice(1);
  const legal = rng.pick(LEGAL);
  const withLegal = (s: string) => (legal === '' ? s : `${s} ${legal}`);
  switch (rng.int(0, 5)) {
    case 0:
      return withLegal(`${rng.pick(TRADES)} ${surname}`);
    case 1:
      return withLegal(`${cap} ${rng.pick(TRADES)}`);
    case 2:
      return withLegal(`${rng.pick(STEMS)}${rng.pick(STEM_TAILS).toLowerCase()}`);
    case 3:
      return withLegal(`${rng.pick(STEMS)} ${rng.pick(STEM_TAILS)}`);
    case 4:
      return `${cap} & ${rng.pick(SURNAMES).replace(/^./, (c) => c.toUpperCase())} ${rng.pick(['Advocaten', 'Accountants', 'Notarissen', 'Makelaars', 'Installateurs'])}`;
    default:
      return withLegal(`${rng.pick(TRADES)} ${rng.pick(STEMS)}-${rng.pick(CITIES).city.replace(/^'s-/, '')}`);
  }
}

/** One address line in the forms Dutch office staff type. */
function addressLine(rng: Rng): string | null {
  const street = rng.pick(STREETS);
  const n = rng.int(1, 350);
  const r = rng.next();
  if (r < 0.55) return `${street} ${n}`;
  if (r < 0.68) return `${street} ${n}${rng.pick(['A', 'B', 'C', 'a', 'b'])}`;
  if (r < 0.74) return `${street} ${n}-${rng.int(1, 4)}${rng.chance(0.5) ? ' hs' : ''}`;
  if (r < 0.78) return `${street} ${n} ${rng.pick(['hs', 'I', 'II', 'III', 'bis', 'zw'])}`;
  if (r < 0.81) return `${street} ${n} ${rng.pick(['A', 'B', 'C'])}`;
  if (r < 0.83) return `${street} ${n}-${n + 2}`;
  if (r < 0.88) return `Postbus ${rng.int(1, 9999)}`;
  if (r < 0.9) return `Unit ${rng.int(1, 40)}, Bedrijventerrein ${rng.pick(STEMS)}`;
  if (r < 0.93) return null;
  return `${street} ${n}`;
}

/** KVK number: 8 digits, the first not 0. */
function kvk(rng: Rng): string {
  return String(rng.int(10_000_000, 99_999_999));
}

/** A KVK as office staff typed it: mostly plain, sometimes with spaces or dots. */
function formatKvk(rng: Rng, value: string): string {
  const r = rng.next();
  if (r < 0.08) return `${value.slice(0, 4)} ${value.slice(4)}`;
  if (r < 0.12) return `${value.slice(0, 2)}.${value.slice(2, 4)}.${value.slice(4, 6)}.${value.slice(6)}`;
  if (r < 0.14) return ` ${value} `;
  return value;
}

const INVALID_KVKS = ['1234567', '123456789', 'n.v.t.', 'onbekend', '0', 'KVK 1234X678', '-'];

function searchCodeFor(name: string): string {
  return name
    .replace(/\b(B\.V\.|V\.O\.F\.|N\.V\.|Holding|en|van|de|der|den|het|'t|ter|&|Zn\.|Zonen)\b/gi, '')
    .replace(/[^A-Za-z]/g, '')
    .toUpperCase()
    .slice(0, 10);
}

const DAY = 24 * 60 * 60 * 1000;

/** `n` seeded accounts; `existingKvks` lets duplicates refer to accounts already in the division. */
export function generateAccounts(rng: Rng, n: number, existingKvks: readonly string[] = []): SeedAccount[] {
  const out: SeedAccount[] = [];
  const used = new Set<string>();
  const pool: string[] = [...existingKvks];
  for (let i = 0; i < n; i++) {
    const name = companyName(rng);
    const place = rng.pick(CITIES);
    const belgian = rng.chance(0.02);
    const line = addressLine(rng);
    let chamber: string | null;
    const r = rng.next();
    if (r < 0.78) {
      let value = kvk(rng);
      // Accidental duplicates are drawn again: duplicates come only from the branch below, on purpose.
      while (used.has(value)) value = kvk(rng);
      used.add(value);
      pool.push(value);
      chamber = formatKvk(rng, value);
    } else if (r < 0.86) {
      chamber = null;
    } else if (r < 0.91) {
      chamber = rng.pick(INVALID_KVKS);
    } else if (pool.length > 0) {
      chamber = formatKvk(rng, rng.pick(pool));
    } else {
      chamber = null;
    }
    const domain = `${name.toLowerCase().replace(/[^a-z]/g, '').slice(0, 20) || 'bedrijf'}.nl`;
    out.push({
      Name: name,
      AddressLine1: line,
      Postcode: line === null && rng.chance(0.5) ? null : belgian ? String(rng.int(1000, 9999)) : postcode(rng, place.from, place.to),
      City: belgian ? rng.pick(['Antwerpen', 'Gent', 'Brugge', 'Hasselt']) : place.city,
      Country: belgian ? 'BE' : rng.chance(0.97) ? 'NL' : null,
      ChamberOfCommerce: chamber,
      SearchCode: rng.chance(0.3) ? searchCodeFor(name) || null : null,
      Email: rng.chance(0.6) ? `${rng.pick(['info', 'administratie', 'facturen', 'contact'])}@${domain}` : null,
      Phone: rng.chance(0.5) ? `0${rng.int(10, 79)}-${rng.int(1000000, 9999999)}` : null,
      Website: rng.chance(0.3) ? `www.${domain}` : null,
      Status: rng.pick(['C', 'C', 'C', 'C', 'P', 'S', 'A']),
      Blocked: rng.chance(0.02),
      IsSales: true,
      IsSupplier: rng.chance(0.1),
      ageMs: rng.int(1, 5 * 365) * DAY + rng.int(0, DAY),
    });
  }
  return out;
}
