import { WorkflowFailedError } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import request from 'supertest';
import { type ActivityDeps, createCoreActivities } from '../src/activities';
import type { AuditEntry } from '../src/activities/audit';
import { createLogger } from '../src/logger';
import { createDataConverter } from '../src/temporal/data-converter';
import { createWorkers } from '../src/temporal/workers';
import { RelayEntity, RelayIntegration, RelayStatus } from '../src/domain/search-attributes';
import { bearer, queueModule, useRelay, uniqueId, workflowBundle } from './helpers/relay';

describe('echo smoke workflow (API → Temporal → worker → PostgreSQL)', () => {
  const relay = useRelay();

  async function waitForStatus(workflowId: string, status: string) {
    for (let i = 0; i < 100; i++) {
      const res = await request(relay().app).get(`/v1/echo/${workflowId}`).set('authorization', bearer('service'));
      if (res.body.status === status) return res;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${workflowId} never reached ${status}`);
  }

  it('starts through the API, writes one audit row and reports the result', async () => {
    const id = uniqueId('smoke');
    const started = await request(relay().app)
      .post('/v1/echo')
      .set('authorization', bearer('service'))
      .set('x-request-id', `req-${id}`)
      .send({ message: 'hello relay', id });
    expect(started.status).toBe(202);
    expect(started.body.workflowId).toBe(`echo-${id}`);
    expect(started.headers.location).toBe(`/v1/echo/echo-${id}`);
    expect(started.body.webUiUrl).toContain(`/workflows/echo-${id}`);

    const done = await waitForStatus(`echo-${id}`, 'COMPLETED');
    expect(done.body.result.message).toBe('hello relay');

    const rows = await relay().prisma.auditLog.findMany({ where: { entityId: `echo-${id}` } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor: 'ci',
      action: 'echo.recorded',
      entity: 'echo',
      correlationId: `req-${id}`,
      after: { message: 'hello relay' },
    });
    expect(done.body.result.auditLogId).toBe(rows[0]!.id.toString());
  });

  it('gives operators searchable attributes in Temporal', async () => {
    const id = uniqueId('attrs');
    await request(relay().app).post('/v1/echo').set('authorization', bearer('service')).send({ message: 'x', id }).expect(202);
    await waitForStatus(`echo-${id}`, 'COMPLETED');
    const described = await relay().env.client.workflow.getHandle(`echo-${id}`).describe();
    expect(described.typedSearchAttributes.get(RelayIntegration)).toBe('core');
    expect(described.typedSearchAttributes.get(RelayEntity)).toBe('echo');
    expect(described.typedSearchAttributes.get(RelayStatus)).toBe('completed');
  });

  it('accepts an explicit id once and answers 409 afterwards', async () => {
    const id = uniqueId('once');
    await request(relay().app).post('/v1/echo').set('authorization', bearer('service')).send({ message: 'a', id }).expect(202);
    const again = await request(relay().app).post('/v1/echo').set('authorization', bearer('service')).send({ message: 'a', id });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: 'conflict', workflowId: `echo-${id}` });
    await waitForStatus(`echo-${id}`, 'COMPLETED');
    expect(await relay().prisma.auditLog.count({ where: { entityId: `echo-${id}` } })).toBe(1);
  });

  it('answers 404 for an unknown echo workflow', async () => {
    const res = await request(relay().app).get('/v1/echo/echo-does-not-exist').set('authorization', bearer('service'));
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('not_found');
  });

  it('fails for good, with a reason, on input the workflow cannot use', async () => {
    const workflowId = uniqueId('echo-bad');
    const handle = await relay().env.client.workflow.start('echoWorkflow', {
      taskQueue: relay().taskQueue,
      workflowId,
      args: [{ message: '', requestedBy: 'test', correlationId: 'c' }],
    });
    const err: unknown = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toMatchObject({ type: 'InvalidInput', nonRetryable: true, message: 'echo needs a non-empty message' });
    const status = await waitForStatus(workflowId, 'FAILED');
    expect(status.body.failure).toBe('echo needs a non-empty message');
    expect(await relay().prisma.auditLog.count({ where: { entityId: workflowId } })).toBe(0);
  });

  it('records the audit row once when an attempt fails after its write and is retried', async () => {
    // The real activity, on a worker of its own whose first attempt dies right after the write
    // (as a worker crash or lost completion would): Temporal retries it.
    const taskQueue = uniqueId('relay-core-retry');
    const attempts: number[] = [];
    const failAfterWrite = (deps: ActivityDeps) => {
      const real = createCoreActivities(deps);
      return {
        async recordAudit(entry: AuditEntry) {
          const row = await real.recordAudit(entry);
          const { attempt } = Context.current().info;
          attempts.push(attempt);
          if (attempt === 1) throw new Error('lost after the write');
          return row;
        },
      };
    };
    const [worker] = await createWorkers({
      connection: relay().env.nativeConnection,
      namespace: relay().config.temporal.namespace,
      dataConverter: createDataConverter(relay().config.codec.keys),
      modules: [queueModule('core', failAfterWrite)],
      deps: { prisma: relay().prisma, logger: createLogger({ level: 'silent', name: 'relay-test' }) },
      shutdownGraceMs: 1_000,
      workflowBundle: await workflowBundle(),
      taskQueues: { core: taskQueue },
    });
    const workflowId = uniqueId('echo-retried');
    const result = await worker!.runUntil(
      relay().env.client.workflow.execute('echoWorkflow', {
        taskQueue,
        workflowId,
        args: [{ message: 'once', requestedBy: 'test', correlationId: 'c' }],
      }),
    );
    expect(attempts).toEqual([1, 2]);
    const rows = await relay().prisma.auditLog.findMany({ where: { entityId: workflowId } });
    expect(rows).toHaveLength(1);
    expect((result as { auditLogId: string }).auditLogId).toBe(rows[0]!.id.toString());
  });
});
