import type { NextFunction, Request, Response } from 'express';
import { RelayError } from '../errors';
import type { Logger } from '../logger';
import { httpStatusOf } from './http-errors';

/** Express body-parser errors carry an HTTP status and a `type`. */
interface BodyParserError extends Error {
  status: number;
  type: string;
}
const isBodyParserError = (err: unknown): err is BodyParserError =>
  err instanceof Error && typeof (err as BodyParserError).type === 'string' && typeof (err as BodyParserError).status === 'number';

/**
 * The single place errors become responses: typed errors (RelayError) keep their status and message,
 * anything unexpected is a 500 whose body holds only a correlation id (details go to the log).
 */
export function errorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const correlationId = String(req.id ?? '');
    if (err instanceof RelayError) {
      res.status(httpStatusOf(err)).json({ error: err.code, message: err.message, ...err.details, correlationId });
    } else if (isBodyParserError(err) && err.status >= 400 && err.status < 500) {
      // e.g. malformed JSON (400) or a body over the size limit (413).
      res.status(err.status).json({ error: 'invalid_request', message: err.message, correlationId });
    } else {
      logger.error({ err, correlationId }, 'unhandled error');
      res.status(500).json({ error: 'internal', message: 'Internal error; quote the correlation id when reporting it', correlationId });
    }
  };
}
