import { ADDRESS_PARTS, type CompanyFields, FIELD_GROUPS, normaliseFields, type SyncedField } from './company-fields';
import { formatDutchAddress } from './dutch-address';

/**
 * Three-way merge of a linked company's fields: Relay's (local) and Exact's (remote) values against
 * the base snapshot (the values both sides had at the last successful sync). Going field by field
 * keeps every edit that only one side made — the whole-record last-write-wins this replaces
 * overwrote a local edit of one field with an inbound change of another. Pure: imported by
 * workflows as well as activities.
 *
 * The street address's parts (street, number, addition: Exact's one AddressLine1) merge as one
 * group, never part by part: "Marktplein 79B" here and "Industrieweg 348" in Exact must not become
 * "Industrieweg 348B", an address nobody typed. Below, "field" means such a group where it applies:
 * a group changed when any part changed, one side's group is taken whole, and a group conflict is
 * decided once for all its parts (review when any part is a review field). A group conflict lists
 * each part whose values differ, every one with the same winner and the whole address of both
 * sides (`address`), so the audit shows what each side had typed.
 *
 * With a base, per field (values compared normalised, see company-fields.ts):
 * - changed on neither side, or on both to the same value: nothing to do;
 * - changed on one side only: that side's value wins and is sent to the other (no conflict);
 * - changed on both sides to different values: a conflict, recorded with its winner:
 *   - a field in manualReviewFields: winner 'review'; merged keeps the local value and nothing is
 *     sent either way until an operator decides;
 *   - otherwise last-write-wins by modification time (the ADR's rule): the side modified later
 *     wins. On a tie, remote wins: Exact is the books' record the invoices are made from, and
 *     one deterministic choice keeps both sides converging whichever side runs the merge.
 *
 * Without a base (the first link — an inbound create, or an existing company linked to an Exact
 * account), Exact is the source: every field Exact has a value for takes that value; a value only
 * Relay has (Exact's is empty) is kept and sent to Exact, so linking never erases a local value.
 * Where both have different values, remote wins and the overwrite is listed as a conflict with
 * winner 'remote' (so it is audited), or, for a field in manualReviewFields, winner 'review' as above.
 * When Exact's values as they were found at linking are known (`found`: the account a KVK search
 * linked), a field Exact changed since is an edit made in Exact: Exact's value wins even where it
 * cleared the field (listed as a conflict where ours differs), instead of an empty value counting as
 * one Exact never had.
 *
 * toLocal and toRemote hold exactly the fields whose merged value differs from that side's
 * (normalised) value, so applying them makes both sides equal to `merged` outside review fields.
 */

export type ConflictWinner = 'local' | 'remote' | 'review';

export interface FieldConflict {
  field: SyncedField;
  /** The base snapshot's value; null also when there was no base (first link). */
  base: string | null;
  local: string | null;
  remote: string | null;
  winner: ConflictWinner;
  /** A part of the street address: the whole address of the base and each side (decided as one). */
  address?: { base: string | null; local: string | null; remote: string | null };
}

export interface MergeInput {
  base: CompanyFields | null;
  local: CompanyFields;
  remote: CompanyFields;
  localModifiedAt: Date;
  remoteModifiedAt: Date;
  manualReviewFields: readonly SyncedField[];
  /** Without a base: Exact's values when the link was made, if known (see the module comment). */
  found?: CompanyFields | null;
}

export interface MergeResult {
  /** The fields both sides should hold after the merge (review fields: the local value). */
  merged: CompanyFields;
  /** Fields Relay must take (values from Exact). */
  toLocal: Partial<CompanyFields>;
  /** Fields Exact must take (values from Relay). */
  toRemote: Partial<CompanyFields>;
  conflicts: FieldConflict[];
}

/** Which side's value a field (group) takes, and whether that was a conflict. */
type FieldOutcome = { winner: 'local' | 'remote'; conflict: boolean } | { winner: 'review'; conflict: true };

/** The side that wrote last; Exact on a tie (see the module comment). */
const lastWriter = (input: MergeInput): 'local' | 'remote' => (input.localModifiedAt.getTime() > input.remoteModifiedAt.getTime() ? 'local' : 'remote');

/** Whether two sides hold the same values for every field of a group. */
const same = (group: readonly SyncedField[], a: CompanyFields, b: CompanyFields) => group.every((f) => a[f] === b[f]);
/** Whether a side holds no value in any field of a group. */
const empty = (group: readonly SyncedField[], a: CompanyFields) => group.every((f) => a[f] === null);

function withBase(group: readonly SyncedField[], base: CompanyFields, local: CompanyFields, remote: CompanyFields, review: boolean, input: MergeInput): FieldOutcome {
  const localChanged = !same(group, local, base);
  const remoteChanged = !same(group, remote, base);
  if (!remoteChanged || same(group, local, remote)) return { winner: 'local', conflict: false };
  if (!localChanged) return { winner: 'remote', conflict: false };
  return review ? { winner: 'review', conflict: true } : { winner: lastWriter(input), conflict: true };
}

function firstLink(group: readonly SyncedField[], local: CompanyFields, remote: CompanyFields, review: boolean, found: CompanyFields | null): FieldOutcome {
  if (same(group, local, remote)) return { winner: 'local', conflict: false };
  // Changed in Exact since it was found: Exact's edit, a cleared field included.
  const editedInExact = found !== null && !same(group, remote, found);
  if (empty(group, remote) && !editedInExact) return { winner: 'local', conflict: false };
  if (empty(group, local)) return { winner: 'remote', conflict: false };
  return review ? { winner: 'review', conflict: true } : { winner: 'remote', conflict: true };
}

const addressOf = (fields: CompanyFields | null): string | null =>
  fields === null ? null : formatDutchAddress({ streetName: fields.streetName, buildingNumber: fields.buildingNumber, buildingNumberAddition: fields.buildingNumberAddition });

export function mergeFields(input: MergeInput): MergeResult {
  const base = input.base === null ? null : normaliseFields(input.base);
  const local = normaliseFields(input.local);
  const remote = normaliseFields(input.remote);
  const found = base === null && input.found ? normaliseFields(input.found) : null;
  const review = new Set<SyncedField>(input.manualReviewFields);
  const result: MergeResult = { merged: { ...local }, toLocal: {}, toRemote: {}, conflicts: [] };

  for (const group of FIELD_GROUPS) {
    const underReview = group.some((f) => review.has(f));
    const outcome = base === null ? firstLink(group, local, remote, underReview, found) : withBase(group, base, local, remote, underReview, input);
    const isAddress = group === ADDRESS_PARTS;
    for (const field of group) {
      if (outcome.conflict && local[field] !== remote[field]) {
        const conflict: FieldConflict = { field, base: base?.[field] ?? null, local: local[field], remote: remote[field], winner: outcome.winner };
        if (isAddress) conflict.address = { base: addressOf(base), local: addressOf(local), remote: addressOf(remote) };
        result.conflicts.push(conflict);
      }
      // A field under review keeps the local value and travels nowhere until an operator decides.
      if (outcome.winner === 'review') continue;
      const value = outcome.winner === 'local' ? local[field] : remote[field];
      result.merged[field] = value;
      if (value !== local[field]) result.toLocal[field] = value;
      if (value !== remote[field]) result.toRemote[field] = value;
    }
  }
  return result;
}
