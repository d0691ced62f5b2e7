import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { BODY_MAX_DEPTH, pathDeeperThan } from './free-json';
import { LengthRequiredError, PayloadTooLargeError, ValidationError } from './http-errors';

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

/**
 * 400 for a parsed body nested deeper than `maxDepth`, before validation or anything else
 * walks it: JSON.parse builds any depth that fits in the size limit, but code that recurses
 * (JSON.stringify, hashing, logging) would overflow the stack on it. Iterative, stops at the limit.
 */
export function jsonDepthGuard(maxDepth: number): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const path = pathDeeperThan(req.body, maxDepth);
    // The top-level field is what the caller needs to find; the rest is `[[[[…`.
    if (path) throw new ValidationError('body', [{ code: 'custom', path: path.slice(0, 1), message: `nests deeper than ${maxDepth} levels, the limit for a request body`, input: undefined }]);
    next();
  };
}

/** Length guard, then JSON parsing within the same limit, then the nesting limit; mount after authentication. */
export const jsonBody = (limitBytes: number): RequestHandler[] => [bodyLengthGuard(limitBytes), express.json({ limit: limitBytes }), jsonDepthGuard(BODY_MAX_DEPTH)];

/** Same for HTML form posts (sign-in). */
export const formBody = (limitBytes: number): RequestHandler[] => [
  bodyLengthGuard(limitBytes),
  express.urlencoded({ extended: false, limit: limitBytes }),
];

export const MB = 1024 * 1024;
