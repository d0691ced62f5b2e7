import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../scripts/lib/temporal-dev-server';
import { PMS_VENDORS } from '../src/integrations/pms/registry';
import { databaseExists, databaseUrlFor, dropDatabase, randomDatabaseName } from './helpers/postgres';
import { TEST_KEYS, testEnv } from './helpers/relay';

/**
 * README command 1 (`npm start`) as a user runs it, against the run's Temporal server
 * (TEMPORAL_ADDRESS set, so no second dev server) and a database that does not exist yet.
 */
describe('npm start', () => {
  const databaseName = randomDatabaseName('relay_start');
  let start: ChildProcess;
  let output = '';
  let api: string;
  let env: NodeJS.ProcessEnv;
  const root = path.join(__dirname, '..');

  beforeAll(async () => {
    const apiPort = await freePort();
    api = `http://127.0.0.1:${apiPort}`;
    env = {
      ...process.env,
      ...testEnv({
        LOG_LEVEL: 'info',
        DATABASE_URL: databaseUrlFor(databaseName),
        API_PORT: String(apiPort),
        WORKER_METRICS_PORT: String(await freePort()),
      }),
    };
    start = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'start.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    start.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    start.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    for (let i = 0; i < 480 && !output.includes('Relay is running'); i++) {
      if (start.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 150_000);

  afterAll(async () => {
    if (start.exitCode === null) start.kill('SIGKILL');
    await dropDatabase(databaseName);
  });

  it('creates and migrates the database, then prints where to look', async () => {
    expect(output).toContain('Relay is running');
    expect(output).toContain('created the database');
    expect(await databaseExists(databaseName)).toBe(true);
    expect(output).toContain(`API docs          ${api}/docs`);
    expect(output).toContain('Temporal Web UI');
    // Every module from the registry: notifications has no Twilio credentials, so demo mode and its simulator.
    expect(output).toContain('Integrations      core live, notifications demo');
    expect(output).toContain('Twilio simulator: starting on http://127.0.0.1:4010 (demo mode)');
    expect(output).toMatch(/demo notifications: notification demo-\d+-sms/);
    // The PMS module: each registered vendor's simulator, two demo hotels each made properties through the API.
    for (const vendor of PMS_VENDORS) {
      expect(output).toContain(`${vendor.displayName} simulator: starting on http://127.0.0.1:${vendor.simulator.defaultPort} (demo mode)`);
      // A display name may hold regex characters ("Clock PMS+"): matched as written.
      const name = vendor.displayName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(output).toMatch(new RegExp(`Hotel Amstel \\(${name} demo\\) → property [0-9a-f-]{36}`));
    }
    const ready = await fetch(`${api}/readyz`);
    expect(ready.status).toBe(200);
    const properties = (await (await fetch(`${api}/v1/properties`, { headers: { authorization: `Bearer ${TEST_KEYS.service}` } })).json()) as { items: Array<{ vendor: string }> };
    for (const vendor of PMS_VENDORS) expect(properties.items.filter((p) => p.vendor === vendor.key)).toHaveLength(2);
  });

  it('shows how to get an API key with a command that works on any shell and OS (no grep -P)', () => {
    expect(output).toContain('KEY=$(npm run -s keys -- ci)');
    expect(output).not.toContain('grep');
    const keys = (...args: string[]) => execFileSync('npm', ['run', '-s', 'keys', ...args], { cwd: root, env }).toString();
    expect(keys('--', 'ci').trim()).toBe(TEST_KEYS.service);
    // By role: the first key that has it, whatever the keys are named.
    expect(keys('--', 'operator').trim()).toBe(TEST_KEYS.operator);
    expect(keys().split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(new RegExp(`^ci\\s+service\\s+${TEST_KEYS.service}$`)),
      expect.stringMatching(new RegExp(`^alice\\s+operator\\s+${TEST_KEYS.operator}$`)),
    ]);
  });

  it('runs the smoke workflow end to end', async () => {
    const auth = { authorization: `Bearer ${TEST_KEYS.service}`, 'content-type': 'application/json' };
    const id = `start-${Date.now()}`;
    const started = await fetch(`${api}/v1/echo`, { method: 'POST', headers: auth, body: JSON.stringify({ message: 'from npm start', id }) });
    expect(started.status).toBe(202);
    let status = '';
    for (let i = 0; i < 100 && status !== 'COMPLETED'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      status = ((await (await fetch(`${api}/v1/echo/echo-${id}`, { headers: auth })).json()) as { status: string }).status;
    }
    expect(status).toBe('COMPLETED');
  });

  it('stops everything on Ctrl-C and exits 0', async () => {
    const exited = new Promise<number | null>((resolve) => start.once('exit', (code) => resolve(code)));
    start.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('worker stopped');
    await expect(fetch(`${api}/healthz`)).rejects.toThrow();
  }, 60_000);
});
