import type { CompanySync, Prisma, SyncConflict } from '../../generated/prisma/client';
import type { Db } from './companies';
import { type CompanyWithLinks, findCompanies } from './company-queries';

/**
 * Read side of sync conflicts for the API and the admin page: pages of conflicts, and one
 * conflict with everything an operator needs to decide it — the company it concerns, the link
 * (and why it was made) and the candidate companies its details name.
 */

export interface ConflictPosition {
  createdAt: Date;
  id: string;
}

export interface ConflictFilter {
  status?: string;
  kind?: string;
  division?: number;
  companyId?: string;
  exactGuid?: string;
}

/** Newest first, like every list of Relay's: an old conflict never hides a new one on a later page. */
export function listConflicts(db: Db, filter: ConflictFilter, limit: number, after?: ConflictPosition): Promise<SyncConflict[]> {
  const where: Prisma.SyncConflictWhereInput = {
    status: filter.status,
    kind: filter.kind,
    division: filter.division,
    companyId: filter.companyId,
    exactGuid: filter.exactGuid,
  };
  if (after) where.OR = [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }];
  return db.syncConflict.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: limit + 1 });
}

export interface ConflictDetail {
  conflict: SyncConflict;
  /** The company the conflict concerns (the KVK's holder, the linked company), if any. */
  company: CompanyWithLinks | null;
  /** The sync link the conflict is about (exact_guid, Code, status, why it was made). */
  link: CompanySync | null;
  /** Companies an operator may link the account to, from the conflict's details. */
  candidates: CompanyWithLinks[];
}

export async function findConflictDetail(db: Db, id: string): Promise<ConflictDetail | null> {
  const conflict = await db.syncConflict.findUnique({ where: { id } });
  if (!conflict) return null;
  const link = conflict.syncId
    ? await db.companySync.findUnique({ where: { id: conflict.syncId } })
    : conflict.exactGuid
      ? await db.companySync.findUnique({ where: { exactGuid: conflict.exactGuid } })
      : null;
  const candidateIds = candidateCompanyIds(conflict.details);
  const companyId = conflict.companyId ?? link?.companyId ?? null;
  const companies = await findCompanies(db, companyId ? [companyId, ...candidateIds] : candidateIds);
  const byId = new Map(companies.map((c) => [c.id, c]));
  return {
    conflict,
    company: companyId ? (byId.get(companyId) ?? null) : null,
    link,
    candidates: candidateIds.flatMap((cid) => byId.get(cid) ?? []),
  };
}

/** `details.candidates[].companyId` (inbound matches) in the order the matcher ranked them. */
export function candidateCompanyIds(details: Prisma.JsonValue): string[] {
  const candidates = isObject(details) && Array.isArray(details.candidates) ? details.candidates : [];
  const ids = candidates.flatMap((c) => (isObject(c) && typeof c.companyId === 'string' ? [c.companyId] : []));
  return [...new Set(ids)];
}

export const isObject = (value: unknown): value is Record<string, Prisma.JsonValue> => typeof value === 'object' && value !== null && !Array.isArray(value);
