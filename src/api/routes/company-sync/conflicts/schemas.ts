import { SYNCED_FIELDS } from '../../../../domain/company-sync/company-fields';
import { z } from '../../../openapi';
import { CompanyLinkView, CompanyView } from '../companies/schemas';
import { Cursor, Limit, Uuid, listOf } from '../common';

export const CONFLICT_KINDS = ['kvk_collision', 'code_collision', 'address_match', 'suspicious_match', 'ambiguous_kvk', 'ambiguous_create', 'field_conflict', 'unique_violation', 'deleted_in_source'] as const;
export const DECISIONS = ['link', 'create', 'ignore', 'merge', 'link_exact', 'recreate', 'delete'] as const;
export const CONFLICT_STATUSES = ['open', 'resolved'] as const;

export const ListConflictsQuery = z.object({
  status: z.enum(CONFLICT_STATUSES).optional(),
  kind: z.enum(CONFLICT_KINDS).optional(),
  division: z.coerce.number().int().min(1).optional(),
  companyId: Uuid.optional(),
  exactGuid: Uuid.optional(),
  limit: Limit,
  cursor: Cursor,
});

const Side = z.enum(['relay', 'exact']);

/** ConflictDecision (src/workflows/company-sync/definitions.ts) as callers send it. */
export const Decision = z
  .discriminatedUnion('action', [
    z.object({ action: z.literal('link'), companyId: Uuid }).strict().openapi({ description: 'Link the Exact account to this existing company (Exact values applied by the merge rules)' }),
    z.object({ action: z.literal('create') }).strict().openapi({ description: 'Create a new company from the Exact account and link it' }),
    z.object({ action: z.literal('ignore') }).strict().openapi({ description: 'Leave the account unlinked; later versions of it are not applied' }),
    z
      .object({ action: z.literal('merge'), companyId: Uuid, fields: z.partialRecord(z.enum(SYNCED_FIELDS), Side) })
      .strict()
      .openapi({ description: 'Link to companyId, taking the chosen side per field (fields left out keep ours)' }),
    z.object({ action: z.literal('link_exact'), exactGuid: Uuid }).strict().openapi({ description: 'Link our company to one of the Exact accounts found for its KVK' }),
    z
      .object({ action: z.literal('recreate') })
      .strict()
      .openapi({ description: 'The Exact account was deleted (deleted_in_source): keep our company and create a new account for it in Exact' }),
    z.object({ action: z.literal('delete') }).strict().openapi({ description: 'The Exact account was deleted (deleted_in_source): delete our company too (soft delete)' }),
  ])
  .openapi('ConflictDecision');

export const ResolveConflictBody = z
  .object({
    decision: Decision,
    note: z.string().trim().max(1_000).optional().openapi({ description: 'Why; kept in the audit log with the decision' }),
  })
  .strict()
  .openapi('ResolveConflict', { description: 'The decision; the operator is the authenticated key or signed-in operator.' });

export const ConflictOutcomeView = z
  .object({
    conflictId: z.string(),
    decision: z.enum(DECISIONS),
    companyId: z.string().nullable(),
    exactGuid: z.string().nullable(),
    resolvedBy: z.string(),
    resolvedAt: z.string(),
  })
  .openapi('ConflictOutcome');

export const ConflictSummary = z
  .object({
    id: z.string(),
    kind: z.string().openapi({ description: CONFLICT_KINDS.join(' | ') }),
    status: z.enum(CONFLICT_STATUSES),
    division: z.number().int(),
    exactGuid: z.string().nullable(),
    companyId: z.string().nullable(),
    reason: z.string().nullable().openapi({ description: 'Why it needs an operator, in one sentence' }),
    workflowId: z.string(),
    webUiUrl: z.string(),
    escalatedAt: z.string().nullable(),
    resolution: z.unknown().nullable(),
    resolvedBy: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('ConflictSummary');

export const FieldComparison = z
  .object({
    field: z.enum(SYNCED_FIELDS),
    relay: z.string().nullable().openapi({ description: "Our company's value" }),
    exact: z.string().nullable().openapi({ description: "The Exact account's value" }),
    base: z.string().nullable().optional().openapi({ description: 'The value both had at the last sync, when known' }),
    differs: z.boolean(),
  })
  .openapi('FieldComparison');

export const ExactSideView = z
  .object({
    guid: z.string().nullable(),
    code: z.string().nullable(),
    modifiedAt: z.string().nullable(),
    fields: z.record(z.string(), z.string().nullable()),
    kvkAsInExact: z.string().nullable().openapi({ description: 'The ChamberOfCommerce text as Exact holds it (possibly not a valid KVK)' }),
    addressUnparsed: z.string().nullable(),
  })
  .openapi('ConflictExactSide');

export const CandidateView = z
  .object({
    companyId: z.string(),
    company: CompanyView.nullable().openapi({ description: 'Null when the company no longer exists' }),
    nameSimilarity: z.number().nullable(),
    postalCodeAgrees: z.boolean().nullable(),
    kvkAgrees: z.boolean().nullable(),
    linkedGuid: z.string().nullable().openapi({ description: 'The Exact account the candidate is already linked to' }),
    fields: z.array(FieldComparison),
  })
  .openapi('ConflictCandidate');

export const ExactCandidateView = z
  .object({
    exactGuid: z.string(),
    code: z.string().nullable(),
    name: z.string().nullable(),
    fields: z.record(z.string(), z.string().nullable()).nullable(),
    comparison: z.array(FieldComparison).openapi({ description: "Our company against this account, field by field (empty when either side's fields are unknown)" }),
  })
  .openapi('ConflictExactCandidate');

export const ConflictDetailView = ConflictSummary.extend({
  relay: CompanyView.nullable().openapi({ description: 'Our company the conflict concerns, if any' }),
  exact: ExactSideView.nullable(),
  fields: z.array(FieldComparison).openapi({ description: 'Our company and the Exact account field by field' }),
  candidates: z.array(CandidateView).openapi({ description: 'Companies the account may be linked to' }),
  exactCandidates: z.array(ExactCandidateView).openapi({ description: 'Exact accounts our company may be linked to (ambiguous KVK)' }),
  link: CompanyLinkView.nullable().openapi({ description: 'The sync link and why it was made (matchRule, matchValues)' }),
  rule: z.string().nullable().openapi({ description: 'The matching rule that raised it' }),
  matchValues: z.unknown().nullable(),
  flags: z.array(z.string()),
  decisions: z.array(z.enum(DECISIONS)).openapi({ description: 'Decisions that fit this kind of conflict' }),
  details: z.unknown().openapi({ description: 'The conflict record as the sync wrote it' }),
}).openapi('ConflictDetail');

export const ConflictList = listOf(ConflictSummary, 'ConflictList');
