/**
 * Switchable failure modes of the simulated API, set at start (`options.faults`), in-process (`setFaults`) or over
 * `PUT|PATCH /__sim/faults`. Each rule fires for its next `next` matching calls, then (or instead) for a `rate`
 * fraction of them drawn from one seeded stream; `method` and `path` (a regular expression tested against the
 * request path, e.g. `crm/Accounts$`) scope it. A rule whose `next` is used up and that has no `rate` is removed.
 */
import type { Rng } from './random';

export interface FaultScope {
  /** HTTP method the rule applies to (any when absent). */
  method?: string;
  /** Regular expression (source) tested against the request path, e.g. `"sync/CRM/Accounts"` (any when absent). */
  path?: string;
}

export interface FaultRule extends FaultScope {
  /** Fires for the next N matching calls. */
  next?: number;
  /** Fraction (0..1) of matching calls it fires for (after `next` is used up). */
  rate?: number;
}

export interface ExactFaults {
  /** Answer a 5xx (the request is not applied). */
  status5xx?: (FaultRule & { status?: 500 | 502 | 503 }) | null;
  /** Hold the request `ms` (real time) before handling it; a client that gave up meanwhile finds nothing applied. */
  timeout?: (FaultRule & { ms: number }) | null;
  /** Answer 429 as if the minutely limit were reached (not counted against the limits). */
  rateLimit429?: FaultRule | null;
  /**
   * Apply a write (POST/PUT, or what `method` says) and lose its answer: the socket is destroyed (`destroy`,
   * default) or the request is held until the client gives up (`hang`). The change IS applied.
   */
  loseAnswer?: (FaultRule & { mode?: 'destroy' | 'hang' }) | null;
  /** Exact's maintenance page (HTML) with 200 or 503, on every matching call while set. */
  maintenance?: (FaultScope & { status: 200 | 503 }) | null;
  /** Pages shorter than the page size (`size` rows) that still carry `__next`: clients must follow `__next`. */
  shortPages?: (FaultRule & { size?: number }) | null;
  /** Added to every API call before it is handled (real time). */
  latencyMs?: number;
}

export type FaultName = 'status5xx' | 'timeout' | 'rateLimit429' | 'loseAnswer' | 'shortPages';
const RULES: FaultName[] = ['status5xx', 'timeout', 'rateLimit429', 'loseAnswer', 'shortPages'];
const KNOWN = new Set<string>([...RULES, 'maintenance', 'latencyMs']);

function checkScope(name: string, scope: FaultScope, problems: string[]): void {
  if (scope.method !== undefined && typeof scope.method !== 'string') problems.push(`${name}.method must be a string`);
  if (scope.path !== undefined) {
    if (typeof scope.path !== 'string') problems.push(`${name}.path must be a regular expression string`);
    else
      try {
        new RegExp(scope.path);
      } catch {
        problems.push(`${name}.path is not a valid regular expression`);
      }
  }
}

/** Rejects nonsense early, so a typo in a benchmark does not silently run without faults. */
export function validateFaults(faults: ExactFaults): void {
  const problems: string[] = [];
  if (typeof faults !== 'object' || faults === null) throw new RangeError('faults must be an object');
  for (const key of Object.keys(faults)) if (!KNOWN.has(key)) problems.push(`unknown fault ${key}`);
  for (const name of RULES) {
    const rule = faults[name] as (FaultRule & Record<string, unknown>) | null | undefined;
    if (rule === undefined || rule === null) continue;
    if (typeof rule !== 'object') {
      problems.push(`${name} must be an object or null`);
      continue;
    }
    checkScope(name, rule, problems);
    if (rule.next !== undefined && !(Number.isInteger(rule.next) && rule.next >= 0)) problems.push(`${name}.next must be a non-negative integer`);
    if (rule.rate !== undefined && !(typeof rule.rate === 'number' && rule.rate >= 0 && rule.rate <= 1)) problems.push(`${name}.rate must be in [0, 1]`);
    if (rule.next === undefined && rule.rate === undefined) problems.push(`${name} needs next or rate`);
  }
  const s5 = faults.status5xx;
  if (s5 && s5.status !== undefined && ![500, 502, 503].includes(s5.status)) problems.push('status5xx.status must be 500, 502 or 503');
  const t = faults.timeout;
  if (t && !(typeof t.ms === 'number' && t.ms >= 0 && Number.isFinite(t.ms))) problems.push('timeout.ms must be a non-negative number');
  const lose = faults.loseAnswer;
  if (lose && lose.mode !== undefined && lose.mode !== 'destroy' && lose.mode !== 'hang') problems.push("loseAnswer.mode must be 'destroy' or 'hang'");
  const short = faults.shortPages;
  if (short && short.size !== undefined && !(Number.isInteger(short.size) && short.size >= 0)) problems.push('shortPages.size must be a non-negative integer');
  const m = faults.maintenance;
  if (m !== undefined && m !== null) {
    if (m.status !== 200 && m.status !== 503) problems.push('maintenance.status must be 200 or 503');
    checkScope('maintenance', m, problems);
  }
  if (faults.latencyMs !== undefined && !(typeof faults.latencyMs === 'number' && faults.latencyMs >= 0)) problems.push('latencyMs must be a non-negative number');
  if (problems.length > 0) throw new RangeError(problems.join('; '));
}

function matches(scope: FaultScope, method: string, path: string): boolean {
  if (scope.method !== undefined && scope.method.toUpperCase() !== method) return false;
  if (scope.path !== undefined && !new RegExp(scope.path).test(path)) return false;
  return true;
}

const WRITE_METHODS = new Set(['POST', 'PUT']);

export class FaultPlan {
  private current: ExactFaults = {};
  /** How often each fault fired. */
  readonly fired: Record<FaultName | 'maintenance', number> = { status5xx: 0, timeout: 0, rateLimit429: 0, loseAnswer: 0, shortPages: 0, maintenance: 0 };

  constructor(private rng: Rng) {}

  get(): ExactFaults {
    return structuredClone(this.current);
  }

  /** Replaces every fault. */
  replace(faults: ExactFaults): ExactFaults {
    const next = structuredClone(faults);
    validateFaults(next);
    this.current = next;
    return this.get();
  }

  /** Merges `partial` into the current faults (a key set to null removes that fault). */
  merge(partial: ExactFaults): ExactFaults {
    const next: ExactFaults = { ...this.current, ...structuredClone(partial) };
    for (const [key, value] of Object.entries(next)) if (value === null) delete next[key as keyof ExactFaults];
    validateFaults(next);
    this.current = next;
    return this.get();
  }

  reset(rng: Rng, initial: ExactFaults = {}): void {
    this.rng = rng;
    for (const key of Object.keys(this.fired)) this.fired[key as keyof typeof this.fired] = 0;
    this.replace(initial);
  }

  latencyMs(): number {
    return this.current.latencyMs ?? 0;
  }

  maintenance(method: string, path: string): 200 | 503 | null {
    const m = this.current.maintenance;
    if (m === undefined || m === null || !matches(m, method, path)) return null;
    this.fired.maintenance++;
    return m.status;
  }

  /** Whether fault `name` fires for this call (consuming one of its `next`). */
  draw<K extends FaultName>(name: K, method: string, path: string): NonNullable<ExactFaults[K]> | null {
    const rule = this.current[name] as (FaultRule & Record<string, unknown>) | null | undefined;
    if (rule === undefined || rule === null) return null;
    if (name === 'loseAnswer' && rule.method === undefined && !WRITE_METHODS.has(method)) return null;
    if (!matches(rule, method, path)) return null;
    let fire = false;
    if (rule.next !== undefined && rule.next > 0) {
      rule.next--;
      fire = true;
      if (rule.next === 0 && rule.rate === undefined) delete this.current[name];
    } else if (rule.rate !== undefined) {
      fire = this.rng.chance(rule.rate);
    }
    if (!fire) return null;
    this.fired[name]++;
    return { ...rule } as unknown as NonNullable<ExactFaults[K]>;
  }
}
