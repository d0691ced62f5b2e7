import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { TEMPORAL_SERVER_VERSION } from '../scripts/lib/temporal-server';
import { CONFIG_VARIABLES, loadConfig } from '../src/config';
import { relayConfigVariables } from '../src/modules';

/**
 * docker-compose.yml cannot run on every machine, so its wiring is checked here against
 * the code: variables Relay reads, ports it listens on, services it talks to.
 */
interface Service {
  image?: string;
  build?: string;
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
}

const root = path.join(__dirname, '..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const relayServices = Object.entries(compose.services).filter(([name]) => name.startsWith('relay-'));
/** Every variable a Relay process reads: the core configuration and every module's section. */
const RELAY_VARIABLES = relayConfigVariables();
/** `image:tag` of a service. */
const imageOf = (name: string) => {
  const [image, tag] = (compose.services[name]?.image ?? '').split(':');
  return { image, tag };
};

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
    for (const [, svc] of relayServices) expect(svc.build).toBe('.');
  });

  it('runs each Relay service with what the image holds: compiled JavaScript, no dev dependencies', () => {
    const image = runtimeStage();
    for (const [name, svc] of relayServices) {
      const command = svc.command ?? cmdOf(image);
      expect({ name, runs: runnableInImage(command) }).toEqual({ name, runs: true });
    }
    // The worker and the API are Relay's own processes, compiled to dist/.
    expect(compose.services['relay-worker']!.command ?? cmdOf(image)).toEqual(['node', compiled('src/worker.ts')]);
    expect(compose.services['relay-api']!.command).toEqual(['node', compiled('src/api/server.ts')]);
  });

  it('passes only variables Relay reads, and a configuration that loads', () => {
    for (const [, svc] of relayServices) {
      const env = svc.environment ?? {};
      for (const name of Object.keys(env)) expect(RELAY_VARIABLES).toContain(name);
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
      expect(compose.services[temporalHost!]?.image).toMatch(/^temporalio\/server:/);
      expect(temporalPort).toBe('7233');
    }
  });

  it('publishes only the API and the Web UI, on 127.0.0.1, and never the Temporal frontend', () => {
    const publishing = Object.entries(compose.services).filter(([, svc]) => (svc.ports ?? []).length > 0);
    // The Twilio simulator only in the demo profile, so its record can be read.
    expect(publishing.map(([name]) => name).sort()).toEqual(['relay-api', 'temporal-ui', 'twilio-simulator']);
    expect(compose.services['twilio-simulator']!.profiles).toEqual(['demo']);
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

/**
 * A one-shot job's shell script as the container runs it (compose turns `$$` into `$`),
 * with stubs for the admin tools on PATH that record their arguments.
 */
function runJob(name: string, stubs: Record<string, string>): string[][] {
  const svc = compose.services[name]!;
  const argv = [...(svc.entrypoint ?? []), ...(svc.command ?? [])];
  // Every `$` is escaped: compose would otherwise fill it from the shell running `docker compose`.
  for (const arg of argv) expect(arg.replace(/\$\$/g, '')).not.toContain('$');
  const dir = mkdtempSync(path.join(tmpdir(), 'compose-job-'));
  const calls = path.join(dir, 'calls');
  for (const [tool, body] of Object.entries(stubs)) {
    const file = path.join(dir, tool);
    writeFileSync(file, `#!/bin/sh\nprintf '%s\\n' "$(basename "$0") $*" >> ${calls}\n${body}\n`);
    chmodSync(file, 0o755);
  }
  const env = { PATH: `${dir}:/usr/bin:/bin`, ...Object.fromEntries(Object.entries(svc.environment ?? {}).map(([k, v]) => [k, String(v)])) };
  const [cmd, ...args] = argv.map((a) => a.replace(/\$\$/g, '$'));
  execFileSync(cmd!, args, { env, stdio: 'pipe' });
  const recorded = existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : [];
  rmSync(dir, { recursive: true, force: true });
  return recorded.map((line) => line.split(' '));
}

describe('docker-compose.yml runs a current Temporal server', () => {
  const server = compose.services.temporal!;
  const serverEnv = server.environment!;

  it('uses no deprecated auto-setup image, and pins every Temporal image to a release', () => {
    expect(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')).not.toContain('auto-setup');
    for (const [name, svc] of Object.entries(compose.services)) {
      if (svc.build) continue;
      const { image, tag } = imageOf(name);
      // PostgreSQL follows its major version (16); Temporal's images are exact releases.
      const release = image!.startsWith('temporalio/') ? /^\d+\.\d+\.\d+$/ : /^\d+(\.\d+)*$/;
      expect({ name, tag }).toEqual({ name, tag: expect.stringMatching(release) });
    }
    expect(imageOf('temporal').image).toBe('temporalio/server');
    expect(imageOf('temporal-ui').image).toBe('temporalio/ui');
  });

  it('runs the server release `npm run test:server` builds, with admin tools of the same release', () => {
    expect(imageOf('temporal').tag).toBe(TEMPORAL_SERVER_VERSION);
    const tools = Object.keys(compose.services).filter((name) => imageOf(name).image === 'temporalio/admin-tools');
    expect(tools.sort()).toEqual(['temporal-namespace', 'temporal-schema']);
    for (const name of tools) expect({ name, tag: imageOf(name).tag }).toEqual({ name, tag: TEMPORAL_SERVER_VERSION });
  });

  it('sets up both databases in a one-shot job that completes before the server starts', () => {
    expect(server.depends_on).toEqual({ 'temporal-schema': { condition: 'service_completed_successfully' } });
    const job = compose.services['temporal-schema']!;
    expect(job.depends_on).toEqual({ postgresql: { condition: 'service_healthy' } });
    // The job talks to the server's database as the server does.
    const sql = job.environment!;
    expect(sql).toMatchObject({ SQL_PLUGIN: serverEnv.DB, SQL_HOST: serverEnv.POSTGRES_SEEDS, SQL_PORT: serverEnv.DB_PORT });
    expect({ user: sql.SQL_USER, password: sql.SQL_PASSWORD }).toEqual({ user: serverEnv.POSTGRES_USER, password: serverEnv.POSTGRES_PWD });
    const pg = compose.services[String(serverEnv.POSTGRES_SEEDS)]!.environment!;
    expect({ user: pg.POSTGRES_USER, password: pg.POSTGRES_PASSWORD }).toEqual({ user: serverEnv.POSTGRES_USER, password: serverEnv.POSTGRES_PWD });

    // The databases the server's config template defaults to (DBNAME, VISIBILITY_DBNAME unset),
    // each created, set up and brought to the current schema of the image.
    expect(serverEnv.DBNAME ?? serverEnv.VISIBILITY_DBNAME).toBeUndefined();
    const calls = runJob('temporal-schema', { 'temporal-sql-tool': 'exit 0' });
    const schema = (s: string) => `/etc/temporal/schema/postgresql/v12/${s}/versioned`;
    expect(calls).toEqual(
      [
        ['temporal', 'temporal'],
        ['temporal_visibility', 'visibility'],
      ].flatMap(([db, dir]) => [
        ['temporal-sql-tool', '--db', db, 'create-database'],
        ['temporal-sql-tool', '--db', db, 'setup-schema', '-v', '0.0'],
        ['temporal-sql-tool', '--db', db, 'update-schema', '-d', schema(dir!)],
      ]),
    );
  });

  it('gives the server the dynamic config file it requires, the one `npm run test:server` uses', () => {
    const [source, target] = server.volumes![0]!.split(':');
    expect(target).toBe(serverEnv.DYNAMIC_CONFIG_FILE_PATH);
    expect(path.resolve(root, source!)).toBe(path.join(root, 'deploy', 'temporal', 'dynamicconfig.yaml'));
    expect(readFileSync(path.join(root, 'scripts', 'test-server.ts'), 'utf8')).toContain("'deploy', 'temporal', 'dynamicconfig.yaml'");
    expect(parse(readFileSync(path.join(root, source!), 'utf8'))).toMatchObject({ 'limit.maxIDLength': [{ value: 255 }] });
  });

  it("creates Relay's namespace once the server is healthy, and starts Relay only then", () => {
    const job = compose.services['temporal-namespace']!;
    expect(job.depends_on).toEqual({ temporal: { condition: 'service_healthy' } });
    for (const [name, svc] of relayServices.filter(([n]) => n !== 'relay-migrate')) {
      expect({ name, dependsOn: svc.depends_on!['temporal-namespace'] }).toEqual({ name, dependsOn: { condition: 'service_completed_successfully' } });
      const config = loadConfig(resolved(svc.environment!));
      expect(job.environment!.TEMPORAL_ADDRESS).toBe(config.temporal.address);
      expect(job.environment!.NAMESPACE).toBe(config.temporal.namespace);
    }
    // Health first; a missing namespace is created; done once the frontend serves it.
    const calls = runJob('temporal-namespace', {
      temporal: 'case "$1 $2 $3" in "operator namespace describe") exit 1 ;; esac',
    });
    expect(calls.map((c) => c.slice(0, 3).join(' '))).toEqual(['temporal operator cluster', 'temporal operator namespace', 'temporal operator namespace', 'temporal workflow list']);
    expect(calls[2]).toEqual(['temporal', 'operator', 'namespace', 'create', '-n', 'default']);
    // An existing namespace is left alone.
    expect(runJob('temporal-namespace', { temporal: 'exit 0' }).some((c) => c[3] === 'create')).toBe(false);
  });
});

describe('the demo profile', () => {
  const simulator = compose.services['twilio-simulator']!;

  it('holds the Twilio simulator and nothing else; the rest runs without a profile', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      expect({ name, profiles: svc.profiles }).toEqual({ name, profiles: name === 'twilio-simulator' ? ['demo'] : undefined });
    }
  });

  it('runs the compiled simulator from the image, on every interface of its container', async () => {
    expect(simulator.build).toBe('.');
    const [node, entry, ...args] = simulator.command!;
    expect([node, entry]).toEqual(['node', compiled('src/integrations/twilio/simulator/main.ts')]);
    expect(runnableInImage([node!, entry!])).toBe(true);
    const flag = (name: string) => args[args.indexOf(name) + 1];
    expect(flag('--host')).toBe('0.0.0.0');

    // Relay's demo mode finds it by its service name and port.
    for (const [name, svc] of relayServices) {
      expect({ name, demo: svc.environment!.RELAY_DEMO }).toEqual({ name, demo: '${RELAY_DEMO:-false}' });
      const url = new URL(resolved(svc.environment!).TWILIO_SIMULATOR_URL!);
      expect({ name, host: url.hostname, port: url.port }).toEqual({ name, host: 'twilio-simulator', port: flag('--port') });
      expect(resolved(svc.environment!, { TWILIO_SIMULATOR_URL: 'http://sim.example:9' }).TWILIO_SIMULATOR_URL).toBe('http://sim.example:9');
    }
    expect(published(simulator)).toEqual([{ ip: '127.0.0.1', host: Number(flag('--port')), container: Number(flag('--port')) }]);

    // The entry point takes exactly these arguments (on a free port here).
    const sim = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/integrations/twilio/simulator/main.ts'), ...args.map((a) => (a === flag('--port') ? '0' : a))], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    sim.stdout.on('data', (d: Buffer) => (output += d.toString()));
    sim.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      for (let i = 0; i < 200 && !output.includes('listening on') && sim.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
      expect(output).toMatch(/listening on http:\/\/0\.0\.0\.0:\d+/);
    } finally {
      sim.kill('SIGTERM');
    }
  });

  it("has the simulator's status callbacks reach the API on the compose network", () => {
    const api = compose.services['relay-api']!.environment!;
    for (const [name, svc] of relayServices) {
      const callbacks = new URL(resolved(svc.environment!).NOTIFY_CALLBACK_BASE_URL!);
      expect({ name, host: callbacks.hostname, port: callbacks.port }).toEqual({ name, host: 'relay-api', port: String(api.API_PORT) });
    }
    expect(api.API_HOST).toBe('0.0.0.0');
  });
});

/** Dockerfile stages: `FROM image [AS name]` followed by instructions (continuations joined). */
interface Stage {
  image: string;
  name?: string;
  instructions: { op: string; args: string }[];
}
function dockerStages(): Stage[] {
  const text = readFileSync(path.join(root, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const stages: Stage[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [op, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op!.toUpperCase() === 'FROM') {
      const [, image, name] = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args)!;
      stages.push({ image: image!, name, instructions: [] });
    } else {
      stages[stages.length - 1]!.instructions.push({ op: op!.toUpperCase(), args });
    }
  }
  return stages;
}
const runtimeStage = () => dockerStages().slice(-1)[0]!;
const argsOf = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op).map((i) => i.args);
const cmdOf = (stage: Stage) => JSON.parse(argsOf(stage, 'CMD').slice(-1)[0] ?? '[]') as string[];

/** Where `npm run build` (tsconfig.build.json) puts the JavaScript for a TypeScript source. */
function compiled(source: string): string {
  const read = (file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8')) as { compilerOptions: { outDir?: string; rootDir?: string } };
  const build = read('tsconfig.build.json').compilerOptions;
  const outDir = build.outDir ?? read('tsconfig.json').compilerOptions.outDir!;
  return path.posix.join(outDir, path.posix.relative(build.rootDir ?? '.', source)).replace(/\.ts$/, '.js');
}

/** `node <compiled source>` or an npm script that needs no dev dependency (tsx). */
function runnableInImage(command: string[]): boolean {
  if (command[0] === 'node' && command.length === 2) {
    const source = command[1]!.replace(/^dist\//, '').replace(/\.js$/, '.ts');
    return compiled(source) === command[1] && existsSync(path.join(root, source));
  }
  if (command[0] === 'npm' && command[1] === 'run' && command.length === 3) {
    const script = pkg.scripts[command[2]!];
    return script !== undefined && !/\btsx\b/.test(script);
  }
  return false;
}

describe('Dockerfile', () => {
  const stages = dockerStages();
  const runtime = runtimeStage();

  it('builds and runs on Node.js 24, the version package.json and CI target', () => {
    for (const stage of stages) expect(stage.image).toBe('node:24-bookworm-slim');
    expect(pkg.engines.node).toMatch(/^>=2[24]/);
    expect(readFileSync(path.join(root, '.ci', 'run'), 'utf8')).toMatch(/^NODE_VERSION=24\./m);
  });

  it('compiles in a build stage and installs no dev dependency in the image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = stages.find((s) => argsOf(s, 'RUN').some((r) => r.includes('npm run build')))!;
    expect(build).toBeDefined();
    expect(build).not.toBe(runtime);
    const installs = argsOf(runtime, 'RUN').filter((r) => /npm (ci|install)/.test(r));
    expect(installs.length).toBeGreaterThan(0);
    for (const run of installs) {
      for (const npm of run.split(/\|\||&&/).filter((c) => /npm (ci|install)/.test(c))) expect(npm).toContain('--omit=dev');
    }
    expect(argsOf(runtime, 'COPY')).toContain(`--from=${build.name} /app/dist ./dist`);
    expect(runtime.instructions.map((i) => i.args).join('\n')).not.toMatch(/\btsx\b/);
    // tsx is what `npm start` and `npm run worker` use in development only.
    expect(pkg.dependencies.tsx).toBeUndefined();
    expect(pkg.devDependencies.tsx).toBeDefined();
  });

  it('starts the worker from compiled JavaScript with the workflow bundle built by npm run build', () => {
    expect(cmdOf(runtime)).toEqual(['node', compiled('src/worker.ts')]);
    expect(pkg.scripts.build).toContain('scripts/build-workflow-bundle.ts');
    const env = Object.fromEntries(argsOf(runtime, 'ENV').map((e) => e.split('=') as [string, string]));
    // Where scripts/build-workflow-bundle.ts writes it by default, inside the copied dist/.
    expect(readFileSync(path.join(root, 'scripts', 'build-workflow-bundle.ts'), 'utf8')).toContain("'dist', 'workflow-bundle.js'");
    expect(env.WORKFLOW_BUNDLE_PATH).toBe('/app/dist/workflow-bundle.js');
    for (const name of Object.keys(env)) expect(CONFIG_VARIABLES).toContain(name);
  });

  it('gives `prisma migrate deploy` what it reads: config, schema, migrations and the schema engine', () => {
    const copied = argsOf(runtime, 'COPY').filter((c) => !c.startsWith('--from')).map((c) => c.split(/\s+/)[0]);
    for (const needed of ['prisma.config.ts', 'prisma', 'tools', 'src']) expect(copied).toContain(needed);
  });
});
