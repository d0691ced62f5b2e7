import path from 'node:path';
import dotenv from 'dotenv';
import { ConfigError, loadConfig } from '../src/config';
import type { InboundProgress } from '../src/workflows/company-sync/definitions';

/**
 * `npm run exact:import -- <division> [--start]`: follows the import of an Exact division with a
 * progress bar until it ends (`--start` asks for a new import first), through Relay's API with
 * an operator key from the environment or `.env`. Exit code: 0 completed, 2 partial (Exact's
 * budget is spent; it resumes by itself), 1 failed or not found.
 */

dotenv.config({ path: path.resolve(__dirname, '..', '.env'), quiet: true });

interface ImportView {
  workflowId: string;
  status: string;
  progress: InboundProgress | null;
  webUiUrl: string;
}

async function main(argv: string[]): Promise<number> {
  const division = Number(argv.find((a) => /^\d+$/.test(a)));
  if (!Number.isInteger(division) || division < 1) {
    console.error('usage: npm run exact:import -- <division> [--start]');
    return 1;
  }
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : String(err));
    return 1;
  }
  const key = config.api.keys.find((k) => k.role === 'operator');
  if (!key) {
    console.error('No operator key in RELAY_API_KEYS (`npm run keys` lists them).');
    return 1;
  }
  const base = `${config.api.publicUrl.replace(/\/$/, '')}/v1/exact/divisions/${division}/import`;
  const headers = { authorization: `Bearer ${key.secret}` };
  if (argv.includes('--start')) {
    const res = await fetch(base, { method: 'POST', headers });
    if (!res.ok) return fail(res);
  }
  for (;;) {
    const res = await fetch(base, { headers });
    if (!res.ok) return fail(res);
    const view = (await res.json()) as ImportView;
    const p = view.progress;
    process.stdout.write(`\r${bar(p)}`);
    const ended = view.status !== 'RUNNING' && view.status !== 'CONTINUED_AS_NEW';
    if (ended || p?.done) {
      process.stdout.write('\n');
      console.log(summary(view));
      return p?.outcome === 'completed' ? 0 : p?.outcome === 'partial' ? 2 : 1;
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

function bar(p: InboundProgress | null): string {
  if (!p) return 'waiting for the import to answer…';
  const total = p.expectedAccounts ?? 0;
  const share = total > 0 ? Math.min(1, p.accounts / total) : 0;
  const width = 30;
  const filled = Math.round(share * width);
  const of = total > 0 ? `/${total}` : '';
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(share * 100)}%  ${p.accounts}${of} accounts, ${p.pages} pages, ${p.created} created, ${p.updated} updated, ${p.conflicts} conflicts, ${p.quarantined} quarantined   `;
}

function summary(view: ImportView): string {
  const p = view.progress;
  if (!p) return `import ${view.workflowId}: ${view.status} (${view.webUiUrl})`;
  const outcome = p.outcome === 'partial' ? `partial: Exact's budget is spent; it resumes at ${p.resumeAt}` : (p.outcome ?? view.status.toLowerCase());
  return `import ${view.workflowId}: ${outcome} — ${p.accounts} accounts (cursor ${p.cursor}). Web UI: ${view.webUiUrl}`;
}

async function fail(res: Response): Promise<number> {
  const body = (await res.json().catch(() => ({}))) as { message?: string };
  console.error(`Relay answered ${res.status}: ${body.message ?? res.statusText}`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
