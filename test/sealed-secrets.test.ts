import { randomBytes } from 'node:crypto';
import { SecretKeyMissingError, createSecretSealer, isSealed } from '../src/db/sealed-secrets';

/** Secrets Relay reads back (webhook signing secrets) are stored sealed with its encryption keys. */
describe('sealed secrets', () => {
  const key = (id: string) => ({ id, key: randomBytes(32) });
  const [k1, k2] = [key('k1'), key('k2')];

  it('seals with the first key and opens for the same row only', () => {
    const sealer = createSecretSealer([k1]);
    const stored = sealer.seal('whsec_abc', 'webhook_endpoint:ep-1');
    expect(isSealed(stored)).toBe(true);
    expect(stored).toMatch(/^sealed:v1:k1:/);
    expect(stored).not.toContain('abc');
    expect(sealer.seal('whsec_abc', 'webhook_endpoint:ep-1')).not.toBe(stored);
    expect(sealer.open(stored, 'webhook_endpoint:ep-1')).toBe('whsec_abc');
    expect(() => sealer.open(stored, 'webhook_endpoint:ep-2')).toThrow();
  });

  it('opens what an earlier key sealed after a rotation, and names a key that is gone', () => {
    const stored = createSecretSealer([k1]).seal('whsec_old', 'c');
    expect(createSecretSealer([k2, k1]).open(stored, 'c')).toBe('whsec_old');
    expect(createSecretSealer([k2, k1]).seal('whsec_new', 'c')).toMatch(/^sealed:v1:k2:/);
    expect(() => createSecretSealer([k2]).open(stored, 'c')).toThrow(SecretKeyMissingError);
  });

  it('refuses a tampered value', () => {
    const sealer = createSecretSealer([k1]);
    const stored = sealer.seal('whsec_abc', 'c');
    const last = stored.at(-2) === 'A' ? 'B' : 'A';
    expect(() => sealer.open(`${stored.slice(0, -2)}${last}${stored.at(-1)}`, 'c')).toThrow();
  });

  it('passes a value stored before sealing through unchanged', () => {
    expect(createSecretSealer([k1]).open('whsec_legacy', 'c')).toBe('whsec_legacy');
  });
});
