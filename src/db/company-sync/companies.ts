import { type CompanyFields, SYNCED_FIELDS, normaliseFields } from '../../domain/company-sync/company-fields';
import { NotFoundError, PreconditionFailedError } from '../../errors';
import type { Company, Prisma, PrismaClient } from '../../generated/prisma/client';
import { writeAudit } from '../audit';
import { uniqueViolation } from './unique-violation';

/**
 * Companies as Relay owns them, shared by the API (edits with If-Match), the sync's activities
 * (inbound applies, resolutions) and the starters. Every write bumps `version` and leaves an
 * audit row with before/after values in the same transaction.
 */

export type Db = Prisma.TransactionClient | PrismaClient;

export interface CompanyInput extends CompanyFields {
  vihbId?: string | null;
  processorId?: string | null;
  addressUnparsed?: string | null;
}

export interface WriteContext {
  actor: string;
  correlationId: string;
  /** A retried attempt with the same key writes its audit row once. */
  idempotencyKey?: string;
}

/** A company's synced fields as a plain object (the audit's and the merge's view of it). */
export function fieldsOf(company: Company): CompanyFields {
  const out = {} as CompanyFields;
  for (const field of SYNCED_FIELDS) out[field] = company[field];
  return out;
}

const auditView = (c: Company) => ({ ...fieldsOf(c), vihbId: c.vihbId, processorId: c.processorId, addressUnparsed: c.addressUnparsed, version: c.version, deletedAt: c.deletedAt?.toISOString() ?? null });

export async function getCompany(db: Db, id: string): Promise<Company> {
  const company = await db.company.findUnique({ where: { id } });
  if (!company) throw new NotFoundError(`No company ${id}`);
  return company;
}

/** Creates a company; a KVK, VIHB or processor id another company holds is a ConflictError naming it. */
export async function createCompany(db: PrismaClient, input: CompanyInput, ctx: WriteContext): Promise<Company> {
  try {
    return await db.$transaction((tx) => insertCompany(tx, input, ctx));
  } catch (err) {
    throw uniqueViolation(err) ?? err;
  }
}

/** Inside a caller's transaction (the inbound apply creates company and link together). */
export async function insertCompany(tx: Prisma.TransactionClient, input: CompanyInput, ctx: WriteContext, id?: string): Promise<Company> {
  const fields = normaliseFields(input);
  const company = await tx.company.create({
    data: { ...(id ? { id } : {}), ...fields, vihbId: input.vihbId ?? null, processorId: input.processorId ?? null, addressUnparsed: input.addressUnparsed ?? null, name: fields.name ?? '' },
  });
  await writeAudit(tx, { ...ctx, action: 'company.created', entity: 'company', entityId: company.id, after: auditView(company) });
  return company;
}

/**
 * Changes a company if it is still at `expectedVersion` (412 otherwise: someone else wrote it
 * since the caller read it). Fields absent from `patch` keep their value.
 */
export async function updateCompany(db: PrismaClient, id: string, expectedVersion: number | undefined, patch: Partial<CompanyInput>, ctx: WriteContext): Promise<Company> {
  try {
    return await db.$transaction((tx) => patchCompany(tx, id, expectedVersion, patch, ctx));
  } catch (err) {
    throw uniqueViolation(err) ?? err;
  }
}

export async function patchCompany(
  tx: Prisma.TransactionClient,
  id: string,
  expectedVersion: number | undefined,
  patch: Partial<CompanyInput>,
  ctx: WriteContext,
  action = 'company.updated',
): Promise<Company> {
  const before = await tx.company.findUnique({ where: { id } });
  if (!before) throw new NotFoundError(`No company ${id}`);
  if (expectedVersion !== undefined && before.version !== expectedVersion) {
    throw new PreconditionFailedError(`Company ${id} is at version ${before.version}, not ${expectedVersion}: read it again and retry`, { currentVersion: before.version });
  }
  const data: Record<string, string | null> = {};
  const normalised = normaliseFields({ ...fieldsOf(before), ...pickFields(patch) });
  for (const field of SYNCED_FIELDS) if (field in patch) data[field] = field === 'name' ? (normalised.name ?? before.name) : normalised[field];
  for (const key of ['vihbId', 'processorId', 'addressUnparsed'] as const) if (key in patch) data[key] = patch[key] ?? null;
  // Compare-and-set on the version: a concurrent writer between our read and this update loses nothing.
  const updated = await tx.company.updateMany({ where: { id, version: before.version }, data: { ...data, version: { increment: 1 }, updatedAt: new Date() } });
  if (updated.count !== 1) throw new PreconditionFailedError(`Company ${id} changed while it was being written: read it again and retry`);
  const after = await tx.company.findUniqueOrThrow({ where: { id } });
  await writeAudit(tx, { ...ctx, action, entity: 'company', entityId: id, before: auditView(before), after: auditView(after) });
  return after;
}

/** Soft delete: the row stays (links, audit and reports stay true); `deleted_at` marks it. */
export async function softDeleteCompany(tx: Prisma.TransactionClient, id: string, expectedVersion: number | undefined, ctx: WriteContext, action = 'company.deleted'): Promise<Company> {
  const before = await tx.company.findUnique({ where: { id } });
  if (!before) throw new NotFoundError(`No company ${id}`);
  if (before.deletedAt) return before;
  if (expectedVersion !== undefined && before.version !== expectedVersion) {
    throw new PreconditionFailedError(`Company ${id} is at version ${before.version}, not ${expectedVersion}: read it again and retry`, { currentVersion: before.version });
  }
  const after = await tx.company.update({ where: { id }, data: { deletedAt: new Date(), version: { increment: 1 }, updatedAt: new Date() } });
  await writeAudit(tx, { ...ctx, action, entity: 'company', entityId: id, before: auditView(before), after: auditView(after) });
  return after;
}

function pickFields(patch: Partial<CompanyInput>): Partial<CompanyFields> {
  const out: Partial<CompanyFields> = {};
  for (const field of SYNCED_FIELDS) if (field in patch) out[field] = patch[field] ?? null;
  return out;
}
