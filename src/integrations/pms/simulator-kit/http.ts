/**
 * The plumbing of a simulator's HTTP server that no vendor shapes: reading a body up to a size,
 * JSON answers, telling control requests from vendor-format ones, and closing. How a vendor
 * refuses a request (its status codes and error bodies) stays in its simulator.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { type ControlAnswer, controlFromRaw } from './control';

export interface BodyLimit {
  maxBytes: number;
  /** The error a larger body is refused with (the vendor's). */
  tooLarge: () => Error;
  /**
   * Keep the connection open after refusing a large body, for a vendor that answers it; by
   * default the request is destroyed, as a gateway cutting it off would.
   */
  answerTooLarge?: boolean;
}

/** The request's body as UTF-8, refused (rejected with `tooLarge()`) beyond `maxBytes`. */
export function readBody(req: IncomingMessage, limit: BodyLimit): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit.maxBytes) return void chunks.push(chunk);
      reject(limit.tooLarge());
      if (!limit.answerTooLarge) req.destroy();
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A JSON answer; an undefined body answers with no content. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }) });
  res.end(text);
}

/** The path below `/__sim` of a control request; undefined for a vendor-format one. */
export function controlPath(pathname: string): string | undefined {
  return pathname === '/__sim' || pathname.startsWith('/__sim/') ? pathname.slice('/__sim'.length) : undefined;
}

/** Answers a control request from its raw body; `route` is the simulator's control (method, path below `/__sim`, body). */
export function answerControl(req: IncomingMessage, res: ServerResponse, path: string, raw: string, route: (method: string, path: string, body: unknown) => ControlAnswer): void {
  const answer = controlFromRaw(raw, (body) => route(req.method ?? 'GET', path, body));
  sendJson(res, answer.status, answer.body);
}

/** Stops the server, dropping open connections (keep-alive ones included), after `before` (forgetting its data, stopping timers). */
export function closeServer(server: Server, before: () => void = () => undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    before();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
