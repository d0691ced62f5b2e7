/**
 * What a protel property stores sealed (validated on `POST /v1/properties`): the bearer token
 * protel issued to Relay for this hotel (one per service per hotel; it does not expire on its
 * own and there is nothing to refresh it with: a refused token is replaced by an operator), and
 * the hotel's article charges are posted with when a request names none.
 */
import { z } from 'zod';

export const protelCredentials = z
  .object({
    token: z
      .string()
      .trim()
      .min(16)
      .max(1024)
      .regex(/^[\x21-\x7e]+$/, 'a bearer token has no spaces or control characters'),
    /** protel article (ItemID) for charges whose request has no item code. Without either, a charge is refused. */
    chargeItemId: z.string().trim().min(1).max(40).optional(),
  })
  .strict();

export type ProtelCredentials = z.infer<typeof protelCredentials>;
