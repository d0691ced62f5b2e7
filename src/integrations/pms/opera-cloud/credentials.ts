/**
 * What an OPERA property stores (validated on `POST /v1/properties`). OHIP authenticates the
 * integration, not the hotel: the OAuth client, app key and enterprise are Relay's settings, and
 * the hotel is its hotel code (`vendorPropertyId`, sent as `x-hotelid`). What remains per hotel is
 * its own OPERA configuration that a charge needs.
 */
import { z } from 'zod';

export const operaCredentials = z
  .object({
    /**
     * The hotel's OPERA transaction code charges are posted with when the request names none
     * (transaction codes are configured per hotel). Without either, a charge is refused.
     */
    chargeTransactionCode: z.string().trim().min(1).max(80).optional(),
  })
  .strict();

export type OperaCredentials = z.infer<typeof operaCredentials>;
