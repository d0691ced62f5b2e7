import { readFileSync, readdirSync } from 'node:fs';
import type { Pool } from 'pg';

/**
 * Where the CPU goes: user + system time of each process of a run (Linux /proc), so a phase
 * can report CPU seconds per component (API, workers, Temporal, PostgreSQL, this process).
 */
const TICKS_PER_SECOND = 100;

/** CPU seconds used so far by process `pid` (0 once it is gone). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the full line, 12 and 13 after the command.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The PostgreSQL backends serving `database` (one process per connection). */
export async function backendPids(db: Pool, database: string): Promise<number[]> {
  const res = await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
  return res.rows.map((r) => r.pid);
}

/** Every process whose parent is `pid` (e.g. a dev server's helpers), one level deep. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export type CpuGroups = Record<string, () => Promise<number[]> | number[]>;

/**
 * Starts a measurement over named groups of processes; `stop` returns CPU seconds per group.
 * Processes that start or end during the phase count only for the time they were seen (a
 * backend that exits in between loses its share, so PostgreSQL's figure is a floor).
 */
export async function measureCpu(groups: CpuGroups): Promise<{ stop(): Promise<Record<string, number>> }> {
  const seen = new Map<string, Map<number, { start: number; last: number }>>();
  const sample = async () => {
    for (const [name, pids] of Object.entries(groups)) {
      const map = seen.get(name) ?? new Map<number, { start: number; last: number }>();
      seen.set(name, map);
      for (const pid of await pids()) {
        const now = cpuSeconds(pid);
        const entry = map.get(pid);
        if (entry) entry.last = Math.max(entry.last, now);
        else map.set(pid, { start: now, last: now });
      }
    }
  };
  const self = process.cpuUsage();
  await sample();
  const timer = setInterval(() => void sample(), 2_000);
  return {
    async stop() {
      clearInterval(timer);
      await sample();
      const out: Record<string, number> = {};
      for (const [name, map] of seen) out[name] = [...map.values()].reduce((acc, e) => acc + e.last - e.start, 0);
      const used = process.cpuUsage(self);
      out['bench client'] = (used.user + used.system) / 1e6;
      return out;
    },
  };
}
