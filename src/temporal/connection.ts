import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { Config } from '../config';

/**
 * Connection settings shared by the client (API) and the worker: a local dev server,
 * a self-hosted cluster with mTLS, or Temporal Cloud with mTLS or an API key.
 */
export function temporalConnectionOptions(temporal: Config['temporal']): {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
} {
  const { tls } = temporal;
  if (!tls) return { address: temporal.address };
  const read = (path?: string) => (path ? readFileSync(path) : undefined);
  const cert = read(tls.certPath);
  const key = read(tls.keyPath);
  return {
    address: temporal.address,
    apiKey: temporal.apiKey,
    tls: {
      serverNameOverride: tls.serverName,
      serverRootCACertificate: read(tls.caPath),
      clientCertPair: cert && key ? { crt: cert, key } : undefined,
    },
  };
}
