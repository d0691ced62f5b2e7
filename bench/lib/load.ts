import type { Pool } from 'pg';
import type { z } from 'zod';
import type { SendNotificationBody } from '../../src/api/routes/notifications/schemas';
import type { SimMessage } from '../../src/integrations/twilio/simulator';
import { say } from './stack';

/** Runs `fn` over `items` with at most `concurrency` calls in flight. */
export async function runPool<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  });
  await Promise.all(lanes);
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Each bench message carries a marker in its body, so the simulator's record can be matched to the sender's. */
export const markerOf = (m: Pick<SimMessage, 'body'>): string | null => /\[(m-[\w.-]+)\]/.exec(m.body)?.[1] ?? null;
export const marked = (marker: string) => `[${marker}]`;

/** A distinct E.164 number per message (fictional French mobile range). */
export const recipient = (run: number, i: number) => `+336${String(run * 1_000_000 + i).padStart(8, '0')}`;

export interface Posted {
  id: string;
  marker: string;
  /** When the request left the client and when its answer came back (epoch ms). */
  sentAt: number;
  acceptedAt: number;
  status: number;
}

/** A POST /v1/notifications body, as the API's own schema defines it. */
export type NotificationBody = z.input<typeof SendNotificationBody>;

/**
 * POST /v1/notifications through the API, as a client would: a refused or failed request is
 * retried with the same idempotency key (safe: a repeat returns the same notification).
 */
export async function postNotification(apiUrl: string, apiKey: string, body: NotificationBody, marker: string): Promise<Posted> {
  for (let attempt = 1; ; attempt++) {
    const sentAt = Date.now();
    let status = 0;
    try {
      const res = await fetch(`${apiUrl}/v1/notifications`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      status = res.status;
      await res.arrayBuffer();
    } catch {
      status = 0;
    }
    const acceptedAt = Date.now();
    if (status === 202 || status === 200) return { id: body.idempotencyKey, marker, sentAt, acceptedAt, status };
    if (attempt >= 5) throw new Error(`POST /v1/notifications for ${body.idempotencyKey} failed ${attempt} times (last HTTP ${status})`);
    await new Promise((r) => setTimeout(r, 200 * attempt));
  }
}

/** Counts of the notification log by status, for the given id prefix. */
export async function statusCounts(db: Pool, idPrefix: string): Promise<Record<string, number>> {
  const res = await db.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM notification WHERE id LIKE $1 GROUP BY status', [`${idPrefix}%`]);
  return Object.fromEntries(res.rows.map((r) => [r.status, Number(r.n)]));
}

const FINAL = ['delivered', 'read', 'failed', 'undelivered', 'cancelled'];

/** Polls the notification log until every one of `expected` rows with `idPrefix` is in a final status. */
export async function waitForFinal(db: Pool, idPrefix: string, expected: number, timeoutMs: number, label: string): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  let lastReport = 0;
  for (;;) {
    const counts = await statusCounts(db, idPrefix);
    const final = FINAL.reduce((acc, s) => acc + (counts[s] ?? 0), 0);
    if (final >= expected) return counts;
    if (Date.now() - lastReport > 5_000) {
      say(`${label}: ${final}/${expected} final ${JSON.stringify(counts)}`);
      lastReport = Date.now();
    }
    if (Date.now() > deadline) {
      say(`${label}: gave up waiting after ${timeoutMs} ms with ${final}/${expected} final`);
      return counts;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
