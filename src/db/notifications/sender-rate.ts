import { Prisma, type PrismaClient } from '../../generated/prisma/client';

/**
 * A sender's rate, shared by every worker process through two structures in PostgreSQL
 * (one function call, `relay_take_send_slot`, under the lock of the sender's bucket row):
 *
 * - **Spacing**: each message reserves the sender's next slot, 1/(rate × headroom) after the
 *   previous one (generic cell rate algorithm), so a burst flows evenly and a far-off slot
 *   becomes a durable timer in the workflow.
 * - **Window**: a send starts only while fewer than the sender's limit of its sends are in
 *   flight or finished within the last second, by the database's clock. A request reaches the
 *   vendor before its answer comes back, so this bounds every second at the vendor however
 *   late a busy process or a slow connection delivers a request — spacing alone cannot.
 */

/** Slots are spaced a little under the vendor's rate, so the window rarely has to hold a send back. */
export const SEND_RATE_HEADROOM = 0.98;

/** How soon to ask again when a place in the window depends on a send still in flight. */
export const SEND_WINDOW_POLL_MS = 15;

/**
 * How long after its request timeout an unfinished send (its worker died mid-call) stops
 * counting: by then its request either reached the vendor or never will.
 */
export const SEND_BOUND_MARGIN_MS = 2_000;

/** How many sends the vendor allows in which window, from a rate per second. */
export function sendWindow(ratePerSecond: number): { limit: number; windowMs: number } {
  return ratePerSecond >= 1 ? { limit: Math.floor(ratePerSecond), windowMs: 1000 } : { limit: 1, windowMs: 1000 / ratePerSecond };
}

export interface SlotRequest {
  sender: string;
  ratePerSecond: number;
  /** The send's request timeout: an unfinished send counts for this long (plus a margin). */
  requestTimeoutMs: number;
  /** Reserve the next slot of the spacing; false once a reserved slot has come. */
  reserve: boolean;
}

export interface SlotAnswer {
  /** Set when the send may start now: pass it to `finishSend` once it has an answer. */
  sendId: bigint | null;
  /** The reserved slot's start (epoch ms, database clock). */
  slotAt: number;
  /** When to ask again with `reserve: false` (epoch ms, database clock), when `sendId` is null. */
  retryAt: number;
  /** The database's clock when it answered (epoch ms), to compare with the caller's. */
  nowAt: number;
}

export type SlotRow = { send_id: bigint | null; slot_at: number; retry_at: number; now_at: number };

/** The call, to run alone or inside a larger statement (the send attempt's). */
export function takeSendSlotSql(request: SlotRequest): Prisma.Sql {
  const { limit, windowMs } = sendWindow(request.ratePerSecond);
  const intervalMs = 1000 / (request.ratePerSecond * SEND_RATE_HEADROOM);
  return Prisma.sql`relay_take_send_slot(${request.sender}, ${intervalMs}::float8, ${limit}::int, ${windowMs}::float8,
    ${request.requestTimeoutMs + SEND_BOUND_MARGIN_MS}::float8, ${request.reserve}, ${SEND_WINDOW_POLL_MS}::float8)`;
}

export const toSlotAnswer = (row: SlotRow): SlotAnswer => ({
  sendId: row.send_id === null ? null : BigInt(row.send_id),
  slotAt: Number(row.slot_at),
  retryAt: Number(row.retry_at),
  nowAt: Number(row.now_at),
});

export async function takeSendSlot(prisma: PrismaClient, request: SlotRequest): Promise<SlotAnswer> {
  const [row] = await prisma.$queryRaw<SlotRow[]>`SELECT send_id, slot_at, retry_at, now_at FROM ${takeSendSlotSql(request)}`;
  if (!row) throw new Error(`no send slot answer for ${request.sender}`);
  return toSlotAnswer(row);
}

/** Ends a send in the window at the database's now: it counts for one more window from here. */
export const finishSendSql = (sendId: bigint) =>
  Prisma.sql`UPDATE sender_send SET ends_by = LEAST(ends_by, clock_timestamp()), done = true WHERE id = ${sendId}`;

export async function finishSend(prisma: PrismaClient, sendId: bigint): Promise<void> {
  await prisma.$executeRaw(finishSendSql(sendId));
}

/** Gives back a send that did not go out (nothing reached the vendor). */
export const releaseSendSql = (sendId: bigint) => Prisma.sql`DELETE FROM sender_send WHERE id = ${sendId}`;

export async function releaseSend(prisma: PrismaClient, sendId: bigint): Promise<void> {
  await prisma.$executeRaw(releaseSendSql(sendId));
}

/**
 * A process that has not called the vendor for this long sends its next message on a cold
 * connection (keep-alive connections close after a few idle seconds; the first call also
 * warms the code paths): it opens one while it waits for its slot.
 */
export const COLD_CLIENT_AFTER_MS = 4_000;
