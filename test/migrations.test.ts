import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { prisma } from '../scripts/lib/prisma-cli';

/**
 * Global setup applied every migration to an empty database through the real Prisma
 * CLI; these checks prove the result and that the schema has no unmigrated change.
 */
const migrationsDir = path.join(__dirname, '..', 'prisma', 'migrations');
const migrationNames = readdirSync(migrationsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('database migrations', () => {
  let db: Client;
  beforeAll(async () => {
    db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
  });

  it('applied every migration from an empty database, none failed', async () => {
    expect(migrationNames.length).toBeGreaterThan(0);
    const { rows } = await db.query<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }>(
      'SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(migrationNames);
    for (const row of rows) {
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
    }
  });

  it('created the shared audit_log table with its columns and idempotency key', async () => {
    const { rows } = await db.query<{ column_name: string; is_nullable: string }>(
      "SELECT column_name, is_nullable FROM information_schema.columns WHERE table_name = 'audit_log' ORDER BY column_name",
    );
    expect(Object.fromEntries(rows.map((r) => [r.column_name, r.is_nullable]))).toEqual({
      action: 'NO',
      actor: 'NO',
      after: 'YES',
      before: 'YES',
      correlation_id: 'NO',
      created_at: 'NO',
      entity: 'NO',
      entity_id: 'NO',
      id: 'NO',
      idempotency_key: 'YES',
    });
    const insert = "INSERT INTO audit_log (actor, action, entity, entity_id, correlation_id, idempotency_key) VALUES ('a','b','c','d','e','dup-key')";
    await db.query(insert);
    await expect(db.query(insert)).rejects.toThrow(/unique/);
  });

  it('reports the database up to date (prisma migrate status)', () => {
    const status = prisma(['migrate', 'status'], process.env);
    expect(status.stdout).toContain('Database schema is up to date');
    expect(status.status).toBe(0);
  });

  it('has a migration for every change in schema.prisma', () => {
    const diff = prisma(
      ['migrate', 'diff', '--from-migrations', 'prisma/migrations', '--to-schema', 'prisma/schema.prisma', '--exit-code'],
      process.env,
    );
    // Exit 2 means schema.prisma has changes no migration captures: run `npx prisma migrate dev`.
    expect(`${diff.status} ${diff.stdout}${diff.stderr}`).toMatch(/^0 /);
  });
});
