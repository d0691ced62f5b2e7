import path from 'node:path';
import { z } from 'zod';
import { type Config, ConfigError, csv } from '../../config';
import { SYNCED_FIELDS, type SyncedField } from '../../domain/company-sync/company-fields';
import { EXACT_DEMO_CLIENT_ID, EXACT_DEMO_CLIENT_SECRET, EXACT_SIMULATOR_DEFAULT_PORT } from '../../integrations/exact/simulator/demo-data';
import type { SectionResult } from '../module';

/**
 * The company sync's configuration section: Exact Online's app credentials (which decide live,
 * demo or disabled), Exact's call limits, the schedules' cadence and the conflict policy.
 */

/** The simulator's public demo app (src/integrations/exact/simulator): never valid at Exact. */
export const EXACT_DEMO_APP = { clientId: EXACT_DEMO_CLIENT_ID, clientSecret: EXACT_DEMO_CLIENT_SECRET } as const;
export const EXACT_DEFAULT_SIMULATOR_PORT = EXACT_SIMULATOR_DEFAULT_PORT;

const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, 'must be a number with a unit, e.g. 30m, 24h, 7d')
  .transform((v) => {
    const [, n, unit] = /^(\d+)(ms|s|m|h|d)$/.exec(v)!;
    return Number(n) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit as 'ms' | 's' | 'm' | 'h' | 'd'];
  });

const schema = z.object({
  /** The Exact Online app (App Center) Relay authorises as; both or neither. */
  EXACT_CLIENT_ID: z.string().min(1).optional(),
  EXACT_CLIENT_SECRET: z.string().min(1).optional(),
  /** Exact's country host: https://start.exactonline.nl (default), .be, .de, .co.uk, .com, .fr, .es. */
  EXACT_BASE_URL: z.url().optional(),
  /** Demo mode: where the local Exact simulator listens. */
  EXACT_SIMULATOR_PORT: z.coerce.number().int().min(1).max(65_535).default(EXACT_DEFAULT_SIMULATOR_PORT),
  /** Exact's limits per app per division: 60 calls a minute, 5 000 a day (more with a Premium licence). */
  EXACT_MINUTE_LIMIT: z.coerce.number().int().min(1).default(60),
  EXACT_DAILY_LIMIT: z.coerce.number().int().min(1).default(5_000),
  /** How often each selected division's incremental sync runs. */
  EXACT_SYNC_INTERVAL: duration.default(5 * 60_000),
  /** When the drift reconciliation runs (cron, UTC). */
  EXACT_RECONCILE_CRON: z.string().min(9).default('30 2 * * *'),
  /** An open conflict reminds operators after this long, then escalates. */
  EXACT_CONFLICT_REMIND_AFTER: duration.default(24 * 3_600_000),
  EXACT_CONFLICT_ESCALATE_AFTER: duration.default(72 * 3_600_000),
  /** Fields changed on both sides that go to an operator instead of last-write-wins (comma-separated). */
  EXACT_MANUAL_REVIEW_FIELDS: z.string().optional(),
  /** The division companies created through Relay's API go to (default: the lowest enabled division). */
  EXACT_OUTBOUND_DIVISION: z.coerce.number().int().min(1).optional(),
});

export interface ExactAppSettings {
  mode: 'live' | 'demo';
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Where Exact sends the operator back after authorising (Relay's `/v1/exact/callback`). */
  redirectUri: string;
  simulatorPort: number;
  /** Demo mode against a simulator Relay does not start (EXACT_BASE_URL set, e.g. a compose service). */
  external: boolean;
  /** Where the simulator `npm start` runs keeps its state (grants, accounts) across restarts. */
  simulatorStateFile: string;
}

export interface CompanySyncSettings {
  exact: ExactAppSettings;
  minuteLimit: number;
  dayLimit: number;
  syncIntervalMs: number;
  reconcileCron: string;
  conflictRemindAfterMs: number;
  conflictEscalateAfterMs: number;
  manualReviewFields: SyncedField[];
  /** Where companies without a link are created, when that division is enabled. */
  outboundDivision?: number;
}

export const COMPANY_SYNC_VARIABLES = Object.keys(schema.shape);
const REQUIRED_LIVE = ['EXACT_CLIENT_ID', 'EXACT_CLIENT_SECRET'] as const;

export function loadCompanySyncSettings(env: NodeJS.ProcessEnv, core: Pick<Config, 'api' | 'local'>): SectionResult<CompanySyncSettings> {
  const cleaned = Object.fromEntries(Object.keys(schema.shape).flatMap((name) => (env[name] ? [[name, env[name]]] : [])));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  const raw = parsed.data;
  const problems: string[] = [];
  if (Boolean(raw.EXACT_CLIENT_ID) !== Boolean(raw.EXACT_CLIENT_SECRET)) problems.push('EXACT_CLIENT_ID and EXACT_CLIENT_SECRET: set both or neither');
  const manualReviewFields = csv(raw.EXACT_MANUAL_REVIEW_FIELDS ?? '');
  const unknown = manualReviewFields.filter((f) => !(SYNCED_FIELDS as readonly string[]).includes(f));
  if (unknown.length) problems.push(`EXACT_MANUAL_REVIEW_FIELDS: unknown field(s) ${unknown.join(', ')} (known: ${SYNCED_FIELDS.join(', ')})`);
  if (raw.EXACT_CONFLICT_ESCALATE_AFTER < raw.EXACT_CONFLICT_REMIND_AFTER) problems.push('EXACT_CONFLICT_ESCALATE_AFTER: must not be shorter than EXACT_CONFLICT_REMIND_AFTER');
  if (problems.length) throw new ConfigError(problems);

  const live = Boolean(raw.EXACT_CLIENT_ID && raw.EXACT_CLIENT_SECRET);
  const exact: ExactAppSettings = {
    mode: live ? 'live' : 'demo',
    baseUrl: (live ? (raw.EXACT_BASE_URL ?? 'https://start.exactonline.nl') : (raw.EXACT_BASE_URL ?? `http://127.0.0.1:${raw.EXACT_SIMULATOR_PORT}`)).replace(/\/$/, ''),
    clientId: raw.EXACT_CLIENT_ID ?? EXACT_DEMO_APP.clientId,
    clientSecret: raw.EXACT_CLIENT_SECRET ?? EXACT_DEMO_APP.clientSecret,
    redirectUri: `${core.api.publicUrl.replace(/\/$/, '')}/v1/exact/callback`,
    simulatorPort: raw.EXACT_SIMULATOR_PORT,
    external: !live && Boolean(raw.EXACT_BASE_URL),
    simulatorStateFile: path.join(core.local.dataDir, 'exact-simulator.json'),
  };
  const settings: CompanySyncSettings = {
    exact,
    minuteLimit: raw.EXACT_MINUTE_LIMIT,
    dayLimit: raw.EXACT_DAILY_LIMIT,
    syncIntervalMs: raw.EXACT_SYNC_INTERVAL,
    reconcileCron: raw.EXACT_RECONCILE_CRON,
    conflictRemindAfterMs: raw.EXACT_CONFLICT_REMIND_AFTER,
    conflictEscalateAfterMs: raw.EXACT_CONFLICT_ESCALATE_AFTER,
    manualReviewFields: manualReviewFields as SyncedField[],
    outboundDivision: raw.EXACT_OUTBOUND_DIVISION,
  };
  return live ? { mode: 'live', settings } : { mode: 'unconfigured', missing: REQUIRED_LIVE, demo: settings };
}
