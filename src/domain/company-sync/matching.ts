import { type CompanyFields, normaliseField } from './company-fields';
import { type DutchAddressParse, isUnparsedAddress } from './dutch-address';
import { type KvkResult } from './kvk';

/**
 * Which Relay company an inbound Exact account is, decided from the candidates the data layer
 * found by each key — the ADR's order, first hit decides:
 *
 *   1. exact_guid (a link to this account's ID)          → update
 *   2. Code (a link to this division's Code)             → update; a link with another GUID under
 *      the same Code is a different account (deleted and re-created with the code typed in) → conflict
 *   3. KVK (valid numbers only)                          → never linked automatically:
 *      - the company is linked to this account's GUID → update (rule 'guid': the link, not the KVK, decides)
 *      - the names and addresses are far apart          → review 'suspicious_match' (a mistyped KVK is likelier)
 *      - otherwise (unlinked, or linked to another GUID) → conflict 'kvk_collision' (ADR scenario A)
 *   4. postal code + building number + addition          → review 'address_match'
 *   5. nothing                                           → create and link
 *
 * A link found by GUID or Code is still checked against the KVK: when the account's KVK belongs to
 * another company, updating would take a number the database keeps unique, so that is a
 * 'kvk_collision' conflict too (the ADR's pre-sync validation), naming both companies.
 *
 * Invalid KVK values are not matched on and flag the decision 'invalid_kvk'; an AddressLine1 the
 * parser could not split is not matched on and flags 'address_unparsed'. Every decision carries the
 * rule that decided it and the values it matched on, which operators are shown. Pure: imported by
 * workflows as well as activities.
 */

/** The inbound account's values, normalised by the mapping (Code trimmed of Exact's padding). */
export interface InboundAccount {
  guid: string;
  code: string | null;
  kvk: KvkResult;
  name: string | null;
  postalCode: string | null;
  buildingNumber: string | null;
  buildingNumberAddition: string | null;
  /** AddressLine1 through parseDutchAddress: when unparsed, the address is no key. */
  address: DutchAddressParse;
}

/** A company the data layer found, with the Exact account it is linked to (if any). */
export interface CandidateCompany {
  companyId: string;
  /** exact_guid of its sync link, null when it has none. */
  linkedGuid: string | null;
  fields: Pick<CompanyFields, 'name' | 'chamberOfCommerceId' | 'postalCode' | 'buildingNumber' | 'buildingNumberAddition'>;
}

export interface MatchCandidates {
  /** The company whose sync link has this account's GUID. */
  byGuid: { companyId: string } | null;
  /** The company whose sync link has this account's Code in this division, with that link's GUID. */
  byCode: { companyId: string; linkedGuid: string | null } | null;
  /** Companies holding the account's (valid) KVK number: at most one while the number is unique. */
  byKvk: readonly CandidateCompany[];
  /** Companies at the account's postal code, building number and addition. */
  byAddress: readonly CandidateCompany[];
}

export type MatchFlag = 'invalid_kvk' | 'address_unparsed';
export type MatchRule = 'guid' | 'code' | 'kvk' | 'address' | 'none';
/** The key values a decision rests on, by name (exactGuid, code, chamberOfCommerceId, postalCode, ...). */
export type MatchValues = Record<string, string | null>;

/** A candidate as an operator sees it: how close it is to the account. */
export interface CandidateAssessment {
  companyId: string;
  linkedGuid: string | null;
  /** 0..1, see nameSimilarity. */
  nameSimilarity: number;
  /** Both postal codes known and equal. */
  postalCodeAgrees: boolean;
  /** Both KVK numbers known and equal. */
  kvkAgrees: boolean;
}

interface DecisionBase {
  rule: MatchRule;
  values: MatchValues;
  flags: MatchFlag[];
  /** One sentence for operators, without names or addresses (no PII in logs). */
  reason: string;
}

export type MatchDecision =
  | (DecisionBase & { action: 'update'; rule: 'guid' | 'code'; companyId: string })
  | (DecisionBase & {
      action: 'conflict';
      kind: 'kvk_collision' | 'code_collision';
      rule: 'kvk' | 'code';
      /** The company the account collides with (holder of the KVK, or of the Code's link). */
      companyId: string;
      /** For a KVK collision found after a GUID or Code link: the linked company. */
      linkedCompanyId: string | null;
      candidates: CandidateAssessment[];
    })
  | (DecisionBase & { action: 'review'; kind: 'address_match' | 'suspicious_match'; rule: 'kvk' | 'address'; candidates: CandidateAssessment[] })
  | (DecisionBase & { action: 'create'; rule: 'none' });

// ---- Name similarity ------------------------------------------------------------------------

/** Legal forms (after dots are dropped: "B.V." → "bv"), which say nothing about which company it is. */
const LEGAL_FORMS = new Set(['bv', 'nv', 'vof', 'cv', 'bvba', 'bvio', 'io', 'ltd', 'gmbh', 'inc', 'llc', 'plc', 'sa', 'sarl', 'ag', 'ug', 'ev']);

/** A company name as words: lower case, accents and punctuation gone, legal forms dropped ("Bakkerij Jansen B.V." → ["bakkerij", "jansen"]). */
export function nameTokens(name: string | null): string[] {
  if (name === null) return [];
  const plain = name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/\./g, '')
    .replace(/&/g, ' en ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ');
  return plain.split(' ').filter((t) => t !== '' && !LEGAL_FORMS.has(t));
}

const trigrams = (text: string): Set<string> => {
  const padded = `  ${text} `;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  return out;
};

const overlap = <T>(a: Set<T>, b: Set<T>): number => [...a].filter((x) => b.has(x)).length;

/**
 * How alike two company names are, 0 (nothing shared) to 1 (the same once normalised): the larger
 * of the word overlap (Jaccard, insensitive to word order: "Jansen Transport" / "Transport Jansen")
 * and the character-trigram overlap (Dice, tolerant of typos and compounds: "Installatietechniek" /
 * "Installatie"). A missing name is 0: nothing to vouch for the match.
 */
export function nameSimilarity(a: string | null, b: string | null): number {
  const ta = nameTokens(a);
  const tb = nameTokens(b);
  if (ta.length === 0 || tb.length === 0) return 0;
  const wa = new Set(ta);
  const wb = new Set(tb);
  const shared = overlap(wa, wb);
  const jaccard = shared / (wa.size + wb.size - shared);
  const ga = trigrams(ta.join(' '));
  const gb = trigrams(tb.join(' '));
  const dice = (2 * overlap(ga, gb)) / (ga.size + gb.size);
  return Math.max(jaccard, dice);
}

/** Below this, two names are "far apart" (see the tests for examples either side). */
export const NAME_SIMILARITY_THRESHOLD = 0.5;

// ---- Keys -----------------------------------------------------------------------------------

/**
 * The address key in one canonical form, or null when incomplete (no postal code or number):
 * postal code as normaliseField writes it, number as is, addition upper case without spaces or
 * dashes ("3 hs" = "3-HS" = "3HS"). The data layer may search with it too.
 */
export function addressKey(fields: { postalCode: string | null; buildingNumber: string | null; buildingNumberAddition: string | null }): string | null {
  const postalCode = normaliseField('postalCode', fields.postalCode);
  const number = normaliseField('buildingNumber', fields.buildingNumber);
  if (postalCode === null || number === null) return null;
  const addition = (fields.buildingNumberAddition ?? '').replace(/[\s-]+/g, '').toUpperCase();
  return `${postalCode.toUpperCase()}|${number}|${addition}`;
}

/**
 * Whether the account and a company found by its KVK look like different companies: names far
 * apart and no agreeing postal code. A rename at the same place, or a move under the same name,
 * is not suspicious; both at once is.
 */
export function isSuspiciousMatch(assessment: Pick<CandidateAssessment, 'nameSimilarity' | 'postalCodeAgrees'>): boolean {
  return assessment.nameSimilarity < NAME_SIMILARITY_THRESHOLD && !assessment.postalCodeAgrees;
}

export function assessCandidate(account: Pick<InboundAccount, 'name' | 'postalCode' | 'kvk'>, candidate: CandidateCompany): CandidateAssessment {
  const ours = normaliseField('postalCode', candidate.fields.postalCode);
  const theirs = normaliseField('postalCode', account.postalCode);
  const kvk = account.kvk.kind === 'valid' ? account.kvk.value : null;
  return {
    companyId: candidate.companyId,
    linkedGuid: candidate.linkedGuid,
    nameSimilarity: nameSimilarity(account.name, candidate.fields.name),
    postalCodeAgrees: ours !== null && theirs !== null && ours.toUpperCase() === theirs.toUpperCase(),
    kvkAgrees: kvk !== null && normaliseField('chamberOfCommerceId', candidate.fields.chamberOfCommerceId) === kvk,
  };
}

// ---- The decision ---------------------------------------------------------------------------

const sameGuid = (a: string | null, b: string | null): boolean => a !== null && b !== null && a.toLowerCase() === b.toLowerCase();

function flagsOf(account: InboundAccount): MatchFlag[] {
  const flags: MatchFlag[] = [];
  if (account.kvk.kind === 'invalid') flags.push('invalid_kvk');
  if (isUnparsedAddress(account.address)) flags.push('address_unparsed');
  return flags;
}

/** A KVK holder other than `companyId`: updating that company with this KVK would collide. */
function kvkCollision(account: InboundAccount, candidates: MatchCandidates, companyId: string, rule: 'guid' | 'code', values: MatchValues, flags: MatchFlag[]): MatchDecision | null {
  if (account.kvk.kind !== 'valid') return null;
  const holder = candidates.byKvk.find((c) => c.companyId !== companyId);
  if (holder === undefined) return null;
  return {
    action: 'conflict',
    kind: 'kvk_collision',
    rule: 'kvk',
    companyId: holder.companyId,
    linkedCompanyId: companyId,
    candidates: [assessCandidate(account, holder)],
    values: { ...values, chamberOfCommerceId: account.kvk.value },
    flags,
    reason: `linked by ${rule}, but its KVK number is held by another company`,
  };
}

export function decideMatch(account: InboundAccount, candidates: MatchCandidates): MatchDecision {
  const flags = flagsOf(account);

  // 1. The account's own GUID: the link says which company it is.
  if (candidates.byGuid !== null) {
    const { companyId } = candidates.byGuid;
    const values = { exactGuid: account.guid };
    return kvkCollision(account, candidates, companyId, 'guid', values, flags) ?? { action: 'update', rule: 'guid', companyId, values, flags, reason: 'linked by the account’s Exact ID' };
  }

  // 2. The division's Code, unless that link belongs to another GUID.
  if (candidates.byCode !== null && account.code !== null) {
    const { companyId, linkedGuid } = candidates.byCode;
    const values = { code: account.code, exactGuid: account.guid };
    if (linkedGuid !== null && !sameGuid(linkedGuid, account.guid)) {
      return {
        action: 'conflict',
        kind: 'code_collision',
        rule: 'code',
        companyId,
        linkedCompanyId: null,
        candidates: [],
        values: { ...values, linkedGuid },
        flags,
        reason: 'the account’s Code is linked to another Exact ID',
      };
    }
    return kvkCollision(account, candidates, companyId, 'code', values, flags) ?? { action: 'update', rule: 'code', companyId, values, flags, reason: 'linked by the account’s Code' };
  }

  // 3. A valid KVK number: a business key, never linked on without an operator.
  if (account.kvk.kind === 'valid' && candidates.byKvk.length > 0) {
    const values = { chamberOfCommerceId: account.kvk.value };
    const ownLink = candidates.byKvk.find((c) => sameGuid(c.linkedGuid, account.guid));
    if (ownLink !== undefined) {
      return { action: 'update', rule: 'guid', companyId: ownLink.companyId, values: { exactGuid: account.guid, ...values }, flags, reason: 'the KVK holder is linked to this account' };
    }
    const assessed = candidates.byKvk.map((c) => assessCandidate(account, c));
    if (assessed.every(isSuspiciousMatch)) {
      return { action: 'review', kind: 'suspicious_match', rule: 'kvk', candidates: assessed, values, flags, reason: 'the KVK number agrees, but name and postal code do not' };
    }
    const holder = assessed.find((a) => !isSuspiciousMatch(a))!;
    return {
      action: 'conflict',
      kind: 'kvk_collision',
      rule: 'kvk',
      companyId: holder.companyId,
      linkedCompanyId: null,
      candidates: assessed,
      values: holder.linkedGuid === null ? values : { ...values, linkedGuid: holder.linkedGuid },
      flags,
      reason: holder.linkedGuid === null ? 'the KVK number is held by a company not linked to Exact' : 'the KVK number is held by a company linked to another Exact account',
    };
  }

  // 4. The exact address: the same place is not proof of the same company, so an operator decides.
  const key = isUnparsedAddress(account.address) ? null : addressKey(account);
  if (key !== null) {
    const atAddress = candidates.byAddress.filter((c) => addressKey(c.fields) === key);
    if (atAddress.length > 0) {
      return {
        action: 'review',
        kind: 'address_match',
        rule: 'address',
        candidates: atAddress.map((c) => assessCandidate(account, c)),
        values: { postalCode: account.postalCode, buildingNumber: account.buildingNumber, buildingNumberAddition: account.buildingNumberAddition },
        flags,
        reason: 'a company exists at the same postal code, building number and addition',
      };
    }
  }

  // 5. No match: a new company, linked to this account.
  return { action: 'create', rule: 'none', values: { exactGuid: account.guid, code: account.code }, flags, reason: 'no company matches the account' };
}
