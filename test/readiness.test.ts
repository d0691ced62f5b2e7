import request from 'supertest';
import { createPrismaClient } from '../src/db/prisma';
import { dependencyChecks } from '../src/api/routes/health';
import { appWith, useRelay } from './helpers/relay';

describe('health and readiness', () => {
  const relay = useRelay({ withWorker: false });

  it('is ready when PostgreSQL and Temporal answer', async () => {
    const res = await request(relay().app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { database: 'ok', temporal: 'ok' }, integrations: { core: 'live', notifications: 'demo', 'company-sync': 'demo', pms: 'demo' } });
  });

  it('reports the database as down (503) while staying alive', async () => {
    // A real client pointed at a port where no PostgreSQL listens.
    const unreachable = new URL(relay().config.databaseUrl);
    unreachable.port = '1';
    const deadDb = createPrismaClient(unreachable.toString());
    const app = appWith(relay(), { readiness: dependencyChecks(deadDb, relay().env.connection) });
    try {
      const res = await request(app).get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'unavailable', checks: { database: 'down', temporal: 'ok' }, integrations: { core: 'live', notifications: 'demo', 'company-sync': 'demo', pms: 'demo' } });
      await request(app).get('/healthz').expect(200);
    } finally {
      await deadDb.$disconnect();
    }
  });
});
