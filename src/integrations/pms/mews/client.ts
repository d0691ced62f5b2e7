/**
 * Relay's client of the Mews Connector API for one property: every operation is
 * `POST {base}/api/connector/v1/{resource}/{action}[/{version}]` with the tokens in the JSON
 * body. It asks Relay's shared limiter before each request (Mews counts per AccessToken across
 * every worker) and hands Mews' answers to the shared vendor HTTP client, which logs them
 * without bodies and turns failures into typed ones (see errors.ts).
 */
import type { Logger } from '../../../logger';
import { VendorHttpClient, vendorFailure } from '../../http';
import { FailureType } from '../../../domain/failure-types';
import { mewsAuthBody, type MewsAuthBody } from './auth';
import type { MewsCredentials } from './credentials';
import { MEWS_KEY, mewsClassifier } from './errors';
import type { MewsSettings } from './settings';

export const MEWS_API_PATH = '/api/connector/v1';

export interface MewsClientOptions {
  settings: MewsSettings;
  credentials: MewsCredentials;
  logger: Logger;
  withinLimit: <T>(send: () => Promise<T>) => Promise<T>;
  signal?: AbortSignal;
  /** Per request. Default 30 s (Mews answers heavy reads with 408 well before). */
  timeoutMs?: number;
}

export interface CallOptions {
  /** The call changes data at Mews: an answer lost after sending is ambiguous. */
  write?: boolean;
}

export class MewsClient {
  private readonly http: VendorHttpClient;
  private readonly auth: MewsAuthBody;

  constructor(private readonly options: MewsClientOptions) {
    this.auth = mewsAuthBody(options.settings, options.credentials);
    this.http = new VendorHttpClient({
      vendor: MEWS_KEY,
      baseUrl: options.settings.baseUrl,
      logger: options.logger,
      timeoutMs: options.timeoutMs ?? 30_000,
      // Mews asks for backoff, not a fixed pause; a wait beyond a few minutes belongs to the next poll.
      maxRetryDelayMs: 5 * 60_000,
    });
  }

  /** One operation, e.g. `reservations/getAll/2023-06-06`; returns Mews' JSON answer. */
  async call<T extends object>(operation: string, body: Record<string, unknown>, options: CallOptions = {}): Promise<T> {
    const write = options.write ?? false;
    const res = await this.options.withinLimit(() =>
      this.http.request<unknown>({
        method: 'POST',
        path: `${MEWS_API_PATH}/${operation}`,
        json: { ...this.auth, ...body },
        signal: this.options.signal,
        classify: mewsClassifier(operation, write),
      }),
    );
    if (typeof res.body !== 'object' || res.body === null) {
      throw vendorFailure({
        type: write ? FailureType.VendorOutcomeUnknown : FailureType.VendorUnavailable,
        message: 'expected a JSON object',
        retryable: true,
        details: { vendor: MEWS_KEY, method: 'POST', path: `${MEWS_API_PATH}/${operation}`, status: res.status, ambiguous: write },
      });
    }
    return res.body as T;
  }
}
