import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { LengthRequiredError, PayloadTooLargeError } from './http-errors';

/**
 * Request bodies are read only after the caller is authenticated, and only up to a limit
 * known from `Content-Length` before a byte is read.
 */

const hasBody = (req: Request) => req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/**
 * Call before answering a request whose body was not read: the connection closes after the
 * answer instead of Node draining an unread (possibly huge) body to reuse it.
 */
export function closeIfBodyUnread(req: Request, res: Response): void {
  if (!req.complete && !res.headersSent) res.setHeader('Connection', 'close');
}

/** 411 for bodies of unknown length (chunked), 413 when Content-Length is over `limitBytes`. */
export function bodyLengthGuard(limitBytes: number): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!hasBody(req)) return next();
    const declared = req.headers['content-length'];
    if (declared === undefined) {
      closeIfBodyUnread(req, res);
      throw new LengthRequiredError('Send the body with a Content-Length header');
    }
    if (Number(declared) > limitBytes) {
      closeIfBodyUnread(req, res);
      throw new PayloadTooLargeError(`Body exceeds ${limitBytes} bytes`);
    }
    next();
  };
}

/** Length guard, then JSON parsing within the same limit; mount after authentication. */
export const jsonBody = (limitBytes: number): RequestHandler[] => [bodyLengthGuard(limitBytes), express.json({ limit: limitBytes })];

/** Same for HTML form posts (sign-in). */
export const formBody = (limitBytes: number): RequestHandler[] => [
  bodyLengthGuard(limitBytes),
  express.urlencoded({ extended: false, limit: limitBytes }),
];

export const MB = 1024 * 1024;
