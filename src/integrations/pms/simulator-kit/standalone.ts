/**
 * Running a simulator as its own process, as an operator or demo mode starts it:
 * `[--port N] [--host H] [--log]`, the port also from the vendor's environment variable, stopped
 * cleanly on SIGINT or SIGTERM. A simulator that cannot start exits 1 with the reason.
 */
import { parseArgs } from 'node:util';

export interface StandaloneSimulator {
  /** The port when neither --port nor `portVariable` names one. */
  defaultPort: number;
  portVariable: string;
  start(options: { port: number; host: string; logRequests: boolean }): Promise<{ url: string; close(): Promise<void> }>;
  /** The line saying where it listens: "... listening on <url> ..." (tests and operators read the URL from it). */
  announce(url: string): string;
}

async function run(simulator: StandaloneSimulator): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env[simulator.portVariable] ?? String(simulator.defaultPort) },
      host: { type: 'string', default: '127.0.0.1' },
      log: { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port must be an integer in 0..65535, got ${values.port}`);
  const sim = await simulator.start({ port, host: values.host, logRequests: values.log });
  console.log(simulator.announce(sim.url));
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

export function runStandalone(simulator: StandaloneSimulator): void {
  run(simulator).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
