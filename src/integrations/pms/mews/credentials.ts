/**
 * What a Mews property stores sealed (validated on `POST /v1/properties`). The AccessToken is
 * the hotel's: an enterprise admin hands it out, and it alone says which hotel a request is for.
 */
import { z } from 'zod';

export const mewsCredentials = z.object({
  accessToken: z.string().trim().min(1, 'the Mews AccessToken is required'),
  /**
   * The hotel's Additional (orderable) service charges are posted to. Optional: without it the
   * property's only active Additional service is used; a hotel with several must name one.
   */
  chargeServiceId: z.string().trim().min(1).optional(),
  /** Tax rate code sent with every charge (Mews' `TaxCodes`, e.g. `NL-2019-L`); none when absent. */
  chargeTaxCode: z.string().trim().min(1).optional(),
});

export type MewsCredentials = z.infer<typeof mewsCredentials>;
