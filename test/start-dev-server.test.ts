import { existsSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:net';
import path from 'node:path';
import {
  type DevServerSetup,
  type StartRun,
  devServerSetup,
  flagValues,
  killMarked,
  markedProcesses,
  runStart,
  survivors,
} from './helpers/npm-start';

/**
 * `npm start` without TEMPORAL_ADDRESS: it runs its own Temporal dev server. Ports and
 * the state folder come from the environment, so the test never touches 7233 or `.data/`.
 */
describe('npm start with its own Temporal dev server', () => {
  const setups: DevServerSetup[] = [];
  afterAll(() => {
    for (const s of setups) {
      killMarked(s.mark);
      rmSync(s.dataDir, { recursive: true, force: true });
    }
  });

  it('refuses ports that another program holds, naming each, and starts nothing', async () => {
    const setup = await devServerSetup();
    setups.push(setup);
    // Another program (an old dev server, anything) already listening on every port.
    const squatters = await Promise.all([setup.temporalPort, setup.uiPort, setup.apiPort, setup.metricsPort].map(listen));
    try {
      const run = runStart(setup.env);
      expect(await run.exited).toEqual({ code: 1, signal: null });
      const output = run.output();
      expect(output).toContain(
        `port ${setup.temporalPort} (Temporal dev server) is already in use by another program; stop it, or set TEMPORAL_ADDRESS=127.0.0.1:${setup.temporalPort}`,
      );
      expect(output).toContain(`port ${setup.uiPort} (Temporal Web UI) is already in use`);
      expect(output).toContain(`port ${setup.apiPort} (Relay API) is already in use`);
      expect(output).toContain(`port ${setup.metricsPort} (worker metrics) is already in use`);
      expect(output).not.toContain('Temporal: starting');
      expect(await survivors(setup.mark)).toEqual([]);
    } finally {
      await Promise.all(squatters.map((s) => new Promise((r) => s.close(r))));
    }
  }, 60_000);

  describe('on free ports', () => {
    let setup: DevServerSetup;
    let run: StartRun;

    beforeAll(async () => {
      setup = await devServerSetup();
      setups.push(setup);
      run = runStart(setup.env);
      await run.waitFor('Relay is running');
    }, 180_000);

    it('runs the dev server on the configured ports with its state under the data folder', () => {
      const server = markedProcesses(setup.mark).find((p) => p.argv.includes('start-dev'));
      expect(server).toBeDefined();
      const argv = server!.argv;
      expect(argv.slice(1, 3)).toEqual(['server', 'start-dev']);
      expect(flagValues(argv, '--ip')).toEqual(['127.0.0.1']);
      expect(flagValues(argv, '--port')).toEqual([String(setup.temporalPort)]);
      expect(flagValues(argv, '--ui-port')).toEqual([String(setup.uiPort)]);
      expect(flagValues(argv, '--namespace')).toEqual([setup.env.TEMPORAL_NAMESPACE]);
      expect(argv).not.toContain('--headless');
      const dbFile = path.join(setup.dataDir, 'temporal.db');
      expect(flagValues(argv, '--db-filename')).toEqual([dbFile]);
      expect(existsSync(dbFile)).toBe(true);
      expect(existsSync(path.join(setup.dataDir, 'temporal.log'))).toBe(true);
      expect(run.output()).toContain(`Temporal          127.0.0.1:${setup.temporalPort}   (dev server, state in ${dbFile})`);
    });

    it("points the Web UI's codec at the API", async () => {
      const server = markedProcesses(setup.mark).find((p) => p.argv.includes('start-dev'))!;
      expect(flagValues(server.argv, '--ui-codec-endpoint')).toEqual([`${setup.api}/codec`]);
      // What the UI server actually tells browsers.
      const settings = (await (await fetch(`${setup.ui}/api/v1/settings`)).json()) as { Codec: { Endpoint: string } };
      expect(settings.Codec.Endpoint).toBe(`${setup.api}/codec`);
    });

    it('connects the worker and the API to that server', async () => {
      const ready = await fetch(`${setup.api}/readyz`);
      expect(ready.status).toBe(200);
      const relay = markedProcesses(setup.mark).filter((p) => p.argv.some((a) => a.endsWith('src/worker.ts') || a.endsWith('src/api/server.ts')));
      expect(relay).toHaveLength(2);
    });

    it('stops every process it started on Ctrl-C and exits 0', async () => {
      run.child.kill('SIGINT');
      expect(await run.exited).toEqual({ code: 0, signal: null });
      expect(run.output()).toContain('stopping Relay');
      expect(await survivors(setup.mark, 10_000)).toEqual([]);
    }, 60_000);
  });
});

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
