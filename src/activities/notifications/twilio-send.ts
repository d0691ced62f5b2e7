import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { FailureType } from '../../domain/failure-types';
import type { Channel, NotificationRequest, NotificationStatus } from '../../domain/notifications';
import { WorkflowIds } from '../../domain/workflow-ids';
import { consentKey, recordConsent } from '../../db/notifications/consent';
import type { NotificationDeps, Sender } from './deps';
import { beginSendAttempt, recordLaneResolution, recordSent, sidsClaimedByOthers } from '../../db/notifications/notification-log';
import { LANE_POLL_MS, type LaneAnswer, type LaneRequest, type PendingAttempt, endLaneSend, giveBackLane, sidsRecordedOnLane, takeSendLane } from '../../db/notifications/send-lane';
import { COLD_CLIENT_AFTER_MS, SEND_BOUND_MARGIN_MS } from '../../db/notifications/sender-rate';

export interface TwilioSendInput {
  request: NotificationRequest;
  /** When the first attempt started: the give-up horizon counts from then. */
  firstAttemptAt: number;
  /** When an earlier call that deferred said to come back (a slot it reserved, epoch ms); no new reservation is made. */
  reservedSlotAt?: number;
  /** The give-up horizon (ms after `firstAttemptAt`), enforced here: local activities retry inside the worker. */
  giveUpAfterMs: number;
}

export type TwilioSendResult =
  | { status: NotificationStatus; vendorMessageId?: string; deferredUntil?: undefined }
  /** The sender's next slot, or the send lane, is far off: the workflow waits on a durable timer, then calls again. */
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
 * A time on the database's clock (a lane or slot answer's) as a time on this process's clock. Clocks
 * agree (NTP) when the database's answer falls within the call; otherwise the offset is taken out.
 */
const localTime = (at: number, answer: { nowAt: number }, before: number, after: number) =>
  at - (answer.nowAt < before ? answer.nowAt - before : answer.nowAt > after ? answer.nowAt - after : 0);

/** Waits until `at` (this process's clock), opening a cold connection meanwhile so the send itself is not late. */
async function waitUntil(deps: NotificationDeps, at: number, signal: AbortSignal): Promise<void> {
  if (at - Date.now() >= COLD_WARM_UP_MIN_MS && isCold(deps)) {
    await Promise.race([deps.twilio.warmUp(signal).catch(() => undefined), sleep(Math.max(0, at - Date.now()), undefined, { signal })]);
  }
  const waitMs = at - Date.now();
  if (waitMs > 0) await sleep(waitMs, undefined, { signal });
}

/** A lane answer with this process's clock around the call that got it (see `localTime`). */
type TimedAnswer = { answer: LaneAnswer; before: number; after: number };

async function askLane(deps: NotificationDeps, lane: LaneRequest): Promise<TimedAnswer> {
  const before = Date.now();
  const answer = await takeSendLane(deps.prisma, lane);
  return { answer, before, after: Date.now() };
}

/** Between two looks at a lane whose create is in flight: from LANE_POLL_MS, doubling, up to this. */
const LANE_POLL_MAX_MS = 500;

/**
 * A create must leave this soon after its lane was taken, or it is not made: the attempt's bound
 * (request timeout + margin) counts from the take, and the rest of the margin covers the network.
 */
const CREATE_START_LIMIT_MS = SEND_BOUND_MARGIN_MS / 2;

/** The SIDs other notifications recorded are looked for this far back (they are excluded from a look-up). */
const RECORDED_LOOKBACK_MS = 86_400_000;

type LaneOutcome =
  | { kind: 'go'; attemptId: bigint; sendId: bigint; takenAt: number }
  | { kind: 'sent'; vendorMessageId: string }
  | { kind: 'free' }
  | { kind: 'unattributable' }
  | { kind: 'deferred'; until: number };

/**
 * Waits for the send lane and the sender's slot (with `lane.create` false: for this notification's
 * own pending attempt to be looked up), starting from the answer of a first call when there is one
 * (made with the send attempt's statement). Looks up the lost attempt that shuts the lane once it
 * may. A wait longer than the inline wait allows is handed back as `deferred`, for the workflow to
 * wait on a durable timer.
 */
async function throughLane(deps: NotificationDeps, lane: LaneRequest, first: TimedAnswer | undefined, signal: AbortSignal): Promise<LaneOutcome> {
  const started = Date.now();
  let polls = 0;
  for (let timed = first ?? (await askLane(deps, lane)); ; timed = await askLane(deps, lane)) {
    const { answer, before, after } = timed;
    const local = (at: number) => localTime(at, answer, before, after);
    switch (answer.state) {
      case 'go':
        return { kind: 'go', attemptId: answer.attemptId!, sendId: answer.sendId!, takenAt: after };
      case 'sent':
        return { kind: 'sent', vendorMessageId: answer.sentSid! };
      case 'free':
      case 'unattributable':
        return { kind: answer.state };
      case 'resolve':
        await resolvePending(deps, lane, answer.pending!, signal);
        polls = 0;
        break;
      case 'wait': {
        // The lane is free, the sender's slot is not: a reserved slot far off becomes a durable timer.
        const at = local(answer.retryAt);
        if (lane.slot.reserve && at - Date.now() > deps.maxInlineRateWaitMs) return { kind: 'deferred', until: local(answer.slotAt ?? answer.retryAt) };
        await waitUntil(deps, at, signal);
        lane = { ...lane, slot: { ...lane.slot, reserve: false } };
        break;
      }
      case 'unsettled': {
        // A lost answer is looked up once Twilio's list can be trusted to show its message.
        const at = local(answer.retryAt);
        if (at - started > deps.maxInlineRateWaitMs) return { kind: 'deferred', until: at };
        await sleep(Math.max(0, at - Date.now()), undefined, { signal });
        break;
      }
      case 'busy':
      case 'resolving': {
        // Another create (or look-up) on the lane: usually milliseconds.
        const waitMs = Math.min(LANE_POLL_MS * 2 ** polls++, LANE_POLL_MAX_MS);
        if (Date.now() + waitMs - started > deps.maxInlineRateWaitMs) return { kind: 'deferred', until: Date.now() + LANE_POLL_MAX_MS };
        await sleep(waitMs, undefined, { signal });
        break;
      }
    }
  }
}

/**
 * Looks a lane attempt whose answer was lost up at Twilio and records what was found: the one
 * message none of Relay's other attempts accounts for is that attempt's (see `sendTwilioMessage`).
 * Whoever needs the lane does this, for whichever notification the attempt was made.
 */
async function resolvePending(deps: NotificationDeps, lane: LaneRequest, pending: PendingAttempt, signal: AbortSignal): Promise<void> {
  const owner = await deps.prisma.notification.findUnique({
    where: { id: pending.notificationId },
    select: { channel: true, recipient: true, body: true, template: true, variables: true },
  });
  // Its body, when it has one, keeps texts Relay did not send out of the match.
  const content: { body?: string } = owner
    ? contentOf({ channel: owner.channel as Channel, body: owner.body ?? undefined, template: owner.template ?? undefined, variables: (owner.variables ?? undefined) as Record<string, string> | undefined })
    : {};
  const lookback = new Date(pending.startedAt - RECORDED_LOOKBACK_MS);
  const [onLane, onRows] = await Promise.all([
    sidsRecordedOnLane(deps.prisma, lane.sender, lane.recipient, pending.id, lookback),
    owner ? sidsClaimedByOthers(deps.prisma, pending.notificationId, owner.recipient, lookback) : Promise.resolve([]),
  ]);
  const found = await deps.twilio.findSentMessages(
    {
      to: lane.recipient,
      from: lane.sender,
      ...(content.body !== undefined ? { body: content.body } : {}),
      since: new Date(pending.startedAt),
      until: new Date(pending.boundAt),
      excludeSids: [...onLane, ...onRows],
    },
    signal,
  );
  const verdict = found.length === 0 ? { outcome: 'absent' as const } : found.length === 1 ? { outcome: 'adopted' as const, vendorMessageId: found[0]!.sid } : { outcome: 'unattributable' as const };
  const recorded = await recordLaneResolution(deps.prisma, pending, verdict);
  const log = { notificationId: pending.notificationId, lookedUpBy: lane.notificationId, outcome: verdict.outcome, candidates: found.length, recorded };
  if (verdict.outcome === 'unattributable') deps.logger.error(log, 'a create whose answer was lost matches more than one unrecorded message: none is adopted');
  else deps.logger.info({ ...log, ...(verdict.outcome === 'adopted' ? { sid: verdict.vendorMessageId } : {}) }, 'looked up a create whose answer was lost');
}

/** `{{name}}` placeholders in a body, filled from the request's variables. */
export const renderBody = (body: string | undefined, variables: Record<string, string> = {}) =>
  body?.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (whole, name: string) => variables[name] ?? whole);

/** Twilio addresses WhatsApp users as `whatsapp:+E164`; Relay stores the bare number. */
const onWire = (channel: string, address: string) => (channel === 'whatsapp' ? `whatsapp:${address}` : address);

/** What Twilio is asked to send: a WhatsApp template with its variables, or the rendered body. */
const contentOf = (request: Pick<NotificationRequest, 'channel' | 'body' | 'template' | 'variables'>) =>
  request.template && request.channel === 'whatsapp'
    ? { contentSid: request.template, contentVariables: request.variables }
    : { body: renderBody(request.body, request.variables) };

/** Whether a failed create may have created the message: its answer was lost, or the failure cannot be read. */
const mayHaveCreated = (err: unknown, signal: AbortSignal) =>
  signal.aborted ||
  !(err instanceof ApplicationFailure) ||
  err.type === FailureType.VendorOutcomeUnknown ||
  (err.details?.[0] as { ambiguous?: unknown } | undefined)?.ambiguous === true;

/**
 * Sends one SMS or WhatsApp message through Twilio: at most one Twilio message per notification,
 * and never another notification's message taken for its own, given A1–A3 below. Twilio's create
 * has no idempotency key, and its answer can be lost (a timeout, a dropped connection, a worker
 * killed mid-call) with the message created or not: Relay then looks at Twilio before it sends
 * again, and only then (never after a definite refusal such as a 5xx or a 429).
 *
 * Why a message found at Twilio is the right one:
 * 1. Creates from one sender to one recipient (a lane) run one at a time, across every worker
 *    (`relay_take_send_lane`). Each is recorded before its request leaves (it must leave within
 *    CREATE_START_LIMIT_MS of the take, or it is not made) and ends `sent` (the SID Twilio answered),
 *    `refused` (a definite answer that created nothing), or with its answer lost.
 * 2. An attempt whose answer was lost (`ambiguous`, or never ended: its worker died) shuts the
 *    lane until it is looked up. Meanwhile no create starts on the lane, and every earlier
 *    attempt's message is recorded (`sent`, `adopted`) or known not to exist (`refused`, `absent`).
 *    So a message on the lane that no attempt and no other notification has recorded can only
 *    be the pending attempt's, which made at most one: the one found is adopted for the
 *    attempt's notification, whoever looks it up; none found means it created nothing.
 * 3. The look-up waits for the attempt's bound (request timeout + margin: A1, its request reached
 *    Twilio by then or never will, as for the sender's send window) plus TWILIO_LIST_SETTLE_MS (A2,
 *    Twilio lists a message within that time), so "not listed" means "not created".
 * 4. A3: only Relay sends from its senders to its recipients on this account. A body message must
 *    also carry its body (Twilio's list shows no template SID or variables). Should two messages
 *    be candidates, A3 is broken: none is adopted, nothing is sent again, the notification fails.
 * A notification past its give-up horizon still looks up its own pending attempt before it gives up.
 */
export async function sendTwilioMessage(deps: NotificationDeps, input: TwilioSendInput): Promise<TwilioSendResult> {
  const { request } = input;
  const { cancellationSignal: signal } = Context.current();
  const sender = pickSender(deps.senders, request);
  const message = { to: onWire(request.channel, request.recipient), from: sender.address, ...contentOf(request) };
  const laneFor = (create: boolean, reserve: boolean): LaneRequest => ({
    sender: sender.address,
    recipient: message.to,
    notificationId: request.id,
    create,
    settleMs: deps.twilio.listSettleMs,
    slot: { sender: sender.address, ratePerSecond: sender.ratePerSecond, requestTimeoutMs: deps.twilio.requestTimeoutMs, reserve },
  });
  const sent = (vendorMessageId: string): TwilioSendResult => ({ status: 'sent', vendorMessageId });
  const deferred = async (until: number): Promise<TwilioSendResult> => {
    // Nothing was sent: the call after the wait is not a retry.
    await deps.prisma.$executeRaw`UPDATE notification SET attempts = attempts - 1 WHERE id = ${request.id}`;
    return { deferredUntil: until };
  };
  const unattributable = () =>
    ApplicationFailure.nonRetryable(
      'cannot tell whether the message went out: Twilio lists more than one message to the recipient that no attempt accounts for',
      FailureType.VendorOutcomeUnknown,
    );

  // The first call takes the lane and the sender's slot in the same statement as the attempt;
  // a call after a durable wait for a reserved slot waits the rest of it out first.
  const reserve = input.reservedSlotAt === undefined;
  const before = Date.now();
  const row = await beginSendAttempt(deps.prisma, request, WorkflowIds.notification(request.id), sender.address, consentKey(request.recipient), reserve ? laneFor(true, true) : undefined);
  let first: TimedAnswer | undefined = row.lane && { answer: row.lane, before, after: Date.now() };
  const giveBack = async () => {
    if (first?.answer.state === 'go') await giveBackLane(deps.prisma, first.answer.attemptId!, first.answer.sendId!);
    first = undefined;
  };
  // An earlier attempt sent it and recorded it (or a look-up found it since), then lost its completion.
  if (row.vendorMessageId) {
    await giveBack();
    return sent(row.vendorMessageId);
  }
  if (row.optedOut) {
    await giveBack();
    throw ApplicationFailure.nonRetryable('the recipient opted out of messages', FailureType.RecipientOptedOut);
  }

  // The log row counts attempts across worker crashes (a local activity whose worker died starts
  // over at attempt 1). Past the horizon nothing new is sent, but a message an earlier attempt
  // may have created is looked for first: one that went out is adopted, not given up on.
  if (row.attempts > 1 && Date.now() - input.firstAttemptAt > input.giveUpAfterMs) {
    await giveBack();
    const own = await throughLane(deps, laneFor(false, false), undefined, signal);
    if (own.kind === 'sent') return sent(own.vendorMessageId);
    if (own.kind === 'deferred') return deferred(own.until);
    if (own.kind === 'unattributable') throw unattributable();
    const last = await deps.prisma.notification.findUnique({ where: { id: request.id }, select: { lastError: true, errorCode: true, attempts: true } });
    throw ApplicationFailure.nonRetryable(
      `gave up after ${(last?.attempts ?? row.attempts) - 1} attempts: ${last?.lastError ?? 'no answer'}`,
      last?.errorCode ?? FailureType.VendorUnavailable,
    );
  }

  if (input.reservedSlotAt !== undefined) await waitUntil(deps, input.reservedSlotAt, signal);
  let lane = laneFor(true, reserve);
  for (;;) {
    const outcome = await throughLane(deps, lane, first, signal);
    first = undefined;
    if (outcome.kind === 'sent') return sent(outcome.vendorMessageId);
    if (outcome.kind === 'unattributable') throw unattributable();
    if (outcome.kind === 'deferred') return deferred(outcome.until);
    if (outcome.kind === 'free') throw new Error('a send lane answered "free" to a create');
    const { attemptId, sendId } = outcome;
    if (Date.now() - outcome.takenAt > CREATE_START_LIMIT_MS || signal.aborted) {
      // Too late to leave within the attempt's bound (a busy process): not made; take the lane again.
      await giveBackLane(deps.prisma, attemptId, sendId);
      signal.throwIfAborted();
      lane = laneFor(true, false);
      continue;
    }

    let created: { sid: string };
    try {
      created = await deps.twilio.createMessage({ ...message, statusCallback: deps.statusCallbackUrl(request.id) }, signal);
    } catch (err) {
      // Whatever the outcome, the request has ended: from here it counts for one window (should
      // that fail, until its bound). A lost answer keeps the lane shut until it is looked up.
      await endLaneSend(deps.prisma, attemptId, sendId, mayHaveCreated(err, signal) ? 'ambiguous' : 'refused').catch(() => undefined);
      const failure = err instanceof ApplicationFailure ? err : undefined;
      if (failure?.type === FailureType.RecipientOptedOut) {
        // Audited as this notification's doing, once however often the send is retried.
        const by = { actor: `notification:${request.id}`, correlationId: WorkflowIds.notification(request.id), idempotencyKey: `consent:twilio-21610:${request.id}` };
        await recordConsent(deps.prisma, request.recipient, true, 'twilio-21610', by);
      }
      await deps.prisma.notification.update({
        where: { id: request.id },
        data: { lastError: failure?.message ?? (err as Error).message, errorCode: failure?.type ?? null },
      });
      throw err;
    }
    // Should this fail, the attempt stays open past its bound and a look-up adopts the message.
    await recordSent(deps.prisma, { id: request.id, status: 'sent', vendorMessageId: created.sid }, sendId, attemptId);
    return sent(created.sid);
  }
}
