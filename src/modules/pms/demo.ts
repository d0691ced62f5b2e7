import type { Config } from '../../config';
import { SimulatorControl, type SimHotelSpec } from '../../integrations/pms/simulator-control';
import type { SimulatorSpec } from '../module';
import type { PmsSettings, PmsVendorState } from './config';

/**
 * Demo mode of the PMS module: each registered vendor's simulator (started by `npm start`),
 * two hotels seeded in each with arrivals today and tomorrow and some churn, so the arrivals
 * schedules find new, changed and cancelled arrivals, and the hotels created as properties
 * through Relay's own API as an operator would.
 */

const CHURN_MS = 45_000;
const WELCOME = 'Welcome {{firstName}}! We look forward to seeing you at {{hotel}} on {{arrivalDate}} (booking {{confirmationNumber}}).';

const DEMO_HOTELS: ReadonlyArray<Omit<SimHotelSpec, 'seed' | 'name'> & { name: string }> = [
  { name: 'Hotel Amstel', timezone: 'Europe/Amsterdam', country: 'NL', rooms: 24, arrivalsPerDay: 6, churn: { everyMs: CHURN_MS } },
  { name: 'Hôtel Lumière', timezone: 'Europe/Paris', country: 'FR', rooms: 16, arrivalsPerDay: 4, churn: { everyMs: CHURN_MS } },
];

type Simulated = Extract<PmsVendorState, { enabled: true }> & { simulator: { port: number; url: string } };
const simulated = (settings: PmsSettings): Simulated[] => settings.vendors.filter((v): v is Simulated => v.enabled && v.simulator !== undefined);

export function pmsSimulatorSpecs(settings: PmsSettings): SimulatorSpec[] {
  return simulated(settings).map(({ definition, simulator }) => ({
    name: `${definition.displayName} simulator`,
    entry: definition.simulator.entry,
    args: ['--port', String(simulator.port)],
    port: simulator.port,
    portHint: `set ${definition.simulator.portVariable} to another port`,
    url: simulator.url,
  }));
}

/**
 * Seeds the hotels in each simulator and makes them properties: a property of the same name
 * (an earlier `npm start`, whose simulator forgot its hotels) is pointed at the new hotel.
 */
export async function seedPmsDemo(core: Config, settings: PmsSettings): Promise<string[]> {
  const operator = core.api.keys.find((k) => k.role === 'operator' && !k.properties);
  if (!operator) return [];
  const api = core.api.publicUrl.replace(/\/$/, '');
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { authorization: `Bearer ${operator.secret}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    return res.status === 204 ? undefined : ((await res.json()) as Record<string, unknown>);
  };
  const lines: string[] = [];
  for (const [v, { definition, simulator }] of simulated(settings).entries()) {
    const control = new SimulatorControl(simulator.url);
    const existing = ((await call('GET', `/v1/properties?vendor=${encodeURIComponent(definition.key)}`))?.items ?? []) as Array<{ id: string; name: string }>;
    for (const [h, spec] of DEMO_HOTELS.entries()) {
      const name = `${spec.name} (${definition.displayName} demo)`;
      const hotel = await control.addHotel({ ...spec, name, seed: 1_000 * (v + 1) + h });
      const fields = { name, vendorPropertyId: hotel.vendorPropertyId, credentials: hotel.credentials, timezone: hotel.timezone, country: spec.country, welcomeTemplate: WELCOME };
      const known = existing.find((p) => p.name === name);
      const saved = known ? await call('PATCH', `/v1/properties/${known.id}`, fields) : await call('POST', '/v1/properties', { vendor: definition.key, ...fields });
      lines.push(`${name} → property ${String(saved?.id)}`);
    }
  }
  return lines;
}

export function pmsBanner(core: Config, settings: PmsSettings, keyName: string): string[] {
  const api = core.api.publicUrl;
  const sims = simulated(settings).map(({ definition, simulator }) => `${definition.displayName.padEnd(18)}${simulator.url}   (local simulator; its counters: ${simulator.url}/__sim/stats)`);
  if (sims.length === 0) return [];
  return [
    ...sims,
    `PMS properties    GET ${api}/v1/properties   (schedules pms-arrivals-<id> in the Web UI; arrival events: GET /v1/properties/<id>/events)`,
    `  KEY=$(npm run -s keys -- ${keyName}); curl -s ${api}/v1/properties -H "Authorization: Bearer $KEY"`,
    `  Poll a hotel now (operator): curl -s -X POST ${api}/v1/properties/<id>/schedule/trigger -H "Authorization: Bearer $(npm run -s keys -- operator)"`,
  ];
}
