import type { Company, CompanySync, Prisma, PrismaClient } from '../../generated/prisma/client';
import type { Db } from './companies';

/**
 * Read side of companies for the API and the admin page: pages of companies with their
 * Exact links (what each link is, and why it was made). Writes go through companies.ts.
 */

export type CompanyWithLinks = Company & { syncs: CompanySync[] };

/** Position after the last row of a page: companies are listed newest first by (createdAt, id). */
export interface CompanyPosition {
  createdAt: Date;
  id: string;
}

export interface CompanyFilter {
  /** `exclude` (default): live companies only; `only`: soft-deleted ones; `include`: both. */
  deleted: 'exclude' | 'include' | 'only';
  /** A link status (OK, FAILED, CONFLICT, PENDING_REVIEW, IGNORED), or UNLINKED for companies without a link. */
  syncStatus?: string;
  /** Exact-match KVK number (eight digits). */
  chamberOfCommerceId?: string;
}

export function companyWhere(filter: CompanyFilter, after?: CompanyPosition): Prisma.CompanyWhereInput {
  const and: Prisma.CompanyWhereInput[] = [];
  if (filter.deleted === 'exclude') and.push({ deletedAt: null });
  if (filter.deleted === 'only') and.push({ deletedAt: { not: null } });
  if (filter.syncStatus === 'UNLINKED') and.push({ syncs: { none: {} } });
  else if (filter.syncStatus) and.push({ syncs: { some: { syncStatus: filter.syncStatus } } });
  if (filter.chamberOfCommerceId) and.push({ chamberOfCommerceId: filter.chamberOfCommerceId });
  if (after) and.push({ OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] });
  return { AND: and };
}

/**
 * One page (`limit` rows) plus one row more when there is a next page. Prisma reads the companies
 * and their links in two statements: one snapshot (repeatable read) keeps a link the sync creates
 * meanwhile out of a page filtered by link status (an UNLINKED page showing a link).
 */
export function listCompanies(prisma: PrismaClient, filter: CompanyFilter, limit: number, after?: CompanyPosition): Promise<CompanyWithLinks[]> {
  return prisma.$transaction(
    (tx) =>
      tx.company.findMany({
        where: companyWhere(filter, after),
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
        include: { syncs: { orderBy: { createdAt: 'asc' } } },
      }),
    { isolationLevel: 'RepeatableRead' },
  );
}

export function findCompanyWithLinks(db: Db, id: string): Promise<CompanyWithLinks | null> {
  return db.company.findUnique({ where: { id }, include: { syncs: { orderBy: { createdAt: 'asc' } } } });
}

/** Companies by id (a conflict's candidates), in no particular order; unknown ids are left out. */
export function findCompanies(db: Db, ids: readonly string[]): Promise<CompanyWithLinks[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.company.findMany({ where: { id: { in: [...new Set(ids)] } }, include: { syncs: { orderBy: { createdAt: 'asc' } } } });
}
