import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { FailureType } from '../../domain/failure-types';
import type { NotificationRequest, NotificationStatus } from '../../domain/notifications';
import { WorkflowIds } from '../../domain/workflow-ids';
import { consentKey, recordConsent } from './consent';
import type { NotificationDeps, Sender } from './deps';
import { advanceStatus, beginSendAttempt } from './notification-log';
import { COLD_CLIENT_AFTER_MS, reserveSendSlot } from './sender-rate';

export interface TwilioSendInput {
  request: NotificationRequest;
  /** When the first attempt started: an earlier attempt's message is looked up from then on. */
  firstAttemptAt: number;
  /** A slot reserved by an earlier call that deferred (epoch ms); no new reservation is made. */
  reservedSlotAt?: number;
  /** The give-up horizon (ms after `firstAttemptAt`), enforced here: local activities retry inside the worker. */
  giveUpAfterMs: number;
}

export type TwilioSendResult =
  | { status: NotificationStatus; vendorMessageId?: string; deferredUntil?: undefined }
  /** The sender's next slot is far off: the workflow waits on a durable timer, then calls again. */
  | { deferredUntil: number };

export function pickSender(senders: readonly Sender[], request: NotificationRequest): Sender {
  const channel = request.channel === 'whatsapp' ? 'whatsapp' : 'sms';
  const bare = (address: string) => address.replace(/^whatsapp:/, '');
  const sender = request.sender
    ? senders.find((s) => s.channel === channel && bare(s.address) === bare(request.sender!))
    : senders.find((s) => s.channel === channel);
  if (!sender) {
    throw ApplicationFailure.nonRetryable(`no ${channel} sender ${request.sender ?? ''} is configured`.replace('  ', ' '), FailureType.InvalidInput);
  }
  return sender;
}

/** How late after its slot's start a message may still be sent (see the rate headroom in sender-rate.ts). */
export const LATE_SLOT_TOLERANCE_MS = 20;
/** A process too busy to be on time this often sends anyway rather than spin. */
const MAX_SLOT_RESERVATIONS = 5;

/**
 * The sender's next slot, on this process's clock. Clocks agree (NTP) when the database's
 * time at reservation falls within the call; otherwise its offset is taken out.
 */
async function reserveSlot(deps: NotificationDeps, sender: Sender): Promise<number> {
  const before = Date.now();
  const slot = await reserveSendSlot(deps.prisma, sender.address, sender.ratePerSecond);
  const after = Date.now();
  const offset = slot.nowAt < before ? slot.nowAt - before : slot.nowAt > after ? slot.nowAt - after : 0;
  // A cold connection with no time to warm it: keep the next slot empty as this send's margin
  // (it is this sender's next one when the budget was idle, as it is after a quiet spell).
  if (slot.waitMs < COLD_WARM_UP_MIN_MS && isCold(deps, after)) await reserveSendSlot(deps.prisma, sender.address, sender.ratePerSecond);
  return slot.slotAt - offset;
}

const isCold = (deps: NotificationDeps, now = Date.now()) => deps.twilio.idleMs(now) > COLD_CLIENT_AFTER_MS;
/** Below this wait a warm-up call would not finish before the slot. */
const COLD_WARM_UP_MIN_MS = 100;

/** Waits until `slotAt`, opening a cold connection meanwhile so the send itself is not late. */
async function waitForSlot(deps: NotificationDeps, slotAt: number, signal: AbortSignal): Promise<void> {
  if (slotAt - Date.now() >= COLD_WARM_UP_MIN_MS && isCold(deps)) {
    await Promise.race([deps.twilio.warmUp(signal).catch(() => undefined), sleep(slotAt - Date.now(), undefined, { signal })]);
  }
  const waitMs = slotAt - Date.now();
  if (waitMs > 0) await sleep(waitMs, undefined, { signal });
}

/** `{{name}}` placeholders in a body, filled from the request's variables. */
export const renderBody = (body: string | undefined, variables: Record<string, string> = {}) =>
  body?.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (whole, name: string) => variables[name] ?? whole);

/** Twilio addresses WhatsApp users as `whatsapp:+E164`; Relay stores the bare number. */
const onWire = (channel: string, address: string) => (channel === 'whatsapp' ? `whatsapp:${address}` : address);

/**
 * Sends one SMS or WhatsApp message through Twilio, at most once at the receiver:
 * Twilio's create has no idempotency key, so a retry first looks for a message an earlier
 * attempt may have created (timeout after sending, worker killed mid-call) and adopts it.
 */
export async function sendTwilioMessage(deps: NotificationDeps, input: TwilioSendInput): Promise<TwilioSendResult> {
  const { request } = input;
  const { info, cancellationSignal: signal } = Context.current();
  const sender = pickSender(deps.senders, request);

  if (info.attempt > 1 && Date.now() - input.firstAttemptAt > input.giveUpAfterMs) {
    const last = await deps.prisma.notification.findUnique({ where: { id: request.id }, select: { lastError: true, errorCode: true, attempts: true } });
    throw ApplicationFailure.nonRetryable(
      `gave up after ${last?.attempts ?? info.attempt - 1} attempts: ${last?.lastError ?? 'no answer'}`,
      last?.errorCode ?? FailureType.VendorUnavailable,
    );
  }

  const row = await beginSendAttempt(deps.prisma, request, WorkflowIds.notification(request.id), sender.address, consentKey(request.recipient));
  // An earlier attempt sent it and recorded it, then lost its completion.
  if (row.vendorMessageId) return { status: 'sent', vendorMessageId: row.vendorMessageId };
  if (row.optedOut) throw ApplicationFailure.nonRetryable('the recipient opted out of messages', FailureType.RecipientOptedOut);

  const message = {
    to: onWire(request.channel, request.recipient),
    from: sender.address,
    ...(request.template && request.channel === 'whatsapp'
      ? { contentSid: request.template, contentVariables: request.variables }
      : { body: renderBody(request.body, request.variables) }),
  };

  // The log row counts attempts across worker crashes: a local activity whose worker died is
  // run again from attempt 1 by the next worker, even if the dead one's create reached Twilio.
  if (info.attempt > 1 || row.attempts > 1) {
    const claimed = await deps.prisma.notification.findMany({
      where: { recipient: request.recipient, vendorMessageId: { not: null }, createdAt: { gte: new Date(input.firstAttemptAt - 86_400_000) } },
      select: { vendorMessageId: true },
    });
    const found = await deps.twilio.findSentMessage(
      { ...message, since: new Date(input.firstAttemptAt), excludeSids: claimed.map((c) => c.vendorMessageId!) },
      signal,
    );
    if (found) {
      deps.logger.info({ notificationId: request.id, sid: found.sid, attempt: info.attempt }, 'adopted a message an earlier attempt sent');
      await advanceStatus(deps.prisma, { id: request.id, status: 'sent', vendorMessageId: found.sid });
      return { status: 'sent', vendorMessageId: found.sid };
    }
  }

  // Send within LATE_SLOT_TOLERANCE_MS of the slot's start, or take a new slot: a late send
  // (a busy worker, a timer that fired late) would bunch with the next slot's message and
  // put more than the sender's rate into one second at Twilio.
  let slotAt = input.reservedSlotAt ?? (await reserveSlot(deps, sender));
  for (let reservations = 1; ; reservations++) {
    const waitMs = slotAt - Date.now();
    if (waitMs > deps.maxInlineRateWaitMs) {
      // Nothing was sent: the call after the wait is not a retry and needs no look-up.
      await deps.prisma.$executeRaw`UPDATE notification SET attempts = attempts - 1 WHERE id = ${request.id}`;
      return { deferredUntil: slotAt };
    }
    await waitForSlot(deps, slotAt, signal);
    if (Date.now() - slotAt <= LATE_SLOT_TOLERANCE_MS || reservations >= MAX_SLOT_RESERVATIONS) break;
    slotAt = await reserveSlot(deps, sender);
  }

  try {
    const sent = await deps.twilio.createMessage({ ...message, statusCallback: deps.statusCallbackUrl(request.id) }, signal);
    await advanceStatus(deps.prisma, { id: request.id, status: 'sent', vendorMessageId: sent.sid });
    return { status: 'sent', vendorMessageId: sent.sid };
  } catch (err) {
    const failure = err instanceof ApplicationFailure ? err : undefined;
    if (failure?.type === FailureType.RecipientOptedOut) await recordConsent(deps.prisma, request.recipient, true, 'twilio-21610');
    await deps.prisma.notification.update({
      where: { id: request.id },
      data: { lastError: failure?.message ?? (err as Error).message, errorCode: failure?.type ?? null },
    });
    throw err;
  }
}
