import { rmSync } from 'node:fs';
import { type DevServerSetup, devServerSetup, killMarked, runStart, survivors, waitForProcess } from './helpers/npm-start';

/**
 * Nothing `npm start` starts may outlive it, whatever ends it. Each case runs the
 * dev-server branch (Temporal dev server, worker, API, reaper) and then checks, by the
 * environment mark every child inherits, that no process is left.
 */
describe('npm start leaves no process behind', () => {
  const setups: DevServerSetup[] = [];
  const setup = async () => {
    const s = await devServerSetup();
    setups.push(s);
    return s;
  };
  afterAll(() => {
    for (const s of setups) {
      killMarked(s.mark);
      rmSync(s.dataDir, { recursive: true, force: true });
    }
  });

  it('when Ctrl-C arrives while it waits for the Temporal server', async () => {
    const s = await setup();
    const run = runStart(s.env);
    const server = await waitForProcess(s.mark, (p) => p.argv.includes('start-dev'));
    // Hold the server before it answers, so npm start is certainly still waiting for it.
    process.kill(server.pid, 'SIGSTOP');
    try {
      run.child.kill('SIGINT');
      await run.waitFor('stopping Relay', 30_000);
    } finally {
      process.kill(server.pid, 'SIGCONT');
    }
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.output()).not.toContain('starting the worker and the API');
    expect(await survivors(s.mark)).toEqual([]);
  }, 120_000);

  it('when its output pipe breaks and Ctrl-C follows (`npm start | tee relay.log`)', async () => {
    const s = await setup();
    const run = runStart(s.env);
    await run.waitFor('Relay is running');
    // tee is gone: every later write of npm start (and of its children) meets EPIPE.
    run.child.stdout!.destroy();
    run.child.stderr!.destroy();
    run.child.kill('SIGINT');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(await survivors(s.mark)).toEqual([]);
  }, 180_000);

  it('when it is killed with SIGKILL', async () => {
    const s = await setup();
    const run = runStart(s.env);
    await run.waitFor('Relay is running');
    run.child.kill('SIGKILL');
    expect(await run.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await survivors(s.mark)).toEqual([]);
  }, 180_000);

  it('when the npm process running it is killed with SIGKILL', async () => {
    const s = await setup();
    const run = runStart(s.env, { viaNpm: true });
    await run.waitFor('Relay is running');
    run.child.kill('SIGKILL');
    await run.exited;
    expect(await survivors(s.mark)).toEqual([]);
  }, 180_000);
});
