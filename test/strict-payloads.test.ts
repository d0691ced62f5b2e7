import { Client, WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, type Payload, type PayloadCodec, defaultPayloadConverter } from '@temporalio/common';
import { CompleteAsyncError } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../src/config';
import { describeUnencryptedArgs, isUnencryptedPayloadMarker, unencryptedPayloadMarker } from '../src/domain/unencrypted-payload';
import { createLogger } from '../src/logger';
import { createDataConverter } from '../src/temporal/data-converter';
import { EncryptionCodec, KEY_ID_METADATA } from '../src/temporal/encryption-codec';
import { refuseUnencryptedActivityInputs } from '../src/temporal/strict-activity-inputs';
import { buildWorkflowBundle } from '../src/temporal/workflow-bundle';
import { createWorkers } from '../src/temporal/workers';
import { type RelayHarness, queueModule, testEnv, uniqueId, useRelay } from './helpers/relay';
import { addItem, addUnvalidated, addValidated, finish, items } from './workflows/collect';

const key = (id: string, fill: number) => `${id}:${Buffer.alloc(32, fill).toString('base64')}`;
const keysOf = (keys: string) => loadConfig(testEnv({ PAYLOAD_ENCRYPTION_KEYS: keys })).codec.keys;
const strictCodec = (keys: string) => new EncryptionCodec(keysOf(keys), { strict: true });
const valueOf = (p: Payload | undefined) => defaultPayloadConverter.fromPayload(p!);

describe('strict payload codec', () => {
  const plain = defaultPayloadConverter.toPayload({ message: 'from outside' });

  it('decodes a plaintext payload to a marker that names no content', async () => {
    const [decoded] = await strictCodec(key('k1', 1)).decode([plain]);
    expect(valueOf(decoded)).toEqual(unencryptedPayloadMarker('not encrypted'));
    expect(JSON.stringify(valueOf(decoded))).not.toContain('from outside');
  });

  it('treats an unknown key id, tampered, truncated and empty ciphertext the same way instead of throwing', async () => {
    const [sealed] = await new EncryptionCodec(keysOf(key('k1', 1))).encode([plain]);
    const codec = strictCodec(key('k1', 1));

    const [foreign] = await new EncryptionCodec(keysOf(key('rogue', 9))).encode([plain]);
    const [unknown] = await codec.decode([foreign!]);
    expect(valueOf(unknown)).toEqual(unencryptedPayloadMarker('No payload encryption key with id "rogue" is configured'));

    // A known key id on bytes that fail authentication is an attack or corruption: refused, never a workflow task failure.
    const tampered = { ...sealed!, data: Buffer.from(sealed!.data!).map((byte, i) => (i === 20 ? byte ^ 1 : byte)) };
    const truncated = { ...sealed!, data: Buffer.from(sealed!.data!).subarray(0, 10) };
    const empty = { ...sealed!, data: undefined };
    const decoded = await codec.decode([tampered, truncated, empty]);
    for (const d of decoded) {
      expect(valueOf(d)).toEqual(unencryptedPayloadMarker('cannot be decrypted with key "k1" (tampered or corrupt)'));
    }

    const longId = { ...foreign!, metadata: { ...foreign!.metadata, [KEY_ID_METADATA]: Buffer.from('x'.repeat(500)) } };
    const [long] = await codec.decode([longId]);
    expect((valueOf(long) as { reason: string }).reason.length).toBeLessThan(100);
  });

  it('still decrypts every configured key and encrypts with the first', async () => {
    const [old] = await new EncryptionCodec(keysOf(key('k1', 1))).encode([plain]);
    const rotated = strictCodec(`${key('k2', 2)},${key('k1', 1)}`);
    expect(valueOf((await rotated.decode([old!]))[0])).toEqual({ message: 'from outside' });
    const [fresh] = await rotated.encode([plain]);
    expect(Buffer.from(fresh!.metadata![KEY_ID_METADATA]!).toString()).toBe('k2');
    expect(valueOf((await rotated.decode([fresh!]))[0])).toEqual({ message: 'from outside' });
  });

  it('is lenient unless asked: plaintext passes through and undecryptable payloads throw (codec endpoint, clients)', async () => {
    const lenient = createDataConverter(keysOf(key('k1', 1))).payloadCodecs![0]!;
    expect(await lenient.decode([plain])).toEqual([plain]);
    const [foreign] = await new EncryptionCodec(keysOf(key('rogue', 9))).encode([plain]);
    await expect(lenient.decode([foreign!])).rejects.toThrow('No payload encryption key with id "rogue"');

    const strict = createDataConverter(keysOf(key('k1', 1)), { strict: true }).payloadCodecs![0]!;
    expect(isUnencryptedPayloadMarker(valueOf((await strict.decode([plain]))[0]))).toBe(true);
  });

  it('describes refused arguments by position and reason only', () => {
    expect(describeUnencryptedArgs(['fine', { a: 1 }])).toBeUndefined();
    expect(describeUnencryptedArgs(['fine', unencryptedPayloadMarker('not encrypted')])).toBe('argument 2: not encrypted');
    expect(isUnencryptedPayloadMarker({ __relayUnencryptedPayload: 'yes' })).toBe(false);
  });
});

describe('STRICT_PAYLOADS', () => {
  const strict = (env: Record<string, string | undefined>) => loadConfig(testEnv(env)).codec.strictPayloads;

  it('is on by default outside development and can be switched either way', () => {
    expect(strict({})).toBe(true); // NODE_ENV=test
    expect(strict({ NODE_ENV: 'production' })).toBe(true);
    expect(strict({ NODE_ENV: 'development' })).toBe(false);
    expect(strict({ NODE_ENV: 'production', STRICT_PAYLOADS: 'false' })).toBe(false);
    expect(strict({ NODE_ENV: 'development', STRICT_PAYLOADS: 'true' })).toBe(true);
    expect(() => strict({ STRICT_PAYLOADS: 'maybe' })).toThrow(ConfigError);
  });
});

describe('strict activity inputs', () => {
  const shout = async (text: string) => text.toUpperCase();

  it('refuses a marker for good and runs the activity otherwise', async () => {
    const env = new MockActivityEnvironment(
      { activityType: 'shout' },
      { interceptors: [refuseUnencryptedActivityInputs], logger: new DefaultLogger('ERROR') },
    );
    await expect(env.run(shout, 'hi')).resolves.toBe('HI');
    const err: unknown = await env.run(shout, unencryptedPayloadMarker('not encrypted') as unknown as string).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'UnencryptedPayload', nonRetryable: true });
    expect((err as Error).message).toContain('Activity shout refused');
  });
});

/** Sends plaintext, as a client without Relay's codec does, but can read Relay's encrypted answers. */
const sendsPlaintext = (relay: RelayHarness): PayloadCodec => {
  const reader = new EncryptionCodec(relay.config.codec.keys);
  return { encode: async (payloads) => payloads, decode: (payloads) => reader.decode(payloads) };
};

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not reached in 10 s');
}

async function workflowTaskFailures(handle: WorkflowHandle): Promise<number> {
  const history = await handle.fetchHistory();
  return history.events!.filter((e) => e.workflowTaskFailedEventAttributes).length;
}

describe('strict mode against Temporal (NODE_ENV=test, so on)', () => {
  const relay = useRelay();
  /** A client with no data converter at all: what anyone who can reach Temporal has. */
  const raw = () => new Client({ connection: relay().env.connection, namespace: relay().config.temporal.namespace });
  const plaintext = () =>
    new Client({ connection: relay().env.connection, namespace: relay().config.temporal.namespace, dataConverter: { payloadCodecs: [sendsPlaintext(relay())] } });

  it('runs the worker strict', () => {
    expect(relay().config.codec.strictPayloads).toBe(true);
  });

  it('fails a plaintext start for good, within seconds, with a non-retryable reason', async () => {
    const workflowId = uniqueId('echo-plaintext');
    const began = Date.now();
    await raw().workflow.start('echoWorkflow', {
      taskQueue: relay().taskQueue,
      workflowId,
      args: [{ message: 'chosen by an outsider', requestedBy: 'intruder', correlationId: 'c' }],
    });
    const handle = relay().env.client.workflow.getHandle(workflowId);
    const err: unknown = await handle.result().catch((e: unknown) => e);
    expect(Date.now() - began).toBeLessThan(30_000);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ type: 'UnencryptedPayload', nonRetryable: true });
    expect(cause!.message).toContain('Workflow start refused: its payload is not encrypted with a known key (argument 1: not encrypted)');
    expect((await handle.describe()).status.name).toBe('FAILED');
    expect(await workflowTaskFailures(handle)).toBe(0);
    expect(await relay().prisma.auditLog.count({ where: { entityId: workflowId } })).toBe(0);
  });

  it('fails a start encrypted with a key Relay does not have the same way', async () => {
    const workflowId = uniqueId('echo-rogue-key');
    const rogue = new Client({
      connection: relay().env.connection,
      namespace: relay().config.temporal.namespace,
      dataConverter: createDataConverter(keysOf(key('rogue', 9))),
    });
    await rogue.workflow.start('echoWorkflow', {
      taskQueue: relay().taskQueue,
      workflowId,
      args: [{ message: 'x', requestedBy: 'intruder', correlationId: 'c' }],
    });
    const err = (await relay().env.client.workflow.getHandle(workflowId).result().catch((e: unknown) => e)) as WorkflowFailedError;
    expect(err.cause).toMatchObject({ type: 'UnencryptedPayload', nonRetryable: true });
    expect(err.cause!.message).toContain('No payload encryption key with id "rogue" is configured');
  });

  it('runs an encrypted start as usual', async () => {
    const result = await relay().env.client.workflow.execute('echoWorkflow', {
      taskQueue: relay().taskQueue,
      workflowId: uniqueId('echo-encrypted'),
      args: [{ message: 'through Relay', requestedBy: 'test', correlationId: 'c' }],
    });
    expect(result).toMatchObject({ message: 'through Relay' });
  });

  describe('on a running workflow', () => {
    // Test-only workflows (test/workflows) under production's bundle recipe, on workers of their own.
    const queues = { strict: uniqueId('relay-strict'), lenient: uniqueId('relay-lenient'), activities: uniqueId('relay-acts'), foreign: uniqueId('foreign') };
    const workers: Worker[] = [];
    let running: Promise<unknown>;

    beforeAll(async () => {
      const { code } = await buildWorkflowBundle(undefined, require.resolve('./workflows'));
      const modules = [queueModule('core', () => ({}))];
      const deps = { prisma: relay().prisma, logger: createLogger({ level: 'silent', name: 'relay-test' }) };
      const common = { connection: relay().env.nativeConnection, namespace: relay().config.temporal.namespace, deps, shutdownGraceMs: 1_000, workflowBundle: { code }, modules };
      const keys = relay().config.codec.keys;
      workers.push(
        ...(await createWorkers({ ...common, dataConverter: createDataConverter(keys, { strict: true }), taskQueues: { core: queues.strict } })),
        ...(await createWorkers({ ...common, dataConverter: createDataConverter(keys, { strict: false }), taskQueues: { core: queues.lenient } })),
        // Activities as Relay's worker hosts them, strict and with the activity interceptor.
        await Worker.create({
          connection: relay().env.nativeConnection,
          namespace: relay().config.temporal.namespace,
          taskQueue: queues.activities,
          dataConverter: createDataConverter(keys, { strict: true }),
          activities: {
            shout: async (text: string) => text.toUpperCase(),
            completedElsewhere: async () => {
              throw new CompleteAsyncError();
            },
          },
          interceptors: { activity: [refuseUnencryptedActivityInputs] },
        }),
        // Someone else's workflow worker, without Relay's codec.
        await Worker.create({
          connection: relay().env.nativeConnection,
          namespace: relay().config.temporal.namespace,
          taskQueue: queues.foreign,
          workflowBundle: { code },
          dataConverter: { payloadCodecs: [sendsPlaintext(relay())] },
        }),
      );
      running = Promise.all(workers.map((w) => w.run()));
    }, 120_000);

    afterAll(async () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await running;
    });

    const startCollect = (client: Client, taskQueue: string) =>
      client.workflow.start('collectWorkflow', { taskQueue, workflowId: uniqueId('collect'), args: [] });

    it('drops a plaintext signal with a warning and keeps the workflow healthy', async () => {
      const warn = jest.spyOn(Runtime.instance().logger, 'warn');
      try {
        const handle = await startCollect(relay().env.client, queues.strict);
        await raw().workflow.getHandle(handle.workflowId).signal(addItem, 'from outside');
        await handle.signal(addItem, 'first');
        expect(await waitFor(() => handle.query(items, ''), (list) => list.length > 0)).toEqual(['first']);

        const dropped = warn.mock.calls.filter(([message]) => message.includes('Dropped a signal'));
        expect(dropped).toHaveLength(1);
        expect(dropped[0]![1]).toMatchObject({ signalName: 'addItem', refused: 'argument 1: not encrypted', workflowId: handle.workflowId });
        expect(JSON.stringify(dropped)).not.toContain('from outside');

        expect((await handle.describe()).status.name).toBe('RUNNING');
        await handle.signal(addItem, 'second');
        await handle.signal(finish);
        expect(await handle.result()).toEqual(['first', 'second']);
        expect(await workflowTaskFailures(handle)).toBe(0);
      } finally {
        warn.mockRestore();
      }
    });

    it('rejects a plaintext update, with or without a validator, and the workflow carries on', async () => {
      const handle = await startCollect(relay().env.client, queues.strict);
      const outsider = plaintext().workflow.getHandle(handle.workflowId);
      for (const update of [addValidated, addUnvalidated]) {
        const err: unknown = await outsider.executeUpdate(update, { args: ['from outside'] }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
        expect((err as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'UnencryptedPayload', nonRetryable: true });
        expect((err as WorkflowUpdateFailedError).cause!.message).toContain(`Update ${update.name} refused: its payload is not encrypted`);
      }
      // A client with no converter at all is refused too (it cannot read the encrypted reason).
      await expect(raw().workflow.getHandle(handle.workflowId).executeUpdate(addValidated, { args: ['x'] })).rejects.toThrow();

      expect(await handle.executeUpdate(addValidated, { args: ['first'] })).toBe(1);
      expect(await handle.executeUpdate(addUnvalidated, { args: ['second'] })).toBe(2);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await handle.signal(finish);
      expect(await handle.result()).toEqual(['first', 'second']);
      expect(await workflowTaskFailures(handle)).toBe(0);
    });

    it('refuses a query with plaintext arguments and answers an encrypted one', async () => {
      const handle = await startCollect(relay().env.client, queues.strict);
      await handle.executeUpdate(addValidated, { args: ['first'] });
      // Query errors carry only the failure's message, which Relay's failure converter encrypts.
      await expect(plaintext().workflow.getHandle(handle.workflowId).query(items, '')).rejects.toThrow('Encoded failure');
      expect(await handle.query(items, 'f')).toEqual(['first']);
      await handle.signal(finish);
      expect(await handle.result()).toEqual(['first']);
    });

    it('refuses plaintext activity input scheduled by a foreign workflow for good', async () => {
      const result = await plaintext().workflow.execute('callActivityWorkflow', {
        taskQueue: queues.foreign,
        workflowId: uniqueId('foreign'),
        args: [queues.activities, 'from outside'],
      });
      expect(result).toBe('failed:UnencryptedPayload:true');
    });

    it('fails a workflow whose activity result was completed in plaintext from outside', async () => {
      const run = async (complete: Client) => {
        const handle = await startAwait();
        await waitFor(
          () => complete.activity.complete({ workflowId: handle.workflowId, activityId: 'completed-elsewhere' }, 'forged').then(() => true, () => false),
          Boolean,
        );
        return handle.result();
      };
      const startAwait = () =>
        relay().env.client.workflow.start('awaitActivityWorkflow', { taskQueue: queues.strict, workflowId: uniqueId('await'), args: [queues.activities] });

      expect(await run(relay().env.client)).toBe('forged');
      const err: unknown = await run(raw()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect((err as WorkflowFailedError).cause).toMatchObject({ type: 'UnencryptedPayload', nonRetryable: true });
      expect((err as WorkflowFailedError).cause!.message).toContain('Activity completedElsewhere returned a result that is not encrypted');
    });

    it('accepts plaintext everywhere when strict mode is off', async () => {
      const outsider = plaintext();
      const handle = await startCollect(outsider, queues.lenient);
      await handle.signal(addItem, 'signal');
      expect(await handle.executeUpdate(addValidated, { args: ['update'] })).toBe(2);
      expect(await handle.query(items, '')).toEqual(['signal', 'update']);
      await handle.signal(finish);
      expect(await handle.result()).toEqual(['signal', 'update']);
    });
  });
});
