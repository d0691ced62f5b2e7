import { z } from './openapi';

/**
 * Limits of free-form JSON in request bodies (webhook payloads, template variables): a
 * value Relay stores, encrypts into workflow histories and serialises again for every
 * delivery. Nesting is bounded so serialising, hashing and storing it can never exhaust
 * the stack (JSON.stringify recurses); size, so one field cannot fill the 1 MB body.
 */
export const FREE_JSON_MAX_DEPTH = 32;
export const FREE_JSON_MAX_BYTES = 64 * 1024;

/** Nesting of a whole request body: the free fields' limit plus room for the body around them. */
export const BODY_MAX_DEPTH = 64;

export interface FreeJsonLimits {
  /** Most nested objects/arrays, counting the value itself: `{"a":[1]}` nests 2 deep. */
  maxDepth: number;
  /** Most bytes of the value as UTF-8 JSON. */
  maxBytes: number;
}

const DEFAULT_LIMITS: FreeJsonLimits = { maxDepth: FREE_JSON_MAX_DEPTH, maxBytes: FREE_JSON_MAX_BYTES };

interface Frame {
  value: unknown;
  depth: number;
  key: string | number | undefined;
  parent: Frame | undefined;
}

/**
 * Where `value` first nests deeper than `maxDepth` (its path, `[]` for the value itself), or
 * undefined when it does not. Iterative, and never looks below `maxDepth + 1`: safe on a body
 * nested 500 000 deep.
 */
export function pathDeeperThan(value: unknown, maxDepth: number): (string | number)[] | undefined {
  const stack: Frame[] = [{ value, depth: 0, key: undefined, parent: undefined }];
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    const v = frame.value;
    if (typeof v !== 'object' || v === null) continue;
    const depth = frame.depth + 1;
    if (depth > maxDepth) {
      const path: (string | number)[] = [];
      for (let f: Frame | undefined = frame; f?.key !== undefined; f = f.parent) path.unshift(f.key);
      return path;
    }
    const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((item, i) => [i, item]) : Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth, key, parent: frame });
    }
  }
  return undefined;
}

/** What is wrong with a free JSON value under `limits`, in words, or undefined. */
export function freeJsonProblem(value: unknown, limits: FreeJsonLimits = DEFAULT_LIMITS): string | undefined {
  if (pathDeeperThan(value, limits.maxDepth)) return `nests deeper than ${limits.maxDepth} levels, the limit`;
  // Bounded depth: JSON.stringify cannot overflow the stack here.
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
  if (bytes > limits.maxBytes) return `is ${bytes} bytes as JSON; the limit is ${limits.maxBytes} bytes (${limits.maxBytes / 1024} KiB)`;
  return undefined;
}

/**
 * A free-form JSON field: `schema` (e.g. `z.record(z.string(), z.unknown())`) within the
 * depth and size limits. A value over them is a 400 whose issue names the field and the limit.
 */
export function freeJson<T extends z.ZodType>(schema: T, limits: Partial<FreeJsonLimits> = {}): T {
  const effective = { ...DEFAULT_LIMITS, ...limits };
  return schema.check(
    z.superRefine((value, ctx) => {
      const problem = freeJsonProblem(value, effective);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, params: { maxDepth: effective.maxDepth, maxBytes: effective.maxBytes } });
    }),
  );
}
