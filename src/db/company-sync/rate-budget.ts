/**
 * Exact Online's per-division call budget, shared by every worker process and every workflow of the division
 * (import, incremental sync, reconciliation, outbound writes) through one row per division in PostgreSQL
 * (`exact_rate_budgets`, see the company-sync migration):
 *
 * - before every call to a division's endpoint a caller takes a call with `relay_take_exact_call` (one statement
 *   under the division's row lock: the clock minute's and the day's counts against the limits, or a block Exact
 *   imposed); a caller that gets none waits for the time it is told when that is near (the next minute), and
 *   otherwise stops with `ExactBudgetExhausted` so that its run ends as a partial success and resumes later;
 * - after every answer, Exact's rate headers are noted with `relay_note_exact_limits`: Exact's count wins where it
 *   is higher than ours (calls made outside this deployment), its reset times set the windows' phase, and a 429 or
 *   none remaining blocks the division until Exact's reset, so that no caller bursts into a refusal.
 *
 * Times compared here are the database's (every process sees the same clock); what a caller is told to wait is
 * the difference, applied to its own clock.
 */
import type { PrismaClient } from '../../generated/prisma/client';
import { delay, ExactBudgetExhausted, type ExactRateScope } from '../../integrations/exact/errors';
import { type ExactRateHeaders, refusedUntil } from '../../integrations/exact/rate-headers';
import type { Logger } from '../../logger';

export interface ExactCallLimits {
  /** Calls per division per clock minute (Exact: 60). */
  minuteLimit: number;
  /** Calls per division per day (Exact: 5 000; more with a Premium licence). */
  dayLimit: number;
}

export const EXACT_DEFAULT_LIMITS: ExactCallLimits = { minuteLimit: 60, dayLimit: 5_000 };

/** How long a caller waits for the budget before giving up the run: past the next minute, never for the next day. */
export const EXACT_DEFAULT_MAX_WAIT_MS = 65_000;

/** A wait this long or shorter is the minute's; longer is the day's (or a block Exact imposed until then). */
const MINUTE_SCOPE_MS = 61_000;

export interface TakeAnswer {
  granted: boolean;
  /** When to ask again (epoch ms, database clock); now when granted. */
  retryAt: number;
  /** The database's clock when it answered (epoch ms). */
  nowAt: number;
  minuteRemaining: number;
  dayRemaining: number;
}

type TakeRow = { granted: boolean; retry_at: number; now_at: number; minute_remaining: number; day_remaining: number };

/** One call from the division's budget, or when to ask again. */
export async function takeExactCall(prisma: PrismaClient, division: number, limits: ExactCallLimits = EXACT_DEFAULT_LIMITS): Promise<TakeAnswer> {
  const [row] = await prisma.$queryRaw<TakeRow[]>`SELECT granted, retry_at, now_at, minute_remaining, day_remaining
    FROM relay_take_exact_call(${division}::int, ${limits.minuteLimit}::int, ${limits.dayLimit}::int)`;
  if (!row) throw new Error(`no budget answer for division ${division}`);
  return {
    granted: row.granted,
    retryAt: Number(row.retry_at),
    nowAt: Number(row.now_at),
    minuteRemaining: Number(row.minute_remaining),
    dayRemaining: Number(row.day_remaining),
  };
}

/** What Exact's headers said after a call (reset times epoch ms, Exact's clock). */
export interface ExactLimitsNote {
  minuteRemaining?: number;
  minuteResetMs?: number;
  dayRemaining?: number;
  dayResetMs?: number;
  /** The call was refused with a 429. */
  refused: boolean;
}

export async function noteExactLimits(prisma: PrismaClient, division: number, note: ExactLimitsNote): Promise<void> {
  await prisma.$queryRaw`SELECT relay_note_exact_limits(${division}::int, ${note.minuteRemaining ?? null}::int, ${note.minuteResetMs ?? null}::float8,
    ${note.dayRemaining ?? null}::int, ${note.dayResetMs ?? null}::float8, ${note.refused}::boolean)::text`;
}

/** The division's budget as operators and metrics see it. */
export interface ExactBudgetStatus {
  division: number;
  minuteLimit: number;
  dayLimit: number;
  /** Calls left in the current minute and day (by Relay's count, raised to Exact's where Exact counted more). */
  minuteRemaining: number;
  dayRemaining: number;
  /** Exact refused calls (a 429) or reported none left: no call before then. Null when not blocked. */
  blockedUntil: Date | null;
  minuteResetsAt: Date | null;
  dayResetsAt: Date | null;
  /** What Exact's headers last reported for the day. */
  reportedDailyRemaining: number | null;
}

type StatusRow = {
  minute_limit: number;
  day_limit: number;
  minute_remaining: number;
  day_remaining: number;
  blocked_until: Date | null;
  minute_resets_at: Date;
  day_resets_at: Date;
  reported_daily_remaining: number | null;
};

export async function budgetStatus(prisma: PrismaClient, division: number, limits: ExactCallLimits = EXACT_DEFAULT_LIMITS): Promise<ExactBudgetStatus> {
  // The same window rules as relay_take_exact_call, read without taking anything.
  const [row] = await prisma.$queryRaw<StatusRow[]>`
    WITH b AS (SELECT r.*, clock_timestamp() AS v_now FROM exact_rate_budgets r WHERE r.division = ${division}::int),
    w AS (SELECT b.*,
        b.v_now >= b.minute_start + interval '1 minute' AS minute_over,
        (b.reported_daily_reset IS NOT NULL AND b.v_now >= b.reported_daily_reset)
          OR (b.reported_daily_reset IS NULL AND b.v_now >= b.day_start + interval '1 day') AS day_over
      FROM b)
    SELECT minute_limit, day_limit,
      CASE WHEN minute_over THEN minute_limit ELSE GREATEST(0, minute_limit - minute_used) END AS minute_remaining,
      CASE WHEN day_over THEN day_limit ELSE GREATEST(0, day_limit - day_used) END AS day_remaining,
      CASE WHEN blocked_until > v_now THEN blocked_until END AS blocked_until,
      CASE WHEN minute_over THEN date_trunc('minute', v_now) + interval '1 minute' ELSE minute_start + interval '1 minute' END AS minute_resets_at,
      CASE WHEN day_over THEN date_trunc('day', v_now) + interval '1 day' ELSE COALESCE(reported_daily_reset, day_start + interval '1 day') END AS day_resets_at,
      CASE WHEN day_over THEN NULL ELSE reported_daily_remaining END AS reported_daily_remaining
    FROM w`;
  if (!row) {
    return {
      division,
      minuteLimit: limits.minuteLimit,
      dayLimit: limits.dayLimit,
      minuteRemaining: limits.minuteLimit,
      dayRemaining: limits.dayLimit,
      blockedUntil: null,
      minuteResetsAt: null,
      dayResetsAt: null,
      reportedDailyRemaining: null,
    };
  }
  return {
    division,
    minuteLimit: Number(row.minute_limit),
    dayLimit: Number(row.day_limit),
    minuteRemaining: Number(row.minute_remaining),
    dayRemaining: Number(row.day_remaining),
    blockedUntil: row.blocked_until,
    minuteResetsAt: row.minute_resets_at,
    dayResetsAt: row.day_resets_at,
    reportedDailyRemaining: row.reported_daily_remaining === null ? null : Number(row.reported_daily_remaining),
  };
}

export interface ExactRateBudgetOptions {
  prisma: PrismaClient;
  limits?: ExactCallLimits;
  /** The longest a caller waits for a call before `ExactBudgetExhausted`. Default 65 s (the next minute). */
  maxWaitMs?: number;
  logger?: Logger;
}

export interface TakeOptions {
  /** Cancels the wait (an activity's cancellation signal). */
  signal?: AbortSignal;
  /** Overrides the budget's horizon for this call (0: never wait). */
  maxWaitMs?: number;
}

/** A little past the time the database named, so that the next ask lands in the new window. */
const WAKE_MARGIN_MS = 5;

/** The division budgets of one process: take before each call, note after each answer. */
export class ExactRateBudget {
  readonly limits: ExactCallLimits;
  readonly maxWaitMs: number;

  constructor(private readonly options: ExactRateBudgetOptions) {
    this.limits = options.limits ?? EXACT_DEFAULT_LIMITS;
    this.maxWaitMs = options.maxWaitMs ?? EXACT_DEFAULT_MAX_WAIT_MS;
  }

  /**
   * Takes one call from the division's budget, waiting for it while the wait ends within the horizon; beyond
   * it throws `ExactBudgetExhausted` with when to come back (this process's clock).
   */
  async take(division: number, options: TakeOptions = {}): Promise<{ minuteRemaining: number; dayRemaining: number; waitedMs: number }> {
    const started = Date.now();
    const horizon = options.maxWaitMs ?? this.maxWaitMs;
    for (;;) {
      const answer = await takeExactCall(this.options.prisma, division, this.limits);
      if (answer.granted) return { minuteRemaining: answer.minuteRemaining, dayRemaining: answer.dayRemaining, waitedMs: Date.now() - started };
      const waitMs = Math.max(0, answer.retryAt - answer.nowAt) + WAKE_MARGIN_MS;
      const scope: ExactRateScope = waitMs <= MINUTE_SCOPE_MS ? 'minutely' : 'daily';
      const waitedMs = Date.now() - started;
      if (waitedMs + waitMs > horizon) {
        this.options.logger?.warn({ division, scope, retryInMs: waitMs }, 'exact call budget spent');
        throw new ExactBudgetExhausted({ retryAtMs: Date.now() + waitMs, scope, division });
      }
      this.options.logger?.debug({ division, scope, waitMs }, 'waiting for the exact call budget');
      await delay(waitMs, options.signal);
    }
  }

  /** Notes what Exact's headers said after an answer that was not a 429. */
  async note(division: number, rate: ExactRateHeaders): Promise<void> {
    await noteExactLimits(this.options.prisma, division, {
      minuteRemaining: rate.minutely.remaining,
      minuteResetMs: rate.minutely.resetMs,
      dayRemaining: rate.daily.remaining,
      dayResetMs: rate.daily.resetMs,
      refused: false,
    });
  }

  /**
   * Notes a 429: the division is blocked until Exact's reset (the next clock minute when Exact named none), so
   * that every caller waits for it instead of bursting. Returns when and which window.
   */
  async refused(division: number, rate: ExactRateHeaders, now = Date.now()): Promise<{ retryAtMs: number; scope: ExactRateScope }> {
    const until = refusedUntil(rate, now);
    const daily = until.scope === 'daily';
    await noteExactLimits(this.options.prisma, division, {
      minuteRemaining: daily ? rate.minutely.remaining : 0,
      minuteResetMs: daily ? rate.minutely.resetMs : until.retryAtMs,
      dayRemaining: rate.daily.remaining,
      dayResetMs: rate.daily.resetMs,
      refused: !daily,
    });
    this.options.logger?.warn({ division, scope: until.scope, retryAtMs: until.retryAtMs }, 'exact refused a call (429)');
    return until;
  }

  status(division: number): Promise<ExactBudgetStatus> {
    return budgetStatus(this.options.prisma, division, this.limits);
  }
}
