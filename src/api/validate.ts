import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import { ValidationError } from './http-errors';

interface Schemas<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  params?: P;
  query?: Q;
  body?: B;
}

export interface Valid<P, Q, B> {
  params: P;
  query: Q;
  body: B;
}

/**
 * Wraps a handler so it only ever sees parsed input. Any zod issue becomes HTTP 400
 * with the issue list, before the handler runs.
 */
export function validated<P extends z.ZodType = z.ZodUnknown, Q extends z.ZodType = z.ZodUnknown, B extends z.ZodType = z.ZodUnknown>(
  schemas: Schemas<P, Q, B>,
  handler: (input: Valid<z.output<P>, z.output<Q>, z.output<B>>, req: Request, res: Response) => Promise<void>,
) {
  return async (req: Request, res: Response, _next: NextFunction): Promise<void> => {
    const parse = (location: 'params' | 'query' | 'body', schema: z.ZodType | undefined, value: unknown) => {
      if (!schema) return value;
      const result = schema.safeParse(value);
      if (!result.success) throw new ValidationError(location, result.error.issues);
      return result.data;
    };
    const input = {
      params: parse('params', schemas.params, req.params),
      query: parse('query', schemas.query, req.query),
      body: parse('body', schemas.body, req.body ?? {}),
    } as Valid<z.output<P>, z.output<Q>, z.output<B>>;
    await handler(input, req, res);
  };
}
