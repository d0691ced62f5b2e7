/**
 * One OHIP data call, the way OPERA Cloud wants it: the shared limiter asked first, then a bearer
 * token from the environment's cache, `x-app-key`, `x-hotelid` (required on every call: OPERA
 * authorises by it even where the path names the hotel), a fresh `x-request-id`, and
 * `x-externalsystem` when Relay has an external system code. A 401 renews the token once and
 * repeats the call once; a second 401 means the credentials are wrong.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../../logger';
import { bearerAuth, type HttpMethod, type ParamValue, VendorHttpClient } from '../../http';
import { pmsUnauthorized } from '../errors';
import { type OperaTokenCache, operaTokens } from './auth';
import { OPERA_VENDOR, type OperaCallDescription, operaClassifier } from './errors';
import type { OperaSettings } from './settings';

export interface OperaClientOptions {
  settings: OperaSettings;
  /** The hotel code (`x-hotelid`). */
  hotelId: string;
  logger: Logger;
  withinLimit: <T>(send: () => Promise<T>) => Promise<T>;
  signal?: AbortSignal;
  tokens?: OperaTokenCache;
  timeoutMs?: number;
}

export interface OperaCall extends OperaCallDescription {
  method: HttpMethod;
  /** Under the gateway, module base path included: `/rsv/v1/hotels/...`. */
  path: string;
  query?: Record<string, ParamValue>;
  json?: unknown;
}

export interface OperaAnswer<T> {
  status: number;
  /** Undefined for OHIP's 204 ("not found", "no results"). */
  body: T | undefined;
}

export class OperaClient {
  private readonly http: VendorHttpClient;
  private readonly tokens: OperaTokenCache;

  constructor(private readonly options: OperaClientOptions) {
    this.tokens = options.tokens ?? operaTokens;
    this.http = new VendorHttpClient({
      vendor: 'opera-cloud',
      baseUrl: options.settings.gatewayUrl,
      logger: options.logger,
      timeoutMs: options.timeoutMs,
    });
  }

  get hotelId(): string {
    return this.options.hotelId;
  }

  async call<T>(call: OperaCall): Promise<OperaAnswer<T>> {
    const { settings, logger, withinLimit, signal } = this.options;
    for (let attempt = 0; ; attempt++) {
      const token = await this.tokens.token(settings, { logger, withinLimit, signal });
      const res = await withinLimit(() =>
        this.http.request<T>({
          method: call.method,
          path: call.path,
          query: call.query,
          json: call.json,
          headers: this.headers(token),
          classify: operaClassifier(call),
          signal,
        }),
      );
      if (res.status !== 401) return { status: res.status, body: res.status === 204 ? undefined : res.body };
      this.tokens.invalidate(settings, token);
      if (attempt >= 1) throw pmsUnauthorized(OPERA_VENDOR, `${call.operation} refused a freshly issued token (HTTP 401)`);
      logger.info({ vendor: OPERA_VENDOR, operation: call.operation }, 'opera refused the token; renewing it once');
    }
  }

  private headers(token: string): Record<string, string> {
    const { settings, hotelId } = this.options;
    const headers: Record<string, string> = {
      authorization: bearerAuth(token),
      'x-app-key': settings.appKey,
      'x-hotelid': hotelId,
      'x-request-id': randomUUID(),
    };
    if (settings.externalSystem !== null) headers['x-externalsystem'] = settings.externalSystem;
    return headers;
  }
}
