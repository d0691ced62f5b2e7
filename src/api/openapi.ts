import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// Lets every schema carry `.openapi(...)` metadata; the document is generated from the
// same zod schemas that validate requests, so the two cannot drift.
extendZodWithOpenApi(z);

/** zod with `.openapi()`: route modules import `z` from here so the extension is always loaded first. */
export { z };

export const ErrorBody = z
  .object({
    error: z.string().openapi({ example: 'invalid_request' }),
    message: z.string(),
    correlationId: z.string().optional(),
    issues: z.array(z.unknown()).optional(),
  })
  .openapi('Error');

export function createRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'A Relay API key (RELAY_API_KEYS). Role `service` starts workflows; `operator` may also act on them.',
  });
  return registry;
}

/** Standard error responses, so every path documents 400/401/403 the same way. */
export const errorResponses = (codes: number[]) =>
  Object.fromEntries(
    codes.map((code) => [code, { description: ERROR_TEXT[code] ?? 'Error', content: { 'application/json': { schema: ErrorBody } } }]),
  );

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid input; `issues` lists what is wrong',
  401: 'Missing or unknown API key',
  403: 'The API key lacks the required role',
  404: 'Not found',
  409: 'Conflicts with the current state',
  422: 'Well-formed but cannot be processed',
  503: 'A dependency is unavailable',
};

export function generateDocument(registry: OpenAPIRegistry, serverUrl: string) {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Relay API',
      version: '0.1.0',
      description: 'Starts and inspects Relay integration workflows. Every route except health checks needs a bearer API key.',
    },
    servers: [{ url: serverUrl }],
  });
}
