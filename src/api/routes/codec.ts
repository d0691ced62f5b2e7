import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { PayloadCodec } from '@temporalio/common';
import cors from 'cors';
import { type NextFunction, type Request, type Response, Router } from 'express';
import type { ApiKey } from '../../config';
import { payloadFromJson, payloadToJson } from '../../temporal/payload-json';
import { authenticate, requireRole } from '../auth';
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
  corsOrigins: string[];
  /**
   * The local dev Web UI cannot send an API key; when set, browser requests from the
   * configured UI origins are accepted without one. Never enable it on a shared network.
   */
  trustWebUiOrigin: boolean;
}

export function codecRouter(deps: CodecRouteDeps): Router {
  const router = Router();
  const corsMiddleware = cors({
    origin: deps.corsOrigins,
    methods: ['POST'],
    allowedHeaders: ['content-type', 'x-namespace', 'authorization'],
    credentials: true,
  });
  const authenticateKey = authenticate(deps.keys);
  const operatorOnly = requireRole('operator');
  const authorize = (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.get('origin');
    const fromTrustedUi = deps.trustWebUiOrigin && !req.get('authorization') && !!origin && deps.corsOrigins.includes(origin);
    if (fromTrustedUi) return next();
    // Both throw 401/403 synchronously; Express turns that into the error response.
    authenticateKey(req, res, () => operatorOnly(req, res, next));
  };

  router.options('/codec/:op', corsMiddleware);
  for (const op of ['encode', 'decode'] as const) {
    router.post(
      `/codec/${op}`,
      corsMiddleware,
      authorize,
      validated({ body: CodecBody }, async ({ body }, _req, res) => {
        const out = await deps.codec[op](body.payloads.map(payloadFromJson));
        res.json({ payloads: out.map(payloadToJson) });
      }),
    );
  }
  return router;
}

export function registerCodecOpenApi(registry: OpenAPIRegistry): void {
  for (const op of ['encode', 'decode'] as const) {
    registry.registerPath({
      method: 'post',
      path: `/codec/${op}`,
      summary: `${op === 'decode' ? 'Decrypt' : 'Encrypt'} Temporal payloads (operator; used by the Web UI and CLI)`,
      security: [{ bearer: [] }],
      request: { body: { content: { 'application/json': { schema: CodecBody } } } },
      responses: {
        200: { description: 'Converted payloads', content: { 'application/json': { schema: CodecBody } } },
        ...errorResponses([400, 401, 403]),
      },
    });
  }
}
