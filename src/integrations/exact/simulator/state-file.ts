/**
 * The simulator's state in a JSON file, so demo mode survives a restart: the same accounts (GUIDs, codes,
 * timestamps), the Deleted logs, the rowversion counters and the OAuth grants with their live tokens, so a
 * connection Relay made before the restart keeps working. Written atomically (temporary file, then rename).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ExactEngine, ExactSnapshot } from './engine';

export function loadState(engine: ExactEngine, path: string): boolean {
  if (!existsSync(path)) return false;
  engine.restore(JSON.parse(readFileSync(path, 'utf8')) as ExactSnapshot);
  return true;
}

export function saveState(engine: ExactEngine, path: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(engine.snapshot()));
  renameSync(tmp, path);
}

/** Saves every `everyMs` when something changed, and once more on `stop()`. */
export function keepState(engine: ExactEngine, path: string, everyMs = 5_000): { stop(): void } {
  let saved = engine.revision();
  const timer = setInterval(() => {
    const now = engine.revision();
    if (now === saved) return;
    saveState(engine, path);
    saved = now;
  }, everyMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      if (engine.revision() !== saved) saveState(engine, path);
    },
  };
}
