import type { PrismaClient } from '../../generated/prisma/client';

/**
 * Sends at a little under the vendor's rate, so timing jitter between processes never
 * pushes a one-second window over it (real Twilio would queue the excess for hours).
 */
export const SEND_RATE_HEADROOM = 0.96;

export interface SendSlot {
  /** How long to wait before sending, measured on the database's clock (shared by all workers). */
  waitMs: number;
  /**
   * When the slot begins (epoch ms, the database's clock). Sleeping until this time rather than
   * for `waitMs` keeps a slow answer (a busy process, a queue for a pool connection) from
   * making the send late and bunching it with the next one.
   */
  slotAt: number;
  /** The database's clock when it reserved the slot (epoch ms), to compare with the caller's. */
  nowAt: number;
}

/**
 * A process that has not called the vendor for this long sends its next message on a cold
 * connection (keep-alive connections close after a few idle seconds; the first call also
 * warms the code paths): that request can arrive late, right on top of the sender's next
 * slot. Such a send warms the connection while it waits for its slot, or, with no time to,
 * leaves the next slot empty.
 */
export const COLD_CLIENT_AFTER_MS = 4_000;

/**
 * Reserves the sender's next free send slot (generic cell rate algorithm on one row):
 * every worker process draws from the same budget, and the row lock orders them.
 */
export async function reserveSendSlot(prisma: PrismaClient, sender: string, ratePerSecond: number): Promise<SendSlot> {
  const interval = 1 / (ratePerSecond * SEND_RATE_HEADROOM);
  const [row] = await prisma.$queryRaw<{ wait_ms: number; slot_at: number; now_at: number }[]>`
    INSERT INTO sender_rate_bucket AS b (sender, next_at)
    VALUES (${sender}, clock_timestamp() + make_interval(secs => ${interval}::float8))
    ON CONFLICT (sender) DO UPDATE
      SET next_at = GREATEST(b.next_at, clock_timestamp()) + make_interval(secs => ${interval}::float8)
    RETURNING GREATEST(0, EXTRACT(EPOCH FROM (b.next_at - make_interval(secs => ${interval}::float8) - clock_timestamp())) * 1000)::float8 AS wait_ms,
              (EXTRACT(EPOCH FROM (b.next_at - make_interval(secs => ${interval}::float8))) * 1000)::float8 AS slot_at,
              (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::float8 AS now_at`;
  const now = Date.now();
  return { waitMs: Math.max(0, Number(row?.wait_ms ?? 0)), slotAt: Number(row?.slot_at ?? now), nowAt: Number(row?.now_at ?? now) };
}
