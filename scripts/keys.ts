import path from 'node:path';
import dotenv from 'dotenv';
import { ConfigError, loadConfig } from '../src/config';

/**
 * `npm run keys`: the API keys Relay accepts (from the environment or `.env`), one per line;
 * `npm run -s keys -- NAME` prints only that key's secret, and `-- service` / `-- operator`
 * the first key with that role, e.g. `KEY=$(npm run -s keys -- service)`. A portable
 * stand-in for `grep -P` on `.env`.
 */

dotenv.config({ path: path.resolve(__dirname, '..', '.env'), quiet: true });

function main(wanted: string | undefined): number {
  if (!process.env.RELAY_API_KEYS) {
    console.error('No API keys yet: `npm start` creates .env with demo keys on its first run.');
    return 1;
  }
  let keys;
  try {
    keys = loadConfig().api.keys;
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : String(err));
    return 1;
  }
  if (wanted === undefined) {
    const width = Math.max(...keys.map((k) => k.name.length));
    for (const k of keys) console.log(`${k.name.padEnd(width)}  ${k.role.padEnd(8)}  ${k.secret}`);
    return 0;
  }
  const key = keys.find((k) => k.name === wanted) ?? keys.find((k) => k.role === wanted);
  if (!key) {
    console.error(`No API key named "${wanted}" and none with that role (there are: ${keys.map((k) => `${k.name} (${k.role})`).join(', ')}).`);
    return 1;
  }
  console.log(key.secret);
  return 0;
}

process.exitCode = main(process.argv[2]);
