import type { Config } from '../../config';
import type { SimulatorSpec } from '../module';
import type { CompanySyncSettings } from './config';

/**
 * Demo mode of the company sync: the Exact simulator (its state kept in Relay's data directory,
 * so a restart of `npm start` keeps the grant and the accounts, and an office user editing an
 * account now and then so the schedules have work), and a seed that connects it exactly as an
 * operator would: Relay's authorise URL, Exact's consent page, the callback, the divisions.
 */

const CHURN_MS = 20_000;

export function exactSimulatorSpec(settings: CompanySyncSettings): SimulatorSpec {
  const port = settings.exact.simulatorPort;
  return {
    name: 'Exact Online simulator',
    entry: 'src/integrations/exact/simulator/main.ts',
    args: ['--port', String(port), '--state-file', settings.exact.simulatorStateFile, '--churn-ms', String(CHURN_MS)],
    port,
    portHint: 'set EXACT_SIMULATOR_PORT to another port',
    url: settings.exact.baseUrl,
  };
}

/** Connects the simulator's demo user and selects every division, unless a connection exists. */
export async function connectDemoExact(core: Config): Promise<string[]> {
  const operator = core.api.keys.find((k) => k.role === 'operator');
  if (!operator) return [];
  const api = core.api.publicUrl.replace(/\/$/, '');
  const auth = { authorization: `Bearer ${operator.secret}` };
  const existing = (await (await fetch(`${api}/v1/exact/connections`, { headers: auth })).json()) as { items?: unknown[] };
  if (existing.items?.length) return [];

  // Relay → Exact's authorise page (the simulator consents at once) → Relay's callback.
  const toExact = await fetch(`${api}/v1/exact/connect`, { headers: auth, redirect: 'manual' });
  const toCallback = await fetch(location(toExact), { redirect: 'manual' });
  const done = await fetch(location(toCallback), { redirect: 'manual' });
  const connectionId = /\/connections\/([0-9a-f-]{36})/.exec(location(done))?.[1];
  if (!connectionId) throw new Error(`the demo connection did not complete (callback answered ${done.status})`);

  const offered = (await (await fetch(`${api}/v1/exact/connections/${connectionId}/divisions`, { headers: auth })).json()) as { items: Array<{ division: number }> };
  const divisions = offered.items.map((d) => d.division);
  const chosen = await fetch(`${api}/v1/exact/connections/${connectionId}/divisions`, {
    method: 'PUT',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ divisions }),
  });
  if (!chosen.ok) throw new Error(`selecting the demo divisions failed (${chosen.status})`);
  return [`Exact connected (demo user), importing division(s) ${divisions.join(', ')}`];
}

function location(res: Response): string {
  const to = res.headers.get('location');
  if (!to) throw new Error(`expected a redirect, got ${res.status}`);
  return new URL(to, res.url).toString();
}
