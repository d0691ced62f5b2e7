import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { PayloadCodec } from '@temporalio/common';
import cors from 'cors';
import { Router } from 'express';
import type { ApiKey } from '../../config';
import { payloadFromJson, payloadToJson } from '../../temporal/payload-json';
import { authenticate, requireRole } from '../auth';
import { jsonBody, MB } from '../body';
import type { RateLimits } from '../rate-limit';
import type { OperatorSessions } from '../session';
import { errorResponses, z } from '../openapi';
import { validated } from '../validate';

/**
 * Codec endpoint for the Temporal Web UI and `temporal` CLI (`--codec-endpoint`): turns
 * the encrypted payloads in a history back into readable JSON for operators.
 * Wire format: Temporal's JSON form of Payload (metadata values and data in base64).
 */

const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const JsonPayload = z.object({ metadata: z.record(z.string(), Base64).default({}), data: Base64.default('') }).openapi('Payload');
const CodecBody = z.object({ payloads: z.array(JsonPayload).max(1_000) }).openapi('CodecPayloads');

export interface CodecRouteDeps {
  codec: PayloadCodec;
  keys: ApiKey[];
  /** Web UI origins: allowed by CORS, and the only pages a signed-in browser may decode from. */
  corsOrigins: string[];
  /** Operator session cookies from `/ui/sign-in`; the Web UI sends them when it includes credentials. */
  sessions: OperatorSessions;
  rateLimits: RateLimits;
}

/** The Web UI decodes whole histories in one call. */
const CODEC_BODY_LIMIT = 16 * MB;

export function codecRouter(deps: CodecRouteDeps): Router {
  const router = Router();
  const corsMiddleware = cors({
    origin: deps.corsOrigins,
    methods: ['POST'],
    allowedHeaders: ['content-type', 'x-namespace', 'authorization'],
    credentials: true,
  });
  // An operator key (CLI, scripts) or a signed-in operator's browser; nothing else, from anywhere.
  const authorize = [
    deps.rateLimits.perAddress,
    authenticate(deps.keys, { sessions: deps.sessions, allowedOrigins: deps.corsOrigins }),
    deps.rateLimits.perKey,
    requireRole('operator'),
  ];

  router.options('/codec/:op', corsMiddleware);
  for (const op of ['encode', 'decode'] as const) {
    router.post(
      `/codec/${op}`,
      corsMiddleware,
      ...authorize,
      ...jsonBody(CODEC_BODY_LIMIT),
      validated({ body: CodecBody }, async ({ body }, _req, res) => {
        const out = await deps.codec[op](body.payloads.map(payloadFromJson));
        res.json({ payloads: out.map(payloadToJson) });
      }),
    );
  }
  return router;
}

export function registerCodecOpenApi(registry: OpenAPIRegistry): void {
  registry.registerComponent('securitySchemes', 'operatorSession', {
    type: 'apiKey',
    in: 'cookie',
    name: 'relay_session',
    description: 'Set by signing in at /ui/sign-in with an operator key (`__Host-relay_session` over https); only from CODEC_CORS_ORIGINS.',
  });
  for (const op of ['encode', 'decode'] as const) {
    registry.registerPath({
      method: 'post',
      path: `/codec/${op}`,
      summary: `${op === 'decode' ? 'Decrypt' : 'Encrypt'} Temporal payloads (operator; used by the Web UI and CLI)`,
      security: [{ bearer: [] }, { operatorSession: [] }],
      request: { body: { content: { 'application/json': { schema: CodecBody } } } },
      responses: {
        200: { description: 'Converted payloads', content: { 'application/json': { schema: CodecBody } } },
        ...errorResponses([400, 401, 403, 411, 413, 429]),
      },
    });
  }
}
