import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { temporalConnectionOptions } from '../src/temporal/connection';
import { testConfig } from './helpers/relay';

describe('Temporal connection options', () => {
  it('connects in plain text to a local server', () => {
    expect(temporalConnectionOptions(testConfig({ TEMPORAL_ADDRESS: '127.0.0.1:7233' }).temporal)).toEqual({ address: '127.0.0.1:7233' });
  });

  it('uses TLS with an API key for Temporal Cloud', () => {
    const options = temporalConnectionOptions(testConfig({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'cloud-key' }).temporal);
    expect(options.apiKey).toBe('cloud-key');
    expect(options.tls).toEqual({ serverNameOverride: undefined, serverRootCACertificate: undefined, clientCertPair: undefined });
  });

  it('reads the mTLS certificate pair, CA and server name from files', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'relay-tls-'));
    try {
      const file = (name: string) => {
        writeFileSync(path.join(dir, name), `-----${name}-----`);
        return path.join(dir, name);
      };
      const options = temporalConnectionOptions(
        testConfig({
          TEMPORAL_TLS_CERT_PATH: file('client.pem'),
          TEMPORAL_TLS_KEY_PATH: file('client.key'),
          TEMPORAL_TLS_CA_PATH: file('ca.pem'),
          TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
        }).temporal,
      );
      expect(options.tls).toEqual({
        serverNameOverride: 'temporal.internal',
        serverRootCACertificate: Buffer.from('-----ca.pem-----'),
        clientCertPair: { crt: Buffer.from('-----client.pem-----'), key: Buffer.from('-----client.key-----') },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
