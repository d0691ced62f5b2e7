import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dotenv from 'dotenv';
import { ensureDotenv } from '../scripts/lib/dotenv-file';
import { ConfigError, loadConfig } from '../src/config';
import { relayConfigVariables } from '../src/modules';
import { testEnv } from './helpers/relay';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('parses a complete environment and applies defaults', () => {
    const config = loadConfig(testEnv({ TEMPORAL_ADDRESS: undefined, API_PORT: undefined, DATABASE_URL: undefined }));
    expect(config.temporal.address).toBe('127.0.0.1:7233');
    expect(config.api.port).toBe(3000);
    expect(config.databaseUrl).toBe('postgresql://postgres@127.0.0.1:5432/relay');
    expect(config.api.keys.map((k) => [k.name, k.role])).toEqual([
      ['ci', 'service'],
      ['alice', 'operator'],
    ]);
    expect(config.codec.keys[0]!.key).toHaveLength(32);
    expect(config.temporal.tls).toBeUndefined();
  });

  it('lists every problem at once, naming the variable', () => {
    const problems = problemsOf(
      testEnv({
        API_PORT: '70000',
        DATABASE_URL: 'mysql://x@y/z',
        RELAY_API_KEYS: 'bob:admin:0123456789abcdef0123456789,short:service:abc',
        PAYLOAD_ENCRYPTION_KEYS: 'k1:dG9vc2hvcnQ=',
        TEMPORAL_ADDRESS: 'no-port',
        LOG_LEVEL: 'loud',
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^API_PORT: /),
        expect.stringMatching(/^DATABASE_URL: /),
        expect.stringMatching(/^RELAY_API_KEYS: entry 1 \(bob\) has role "admin"/),
        expect.stringMatching(/^RELAY_API_KEYS: entry 2 \(short\) has a secret shorter than 24/),
        expect.stringMatching(/^PAYLOAD_ENCRYPTION_KEYS: key "k1" must be 32 bytes/),
        expect.stringMatching(/^TEMPORAL_ADDRESS: must be host:port/),
        expect.stringMatching(/^LOG_LEVEL: /),
      ]),
    );
    expect(problems).toHaveLength(7);
  });

  it('requires API keys and encryption keys', () => {
    const problems = problemsOf(testEnv({ RELAY_API_KEYS: undefined, PAYLOAD_ENCRYPTION_KEYS: '' }));
    expect(problems.map((p) => p.split(':')[0])).toEqual(['RELAY_API_KEYS', 'PAYLOAD_ENCRYPTION_KEYS']);
  });

  it('reads national phone numbers in PHONE_DEFAULT_REGION: NL unless set, an ISO 3166-1 alpha-2 code', () => {
    expect(loadConfig(testEnv()).phone.defaultRegion).toBe('NL');
    expect(loadConfig(testEnv({ PHONE_DEFAULT_REGION: 'fr' })).phone.defaultRegion).toBe('FR');
    for (const bad of ['NLD', 'Netherlands', 'ZZ', '31']) {
      expect(problemsOf(testEnv({ PHONE_DEFAULT_REGION: bad }))).toEqual([expect.stringMatching(/^PHONE_DEFAULT_REGION: .*ISO 3166-1 alpha-2/)]);
    }
  });

  it('limits keys to PMS properties with RELAY_API_KEY_PROPERTIES, naming bad entries', () => {
    const [a, b] = ['0f8e5b1c-1111-4c1e-9a55-2b6f3e0c9a01', '6D1F2C3E-2222-4B7A-8C9D-0E1F2A3B4C5D'];
    const keys = loadConfig(testEnv({ RELAY_API_KEY_PROPERTIES: `ci:${a}|${b}` })).api.keys;
    expect(keys.find((k) => k.name === 'ci')?.properties).toEqual([a, b.toLowerCase()]);
    expect(keys.find((k) => k.name === 'alice')?.properties).toBeUndefined();
    expect(problemsOf(testEnv({ RELAY_API_KEY_PROPERTIES: `bob:${a}` }))).toEqual(['RELAY_API_KEY_PROPERTIES: no key named bob in RELAY_API_KEYS']);
    expect(problemsOf(testEnv({ RELAY_API_KEY_PROPERTIES: 'ci:hotel-1' }))).toEqual([expect.stringMatching(/^RELAY_API_KEY_PROPERTIES: entry 1 \(ci\) has a property id that is not a UUID/)]);
    expect(problemsOf(testEnv({ RELAY_API_KEY_PROPERTIES: `ci:${a},ci:${b}` }))).toEqual([expect.stringMatching(/entry 2 repeats the key "ci"/)]);
    expect(problemsOf(testEnv({ RELAY_API_KEY_PROPERTIES: 'ci' }))).toEqual([expect.stringMatching(/entry 1 must look like keyName:propertyId/)]);
  });

  it('never echoes a secret in its messages', () => {
    const secret = 'topsecret-value-that-is-long-enough';
    const problems = problemsOf(testEnv({ RELAY_API_KEYS: `x:root:${secret}` }));
    expect(problems.join('\n')).not.toContain(secret);
  });

  it('turns TLS on for Temporal Cloud API keys and wants mTLS files in pairs', () => {
    const cloud = loadConfig(testEnv({ TEMPORAL_API_KEY: 'abc', TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233' }));
    expect(cloud.temporal.tls).toBeDefined();
    expect(cloud.temporal.apiKey).toBe('abc');
    expect(problemsOf(testEnv({ TEMPORAL_TLS_CERT_PATH: '/tmp/cert.pem' }))).toEqual([
      'TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH must be set together (mTLS)',
    ]);
  });

  it('is fully documented in .env.example', () => {
    const example = readFileSync(path.join(__dirname, '..', '.env.example'), 'utf8');
    const documented = [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    // The core config plus each integration module's section, from the one registry.
    expect([...new Set(documented)].sort()).toEqual([...new Set(relayConfigVariables())].sort());
  });

  it('gives a new user a working .env on first start, and never overwrites it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'relay-env-'));
    try {
      const envFile = path.join(dir, '.env');
      expect(ensureDotenv(path.join(__dirname, '..', '.env.example'), envFile)).toBe(true);
      expect(statSync(envFile).mode & 0o077).toBe(0);
      const config = loadConfig(dotenv.parse(readFileSync(envFile)));
      expect(config.api.keys.map((k) => `${k.name}:${k.role}`)).toEqual(['demo-service:service', 'demo-operator:operator']);
      // Its own session secret, not one derived from the keys.
      expect(dotenv.parse(readFileSync(envFile)).SESSION_SECRET).toMatch(/^[0-9a-f]{64}$/);

      writeFileSync(envFile, 'RELAY_API_KEYS=mine\n');
      expect(ensureDotenv(path.join(__dirname, '..', '.env.example'), envFile)).toBe(false);
      expect(readFileSync(envFile, 'utf8')).toBe('RELAY_API_KEYS=mine\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
