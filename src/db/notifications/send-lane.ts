import { Prisma, type PrismaClient } from '../../generated/prisma/client';
import { SEND_BOUND_MARGIN_MS, SEND_RATE_HEADROOM, SEND_WINDOW_POLL_MS, type SlotRequest, finishSendSql, releaseSendSql, sendWindow } from './sender-rate';

/**
 * Send lanes: the creates of messages from one sender to one recipient, one at a time, shared by
 * every worker process through `send_lane_attempt` and `relay_take_send_lane` (see its migration).
 * Each attempt records, by the database's clock, when its create may start (`started_at`, before
 * its request leaves) and by when its request reaches the vendor or never will (`bound_at`: the
 * request timeout plus a margin), then how it ended:
 *
 * - `sent`: the vendor answered with the message (its SID); `refused`: a definite answer that
 *   created nothing (4xx, 429, 5xx, no connection). The lane is free at once.
 * - `ambiguous` (the answer was lost: timeout, dropped connection), or no outcome past `bound_at`
 *   (its worker died): the lane stays shut until someone looks the attempt up at the vendor, no
 *   sooner than `bound_at` plus the list's settle time, and records `adopted` (the one message
 *   found, with its SID), `absent`, or `unattributable` (more than one candidate).
 *
 * Why a look-up can attribute what it finds: see `sendTwilioMessage`.
 */

/** How soon to ask again while another create on the lane is in flight (the caller backs off from here). */
export const LANE_POLL_MS = 20;

export interface LaneRequest {
  /** `From` as sent. */
  sender: string;
  /** `To` as sent. */
  recipient: string;
  notificationId: string;
  /** Take the lane for a create; false only looks at this notification's own pending attempt. */
  create: boolean;
  /** How long the vendor's list may take to show a message. */
  settleMs: number;
  /** The sender's slot, taken with the lane (its request timeout also bounds the lane attempt). */
  slot: SlotRequest;
}

export type LaneState = 'sent' | 'unattributable' | 'busy' | 'unsettled' | 'resolving' | 'resolve' | 'free' | 'wait' | 'go';

/** An attempt whose answer was lost (another notification's, or this one's). */
export interface PendingAttempt {
  id: bigint;
  notificationId: string;
  /** Epoch ms, database clock. */
  startedAt: number;
  boundAt: number;
}

export interface LaneAnswer {
  state: LaneState;
  /** `go`: the lane attempt to end once the create has an answer. */
  attemptId: bigint | null;
  /** `go`: the send in the sender's window (see `finishSend`). */
  sendId: bigint | null;
  /** `wait`: the slot reserved in the sender's spacing (epoch ms, database clock). */
  slotAt: number | null;
  /** When to ask again (epoch ms, database clock). */
  retryAt: number;
  /** The database's clock when it answered (epoch ms). */
  nowAt: number;
  /** `sent`: the SID on record for this notification. */
  sentSid: string | null;
  /** `busy`, `unsettled`, `resolving`, `resolve`: the lane's pending attempt. */
  pending: PendingAttempt | null;
}

export type LaneRow = {
  lane_state: LaneState;
  attempt_id: bigint | null;
  send_id: bigint | null;
  slot_at: number | null;
  retry_at: number | null;
  now_at: number;
  sent_sid: string | null;
  other_id: bigint | null;
  other_notification: string | null;
  other_started_at: number | null;
  other_bound_at: number | null;
};

/** The call, to run alone or inside a larger statement (the send attempt's). */
export function takeSendLaneSql(request: LaneRequest): Prisma.Sql {
  const { slot } = request;
  const { limit, windowMs } = sendWindow(slot.ratePerSecond);
  const intervalMs = 1000 / (slot.ratePerSecond * SEND_RATE_HEADROOM);
  const boundMs = slot.requestTimeoutMs + SEND_BOUND_MARGIN_MS;
  // A look-up reads a page or two within a request timeout; another taker waits that long before it looks itself.
  const resolveMs = slot.requestTimeoutMs + SEND_BOUND_MARGIN_MS;
  return Prisma.sql`relay_take_send_lane(${request.sender}, ${request.recipient}, ${request.notificationId}, ${request.create},
    ${boundMs}::float8, ${request.settleMs}::float8, ${resolveMs}::float8, ${LANE_POLL_MS}::float8,
    ${intervalMs}::float8, ${limit}::int, ${windowMs}::float8, ${slot.reserve}, ${SEND_WINDOW_POLL_MS}::float8)`;
}

const big = (v: bigint | number | null) => (v === null ? null : BigInt(v));
const num = (v: number | null) => (v === null ? null : Number(v));

export function toLaneAnswer(row: LaneRow): LaneAnswer {
  const nowAt = Number(row.now_at);
  return {
    state: row.lane_state,
    attemptId: big(row.attempt_id),
    sendId: big(row.send_id),
    slotAt: num(row.slot_at),
    retryAt: num(row.retry_at) ?? nowAt,
    nowAt,
    sentSid: row.sent_sid,
    pending:
      row.other_id === null
        ? null
        : { id: BigInt(row.other_id), notificationId: row.other_notification!, startedAt: Number(row.other_started_at), boundAt: Number(row.other_bound_at) },
  };
}

export async function takeSendLane(prisma: PrismaClient, request: LaneRequest): Promise<LaneAnswer> {
  const [row] = await prisma.$queryRaw<LaneRow[]>`SELECT * FROM ${takeSendLaneSql(request)}`;
  if (!row) throw new Error(`no send lane answer for ${request.notificationId}`);
  return toLaneAnswer(row);
}

/** Ends a lane attempt in flight without a message: `refused` frees the lane, `ambiguous` keeps it shut until looked up. */
export const endLaneAttemptSql = (attemptId: bigint, outcome: 'refused' | 'ambiguous') =>
  Prisma.sql`UPDATE send_lane_attempt SET outcome = ${outcome}, ended_at = clock_timestamp() WHERE id = ${attemptId} AND outcome IS NULL`;

/** Ends a create that brought no message back: its send counts in the sender's window from now, its lane attempt ends `outcome`. */
export async function endLaneSend(prisma: PrismaClient, attemptId: bigint, sendId: bigint, outcome: 'refused' | 'ambiguous'): Promise<void> {
  await prisma.$executeRaw`WITH finished AS (${finishSendSql(sendId)}) ${endLaneAttemptSql(attemptId, outcome)}`;
}

/** Gives back a lane attempt and its send that never left (nothing reached the vendor). */
export async function giveBackLane(prisma: PrismaClient, attemptId: bigint, sendId: bigint): Promise<void> {
  await prisma.$executeRaw`WITH released AS (${releaseSendSql(sendId)}) ${endLaneAttemptSql(attemptId, 'refused')}`;
}

/** Ends a lane attempt with the message the vendor answered with. */
export const laneAttemptSentSql = (attemptId: bigint, vendorMessageId: string) =>
  Prisma.sql`UPDATE send_lane_attempt SET outcome = 'sent', vendor_message_id = ${vendorMessageId}, ended_at = clock_timestamp()
    WHERE id = ${attemptId} AND outcome IS NULL`;

/** Records what a look-up found for a pending attempt, unless someone recorded it first; the row's id when this call did. */
export const resolveLaneAttemptSql = (attemptId: bigint, outcome: 'adopted' | 'absent' | 'unattributable', vendorMessageId: string | null) =>
  Prisma.sql`UPDATE send_lane_attempt SET outcome = ${outcome}, vendor_message_id = ${vendorMessageId}, ended_at = clock_timestamp(), resolving_until = NULL
    WHERE id = ${attemptId} AND (outcome IS NULL OR outcome = 'ambiguous') AND bound_at <= clock_timestamp()
    RETURNING notification_id`;

/** SIDs the lane's other attempts are known to have created (since `since`): never another attempt's message. */
export async function sidsRecordedOnLane(prisma: PrismaClient, sender: string, recipient: string, exceptAttempt: bigint, since: Date): Promise<string[]> {
  const rows = await prisma.sendLaneAttempt.findMany({
    where: { sender, recipient, id: { not: exceptAttempt }, vendorMessageId: { not: null }, startedAt: { gte: since } },
    select: { vendorMessageId: true },
  });
  return rows.map((r) => r.vendorMessageId!);
}
