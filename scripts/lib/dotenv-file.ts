import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * First run: turns `.env.example` into `.env` with freshly generated secrets, so a new
 * user gets working API keys, an encryption key and a session secret without reading
 * anything first. Returns true when the file was created.
 */
export function ensureDotenv(examplePath: string, envPath: string): boolean {
  if (existsSync(envPath)) return false;
  const secrets: Record<string, string> = {
    RELAY_API_KEYS: `demo-service:service:${randomBytes(24).toString('hex')},demo-operator:operator:${randomBytes(24).toString('hex')}`,
    PAYLOAD_ENCRYPTION_KEYS: `local-1:${randomBytes(32).toString('base64')}`,
    SESSION_SECRET: randomBytes(32).toString('hex'),
  };
  const text = readFileSync(examplePath, 'utf8').replace(/^([A-Z_]+)=.*$/gm, (line, name: string) =>
    name in secrets ? `${name}=${secrets[name]}` : line,
  );
  writeFileSync(envPath, text, { mode: 0o600 });
  return true;
}
