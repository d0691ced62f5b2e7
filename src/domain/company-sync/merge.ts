import { type CompanyFields, normaliseFields, SYNCED_FIELDS, type SyncedField } from './company-fields';

/**
 * Three-way merge of a linked company's fields: Relay's (local) and Exact's (remote) values against
 * the base snapshot (the values both sides had at the last successful sync). Going field by field
 * keeps every edit that only one side made — the whole-record last-write-wins this replaces
 * overwrote a local edit of one field with an inbound change of another. Pure: imported by
 * workflows as well as activities.
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
}

export interface MergeInput {
  base: CompanyFields | null;
  local: CompanyFields;
  remote: CompanyFields;
  localModifiedAt: Date;
  remoteModifiedAt: Date;
  manualReviewFields: readonly SyncedField[];
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

/** Which side's value a field takes, and whether that was a conflict. */
type FieldOutcome = { winner: 'local' | 'remote'; conflict: boolean } | { winner: 'review'; conflict: true };

/** The side that wrote last; Exact on a tie (see the module comment). */
const lastWriter = (input: MergeInput): 'local' | 'remote' => (input.localModifiedAt.getTime() > input.remoteModifiedAt.getTime() ? 'local' : 'remote');

function withBase(base: string | null, local: string | null, remote: string | null, review: boolean, input: MergeInput): FieldOutcome {
  const localChanged = local !== base;
  const remoteChanged = remote !== base;
  if (!remoteChanged || local === remote) return { winner: 'local', conflict: false };
  if (!localChanged) return { winner: 'remote', conflict: false };
  return review ? { winner: 'review', conflict: true } : { winner: lastWriter(input), conflict: true };
}

function firstLink(local: string | null, remote: string | null, review: boolean): FieldOutcome {
  if (remote === null || local === remote) return { winner: 'local', conflict: false };
  if (local === null) return { winner: 'remote', conflict: false };
  return review ? { winner: 'review', conflict: true } : { winner: 'remote', conflict: true };
}

export function mergeFields(input: MergeInput): MergeResult {
  const base = input.base === null ? null : normaliseFields(input.base);
  const local = normaliseFields(input.local);
  const remote = normaliseFields(input.remote);
  const review = new Set<SyncedField>(input.manualReviewFields);
  const result: MergeResult = { merged: { ...local }, toLocal: {}, toRemote: {}, conflicts: [] };

  for (const field of SYNCED_FIELDS) {
    const outcome =
      base === null ? firstLink(local[field], remote[field], review.has(field)) : withBase(base[field], local[field], remote[field], review.has(field), input);
    if (outcome.conflict) {
      result.conflicts.push({ field, base: base?.[field] ?? null, local: local[field], remote: remote[field], winner: outcome.winner });
    }
    // A field under review keeps the local value and travels nowhere until an operator decides.
    if (outcome.winner === 'review') continue;
    const value = outcome.winner === 'local' ? local[field] : remote[field];
    result.merged[field] = value;
    if (value !== local[field]) result.toLocal[field] = value;
    if (value !== remote[field]) result.toRemote[field] = value;
  }
  return result;
}
