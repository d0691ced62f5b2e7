/**
 * One Cloudbeds API call, the way Cloudbeds wants it: the shared limiter asked first, then the
 * hotel's credential (`x-api-key` for an API key, `Authorization: Bearer` for an OAuth access
 * token), reads as query parameters, writes as a form body (never JSON) with PHP-style nested
 * fields, `propertyID` on every call, and the `{success, data, message}` envelope read whatever
 * the HTTP status. A 401 to an OAuth token renews it once and repeats the call once.
 */
import type { Logger } from '../../../logger';
import { bearerAuth, type ParamValue, VendorHttpClient } from '../../http';
import { pmsUnauthorized } from '../errors';
import { type CloudbedsTokenCache, cloudbedsTokens } from './auth';
import { type CloudbedsCredentials, isApiKey } from './credentials';
import { CLOUDBEDS_KEY, CLOUDBEDS_VENDOR, type CloudbedsCallDescription, cloudbedsClassifier, readEnvelope } from './errors';
import { type FormValue, phpForm } from './form';
import type { CloudbedsSettings } from './settings';
import type { WireEnvelope } from './wire';

/** The API version Relay speaks; `getTransactions` exists in v1.2 only. */
export type CloudbedsVersion = 'v1.3' | 'v1.2';

export interface CloudbedsCall extends CloudbedsCallDescription {
  method: 'GET' | 'POST' | 'PUT';
  version?: CloudbedsVersion;
  /** GET: the query. */
  query?: Record<string, ParamValue>;
  /** POST/PUT: the form fields (nested values in bracket notation). */
  form?: Record<string, FormValue>;
}

export interface CloudbedsClientOptions {
  settings: CloudbedsSettings;
  credentials: CloudbedsCredentials;
  /** The hotel's Cloudbeds property id, sent as `propertyID`. */
  propertyId: string;
  logger: Logger;
  withinLimit: <T>(send: () => Promise<T>) => Promise<T>;
  signal?: AbortSignal;
  tokens?: CloudbedsTokenCache;
  timeoutMs?: number;
}

export class CloudbedsClient {
  private readonly http: VendorHttpClient;
  private readonly tokens: CloudbedsTokenCache;

  constructor(private readonly options: CloudbedsClientOptions) {
    this.tokens = options.tokens ?? cloudbedsTokens;
    this.http = new VendorHttpClient({ vendor: CLOUDBEDS_KEY, baseUrl: options.settings.baseUrl, logger: options.logger, timeoutMs: options.timeoutMs ?? 30_000, maxRetryDelayMs: 60_000 });
  }

  get propertyId(): string {
    return this.options.propertyId;
  }

  /** The envelope of a successful answer; a refusal throws its typed failure. */
  async call<T extends WireEnvelope>(call: CloudbedsCall): Promise<T> {
    const { logger, withinLimit, signal } = this.options;
    const params = { propertyID: this.options.propertyId };
    for (let attempt = 0; ; attempt++) {
      const auth = await this.authorization();
      const res = await withinLimit(() =>
        this.http.request<T>({
          method: call.method,
          path: `/api/${call.version ?? 'v1.3'}/${call.operation}`,
          query: call.method === 'GET' ? { ...params, ...call.query } : undefined,
          form: call.method === 'GET' ? undefined : phpForm({ ...params, ...call.form }),
          headers: auth.headers,
          classify: cloudbedsClassifier(call),
          signal,
        }),
      );
      if (res.status !== 401) return readEnvelope(call, res.status, res.body);
      if (auth.token === undefined) throw pmsUnauthorized(CLOUDBEDS_VENDOR, `${call.operation}: the API key was refused (HTTP 401)`);
      this.tokens.invalidate(this.tokenRequest(), auth.token);
      if (attempt >= 1) throw pmsUnauthorized(CLOUDBEDS_VENDOR, `${call.operation} refused a freshly issued access token (HTTP 401)`);
      logger.info({ vendor: CLOUDBEDS_KEY, operation: call.operation }, 'cloudbeds refused the access token; renewing it once');
    }
  }

  private async authorization(): Promise<{ headers: Record<string, string>; token?: string }> {
    const { credentials } = this.options;
    if (isApiKey(credentials)) return { headers: { 'x-api-key': credentials.apiKey } };
    const token = await this.tokens.token({ ...this.tokenRequest(), logger: this.options.logger, withinLimit: this.options.withinLimit, signal: this.options.signal });
    return { headers: { authorization: bearerAuth(token) }, token };
  }

  private tokenRequest() {
    const { settings, credentials } = this.options;
    if (isApiKey(credentials)) throw new Error('an API key has no token');
    if (!settings.oauth) throw pmsUnauthorized(CLOUDBEDS_VENDOR, 'the property connects through OAuth, but Relay has no Cloudbeds OAuth client (set PMS_CLOUDBEDS_CLIENT_ID and PMS_CLOUDBEDS_CLIENT_SECRET)');
    return { baseUrl: settings.baseUrl, client: settings.oauth, refreshToken: credentials.refreshToken };
  }
}
