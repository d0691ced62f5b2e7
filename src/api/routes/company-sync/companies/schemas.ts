import { normaliseKvk } from '../../../../domain/company-sync/kvk';
import { z } from '../../../openapi';
import { Cursor, Limit, listOf } from '../common';

/** Link statuses, and UNLINKED for a company without a link (a list filter only). */
export const SYNC_STATUSES = ['OK', 'FAILED', 'CONFLICT', 'PENDING_REVIEW', 'IGNORED'] as const;

const text = (max: number, description: string, example?: string) => z.string().max(max).nullable().optional().openapi({ description, example });

/**
 * A KVK number: eight digits once spaces and dots are removed ("12.34.56.78" and "1234 5678"
 * are 12345678). Stored as the eight digits; an invalid one is refused naming the field, never
 * repaired (a seven-digit value is not padded).
 */
const Kvk = z
  .string()
  .max(40)
  .nullable()
  .optional()
  .transform((value, ctx) => {
    if (value === null || value === undefined) return value;
    const kvk = normaliseKvk(value);
    if (kvk.kind === 'valid') return kvk.value;
    if (kvk.kind === 'empty') return null;
    const why = { wrong_length: 'must have 8 digits', not_digits: 'must be digits only', all_zero: 'cannot be all zeros' }[kvk.reason];
    ctx.addIssue({ code: 'custom', message: `is not a KVK number: ${why} (spaces and dots are ignored)` });
    return z.NEVER;
  })
  .openapi({ type: ['string', 'null'], description: 'KVK number (Chamber of Commerce): 8 digits; spaces and dots are ignored', example: '12345678' });

const fields = {
  chamberOfCommerceId: Kvk,
  vihbId: text(50, 'VIHB number (waste transport registration); unique when present'),
  processorId: text(50, 'Processor number; unique when present'),
  streetName: text(200, 'Street', 'Keizersgracht'),
  buildingNumber: text(20, 'House number', '123'),
  buildingNumberAddition: text(20, 'Addition to the house number', 'A'),
  postalCode: text(20, 'Postal code; a Dutch one is stored as "1234 AB"', '1015 CJ'),
  city: text(100, 'City', 'Amsterdam'),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'must be a two-letter ISO 3166-1 country code, e.g. NL')
    .nullable()
    .optional()
    .openapi({ description: 'ISO 3166-1 alpha-2 (as Exact keeps it)', example: 'NL' }),
};

const name = z.string().trim().min(1, 'is required').max(200).openapi({ description: 'Company name (the one field Exact requires)', example: 'Bakkerij Jansen B.V.' });

export const CreateCompanyBody = z
  .object({ name, ...fields })
  .strict()
  .openapi('CreateCompany', { description: 'A new company; it is synced to Exact Online in the background.' });

export const UpdateCompanyBody = z
  .object({ name: name.optional(), ...fields })
  .strict()
  .openapi('UpdateCompany', { description: 'Fields given replace ours (null clears one); fields left out keep their value.' });

export const ListCompaniesQuery = z.object({
  deleted: z.enum(['exclude', 'include', 'only']).default('exclude').openapi({ description: 'Soft-deleted companies: left out (default), included, or only those' }),
  syncStatus: z.enum([...SYNC_STATUSES, 'UNLINKED']).optional().openapi({ description: 'Companies with a link in this status, or UNLINKED for those without a link' }),
  chamberOfCommerceId: z
    .string()
    .regex(/^\d{8}$/, 'must be 8 digits')
    .optional()
    .openapi({ description: 'Only the company with this KVK number' }),
  limit: Limit,
  cursor: Cursor,
});

export const CompanyLinkView = z
  .object({
    division: z.number().int(),
    exactGuid: z.string().nullable().openapi({ description: "The Exact account's ID" }),
    code: z.string().nullable().openapi({ description: "The Exact account's Code (unique per division), trimmed" }),
    status: z.enum(SYNC_STATUSES),
    requiresManualReview: z.boolean(),
    deletedInSource: z.boolean(),
    matchRule: z.string().nullable().openapi({ description: 'Why the link was made: guid, code, kvk, address, created, outbound-kvk, outbound-created, operator' }),
    matchValues: z.unknown().nullable().openapi({ description: 'The values the rule matched on' }),
    syncedFromSourceAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .openapi('CompanyLink');

export const CompanyView = z
  .object({
    id: z.string(),
    version: z.number().int().openapi({ description: 'Changes with every write; send it as If-Match to PUT and DELETE' }),
    name: z.string(),
    chamberOfCommerceId: z.string().nullable(),
    vihbId: z.string().nullable(),
    processorId: z.string().nullable(),
    streetName: z.string().nullable(),
    buildingNumber: z.string().nullable(),
    buildingNumberAddition: z.string().nullable(),
    postalCode: z.string().nullable(),
    city: z.string().nullable(),
    country: z.string().nullable(),
    addressUnparsed: z.string().nullable().openapi({ description: 'An address line from Exact that could not be split into street, number and addition' }),
    createdAt: z.string(),
    updatedAt: z.string(),
    deletedAt: z.string().nullable(),
    links: z.array(CompanyLinkView).openapi({ description: 'Its Exact accounts (one per division at most)' }),
  })
  .openapi('Company');

export const CompanyWritten = CompanyView.extend({
  syncRequested: z.boolean().openapi({ description: "False when the sync to Exact could not be requested (Temporal unavailable): the company is saved; write it again with its new version to sync it" }),
}).openapi('CompanyWritten');

export const CompanyList = listOf(CompanyView, 'CompanyList');
