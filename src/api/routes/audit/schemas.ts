import { z } from '../../openapi';
import { Cursor, Limit, listOf } from '../pagination';

export const ListAuditQuery = z.object({
  entity: z.string().regex(/^[a-z_.-]{1,50}$/, 'is a record kind, e.g. company').optional().openapi({ description: 'The kind of record, e.g. company, sync_conflict, pms_property' }),
  entityId: z.string().min(1).max(200).optional().openapi({ description: "The record's id" }),
  actor: z.string().min(1).max(200).optional(),
  action: z.string().regex(/^[a-z_.-]{1,100}$/, 'is a dotted action, e.g. company.updated').optional(),
  correlationId: z.string().min(1).max(200).optional().openapi({ description: 'Rows of one request or workflow run' }),
  limit: Limit,
  cursor: Cursor,
});

export const AuditEntryView = z
  .object({
    id: z.string(),
    actor: z.string().openapi({ description: 'An API key name, operator:<name> or workflow:<id>' }),
    action: z.string(),
    entity: z.string(),
    entityId: z.string(),
    before: z.unknown().nullable(),
    after: z.unknown().nullable(),
    correlationId: z.string(),
    createdAt: z.string(),
  })
  .openapi('AuditEntry');

export const AuditList = listOf(AuditEntryView, 'AuditList');
