import { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import request from 'supertest';
import { loadConfig } from '../src/config';
import { EncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../src/temporal/encryption-codec';
import { bearer, testEnv, uniqueId, useRelay } from './helpers/relay';

const key = (id: string, fill: number) => `${id}:${Buffer.alloc(32, fill).toString('base64')}`;
const codecWith = (keys: string) => new EncryptionCodec(loadConfig(testEnv({ PAYLOAD_ENCRYPTION_KEYS: keys })).codec.keys);
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');

/** Every byte array anywhere in a (protobuf-decoded) history: payload data and metadata. */
function binaryValues(node: unknown, out: Buffer[] = []): Buffer[] {
  if (node instanceof Uint8Array) out.push(Buffer.from(node));
  else if (node && typeof node === 'object') for (const v of Object.values(node)) binaryValues(v, out);
  return out;
}

describe('payload encryption codec', () => {
  it('round-trips payloads and tags them with the key id', async () => {
    const codec = codecWith(key('k1', 1));
    const plain = defaultPayloadConverter.toPayload({ guest: 'Jane Doe', phone: '+31 6 1234 5678' });
    const [encrypted] = await codec.encode([plain]);
    expect(text(encrypted!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encrypted!.metadata![KEY_ID_METADATA])).toBe('k1');
    expect(text(encrypted!.data)).not.toContain('Jane');
    const [decoded] = await codec.decode([encrypted!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ guest: 'Jane Doe', phone: '+31 6 1234 5678' });
  });

  it('uses a fresh IV per payload', async () => {
    const codec = codecWith(key('k1', 1));
    const plain = defaultPayloadConverter.toPayload('same');
    const [a, b] = await codec.encode([plain, plain]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('decrypts with retired keys after rotation, and refuses unknown keys and tampering', async () => {
    const [old] = await codecWith(key('k1', 1)).encode([defaultPayloadConverter.toPayload('old secret')]);
    const rotated = codecWith(`${key('k2', 2)},${key('k1', 1)}`);
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([old!]))[0]!)).toBe('old secret');
    const [fresh] = await rotated.encode([defaultPayloadConverter.toPayload('new')]);
    expect(text(fresh!.metadata![KEY_ID_METADATA])).toBe('k2');

    await expect(codecWith(key('k3', 3)).decode([old!])).rejects.toThrow('No payload encryption key with id "k1"');
    const tampered = { ...old!, data: Buffer.from(old!.data!).map((byte, i) => (i === 20 ? byte ^ 1 : byte)) };
    await expect(rotated.decode([tampered])).rejects.toThrow();
  });

  it('passes unencrypted payloads through on decode', async () => {
    const plain = defaultPayloadConverter.toPayload('legacy');
    expect(await codecWith(key('k1', 1)).decode([plain])).toEqual([plain]);
  });
});

describe('payloads at rest in Temporal and the codec endpoint', () => {
  const relay = useRelay({ env: { CODEC_CORS_ORIGINS: 'http://127.0.0.1:8233' } });

  it('stores only ciphertext in the history, which the codec endpoint decodes for operators', async () => {
    const secret = `Guest Jane Doe ${uniqueId('pii')}`;
    const id = uniqueId('cipher');
    await request(relay().app).post('/v1/echo').set('authorization', bearer('service')).send({ message: secret, id }).expect(202);
    const handle = relay().env.client.workflow.getHandle(`echo-${id}`);
    await handle.result();

    // A client without Relay's codec sees what Temporal stores.
    const raw = new Client({ connection: relay().env.connection, namespace: relay().config.temporal.namespace });
    const history = await raw.workflow.getHandle(`echo-${id}`).fetchHistory();
    const started = history.events!.find((e) => e.workflowExecutionStartedEventAttributes)!;
    const input = started.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    expect(text(input.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    const blobs = binaryValues(history);
    expect(blobs.length).toBeGreaterThan(3);
    expect(blobs.filter((b) => b.includes('Jane Doe'))).toEqual([]);

    // The operator endpoint speaks the Web UI's JSON payload format.
    const body = {
      payloads: [
        {
          metadata: Object.fromEntries(Object.entries(input.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
          data: Buffer.from(input.data!).toString('base64'),
        },
      ],
    };
    const res = await request(relay().app).post('/codec/decode').set('authorization', bearer('operator')).set('x-namespace', 'default').send(body);
    expect(res.status).toBe(200);
    const decoded = res.body.payloads[0];
    expect(Buffer.from(decoded.metadata.encoding, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(decoded.data, 'base64').toString())).toMatchObject({ message: secret });
  });

  it('answers CORS preflights for the Web UI origin only', async () => {
    const ok = await request(relay().app)
      .options('/codec/decode')
      .set('origin', 'http://127.0.0.1:8233')
      .set('access-control-request-method', 'POST')
      .set('access-control-request-headers', 'content-type,x-namespace');
    expect(ok.status).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('http://127.0.0.1:8233');
    expect(ok.headers['access-control-allow-headers']).toMatch(/x-namespace/);
    const other = await request(relay().app).options('/codec/decode').set('origin', 'http://evil.example').set('access-control-request-method', 'POST');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers 401 to a request without credentials, whatever its origin', async () => {
    // curl -X POST /codec/decode -H 'Origin: http://127.0.0.1:8233' -d '{"payloads":[]}'
    for (const origin of ['http://127.0.0.1:8233', 'http://localhost:8233', 'http://evil.example', undefined]) {
      for (const op of ['decode', 'encode']) {
        const req = request(relay().app).post(`/codec/${op}`).set('content-type', 'application/json');
        const res = await (origin ? req.set('origin', origin) : req).send({ payloads: [] });
        expect({ op, origin, status: res.status }).toEqual({ op, origin, status: 401 });
      }
    }
  });

  it('rejects payloads that are not base64 with 400', async () => {
    const res = await request(relay().app)
      .post('/codec/decode')
      .set('authorization', bearer('operator'))
      .send({ payloads: [{ metadata: { encoding: 'not base64!' }, data: '' }] });
    expect(res.status).toBe(400);
  });
});
