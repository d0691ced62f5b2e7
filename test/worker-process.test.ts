import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../scripts/lib/temporal-dev-server';
import { testEnv } from './helpers/relay';

/** The real worker entry point as a process: SDK metrics, logs, graceful shutdown. */
describe('worker process', () => {
  let worker: ChildProcess;
  let output = '';
  let metricsPort: number;

  beforeAll(async () => {
    metricsPort = await freePort();
    worker = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'src', 'worker.ts')], {
      env: { ...process.env, ...testEnv({ LOG_LEVEL: 'info', WORKER_METRICS_PORT: String(metricsPort), WORKER_SHUTDOWN_GRACE_MS: '2000' }) },
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
    expect(output).toContain('"taskQueues":["relay-core"]');
    let text = '';
    for (let i = 0; i < 40 && !text.includes('temporal_'); i++) {
      text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text(), () => '');
      if (!text.includes('temporal_')) await new Promise((r) => setTimeout(r, 250));
    }
    expect(text).toMatch(/temporal_\w+/);
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
