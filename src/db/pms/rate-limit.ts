import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import type { PrismaClient } from '../../generated/prisma/client';
import type { RateScope } from '../../integrations/pms/adapter';
import { PmsFailureType, pauseRequestOf } from '../../integrations/pms/errors';
import type { Logger } from '../../logger';
import { pausePmsCalls, vendorPauseKey } from './call-pauses';

/**
 * A PMS vendor's call limit at the scope the vendor counts it (Mews: per access token; OPERA:
 * per environment; others per hotel or client), shared by every worker process through one
 * row per scope in PostgreSQL (`relay_take_pms_call`, see the PMS migrations): each request
 * an adapter sends takes a call, waiting for the time the database names when the window is
 * full, and gives it back when its answer returns. A task-queue rate limit could not do this:
 * it counts per queue, not per access token, and ignores local activities.
 */

/**
 * A call stays in the window until its answer returns (see the migration
 * `pms_call_holds_and_pauses`), so how late a busy worker sends it no longer matters. The
 * margin is left for what the answer cannot vouch for: a request given up on (timeout,
 * cancellation) may still reach the vendor a moment after Relay stopped waiting.
 */
export const windowMargin = (windowMs: number) => Math.min(1_000, Math.max(50, windowMs * 0.02));

/**
 * How long a call taken and never answered holds its place: longer than any vendor request may
 * take (the vendor clients time out at 30 s), so only a worker that died mid-request leaves one.
 */
export const CALL_HOLD_MS = 60_000;

/** A vendor's limit at one of its scopes, as the core counts it. */
export interface PmsCallScope extends RateScope {
  /** The vendor's key: a pause of every scope of the vendor is kept under `<vendor>:*`. */
  vendor: string;
}

/** A call taken from a scope's limit: `slot` names it when its answer returns. */
export interface TakenCall {
  /** 0: taken; otherwise milliseconds until one may be free (ask again then). */
  waitMs: number;
  /** The call's placeholder in the window, as PostgreSQL wrote it (microseconds kept). */
  slot: string | null;
  /** > 0: the scope (or its vendor) is paused for this long, and nothing was taken. */
  pausedMs: number;
}

/** Takes one call, or says how many milliseconds until one may be free. */
export async function takePmsCall(prisma: PrismaClient, scope: PmsCallScope, holdMs = CALL_HOLD_MS): Promise<TakenCall> {
  const windowMs = scope.windowMs + windowMargin(scope.windowMs);
  const pauseKeys = [scope.key, vendorPauseKey(scope.vendor)];
  const [row] = await prisma.$queryRaw<Array<{ wait_ms: number; slot: string | null; paused_ms: number }>>`
    SELECT wait_ms, slot::text AS slot, paused_ms
    FROM relay_take_pms_call(${scope.key}, ${scope.limit}::int, ${windowMs}::float8, ${holdMs}::float8, ${pauseKeys}::text[])`;
  return { waitMs: Number(row?.wait_ms ?? 0), slot: row?.slot ?? null, pausedMs: Number(row?.paused_ms ?? 0) };
}

/** The call's answer came back (or it failed): it leaves the window one window from now. */
export async function releasePmsCall(prisma: PrismaClient, scope: PmsCallScope, slot: string): Promise<void> {
  await prisma.$executeRaw`SELECT relay_release_pms_call(${scope.key}, ${slot}::timestamptz)`;
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

  /**
   * Sends one request within the scope's limit: waits until a call is free, sends, and keeps
   * the call in the window until the answer (or the failure) is back.
   */
  async within<T>(scope: PmsCallScope, send: () => Promise<T>, options: ThrottleOptions = {}): Promise<T> {
    const slot = await this.take(scope, options);
    try {
      return await send();
    } catch (err) {
      await this.pauseIfAsked(scope, err);
      throw err;
    } finally {
      await this.release(scope, slot);
    }
  }

  private async take(scope: PmsCallScope, options: ThrottleOptions): Promise<string> {
    let waited = 0;
    for (;;) {
      const { waitMs, slot, pausedMs } = await takePmsCall(this.options.prisma, scope);
      if (pausedMs > 0) throw callsPaused(scope, pausedMs);
      if (slot !== null) {
        if (waited > 0) this.options.logger?.debug({ scope: scope.key, waitedMs: waited }, 'waited for the PMS call limit');
        return slot;
      }
      const sliceMs = Math.min(Math.ceil(waitMs), WAIT_SLICE_MS);
      options.onWait?.(sliceMs);
      await sleep(sliceMs, undefined, { signal: options.signal });
      waited += sliceMs;
    }
  }

  /** A release that fails leaves the placeholder to age out (CALL_HOLD_MS): slower, never over the limit. */
  /** The vendor refused every call at a scope for a while (the failure says so): every worker stops calling there. */
  private async pauseIfAsked(scope: PmsCallScope, error: unknown): Promise<void> {
    const pause = pauseRequestOf(error);
    if (!pause) return;
    const key = pause.scope === 'vendor' ? vendorPauseKey(scope.vendor) : scope.key;
    const reason = error instanceof Error ? error.message : 'the vendor refused every call';
    try {
      const until = await pausePmsCalls(this.options.prisma, key, pause.ms, reason);
      this.options.logger?.warn({ vendor: scope.vendor, scope: key, pausedUntil: until.toISOString() }, 'the PMS vendor refuses every call here for a while; calls are paused');
    } catch (err) {
      // The vendor's own failure still reaches the caller (and its retry waits the delay it names).
      this.options.logger?.warn({ vendor: scope.vendor, scope: key, err: err instanceof Error ? err.message : String(err) }, 'could not record a pause of PMS calls');
    }
  }

  private async release(scope: PmsCallScope, slot: string): Promise<void> {
    try {
      await releasePmsCall(this.options.prisma, scope, slot);
    } catch (err) {
      this.options.logger?.warn({ scope: scope.key, err: err instanceof Error ? err.message : String(err) }, 'could not release a PMS call; it holds its place until it ages out');
    }
  }
}

/** Nothing was sent: the vendor's pause is waited out by Temporal's retry, not by a sleeping activity. */
function callsPaused(scope: PmsCallScope, pausedMs: number): ApplicationFailure {
  const until = new Date(Date.now() + pausedMs).toISOString();
  return ApplicationFailure.create({
    type: PmsFailureType.Unavailable,
    message: `${scope.vendor}: calls are paused until ${until}, as the vendor asked (see GET /v1/pms/vendors); nothing was sent`,
    nextRetryDelay: Math.ceil(pausedMs),
    details: [{ vendor: scope.vendor, pausedUntil: until, ambiguous: false }],
  });
}
