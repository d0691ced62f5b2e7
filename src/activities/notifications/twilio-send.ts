import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { FailureType } from '../../domain/failure-types';
import type { NotificationRequest, NotificationStatus } from '../../domain/notifications';
import { WorkflowIds } from '../../domain/workflow-ids';
import { consentKey, recordConsent } from '../../db/notifications/consent';
import type { NotificationDeps, Sender } from './deps';
import { advanceStatus, beginSendAttempt, recordSent, sidsClaimedByOthers } from '../../db/notifications/notification-log';
import { COLD_CLIENT_AFTER_MS, type SlotAnswer, type SlotRequest, finishSend, releaseSend, takeSendSlot } from '../../db/notifications/sender-rate';

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

const isCold = (deps: NotificationDeps, now = Date.now()) => deps.twilio.idleMs(now) > COLD_CLIENT_AFTER_MS;
/** Below this wait a warm-up call would not finish before the slot. */
const COLD_WARM_UP_MIN_MS = 100;

/**
 * A time on the database's clock (a slot answer's) as a time on this process's clock. Clocks
 * agree (NTP) when the database's answer falls within the call; otherwise the offset is taken out.
 */
const localTime = (at: number, answer: SlotAnswer, before: number, after: number) =>
  at - (answer.nowAt < before ? answer.nowAt - before : answer.nowAt > after ? answer.nowAt - after : 0);

/** Waits until `at` (this process's clock), opening a cold connection meanwhile so the send itself is not late. */
async function waitUntil(deps: NotificationDeps, at: number, signal: AbortSignal): Promise<void> {
  if (at - Date.now() >= COLD_WARM_UP_MIN_MS && isCold(deps)) {
    await Promise.race([deps.twilio.warmUp(signal).catch(() => undefined), sleep(Math.max(0, at - Date.now()), undefined, { signal })]);
  }
  const waitMs = at - Date.now();
  if (waitMs > 0) await sleep(waitMs, undefined, { signal });
}

type SlotOutcome = { sendId: bigint; deferredUntil?: undefined } | { sendId?: undefined; deferredUntil: number };
/** A slot answer with this process's clock around the call that got it (see `localTime`). */
type TimedAnswer = { answer: SlotAnswer; before: number; after: number };

async function askForSlot(deps: NotificationDeps, slot: SlotRequest): Promise<TimedAnswer> {
  const before = Date.now();
  const answer = await takeSendSlot(deps.prisma, slot);
  return { answer, before, after: Date.now() };
}

/**
 * Waits for the sender's slot and a place in its window, starting from the answer of a first
 * call (made with the send attempt's statement). A slot further off than the inline wait
 * allows is handed back to the workflow as `deferredUntil`, to wait for on a durable timer.
 */
async function awaitSendSlot(deps: NotificationDeps, slot: SlotRequest, first: TimedAnswer, signal: AbortSignal): Promise<SlotOutcome> {
  for (let timed = first; ; timed = await askForSlot(deps, slot)) {
    const { answer, before, after } = timed;
    if (answer.sendId !== null) return { sendId: answer.sendId };
    const at = localTime(answer.retryAt, answer, before, after);
    if (slot.reserve && at - Date.now() > deps.maxInlineRateWaitMs) return { deferredUntil: localTime(answer.slotAt, answer, before, after) };
    await waitUntil(deps, at, signal);
    slot = { ...slot, reserve: false };
  }
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

  // The first attempt takes the sender's slot in the same statement; a retry takes it only
  // after looking for its earlier message (a send in the window must be one about to go out).
  const slot: SlotRequest = { sender: sender.address, ratePerSecond: sender.ratePerSecond, requestTimeoutMs: deps.twilio.requestTimeoutMs, reserve: input.reservedSlotAt === undefined };
  const firstCall = info.attempt === 1 && slot.reserve;
  const before = Date.now();
  const row = await beginSendAttempt(deps.prisma, request, WorkflowIds.notification(request.id), sender.address, consentKey(request.recipient), firstCall ? slot : undefined);
  const after = Date.now();
  const giveBack = async () => {
    if (row.slot?.sendId) await releaseSend(deps.prisma, row.slot.sendId);
  };
  // An earlier attempt sent it and recorded it, then lost its completion.
  if (row.vendorMessageId) {
    await giveBack();
    return { status: 'sent', vendorMessageId: row.vendorMessageId };
  }
  if (row.optedOut) {
    await giveBack();
    throw ApplicationFailure.nonRetryable('the recipient opted out of messages', FailureType.RecipientOptedOut);
  }

  const message = {
    to: onWire(request.channel, request.recipient),
    from: sender.address,
    ...(request.template && request.channel === 'whatsapp'
      ? { contentSid: request.template, contentVariables: request.variables }
      : { body: renderBody(request.body, request.variables) }),
  };

  // The log row counts attempts across worker crashes: a local activity whose worker died is
  // run again from attempt 1 by the next worker, even if the dead one's create reached Twilio.
  let first: TimedAnswer | undefined = row.slot && { answer: row.slot, before, after };
  if (info.attempt > 1 || row.attempts > 1) {
    await giveBack();
    first = undefined;
    const claimed = await sidsClaimedByOthers(deps.prisma, request.id, request.recipient, new Date(input.firstAttemptAt - 86_400_000));
    const found = await deps.twilio.findSentMessage({ ...message, since: new Date(input.firstAttemptAt), excludeSids: claimed }, signal);
    if (found) {
      deps.logger.info({ notificationId: request.id, sid: found.sid, attempt: info.attempt }, 'adopted a message an earlier attempt sent');
      await advanceStatus(deps.prisma, { id: request.id, status: 'sent', vendorMessageId: found.sid });
      return { status: 'sent', vendorMessageId: found.sid };
    }
  }

  // A slot reserved before a durable wait: wait out the rest of it, then ask for a place in the window.
  if (input.reservedSlotAt !== undefined) await waitUntil(deps, input.reservedSlotAt, signal);
  const taken = await awaitSendSlot(deps, slot, first ?? (await askForSlot(deps, slot)), signal);
  if (taken.deferredUntil !== undefined) {
    // Nothing was sent: the call after the wait is not a retry and needs no look-up.
    await deps.prisma.$executeRaw`UPDATE notification SET attempts = attempts - 1 WHERE id = ${request.id}`;
    return { deferredUntil: taken.deferredUntil };
  }
  const { sendId } = taken;

  try {
    const sent = await deps.twilio.createMessage({ ...message, statusCallback: deps.statusCallbackUrl(request.id) }, signal);
    await recordSent(deps.prisma, { id: request.id, status: 'sent', vendorMessageId: sent.sid }, sendId);
    return { status: 'sent', vendorMessageId: sent.sid };
  } catch (err) {
    // Whatever the outcome, the request has ended: from here it counts for one window.
    // (Should that fail, the send counts until its bound instead.)
    await finishSend(deps.prisma, sendId).catch(() => undefined);
    const failure = err instanceof ApplicationFailure ? err : undefined;
    if (failure?.type === FailureType.RecipientOptedOut) await recordConsent(deps.prisma, request.recipient, true, 'twilio-21610');
    await deps.prisma.notification.update({
      where: { id: request.id },
      data: { lastError: failure?.message ?? (err as Error).message, errorCode: failure?.type ?? null },
    });
    throw err;
  }
}
