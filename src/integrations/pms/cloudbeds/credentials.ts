/**
 * What a Cloudbeds property stores sealed (validated on `POST /v1/properties`): one of the two
 * ways Cloudbeds lets an integration in, as the hotel chose.
 *
 * - `apiKey`: a property-level API key the hotel created (`cbat_...`), sent as `x-api-key`;
 * - `refreshToken`: the hotel consented to Relay's OAuth client; Relay exchanges the refresh token
 *   for short-lived access tokens (the client is Relay's setting, not the hotel's).
 *
 * Either way the hotel may name the guest custom field that holds a guest's language: Cloudbeds'
 * guest record has no language field of its own.
 */
import { z } from 'zod';

const languageCustomField = z.string().trim().min(1).max(100).optional();

const apiKey = z
  .object({
    apiKey: z.string().trim().regex(/^cbat_\S{8,}$/, 'a Cloudbeds API key starts with cbat_'),
    languageCustomField,
  })
  .strict();

const oauth = z
  .object({
    refreshToken: z.string().trim().min(8, 'the OAuth refresh token the hotel’s consent gave Relay'),
    languageCustomField,
  })
  .strict();

export const cloudbedsCredentials = z.union([apiKey, oauth]);

export type CloudbedsCredentials = z.infer<typeof cloudbedsCredentials>;
export type CloudbedsApiKeyCredentials = z.infer<typeof apiKey>;

export function isApiKey(credentials: CloudbedsCredentials): credentials is CloudbedsApiKeyCredentials {
  return 'apiKey' in credentials;
}
