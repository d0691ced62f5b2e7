import { setTimeout as sleep } from 'node:timers/promises';
import type { PrismaClient } from '../../generated/prisma/client';
import type { RateScope } from '../../integrations/pms/adapter';
import type { Logger } from '../../logger';

/**
 * A PMS vendor's call limit at the scope the vendor counts it (Mews: per access token; OPERA:
 * per environment; others per hotel or client), shared by every worker process through one
 * row per scope in PostgreSQL (`relay_take_pms_call`, see the PMS migration): before each
 * request an adapter takes a call; when the window is full it waits for the time the database
 * names. A task-queue rate limit could not do this: it counts per queue, not per access token,
 * and ignores local activities.
 */

/**
 * Requests reach the vendor a little after they are taken, and not all equally late (a busy
 * worker's event loop, a slow connection): the window Relay counts is longer than the vendor's,
 * so no window of the vendor's ever holds more than its limit. 50 ms proved too little for
 * per-second limits on busy workers (`bench:arrivals` counted requests over Clock's and OPERA's
 * limits); a quarter second or a tenth of the window, whichever is longer, held.
 */
export const windowMargin = (windowMs: number) => Math.min(3_000, Math.max(250, windowMs * 0.1));

/** Takes one call, or says how many milliseconds until one is free (0: taken). */
export async function takePmsCall(prisma: PrismaClient, scope: RateScope): Promise<number> {
  const windowMs = scope.windowMs + windowMargin(scope.windowMs);
  const [row] = await prisma.$queryRaw<Array<{ wait_ms: number }>>`SELECT relay_take_pms_call(${scope.key}, ${scope.limit}::int, ${windowMs}::float8) AS wait_ms`;
  return Number(row?.wait_ms ?? 0);
}

/** Longest single sleep: a waiting activity heartbeats at least this often. */
const WAIT_SLICE_MS = 5_000;

export interface ThrottleOptions {
  signal?: AbortSignal;
  /** Called before each sleep (an activity heartbeats here). */
  onWait?: (waitMs: number) => void;
}

export class PmsRateLimiter {
  constructor(private readonly options: { prisma: PrismaClient; logger?: Logger }) {}

  /** Resolves once a call is taken from the scope's limit. */
  async throttle(scope: RateScope, options: ThrottleOptions = {}): Promise<void> {
    let waited = 0;
    for (;;) {
      const waitMs = await takePmsCall(this.options.prisma, scope);
      if (waitMs <= 0) {
        if (waited > 0) this.options.logger?.debug({ scope: scope.key, waitedMs: waited }, 'waited for the PMS call limit');
        return;
      }
      const slice = Math.min(Math.ceil(waitMs), WAIT_SLICE_MS);
      options.onWait?.(slice);
      await sleep(slice, undefined, { signal: options.signal });
      waited += slice;
    }
  }
}
