import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Router, type Request } from 'express';
import { recordConsent } from '../../../db/notifications/consent';
import { advanceStatus, applyFinalReceipt } from '../../../db/notifications/notification-log';
import { fromTwilioStatus, isFinalStatus } from '../../../domain/notifications';
import { WORKFLOW_ID_PART } from '../../../domain/workflow-ids';
import type { PrismaClient } from '../../../generated/prisma/client';
import { twilioStatusCallbackParams, verifyTwilioSignature } from '../../../integrations/twilio/signature';
import type { Logger } from '../../../logger';
import { formBody } from '../../body';
import { ForbiddenError } from '../../http-errors';
import { deliveryReceiptSignal } from '../../../workflows/notifications/definitions';
import { ValidationError } from '../../http-errors';

export interface TwilioWebhookDeps {
  prisma: PrismaClient;
  temporal: Client;
  logger: Logger;
  /** Key of X-Twilio-Signature. */
  authToken: string;
  /** The public base URL Twilio calls (what the worker puts in StatusCallback). */
  publicBaseUrl: string;
}

const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const OPT_IN = new Set(['START', 'YES', 'UNSTOP']);

/**
 * Twilio's callbacks, mounted at /v1/webhooks/twilio: authenticated by X-Twilio-Signature (no
 * API key, no rate limit — Twilio retries a callback only once). Small form bodies only.
 */
export function twilioWebhooksRouter(deps: TwilioWebhookDeps): Router {
  const router = Router();
  const verify = (req: Request) => {
    const url = `${deps.publicBaseUrl}${req.originalUrl}`;
    if (!verifyTwilioSignature({ authToken: deps.authToken, url, params: req.body as Record<string, string>, signature: req.get('x-twilio-signature') })) {
      throw new ForbiddenError('Invalid X-Twilio-Signature');
    }
  };

  router.post('/status', ...formBody(64 * 1024), async (req, res) => {
    verify(req);
    const notificationId = typeof req.query.notification === 'string' ? req.query.notification : '';
    const parsed = twilioStatusCallbackParams.safeParse(req.body);
    if (!parsed.success || !WORKFLOW_ID_PART.test(notificationId)) throw new ValidationError('body', parsed.success ? [] : parsed.error.issues);
    const cb = parsed.data;
    const status = fromTwilioStatus(cb.MessageStatus);
    // queued/accepted/sending: the log row says `sending` from the moment the send began.
    if (!status || status === 'sending') return void res.status(204).end();
    const errorCode = cb.ErrorCode !== undefined ? String(cb.ErrorCode) : undefined;
    if (!isFinalStatus(status)) {
      // `sent` only moves the row up (monotonic), so a repeat is a no-op without a receipt row.
      await advanceStatus(deps.prisma, { id: notificationId, status, code: errorCode, vendorMessageId: cb.MessageSid });
      return void res.status(204).end();
    }

    // A repeat (Twilio's retry after an answer it did not get, or the same status twice) is
    // applied again rather than skipped: the first try may have stopped before the update or
    // the signal, and both are idempotent (monotonic row, monotonic workflow state).
    const { workflowId, previous, moved, repeat } = await applyFinalReceipt(deps.prisma, `${cb.MessageSid}:${cb.MessageStatus}`, {
      id: notificationId,
      status,
      code: errorCode,
      vendorMessageId: cb.MessageSid,
    });
    if (cb.ErrorCode === 21610) {
      await recordConsent(deps.prisma, cb.To, true, 'twilio-21610', {
        actor: `notification:${notificationId}`,
        correlationId: workflowId ?? String(req.id),
        idempotencyKey: `consent:twilio-21610:${cb.MessageSid}`,
      });
    }
    // The workflow needs the first final status only: `read` after `delivered` is for the log.
    if (workflowId && ((moved && previous && !isFinalStatus(previous)) || repeat)) {
      await deps.temporal.workflow
        .getHandle(workflowId)
        .signal(deliveryReceiptSignal, { status, errorCode, errorMessage: typeof req.body.ErrorMessage === 'string' ? req.body.ErrorMessage : undefined })
        .catch((err: unknown) => {
          // Closed already (receipt timeout passed): the log row above is the record.
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        });
    }
    res.status(204).end();
  });

  router.post('/inbound', ...formBody(64 * 1024), async (req, res) => {
    verify(req);
    const from = typeof req.body.From === 'string' ? req.body.From : '';
    const word = typeof req.body.Body === 'string' ? req.body.Body.trim().toUpperCase() : '';
    const sid = typeof req.body.MessageSid === 'string' && req.body.MessageSid !== '' ? req.body.MessageSid : undefined;
    // The message's SID keys the audit row: Twilio's retry of this request changes nothing twice.
    const by = { actor: 'twilio-inbound', correlationId: String(req.id), idempotencyKey: sid && `consent:inbound:${sid}` };
    if (from && OPT_OUT.has(word)) await recordConsent(deps.prisma, from, true, 'inbound-stop', by);
    if (from && OPT_IN.has(word)) await recordConsent(deps.prisma, from, false, 'inbound-start', by);
    deps.logger.info({ optOut: OPT_OUT.has(word), optIn: OPT_IN.has(word) }, 'inbound message');
    res.type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
  });

  return router;
}
