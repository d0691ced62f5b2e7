import type { WebhookEndpoint } from '../../../../generated/prisma/client';
import type { z } from '../../../openapi';
import type { WebhookEndpointView } from './schemas';

/** An endpoint as the API shows it: never its secret (shown once, at creation). */
export function webhookEndpointView(row: WebhookEndpoint): z.infer<typeof WebhookEndpointView> {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    status: row.status as z.infer<typeof WebhookEndpointView>['status'],
    disabledReason: row.disabledReason,
    failingSince: row.failingSince?.toISOString() ?? null,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
