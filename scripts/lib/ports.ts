import { connect, createServer } from 'node:net';

/** Checks that the ports `npm start` is about to listen on are free, before anything is spawned. */

export interface PortUse {
  port: number;
  /** Where it will listen (`0.0.0.0` for every interface). */
  host: string;
  /** What listens there, e.g. "Temporal dev server". */
  what: string;
  /** How to get out of the way, e.g. "set API_PORT to another port". */
  hint: string;
}

export class PortsInUseError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'PortsInUseError';
  }
}

/**
 * Both a probe and a trial bind: a listener on another interface, or one bound with
 * SO_REUSEADDR (as macOS allows), can let one of the two succeed while the port is taken.
 */
export async function portProblem(use: PortUse): Promise<string | undefined> {
  const probeHost = use.host === '0.0.0.0' || use.host === '::' ? '127.0.0.1' : use.host;
  if (await accepts(probeHost, use.port)) return inUse(use);
  const bindError = await tryListen(use.host, use.port);
  if (bindError === 'EADDRINUSE') return inUse(use);
  if (bindError) return `cannot listen on ${use.host}:${use.port} for the ${use.what} (${bindError}); ${use.hint}`;
  return undefined;
}

export async function assertPortsFree(uses: PortUse[]): Promise<void> {
  const problems = (await Promise.all(uses.map(portProblem))).filter((p): p is string => p !== undefined);
  if (problems.length) throw new PortsInUseError(problems);
}

const inUse = (use: PortUse) => `port ${use.port} (${use.what}) is already in use by another program; stop it, or ${use.hint}`;

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function tryListen(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}
