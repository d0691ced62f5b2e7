// The one file of src/domain that is not workflow-safe: node:crypto is a Node built-in, which
// Temporal's workflow sandbox does not offer. Only activities (echo suppression, reconciliation)
// import this file; workflows never do, and nothing else in src/domain imports it.
// eslint-disable-next-line relay/sandbox-imports -- activities only, see above
import { createHash } from 'node:crypto';
import { type CompanyFields, normaliseFields, SYNCED_FIELDS } from './company-fields';

/**
 * A stable fingerprint of a company's synced fields: SHA-256 (hex) over the normalised values in
 * SYNCED_FIELDS order, so that the same fields hash alike on both sides whatever their spelling
 * ("1234ab" and "1234 AB"), and a field's position, not its name, identifies it. The values are
 * serialised as a JSON array: null and "null" differ, and no value can imitate a separator.
 *
 * Changing the normal form or the field list changes every hash: stored hashes (the outbound write
 * log, reconciliation) then stop matching once, and are rewritten by the next sync.
 */
export function fieldsHash(fields: CompanyFields): string {
  const normalised = normaliseFields(fields);
  const values = SYNCED_FIELDS.map((field) => normalised[field]);
  return createHash('sha256').update(JSON.stringify(values), 'utf8').digest('hex');
}
