/**
 * What a Clock PMS+ property stores sealed (validated on `POST /v1/properties`): the API user the
 * hotel created for Relay and its key, and where its account lives. The property's
 * `vendorPropertyId` is the Clock account id (the hotel); the subscription is the hotel's customer
 * account, which may hold several hotels and one API user for all of them.
 */
import { z } from 'zod';

/** The revenue groups Clock PMS+ knows for charges. */
export const CLOCK_REVENUE_GROUPS = ['rooms', 'f&b', 'extra', 'other', 'packages', 'surcharge'] as const;

export const clockCredentials = z
  .object({
    apiUser: z.string().trim().min(1, 'the Clock API user is required'),
    apiKey: z.string().trim().min(1, 'the Clock API key is required'),
    subscriptionId: z
      .union([z.string(), z.number()])
      .transform((v) => String(v).trim())
      .pipe(z.string().regex(/^\d+$/, 'the Clock subscription id is a number')),
    /** The host's region: `eu1` for https://sky-eu1.clock-software.com (a `sky-` prefix is accepted). */
    region: z
      .string()
      .trim()
      .toLowerCase()
      .transform((v) => v.replace(/^sky-/, ''))
      .pipe(z.string().regex(/^[a-z]{2}\d{1,2}$/, 'the Clock region looks like eu1 or us2')),
    /** The revenue group charges are posted in; `extra` when absent. */
    chargeRevenueGroup: z.enum(CLOCK_REVENUE_GROUPS).optional(),
  })
  .strict();

export type ClockCredentials = z.infer<typeof clockCredentials>;
