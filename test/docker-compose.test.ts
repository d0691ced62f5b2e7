import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../src/config';

/**
 * docker-compose.yml cannot run on every machine, so its wiring is checked here against
 * the code: variables Relay reads, ports it listens on, services it talks to.
 */
interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
}

const root = path.join(__dirname, '..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const relayServices = Object.entries(compose.services).filter(([name]) => name.startsWith('relay-'));

/** Compose's `${VAR:?message}` is filled from the shell; give it valid test values. */
function resolved(env: Record<string, string | number>): NodeJS.ProcessEnv {
  const values: Record<string, string> = {
    RELAY_API_KEYS: 'ops:operator:0123456789abcdef0123456789',
    PAYLOAD_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32).toString('base64')}`,
  };
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{(\w+):\?[^}]*\}/g, (_, name: string) => values[name] ?? '')]),
  );
}

const published = (svc: Service) =>
  (svc.ports ?? []).map((p) => {
    const [host, container] = p.split(':').map(Number);
    return { host, container };
  });

describe('docker-compose.yml agrees with the code', () => {
  it('has Relay worker, API and migrations built from the Dockerfile', () => {
    expect(relayServices.map(([n]) => n).sort()).toEqual(['relay-api', 'relay-migrate', 'relay-worker']);
    for (const [, svc] of relayServices) {
      expect(svc.build).toBe('.');
      const script = svc.command?.slice(-1)[0] ?? '';
      expect(pkg.scripts[script]).toBeDefined();
    }
    expect(readFileSync(path.join(root, 'Dockerfile'), 'utf8')).toMatch(/npm ci/);
  });

  it('passes only variables Relay reads, and a configuration that loads', () => {
    for (const [, svc] of relayServices) {
      const env = svc.environment ?? {};
      for (const name of Object.keys(env)) expect(CONFIG_VARIABLES).toContain(name);
      expect(() => loadConfig(resolved(env))).not.toThrow();
    }
  });

  it('points Relay at the PostgreSQL and Temporal services it defines', () => {
    for (const [, svc] of relayServices) {
      const config = loadConfig(resolved(svc.environment ?? {}));
      const db = new URL(config.databaseUrl);
      expect(compose.services[db.hostname]?.image).toMatch(/^postgres:/);
      const pg = compose.services[db.hostname]!.environment!;
      expect(db.username).toBe(pg.POSTGRES_USER);
      expect(db.pathname).toBe(`/${pg.POSTGRES_DB}`);
      const [temporalHost, temporalPort] = config.temporal.address.split(':');
      expect(compose.services[temporalHost!]?.image).toMatch(/^temporalio\/auto-setup:/);
      expect(published(compose.services[temporalHost!]!).map((p) => p.container)).toContain(Number(temporalPort));
    }
  });

  it('publishes the API, worker metrics and Web UI on the ports the configuration names', () => {
    const api = loadConfig(resolved(compose.services['relay-api']!.environment!));
    expect(api.api.host).toBe('0.0.0.0');
    expect(published(compose.services['relay-api']!)).toContainEqual({ host: api.api.port, container: api.api.port });
    const worker = loadConfig(resolved(compose.services['relay-worker']!.environment!));
    expect(published(compose.services['relay-worker']!)).toContainEqual({ host: worker.worker.metricsPort, container: worker.worker.metricsPort });

    const ui = compose.services['temporal-ui']!;
    const uiUrl = new URL(api.temporal.uiUrl);
    expect(published(ui).map((p) => p.host)).toContain(Number(uiUrl.port));
    expect(api.codec.corsOrigins).toContain(uiUrl.origin);
    expect(ui.environment!.TEMPORAL_CODEC_ENDPOINT).toBe(`${api.api.publicUrl}/codec`);
  });
});
