import { randomUUID } from 'node:crypto';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { Router } from 'express';
import { WORKFLOW_ID_PART } from '../../domain/workflow-ids';
import { ConflictError, NotFoundError } from '../../errors';
import type { StarterContext } from '../../temporal/starters/context';
import { startEcho } from '../../temporal/starters/echo';
import type { EchoResult } from '../../workflows/echo';
import { principalOf, requireRole } from '../auth';
import { errorResponses, z } from '../openapi';
import { validated } from '../validate';

/** Smoke route: starts the echo workflow and reports on it. */

const WorkflowIdPart = z.string().max(100).regex(WORKFLOW_ID_PART, 'letters, digits, dot, colon, dash or underscore (max 100)');

const StartEchoBody = z
  .object({
    message: z.string().min(1).max(1_000).openapi({ example: 'hello relay' }),
    id: WorkflowIdPart.optional().openapi({
      description: 'Makes the start idempotent: the same id is accepted once (409 afterwards). Default: random.',
    }),
  })
  .strict()
  .openapi('StartEcho');

const EchoParams = z.object({ workflowId: z.string().regex(/^echo-[A-Za-z0-9._-]{1,100}$/, 'must be an echo workflow id') });

const EchoStarted = z
  .object({ workflowId: z.string(), runId: z.string(), statusUrl: z.string(), webUiUrl: z.string() })
  .openapi('EchoStarted');

const EchoStatus = z
  .object({
    workflowId: z.string(),
    runId: z.string(),
    status: z.string().openapi({ example: 'COMPLETED' }),
    startTime: z.string(),
    closeTime: z.string().nullable(),
    result: z.object({ message: z.string(), auditLogId: z.string(), recordedAt: z.string() }).optional(),
    failure: z.string().optional(),
  })
  .openapi('EchoStatus');

/** The root cause is what an operator needs ("echo needs a non-empty message"), not the wrapper. */
function failureMessage(err: unknown): string {
  if (err instanceof WorkflowFailedError && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

export interface EchoRouteDeps {
  starter: StarterContext;
  webUiUrl: (workflowId: string) => string;
}

export function echoRouter(deps: EchoRouteDeps): Router {
  const router = Router();

  router.post(
    '/v1/echo',
    requireRole('service'),
    validated({ body: StartEchoBody }, async ({ body }, req, res) => {
      const input = { message: body.message, requestedBy: principalOf(res).name, correlationId: String(req.id) };
      try {
        const { workflowId, runId } = await startEcho(deps.starter, body.id ?? randomUUID(), input);
        res
          .status(202)
          .location(`/v1/echo/${workflowId}`)
          .json({ workflowId, runId, statusUrl: `/v1/echo/${workflowId}`, webUiUrl: deps.webUiUrl(workflowId) });
      } catch (err) {
        if (err instanceof ConflictError) throw new ConflictError(err.message, { ...err.details, statusUrl: `/v1/echo/${String(err.details?.workflowId)}` });
        throw err;
      }
    }),
  );

  router.get(
    '/v1/echo/:workflowId',
    requireRole('service'),
    validated({ params: EchoParams }, async ({ params }, _req, res) => {
      const handle = deps.starter.client.workflow.getHandle(params.workflowId);
      try {
        const d = await handle.describe();
        const body: z.infer<typeof EchoStatus> = {
          workflowId: d.workflowId,
          runId: d.runId,
          status: d.status.name,
          startTime: d.startTime.toISOString(),
          closeTime: d.closeTime?.toISOString() ?? null,
        };
        if (d.status.name === 'COMPLETED') body.result = await handle.result() as EchoResult;
        if (d.status.name === 'FAILED') body.failure = await handle.result().then(() => undefined, failureMessage);
        res.json(body);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw new NotFoundError(`No echo workflow ${params.workflowId}`);
        throw err;
      }
    }),
  );

  return router;
}

export function registerEchoOpenApi(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'post',
    path: '/v1/echo',
    summary: 'Start the echo smoke workflow (writes one audit_log row)',
    security: [{ bearer: [] }],
    request: { body: { content: { 'application/json': { schema: StartEchoBody } } } },
    responses: {
      202: { description: 'Started', content: { 'application/json': { schema: EchoStarted } } },
      ...errorResponses([400, 401, 403, 409]),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/echo/{workflowId}',
    summary: 'Status (and result once completed) of an echo workflow',
    security: [{ bearer: [] }],
    request: { params: EchoParams },
    responses: {
      200: { description: 'Status', content: { 'application/json': { schema: EchoStatus } } },
      ...errorResponses([400, 401, 403, 404]),
    },
  });
}
