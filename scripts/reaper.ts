import { createInterface } from 'node:readline';
import { type ReaperMessage, type WatchOptions, groupAlive, signalGroup } from './lib/reaper';

/**
 * Started by `npm start` (see scripts/lib/reaper.ts). Reads watch/forget lines on stdin;
 * when stdin ends, `npm start` is gone, and whatever is still watched is stopped: stage by
 * stage, SIGTERM to each process group, SIGKILL once its grace time is over.
 */

const watched = new Map<number, WatchOptions>();

createInterface({ input: process.stdin })
  .on('line', (line) => {
    let message: ReaperMessage;
    try {
      message = JSON.parse(line) as ReaperMessage;
    } catch {
      return;
    }
    if ('watch' in message) watched.set(message.watch, { stage: message.stage, graceMs: message.graceMs });
    else watched.delete(message.forget);
  })
  .on('close', () => {
    void reap().finally(() => process.exit(0));
  });

async function reap(): Promise<void> {
  const stages = [...new Set([...watched.values()].map((w) => w.stage))].sort((a, b) => a - b);
  for (const stage of stages) {
    const groups = [...watched].filter(([, w]) => w.stage === stage);
    for (const [pgid] of groups) signalGroup(pgid, 'SIGTERM');
    const deadline = Date.now() + Math.max(...groups.map(([, w]) => w.graceMs));
    while (Date.now() < deadline && groups.some(([pgid]) => groupAlive(pgid))) await new Promise((r) => setTimeout(r, 100));
    for (const [pgid] of groups) if (groupAlive(pgid)) signalGroup(pgid, 'SIGKILL');
  }
}
