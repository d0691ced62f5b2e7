/** Starting a simulator's HTTP server: on `host` (default loopback) and `port` (default any free one). */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListenOptions {
  host?: string;
  port?: number;
}

/** Listens and answers the server's base URL (an IPv6 host in brackets). */
export async function listen(server: Server, options: ListenOptions): Promise<string> {
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
