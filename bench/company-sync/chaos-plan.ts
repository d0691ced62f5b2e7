import { createHash } from 'node:crypto';
import { isUnparsedAddress, parseDutchAddress } from '../../src/domain/company-sync/dutch-address';
import { type CompanyView, type ViewField, addressOfParts, exactView, normaliseViewValue } from './chaos-fields';
import type { SimAccount } from './chaos-sim';

/**
 * The convergence run's plan: every operation on both sides, drawn up front from one seeded PRNG, so
 * the same seed (and the same seeded accounts, whose GUIDs the simulator derives from the seed)
 * gives the same operations in the same order: which entity, which fields, which values, and when
 * faults and worker kills come. What the operations meet (a 412, a KVK already taken, an entity not
 * synced yet) depends on timing, as in production.
 *
 * Entities are numbered in the order the plan knows them: the seeded Exact accounts first (by Code),
 * then each create. A target is an entity, resolved at run time to its company (our side) or its
 * Exact account (theirs) through the link the sync made.
 */

/** A small, fast, seedable PRNG (mulberry32). */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** One key of `weights`, drawn by weight. */
  weighted<K extends string>(weights: Record<K, number>): K {
    const entries = Object.entries(weights) as Array<[K, number]>;
    let r = this.next() * entries.reduce((acc, [, w]) => acc + w, 0);
    for (const [key, w] of entries) if ((r -= w) < 0) return key;
    return entries[entries.length - 1]![0];
  }
  guid(): string {
    const hex = Array.from({ length: 32 }, () => this.int(0, 15).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[this.int(0, 3)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

/**
 * A change as one side takes it: for Relay the body of `POST /v1/companies` or `PUT /v1/companies/:id`,
 * for Exact the PascalCase fields an office user types into Exact's screen (spelled as people type
 * them: "Dorpsstraat 5 A", "1234ab", "KvK 1234 5678", now and then a PO box).
 */
export interface Change {
  side: 'relay' | 'exact';
  body: Record<string, string | null>;
  /** What it sets, in the compared form (chaos-fields.ts): how the run recognises the value later. */
  view: Partial<CompanyView>;
}

export type Op =
  | { kind: 'relay-edit'; target: number; change: Change }
  | { kind: 'exact-edit'; target: number; change: Change }
  /** The same company edited in Relay and in Exact between two syncs (the same field or different ones). */
  | { kind: 'both-edit'; target: number; relay: Change; exact: Change; exactFirst: boolean }
  /** Two API clients editing one company at once: one of them meets a 412 and retries on fresh data. */
  | { kind: 'two-clients'; target: number; a: Change; b: Change }
  | { kind: 'relay-create'; entity: number; change: Change }
  | { kind: 'exact-create'; entity: number; id: string; change: Change }
  /** One real company typed into both systems at about the same time (same name, KVK and/or address). */
  | { kind: 'twin-create'; relayEntity: number; exactEntity: number; id: string; relay: Change; exact: Change }
  | { kind: 'relay-delete'; target: number }
  | { kind: 'exact-delete'; target: number };

/** What the run does besides the operations, before the operation at index `at`. */
export type Event =
  | { at: number; kind: 'fault'; name: string; faults: Record<string, unknown> }
  | { at: number; kind: 'kill' }
  /** Exact expires every access token (fired once the refresh guard is near, so the wait for it is short). */
  | { at: number; kind: 'expire-tokens' };

export interface PlannedEntity {
  origin: 'seed' | 'relay' | 'exact';
  /** The Exact account's ID when the plan knows it (seeded, created in Exact). */
  guid?: string;
  /** Values it was created with, for other creates to share (identical names, shared KVKs and addresses). */
  initial: CompanyView;
}

export interface Plan {
  seed: number;
  ops: Op[];
  events: Event[];
  entities: PlannedEntity[];
  /** A digest of the operations: equal for equal seeds (and equal seeded accounts). */
  digest: string;
}

const STEMS = ['Bakkerij', 'Bouwbedrijf', 'Transport', 'Installatietechniek', 'Schildersbedrijf', 'Hoveniersbedrijf', 'Autobedrijf', 'Advocatenkantoor', 'Drukkerij', 'Loodgietersbedrijf', 'Recycling', 'Containerverhuur'];
const SURNAMES = ['Jansen', 'de Vries', 'van den Berg', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'de Groot', 'Bos', 'Vos', 'Peters', 'Hendriks', 'van Leeuwen', 'Dekker'];
const FORMS = ['B.V.', 'V.O.F.', '', '& Zn.', 'Holding B.V.'];
const STREETS = ['Keizersgracht', 'Dorpsstraat', 'Hoofdweg', 'Kerkstraat', 'Stationsweg', 'Industrieweg', 'Marktplein', 'Molenstraat', 'Nieuwe Binnenweg', 'Oudezijds Voorburgwal', '1e Jacob van Campenstraat', 'Laan van Meerdervoort'];
const CITIES: Array<[string, number]> = [
  ['Amsterdam', 1011],
  ['Rotterdam', 3011],
  ['Utrecht', 3511],
  ['Den Haag', 2511],
  ['Eindhoven', 5611],
  ['Groningen', 9711],
  ['Zwolle', 8011],
  ['Tilburg', 5011],
  ['Almere', 1315],
  ['Breda', 4811],
  ['Nijmegen', 6511],
  ['Arnhem', 6811],
];
const ADDITIONS = [null, null, null, 'A', 'B', '1', '2 hs', 'bis', '3'];

/** Weights of the operation kinds (creates, edits and deletes on both sides). */
const OP_WEIGHTS = {
  'relay-edit': 29,
  'exact-edit': 26,
  'both-edit': 9,
  'two-clients': 3,
  'relay-create': 9,
  'exact-create': 9,
  'twin-create': 4,
  'relay-delete': 3,
  'exact-delete': 3,
} as const;

export function drawPlan(seed: number, edits: number, seeded: readonly SimAccount[]): Plan {
  const rng = new Rng(seed);
  const entities: PlannedEntity[] = [...seeded]
    .sort((a, b) => a.Code.trim().localeCompare(b.Code.trim(), 'en', { numeric: true }))
    .map((a) => ({ origin: 'seed' as const, guid: a.ID, initial: exactView(a) }));
  const live = new Set(entities.keys());
  // A few companies everyone works on: concurrent edits, 412s and both-sided changes meet there.
  const hot = [...live].filter(() => rng.chance(0.05)).slice(0, 15);
  let serial = 0;

  const target = (): number => {
    const hotLive = hot.filter((e) => live.has(e));
    if (hotLive.length > 0 && rng.chance(0.25)) return rng.pick(hotLive);
    return rng.pick([...live]);
  };
  const someEntity = () => entities[rng.int(0, entities.length - 1)]!;

  const freshName = (): string => {
    const form = rng.pick(FORMS);
    return `${rng.pick(STEMS)} ${rng.pick(SURNAMES)} ${++serial}${form ? ` ${form}` : ''}`;
  };
  const freshKvk = (): string => String(rng.int(10_000_000, 99_999_999));
  const typedKvk = (k: string): string => {
    const how = rng.weighted({ plain: 6, spaced: 2, dotted: 1, prefixed: 1 });
    if (how === 'spaced') return `${k.slice(0, 4)} ${k.slice(4)}`;
    if (how === 'dotted') return `${k.slice(0, 2)}.${k.slice(2, 4)}.${k.slice(4, 6)}.${k.slice(6)}`;
    return how === 'prefixed' ? `KvK ${k}` : k;
  };
  const freshPostcode = (base: number): string => `${base + rng.int(0, 80)} ${String.fromCharCode(65 + rng.int(0, 25))}${String.fromCharCode(65 + rng.int(0, 25))}`;

  /** A street address: parts (Relay's API) or a line as typed (Exact's screen, now and then a PO box). */
  const setAddress = (c: Change, shared?: string | null) => {
    if (c.side === 'exact' && shared === undefined && rng.chance(0.04)) {
      c.body.AddressLine1 = `Postbus ${rng.int(1, 9999)}`;
    } else {
      const parts = shared ? splitCanonical(shared) : null;
      const street = parts?.streetName ?? rng.pick(STREETS);
      const number = parts?.buildingNumber ?? String(rng.int(1, 400));
      const addition = parts ? parts.buildingNumberAddition : rng.pick(ADDITIONS);
      if (c.side === 'relay') Object.assign(c.body, { streetName: street, buildingNumber: number, buildingNumberAddition: addition });
      else c.body.AddressLine1 = addition === null ? `${street} ${number}` : rng.pick([addressOfParts(street, number, addition)!, `${street} ${number} ${addition}`, `${street} ${number}-${addition}`]);
    }
  };
  const set = (c: Change, field: 'name' | 'kvk' | 'postcode' | 'city' | 'country', value: string | null) => {
    const relayName = { name: 'name', kvk: 'chamberOfCommerceId', postcode: 'postalCode', city: 'city', country: 'country' }[field];
    const exactName = { name: 'Name', kvk: 'ChamberOfCommerce', postcode: 'Postcode', city: 'City', country: 'Country' }[field];
    if (c.side === 'relay') c.body[relayName] = value;
    else c.body[exactName] = value === null ? null : field === 'kvk' ? typedKvk(value) : field === 'postcode' && rng.chance(0.2) ? value.replace(' ', '').toLowerCase() : value;
  };

  /** An edit of one field (sometimes two) as a person makes it. */
  const edit = (side: Change['side'], only?: EditField): Change => {
    const c: Change = { side, body: {}, view: {} };
    const one = (f: EditField) => {
      if (f === 'name') set(c, 'name', rng.chance(0.05) ? (someEntity().initial.name ?? freshName()) : freshName());
      else if (f === 'city') set(c, 'city', rng.pick(CITIES)[0]);
      else if (f === 'address') setAddress(c);
      else if (f === 'postcode') set(c, 'postcode', freshPostcode(rng.pick(CITIES)[1]));
      else if (f === 'kvk') set(c, 'kvk', rng.chance(0.15) ? (someEntity().initial.kvk ?? freshKvk()) : rng.chance(0.05) ? null : freshKvk());
      else set(c, 'country', rng.pick(['NL', 'NL', 'BE', 'DE']));
    };
    const field = only ?? rng.weighted({ name: 34, city: 16, address: 20, postcode: 10, kvk: 8, country: 2, two: 10 });
    if (field === 'two') {
      const first = rng.pick(TWO_FIELDS);
      one(first);
      one(rng.pick(TWO_FIELDS.filter((f) => f !== first)));
    } else one(field);
    return withView(c);
  };

  /** A whole company: a name, often a KVK (sometimes another's), an address (sometimes another's), postcode and city. */
  const company = (side: Change['side'], share: { kvk?: string | null; name?: string; like?: PlannedEntity } = {}): Change => {
    const c: Change = { side, body: {}, view: {} };
    set(c, 'name', share.name ?? (rng.chance(0.1) ? (someEntity().initial.name ?? freshName()) : freshName()));
    const kvk = share.kvk !== undefined ? share.kvk : rng.chance(0.6) ? (rng.chance(0.12) ? (someEntity().initial.kvk ?? freshKvk()) : freshKvk()) : null;
    if (kvk !== null) set(c, 'kvk', kvk);
    const like = share.like ?? (rng.chance(0.08) ? someEntity() : undefined);
    if (like?.initial.address && like.initial.postalCode && splitCanonical(like.initial.address)) {
      setAddress(c, like.initial.address);
      set(c, 'postcode', like.initial.postalCode);
      set(c, 'city', like.initial.city);
    } else {
      setAddress(c);
      const [city, base] = rng.pick(CITIES);
      set(c, 'postcode', freshPostcode(base));
      set(c, 'city', city);
    }
    set(c, 'country', 'NL');
    return withView(c);
  };

  const register = (origin: PlannedEntity['origin'], change: Change, guid?: string): number => {
    const initial: CompanyView = { name: null, kvk: null, address: null, postalCode: null, city: null, country: null, ...change.view };
    const entity = entities.push({ origin, ...(guid ? { guid } : {}), initial }) - 1;
    live.add(entity);
    return entity;
  };

  const ops: Op[] = [];
  while (ops.length < edits) {
    const kind = rng.weighted(OP_WEIGHTS);
    switch (kind) {
      case 'relay-edit':
      case 'exact-edit':
        ops.push({ kind, target: target(), change: edit(kind === 'relay-edit' ? 'relay' : 'exact') });
        break;
      case 'both-edit': {
        const same = rng.chance(0.5) ? rng.pick(TWO_FIELDS) : undefined;
        const relay = edit('relay', same);
        const exact = edit('exact', same ?? rng.pick(TWO_FIELDS.filter((f) => !(viewFieldOf(f) in relay.view))));
        ops.push({ kind, target: target(), relay, exact, exactFirst: rng.chance(0.5) });
        break;
      }
      case 'two-clients':
        ops.push({ kind, target: target(), a: edit('relay'), b: edit('relay') });
        break;
      case 'relay-create': {
        const change = company('relay');
        ops.push({ kind, entity: register('relay', change), change });
        break;
      }
      case 'exact-create': {
        const change = company('exact');
        const id = rng.guid();
        ops.push({ kind, entity: register('exact', change, id), id, change });
        break;
      }
      case 'twin-create': {
        const exact = company('exact', { kvk: rng.chance(0.7) ? freshKvk() : null });
        const twin: PlannedEntity = { origin: 'exact', initial: { name: null, kvk: null, address: null, postalCode: null, city: null, country: null, ...exact.view } };
        const relay = company('relay', { kvk: exact.view.kvk ?? null, name: exact.view.name ?? undefined, like: twin });
        const id = rng.guid();
        const exactEntity = register('exact', exact, id);
        ops.push({ kind, exactEntity, relayEntity: register('relay', relay), id, exact, relay });
        break;
      }
      case 'relay-delete':
      case 'exact-delete': {
        const t = target();
        live.delete(t);
        ops.push({ kind, target: t });
        break;
      }
    }
  }

  const at = (fraction: number) => Math.min(ops.length - 1, Math.round(fraction * ops.length));
  const events: Event[] = [
    { at: at(0.1), kind: 'fault', name: '429 burst (12 calls)', faults: { rateLimit429: { next: 12 } } },
    { at: at(0.18), kind: 'fault', name: '503 on 5% of calls', faults: { status5xx: { rate: 0.05, status: 503 } } },
    { at: at(0.26), kind: 'fault', name: '503s off', faults: { status5xx: null } },
    { at: at(0.3), kind: 'kill' },
    { at: at(0.35), kind: 'expire-tokens' },
    { at: at(0.4), kind: 'fault', name: 'answers lost on the next 3 creates', faults: { loseAnswer: { next: 3, method: 'POST', path: 'crm/Accounts$' } } },
    { at: at(0.48), kind: 'fault', name: 'answers lost on the next 4 updates', faults: { loseAnswer: { next: 4, method: 'PUT', path: "crm/Accounts\\(" } } },
    { at: at(0.56), kind: 'fault', name: '429 burst (25 calls)', faults: { rateLimit429: { next: 25 } } },
    { at: at(0.62), kind: 'fault', name: 'the next 2 creates held until the client gives up (applied)', faults: { loseAnswer: { next: 2, method: 'POST', path: 'crm/Accounts$', mode: 'hang' } } },
    { at: at(0.65), kind: 'kill' },
    { at: at(0.75), kind: 'fault', name: 'answers lost on the next 6 creates or updates', faults: { loseAnswer: { next: 6, path: 'crm/Accounts($|\\()' } } },
    { at: at(0.85), kind: 'fault', name: '500 burst (10 calls)', faults: { status5xx: { next: 10, status: 500 } } },
  ];
  const digest = createHash('sha256').update(JSON.stringify(ops)).digest('hex').slice(0, 12);
  return { seed, ops, events, entities, digest };
}

type EditField = 'name' | 'city' | 'address' | 'postcode' | 'kvk' | 'country';
const TWO_FIELDS = ['name', 'city', 'address', 'postcode'] as const;
const viewFieldOf = (f: EditField): ViewField => (f === 'postcode' ? 'postalCode' : f);

/** The change's values in the compared form. */
function withView(c: Change): Change {
  const b = c.body;
  if (c.side === 'relay') {
    if ('name' in b) c.view.name = normaliseViewValue('name', b.name ?? null);
    if ('chamberOfCommerceId' in b) c.view.kvk = normaliseViewValue('kvk', b.chamberOfCommerceId ?? null);
    if ('streetName' in b) c.view.address = addressOfParts(b.streetName ?? null, b.buildingNumber ?? null, b.buildingNumberAddition ?? null);
    if ('postalCode' in b) c.view.postalCode = normaliseViewValue('postalCode', b.postalCode ?? null);
    if ('city' in b) c.view.city = normaliseViewValue('city', b.city ?? null);
    if ('country' in b) c.view.country = normaliseViewValue('country', b.country ?? null);
  } else {
    if ('Name' in b) c.view.name = normaliseViewValue('name', b.Name ?? null);
    if ('ChamberOfCommerce' in b) c.view.kvk = normaliseViewValue('kvk', b.ChamberOfCommerce ?? null);
    if ('AddressLine1' in b) c.view.address = normaliseViewValue('address', b.AddressLine1 ?? null);
    if ('Postcode' in b) c.view.postalCode = normaliseViewValue('postalCode', b.Postcode ?? null);
    if ('City' in b) c.view.city = normaliseViewValue('city', b.City ?? null);
    if ('Country' in b) c.view.country = normaliseViewValue('country', b.Country ?? null);
  }
  return c;
}

/** Parts of an address line the parser splits (a PO box or the like: null). */
function splitCanonical(line: string): { streetName: string; buildingNumber: string; buildingNumberAddition: string | null } | null {
  const parsed = parseDutchAddress(line);
  if (isUnparsedAddress(parsed) || parsed.streetName === null || parsed.buildingNumber === null) return null;
  return { streetName: parsed.streetName, buildingNumber: parsed.buildingNumber, buildingNumberAddition: parsed.buildingNumberAddition };
}
