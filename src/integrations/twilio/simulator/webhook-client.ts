/**
 * Posts Twilio-style webhooks: form-encoded, signed with X-Twilio-Signature (auth token), carrying an
 * I-Twilio-Idempotency-Token that every retry of the same delivery reuses. A failed delivery (connection error,
 * timeout or non-2xx) is retried once by default, like Twilio; the URL fragment's `rc`/`tt`/`rt` connection
 * overrides are honoured and never sent.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Scheduler } from './scheduler';
import { twilioSignature } from './signature';

export interface WebhookAttempt {
  /** Which webhook this is: a status callback (`MessageSid` + status) or an inbound message. */
  kind: 'status' | 'inbound';
  messageSid: string;
  status: string;
  url: string;
  params: Record<string, string>;
  idempotencyToken: string;
  signature: string;
  /** 1 for the first try, 2 for Twilio's retry. */
  attempt: number;
  /** True when this is a repeat of an event already delivered, as Twilio sometimes sends. */
  repeat: boolean;
  startedAt: number;
  /** HTTP status, or the connection error's message. */
  result: number | string | null;
}

export interface WebhookDelivery {
  kind: WebhookAttempt['kind'];
  messageSid: string;
  status: string;
  url: string;
  params: Record<string, string>;
  repeat?: boolean;
}

export interface WebhookClientOptions {
  authToken: () => string;
  scheduler: Scheduler;
  timeoutMs: () => number;
  retryDelayMs: () => number;
}

interface ConnectionOverrides {
  retries: number;
  timeoutMs: number | null;
}

const MAX_LOG = 100_000;
/** Connections per receiver: bursts queue here instead of opening thousands of sockets. */
const MAX_SOCKETS = 64;

class TimeoutError extends Error {}

function splitFragment(rawUrl: string): { url: string; overrides: ConnectionOverrides } {
  const hash = rawUrl.indexOf('#');
  if (hash === -1) return { url: rawUrl, overrides: { retries: 1, timeoutMs: null } };
  const fragment = new URLSearchParams(rawUrl.slice(hash + 1));
  const num = (name: string) => {
    const v = fragment.get(name);
    return v === null || !/^\d+$/.test(v) ? null : Number(v);
  };
  const rc = num('rc');
  return {
    url: rawUrl.slice(0, hash),
    overrides: { retries: rc === null ? 1 : Math.min(rc, 5), timeoutMs: num('tt') ?? num('rt') },
  };
}

export class WebhookClient {
  private readonly log: WebhookAttempt[] = [];
  private readonly agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
    https: new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
  };

  constructor(private readonly options: WebhookClientOptions) {}

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  attempts(): WebhookAttempt[] {
    return this.log.map((a) => ({ ...a, params: { ...a.params } }));
  }

  clear(): void {
    this.log.length = 0;
  }

  /** Delivers one webhook with a fresh idempotency token, retrying per the connection overrides. */
  async deliver(delivery: WebhookDelivery): Promise<void> {
    const { url, overrides } = splitFragment(delivery.url);
    const idempotencyToken = randomUUID();
    const signature = twilioSignature(this.options.authToken(), url, delivery.params);
    const epoch = this.options.scheduler.epoch();
    for (let attempt = 1; attempt <= overrides.retries + 1; attempt++) {
      // A reset or stop while waiting to retry ends the delivery.
      if (this.options.scheduler.epoch() !== epoch) return;
      const ok = await this.post(delivery, url, signature, idempotencyToken, attempt, overrides.timeoutMs);
      if (ok !== false) return;
      await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs()));
    }
  }

  /** True on 2xx, false on a failure worth retrying, null when the simulator is shutting down. */
  private async post(
    delivery: WebhookDelivery,
    url: string,
    signature: string,
    idempotencyToken: string,
    attempt: number,
    timeoutMs: number | null,
  ): Promise<boolean | null> {
    const record: WebhookAttempt = {
      kind: delivery.kind,
      messageSid: delivery.messageSid,
      status: delivery.status,
      url,
      params: delivery.params,
      idempotencyToken,
      signature,
      attempt,
      repeat: delivery.repeat ?? false,
      startedAt: Date.now(),
      result: null,
    };
    if (this.log.length < MAX_LOG) this.log.push(record);
    const { signal, release } = this.options.scheduler.signal();
    try {
      record.result = await this.postForm(
        url,
        {
          'content-type': 'application/x-www-form-urlencoded',
          'user-agent': 'TwilioProxy/1.1',
          'x-twilio-signature': signature,
          'i-twilio-idempotency-token': idempotencyToken,
          'x-home-region': 'us1',
        },
        new URLSearchParams(delivery.params).toString(),
        timeoutMs ?? this.options.timeoutMs(),
        signal,
      );
      return record.result >= 200 && record.result < 300;
    } catch (err) {
      if (signal.aborted) {
        record.result = 'aborted: simulator stopped';
        return null;
      }
      record.result = err instanceof TimeoutError ? 'timeout' : errorText(err);
      return false;
    } finally {
      release();
    }
  }

  /** POSTs and resolves with the status; the timeout runs from when a connection is assigned, as Twilio's do. */
  private postForm(url: string, headers: Record<string, string>, body: string, timeoutMs: number, signal: AbortSignal): Promise<number> {
    return new Promise((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      let timer: NodeJS.Timeout | undefined;
      const req = (secure ? https : http).request(target, {
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        agent: secure ? this.agents.https : this.agents.http,
        signal,
      });
      req.once('socket', () => {
        timer = setTimeout(() => req.destroy(new TimeoutError('timeout')), timeoutMs);
      });
      req.once('response', (res) => {
        res.resume();
        res.once('end', () => {
          clearTimeout(timer);
          resolve(res.statusCode ?? 0);
        });
        res.once('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      });
      req.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end(body);
    });
  }
}

function errorText(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' ? `${code}: ${message}` : message;
}
