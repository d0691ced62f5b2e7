import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** Runs the real Prisma CLI of the project (offline engine wired in prisma.config.ts). */
export function prisma(args: string[], env: NodeJS.ProcessEnv, stdio: 'inherit' | 'pipe' = 'pipe') {
  const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'prisma'), args, {
    cwd: ROOT,
    env: { ...env, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
    stdio,
    encoding: 'utf8',
  });
  return { status: result.status ?? 1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/**
 * Applies pending migrations, then verifies with `migrate status`: the CLI can exit 0
 * when an engine dies mid-request, and status exits 1 on anything pending or failed.
 */
export function migrateDeploy(databaseUrl: string, stdio: 'inherit' | 'pipe' = 'pipe'): void {
  const env = { ...process.env, DATABASE_URL: databaseUrl };
  for (const args of [['migrate', 'deploy'], ['migrate', 'status']]) {
    const r = prisma(args, env, stdio);
    if (r.status !== 0) throw new Error(`prisma ${args.join(' ')} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  }
}
