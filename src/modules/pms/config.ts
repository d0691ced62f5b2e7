import { z } from 'zod';
import { type Config, ConfigError } from '../../config';
import type { AnyPmsVendor } from '../../integrations/pms/vendor';
import type { SectionResult } from '../module';

/**
 * The PMS module's configuration section: how long each kind of cached data stays fresh, the
 * arrivals polls' default cadence, and each registered vendor's own settings (its `PMS_<VENDOR>_*`
 * variables, read by the vendor's definition — this file never names a vendor). The module is
 * live when at least one vendor has its settings; vendors without them are disabled then. With
 * none, every vendor runs against its local simulator (demo mode, outside production).
 */

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const duration = z
  .string()
  .regex(DURATION, 'must be a number with a unit, e.g. 90s, 5m, 1h')
  .transform((v) => {
    const [, n, unit] = DURATION.exec(v)!;
    return Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS];
  });

const port = z.coerce.number().int().min(1).max(65_535);

const schema = z.object({
  /** Cached data younger than this is answered without asking the PMS: rooms change by the minute, profiles rarely. */
  PMS_CACHE_TTL_ROOMS: duration.default(60_000),
  PMS_CACHE_TTL_RESERVATIONS: duration.default(5 * 60_000),
  PMS_CACHE_TTL_GUESTS: duration.default(3_600_000),
  /** Every new property's arrivals poll (each property may set its own). */
  PMS_POLL_INTERVAL: duration.default(5 * 60_000),
  /** Random delay added to each poll, so that properties do not all fire at once. */
  PMS_POLL_JITTER: duration.default(60_000),
  /** How long a read waits for the PMS before it answers the cached copy marked stale. */
  PMS_READ_TIMEOUT: duration.default(15_000),
  /** How long a write request waits for the PMS's answer before answering 202 (ask again with the same key). */
  PMS_WRITE_WAIT: duration.default(30_000),
});

export const PMS_OWN_VARIABLES = Object.keys(schema.shape);

/** A registered vendor as this deployment runs it. */
export type PmsVendorState =
  | { definition: AnyPmsVendor; enabled: true; settings: unknown; simulator?: { port: number; url: string } }
  | { definition: AnyPmsVendor; enabled: false; missing: readonly string[] };

export interface PmsSettings {
  cacheTtlMs: { rooms: number; reservations: number; guests: number };
  pollIntervalMs: number;
  pollJitterMs: number;
  readTimeoutMs: number;
  writeWaitMs: number;
  vendors: readonly PmsVendorState[];
}

/** Every variable the section reads: its own and each vendor's (settings and demo simulator port). */
export const pmsVariables = (vendors: readonly AnyPmsVendor[]): string[] => [
  ...PMS_OWN_VARIABLES,
  ...new Set(vendors.flatMap((v) => [...v.settings.variables, v.simulator.portVariable])),
];

export function loadPmsSettings(vendors: readonly AnyPmsVendor[]) {
  return (env: NodeJS.ProcessEnv, _core: Pick<Config, 'api'>): SectionResult<PmsSettings> => {
    const cleaned = Object.fromEntries(PMS_OWN_VARIABLES.flatMap((name) => (env[name] ? [[name, env[name]]] : [])));
    const parsed = schema.safeParse(cleaned);
    const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    const live = new Map<string, unknown>();
    for (const vendor of vendors) {
      try {
        const settings = vendor.settings.load(env);
        if (settings !== null) live.set(vendor.key, settings);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        problems.push(...err.problems);
      }
      const simulatorPort = env[vendor.simulator.portVariable];
      if (simulatorPort && !port.safeParse(simulatorPort).success) problems.push(`${vendor.simulator.portVariable}: must be a port number (1-65535)`);
    }
    if (!parsed.success || problems.length) throw new ConfigError(problems);
    const raw = parsed.data;
    const common = {
      cacheTtlMs: { rooms: raw.PMS_CACHE_TTL_ROOMS, reservations: raw.PMS_CACHE_TTL_RESERVATIONS, guests: raw.PMS_CACHE_TTL_GUESTS },
      pollIntervalMs: raw.PMS_POLL_INTERVAL,
      pollJitterMs: raw.PMS_POLL_JITTER,
      readTimeoutMs: raw.PMS_READ_TIMEOUT,
      writeWaitMs: raw.PMS_WRITE_WAIT,
    };
    if (live.size > 0) {
      const states = vendors.map((definition): PmsVendorState =>
        live.has(definition.key)
          ? { definition, enabled: true, settings: live.get(definition.key) }
          : { definition, enabled: false, missing: definition.settings.variables.filter((name) => !env[name]) },
      );
      return { mode: 'live', settings: { ...common, vendors: states } };
    }
    const demo = vendors.map((definition): PmsVendorState => {
      const simulatorPort = Number(env[definition.simulator.portVariable] || definition.simulator.defaultPort);
      const url = `http://127.0.0.1:${simulatorPort}`;
      return { definition, enabled: true, settings: definition.settings.demo(url), simulator: { port: simulatorPort, url } };
    });
    return { mode: 'unconfigured', missing: [...new Set(vendors.flatMap((v) => v.settings.variables))], demo: { ...common, vendors: demo } };
  };
}

/** The vendor's state, or undefined for a key no vendor has. */
export const vendorState = (settings: PmsSettings, key: string) => settings.vendors.find((v) => v.definition.key === key);

/** Why a vendor cannot be used here, in words for an API answer. */
export const disabledVendorMessage = (key: string, missing: readonly string[]) =>
  `The PMS vendor ${key} is not configured in this deployment: set ${missing.join(', ')} to enable it`;
