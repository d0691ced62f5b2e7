/**
 * Posts Twilio-style webhooks: form-encoded, signed with X-Twilio-Signature (auth token), carrying an
 * I-Twilio-Idempotency-Token that every retry of the same delivery reuses. A failed delivery (connection error,
 * timeout or non-2xx) is retried once by default, like Twilio; the URL fragment's `rc`/`tt`/`rt` connection
 * overrides are honoured and never sent.
 */
import { randomUUID } from 'node:crypto';
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

  constructor(private readonly options: WebhookClientOptions) {}

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
    const timeout = AbortSignal.timeout(timeoutMs ?? this.options.timeoutMs());
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'user-agent': 'TwilioProxy/1.1',
          'x-twilio-signature': signature,
          'i-twilio-idempotency-token': idempotencyToken,
          'x-home-region': 'us1',
        },
        body: new URLSearchParams(delivery.params).toString(),
        signal: AbortSignal.any([signal, timeout]),
      });
      await res.arrayBuffer().catch(() => undefined);
      record.result = res.status;
      return res.status >= 200 && res.status < 300;
    } catch (err) {
      if (signal.aborted) {
        record.result = 'aborted: simulator stopped';
        return null;
      }
      record.result = timeout.aborted ? 'timeout' : errorText(err);
      return false;
    } finally {
      release();
    }
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
  }
  return String(err);
}
