import { ConflictError } from '../../errors';

/**
 * A unique-constraint violation (Prisma P2002) as a ConflictError naming the field. With
 * `@prisma/adapter-pg` the violated index is under `meta.driverAdapterError` (its cause's
 * `constraint`), not `meta.target`, so both are read.
 */
const FIELD_OF_INDEX: Record<string, string> = {
  companies_chamber_of_commerce_id_key: 'chamberOfCommerceId',
  companies_vihb_id_key: 'vihbId',
  companies_processor_id_key: 'processorId',
  companies_sync_exact_guid_key: 'exactGuid',
  companies_sync_division_external_id_key: 'externalId',
};

export function violatedIndex(err: unknown): string | undefined {
  if (!err || typeof err !== 'object' || (err as { code?: unknown }).code !== 'P2002') return undefined;
  const meta = (err as { meta?: Record<string, unknown> }).meta ?? {};
  const adapter = meta.driverAdapterError as { cause?: { constraint?: { index?: string; fields?: string[] } | string } } | undefined;
  const constraint = adapter?.cause?.constraint;
  if (typeof constraint === 'string') return constraint;
  if (constraint?.index) return constraint.index;
  const target = meta.target;
  if (typeof target === 'string') return target;
  if (Array.isArray(constraint?.fields) && constraint.fields.length) return constraint.fields.join(',');
  return Array.isArray(target) ? target.join(',') : undefined;
}

export function uniqueViolation(err: unknown): ConflictError | undefined {
  const index = violatedIndex(err);
  if (index === undefined) return undefined;
  const field = FIELD_OF_INDEX[index] ?? index;
  return new ConflictError(`Another record already has this ${field}`, { field });
}
