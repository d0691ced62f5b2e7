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

/** Compose's `${VAR:?message}` and `${VAR:-default}` are filled from the shell; give them valid test values. */
function resolved(env: Record<string, string | number>, values: Record<string, string> = {}): NodeJS.ProcessEnv {
  const shell: Record<string, string> = {
    RELAY_API_KEYS: 'ops:operator:0123456789abcdef0123456789',
    PAYLOAD_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32).toString('base64')}`,
    ...values,
  };
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      String(v).replace(/\$\{(\w+)(?::\?[^}]*|:-([^}]*))\}/g, (_, name: string, fallback?: string) => shell[name] ?? fallback ?? ''),
    ]),
  );
}

/** Short port syntax: `[ip:]host:container`. */
const published = (svc: Service) =>
  (svc.ports ?? []).map((p) => {
    const parts = p.split(':');
    const [container, host] = [Number(parts.pop()), Number(parts.pop())];
    return { ip: parts.join(':') || undefined, host, container };
  });
const withoutIp = ({ host, container }: { host: number; container: number }) => ({ host, container });

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
      expect(temporalPort).toBe('7233');
    }
  });

  it('publishes only the API and the Web UI, on 127.0.0.1, and never the Temporal frontend', () => {
    const publishing = Object.entries(compose.services).filter(([, svc]) => (svc.ports ?? []).length > 0);
    expect(publishing.map(([name]) => name).sort()).toEqual(['relay-api', 'temporal-ui']);
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const port of published(svc)) {
        expect({ name, ip: port.ip }).toEqual({ name, ip: '127.0.0.1' });
        expect(port.container).not.toBe(7233);
        expect(port.host).not.toBe(7233);
      }
      expect((svc as { network_mode?: string }).network_mode).toBeUndefined();
    }
  });

  it('lets a signed-in operator decode in the Web UI, and nobody else', () => {
    const api = loadConfig(resolved(compose.services['relay-api']!.environment!));
    const ui = compose.services['temporal-ui']!.environment!;
    expect(ui.TEMPORAL_CODEC_ENDPOINT).toBe(`${api.api.publicUrl}/codec`);
    // The UI's fetch sends the session cookie only with credentials included...
    expect(String(ui.TEMPORAL_CODEC_INCLUDE_CREDENTIALS)).toBe('true');
    // ...and the SameSite=Strict cookie only when the UI and the API share a site (host name).
    expect(new URL(api.temporal.uiUrl).hostname).toBe(new URL(api.api.publicUrl).hostname);
    expect(ui.TEMPORAL_CODEC_DEFAULT_ERROR_LINK).toBe(`${api.api.publicUrl}/ui/sign-in`);
    expect(api.codec.corsOrigins).toEqual([new URL(api.temporal.uiUrl).origin]);
    // An explicit SESSION_SECRET from the shell is passed through; without it one is derived.
    const secret = 'a-session-secret-from-the-shell-0123456789';
    const withSecret = loadConfig(resolved(compose.services['relay-api']!.environment!, { SESSION_SECRET: secret }));
    expect(withSecret.session.secret.toString()).toBe(secret);
    expect(api.session.secret.length).toBe(32);
  });

  it('publishes the API and Web UI on the ports the configuration names; worker metrics on the compose network', () => {
    const api = loadConfig(resolved(compose.services['relay-api']!.environment!));
    expect(api.api.host).toBe('0.0.0.0');
    expect(published(compose.services['relay-api']!).map(withoutIp)).toContainEqual({ host: api.api.port, container: api.api.port });
    const worker = loadConfig(resolved(compose.services['relay-worker']!.environment!));
    // Listening on the container's interfaces, so a scraper on the compose network reaches it.
    expect(worker.worker.metricsHost).toBe('0.0.0.0');

    const ui = compose.services['temporal-ui']!;
    const uiUrl = new URL(api.temporal.uiUrl);
    expect(published(ui).map((p) => p.host)).toContain(Number(uiUrl.port));
    expect(api.codec.corsOrigins).toContain(uiUrl.origin);
    expect(ui.environment!.TEMPORAL_CODEC_ENDPOINT).toBe(`${api.api.publicUrl}/codec`);
  });
});
