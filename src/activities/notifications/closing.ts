import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { type CloseRow, closeNotification, openRowsIdleSince, recordStatusAndClose } from '../../db/notifications/closing';
import { type NotificationStatus, fromTwilioStatus, isFinalStatus } from '../../domain/notifications';
import { describeTwilioError } from '../../integrations/twilio/errors';
import type { NotificationDeps } from './deps';

export interface TwilioStatusInput {
  id: string;
  vendorMessageId: string;
}

export interface TwilioStatusResult {
  /** What the log row says now: Twilio's final status, or `sent` while Twilio has none yet. */
  status: NotificationStatus;
  /** Twilio's own word (`delivered`, `queued`, …). */
  twilioStatus: string;
  errorCode?: string;
  /** A data-free description of the error code (Twilio's own text can quote the number). */
  errorMessage?: string;
}

/**
 * No receipt came in time (a lost status callback: Twilio retries one at most once): asks
 * Twilio for the message once and closes the log row with its answer. A status still on its
 * way (`queued`, `sent`) closes the row as `sent`, so retention runs; a receipt arriving later
 * still moves it up.
 */
export async function recordTwilioStatus(deps: Pick<NotificationDeps, 'prisma' | 'twilio'>, input: TwilioStatusInput): Promise<TwilioStatusResult> {
  const message = await deps.twilio.fetchMessage(input.vendorMessageId, Context.current().cancellationSignal);
  const reported = fromTwilioStatus(message.status);
  const status: NotificationStatus = reported !== undefined && isFinalStatus(reported) ? reported : 'sent';
  const errorCode = message.errorCode === null ? undefined : String(message.errorCode);
  await recordStatusAndClose(
    deps.prisma,
    { id: input.id, status, code: errorCode, vendorMessageId: input.vendorMessageId },
    `closed without a receipt (Twilio status ${message.status})`,
  );
  return { status, twilioStatus: message.status, errorCode, errorMessage: errorCode === undefined ? undefined : describeTwilioError(message.errorCode) };
}

/** A row to close now (the workflow's side of `CloseRow`). */
export type CloseRowInput = Pick<CloseRow, 'id' | 'reason'>;

/** Closes a row with what it shows (see `closeNotification`); cancelled if nothing was sent. */
export async function closeNotificationRow(deps: Pick<NotificationDeps, 'prisma'>, row: CloseRowInput): Promise<boolean> {
  return closeNotification(deps.prisma, { id: row.id, reason: row.reason });
}

export interface AbandonedRowsInput {
  /** Open rows untouched for this long are checked. */
  idleForMs: number;
  /** Checked per run at most; the next run goes on. Default 20 000. */
  maxChecks?: number;
}

export interface AbandonedRowsResult {
  /** Open rows whose workflow was asked about. */
  checked: number;
  /** Of those, closed because their workflow no longer runs. */
  closed: number;
}

const PAGE = 500;
const PARALLEL_LOOKUPS = 8;

/**
 * Rows whose workflow ended without closing them: terminated or timed out (no workflow code
 * runs then), or gone from Temporal altogether. Each open row idle for `idleForMs` has its
 * workflow looked up; one that no longer runs closes the row as of the moment it closed
 * (its last update when Temporal no longer knows it), so the purge then applies retention to
 * it like any other. A message that was sent keeps its status; one that was not ends `cancelled`.
 */
export async function closeAbandonedNotifications(deps: Pick<NotificationDeps, 'prisma' | 'logger' | 'temporal'>, input: AbandonedRowsInput): Promise<AbandonedRowsResult> {
  const result: AbandonedRowsResult = { checked: 0, closed: 0 };
  const temporal = deps.temporal;
  if (!temporal) {
    deps.logger.warn('no Temporal client: rows of workflows that no longer run are not closed');
    return result;
  }
  const before = new Date(Date.now() - input.idleForMs);
  const maxChecks = input.maxChecks ?? 20_000;
  let afterId = '';
  while (result.checked < maxChecks) {
    const rows = await openRowsIdleSince(deps.prisma, before, afterId, Math.min(PAGE, maxChecks - result.checked));
    if (rows.length === 0) break;
    afterId = rows[rows.length - 1]!.id;
    for (let i = 0; i < rows.length; i += PARALLEL_LOOKUPS) {
      await Promise.all(
        rows.slice(i, i + PARALLEL_LOOKUPS).map(async (row) => {
          const ended = await workflowEnded(temporal, row.workflowId);
          result.checked++;
          if (!ended) return;
          const closed = await closeNotification(deps.prisma, {
            id: row.id,
            reason: `its workflow ended (${ended.status}) before the message was sent`,
            closedAt: ended.closedAt ?? row.updatedAt,
          });
          if (closed) result.closed++;
        }),
      );
      Context.current().heartbeat(result);
    }
  }
  if (result.closed > 0) deps.logger.info(result, 'closed notification-log rows whose workflow no longer runs');
  return result;
}

/** How a workflow ended, or undefined while it runs. */
async function workflowEnded(temporal: NonNullable<NotificationDeps['temporal']>, workflowId: string): Promise<{ status: string; closedAt?: Date } | undefined> {
  try {
    const described = await temporal.workflow.getHandle(workflowId).describe();
    if (described.status.name === 'RUNNING') return undefined;
    return { status: described.status.name, closedAt: described.closeTime };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { status: 'NOT_FOUND' };
    throw err;
  }
}
