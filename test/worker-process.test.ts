import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../scripts/lib/temporal-dev-server';
import { buildWorkflowBundle } from '../src/temporal/workflow-bundle';
import { testEnv } from './helpers/relay';

/** Local addresses (hex, as the kernel lists them) of TCP sockets listening on `port`. */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6']
    .flatMap((file) => readFileSync(file, 'utf8').split('\n').slice(1))
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols[3] === '0A' && cols[1]?.endsWith(`:${hexPort}`))
    .map((cols) => cols[1]!.split(':')[0]!);
}

/** The real worker entry point as a process: SDK metrics, logs, graceful shutdown. */
describe('worker process', () => {
  let worker: ChildProcess;
  let output = '';
  let metricsPort: number;

  beforeAll(async () => {
    metricsPort = await freePort();
    // As a production image runs it: with the bundle `npm run build` made ahead of time.
    const bundlePath = path.join(mkdtempSync(path.join(tmpdir(), 'relay-bundle-')), 'workflow-bundle.js');
    writeFileSync(bundlePath, (await buildWorkflowBundle()).code);
    worker = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'src', 'worker.ts')], {
      env: {
        ...process.env,
        // A production build without Twilio credentials: notifications must be disabled, not demo.
        ...testEnv({ NODE_ENV: 'production', LOG_LEVEL: 'info', WORKER_METRICS_PORT: String(metricsPort), WORKER_SHUTDOWN_GRACE_MS: '2000', WORKFLOW_BUNDLE_PATH: bundlePath }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    worker.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    for (let i = 0; i < 240 && !output.includes('"msg":"worker started"'); i++) {
      if (worker.exitCode !== null) throw new Error(`worker exited early:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 90_000);

  afterAll(() => {
    if (worker.exitCode === null) worker.kill('SIGKILL');
  });

  it('starts, logs JSON and serves the Temporal SDK metrics', async () => {
    expect(output).toContain('"msg":"worker started"');
    expect(output).toContain('"taskQueues":["relay-core"');
    // One bundle for the whole process (every task queue's worker shares it), loaded, not rebuilt.
    expect(output.match(/"msg":"workflow bundle ready"/g)).toHaveLength(1);
    expect(output).toMatch(/"prebuilt":true[^\n]*"msg":"workflow bundle ready"/);
    let text = '';
    for (let i = 0; i < 40 && !text.includes('temporal_'); i++) {
      text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text(), () => '');
      if (!text.includes('temporal_')) await new Promise((r) => setTimeout(r, 250));
    }
    expect(text).toMatch(/temporal_\w+/);
    // Bound to loopback (WORKER_METRICS_HOST's default), not every interface.
    expect(listeningAddresses(metricsPort)).toEqual(['0100007F']);
  });

  it('in production, leaves an integration without credentials disabled, loudly, and does not serve its queue', () => {
    expect(output).toMatch(/"level":40[^\n]*"integration":"notifications"[^\n]*"missing":\["TWILIO_ACCOUNT_SID","TWILIO_AUTH_TOKEN","TWILIO_SENDERS"\][^\n]*integration is disabled/);
    expect(output).toContain('"taskQueues":["relay-core"]');
    expect(output).not.toContain('relay-notifications');
  });

  it('never logs secrets from its configuration', () => {
    const env = testEnv();
    for (const secret of [env.RELAY_API_KEYS!.split(':')[2]!.split(',')[0]!, env.PAYLOAD_ENCRYPTION_KEYS!.split(':')[1]!]) {
      expect(output).not.toContain(secret);
    }
  });

  it('shuts down gracefully on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('"msg":"worker stopped"');
  }, 30_000);
});
