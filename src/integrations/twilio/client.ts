/**
 * Relay's client of Twilio's Programmable Messaging REST API (2010-04-01 Messages resource). It talks to
 * https://api.twilio.com and to the local simulator alike: only the base URL and credentials differ.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../domain/failure-types';
import type { Logger } from '../../logger';
import { basicAuth, VendorHttpClient, vendorFailure, type HttpMethod } from '../http';
import { TWILIO_DEFAULT_LIST_SETTLE_MS, type TwilioConfig } from './config';
import { classifyTwilio } from './errors';
import {
  toCreateForm,
  toTwilioMessage,
  toTwilioMessagePage,
  twilioDateTime,
  type CreateMessageInput,
  type TwilioMessage,
  type TwilioMessagePage,
} from './mapping';

export type { CreateMessageInput, TwilioMessage } from './mapping';

const API_VERSION = '2010-04-01';

/** A message's SID: `SM` (SMS, WhatsApp) or `MM` (MMS) and 32 lower-case hex digits. */
const MESSAGE_SID = /^(SM|MM)[0-9a-f]{32}$/;

export interface ListMessagesQuery {
  to?: string;
  from?: string;
  /** Messages sent at or after this time (Twilio's `DateSent>`, to the second). */
  dateSentAfter?: Date;
  /** Per page; Twilio allows up to 1000 (default 50). */
  pageSize?: number;
}

export interface FindSentMessagesQuery {
  to: string;
  from: string;
  /**
   * The body sent, when known: only messages with exactly this body match. Twilio's Message resource carries neither
   * a template's ContentSid nor its ContentVariables, and a template's body is Twilio's rendering of a text Relay
   * does not hold, so a template message is matched on recipient, sender and time alone.
   */
  body?: string;
  /** Created at or after this time (less the clock-skew allowance). */
  since: Date;
  /** Created at or before this time (plus the clock-skew allowance); no upper limit when absent. */
  until?: Date;
  /** Messages already attributed: never returned. */
  excludeSids: readonly string[];
}

export interface TwilioClientOptions {
  config: Pick<TwilioConfig, 'baseUrl' | 'accountSid' | 'auth' | 'timeoutMs'> & Partial<Pick<TwilioConfig, 'listSettleMs'>>;
  logger: Logger;
  /**
   * How far outside `since`..`until` a message still counts in `findSentMessages`: Twilio's dates have one-second
   * resolution and its clock and ours differ slightly. Default 60 s.
   */
  clockSkewMs?: number;
  /** Upper bound of pages `findSentMessages` reads before giving up without a verdict. Default 20. */
  maxLookupPages?: number;
}

export class TwilioClient {
  private readonly http: VendorHttpClient;
  private readonly accountSid: string;
  private readonly clockSkewMs: number;
  private readonly maxLookupPages: number;
  /** How long a call may take before it is abandoned. */
  readonly requestTimeoutMs: number;
  /** How long Twilio's Messages list may take to show a message it created. */
  readonly listSettleMs: number;

  constructor(options: TwilioClientOptions) {
    const { config, logger } = options;
    this.accountSid = config.accountSid;
    this.clockSkewMs = options.clockSkewMs ?? 60_000;
    this.maxLookupPages = options.maxLookupPages ?? 20;
    this.requestTimeoutMs = config.timeoutMs;
    this.listSettleMs = config.listSettleMs ?? TWILIO_DEFAULT_LIST_SETTLE_MS;
    const authorization = basicAuth(config.auth.username, config.auth.password);
    this.http = new VendorHttpClient({
      vendor: 'twilio',
      baseUrl: config.baseUrl,
      logger,
      timeoutMs: config.timeoutMs,
      authorization: () => authorization,
      classify: classifyTwilio,
      // A long Retry-After belongs in Temporal's retry schedule, but not beyond a few minutes for Twilio.
      maxRetryDelayMs: 5 * 60_000,
    });
  }

  /** Milliseconds since this process last called Twilio (Infinity before the first call). */
  idleMs(now = Date.now()): number {
    return this.http.idleMs(now);
  }

  /**
   * Opens (or keeps open) a connection to Twilio with a one-message read, so that a send
   * about to go out on a cold connection does not pay for the connect.
   */
  async warmUp(signal?: AbortSignal): Promise<void> {
    await this.http.request({ method: 'GET', path: this.messagesPath, query: { PageSize: '1' }, signal });
  }

  private get messagesPath(): string {
    return `/${API_VERSION}/Accounts/${this.accountSid}/Messages.json`;
  }

  /**
   * Sends a message. Twilio's create has no idempotency key: a `VendorOutcomeUnknown` failure means the message may
   * have been created, so look for it (`findSentMessages`) before sending again.
   */
  async createMessage(input: CreateMessageInput, signal?: AbortSignal): Promise<TwilioMessage> {
    if (input.body === undefined && input.contentSid === undefined) {
      throw ApplicationFailure.create({ type: FailureType.InvalidInput, message: 'a message needs a body or a contentSid', nonRetryable: true });
    }
    const form = Object.fromEntries(toCreateForm(input));
    const res = await this.http.request({ method: 'POST', path: this.messagesPath, form, signal });
    // Twilio accepted it: an answer we cannot read must not lead to a second send.
    return this.read('POST', this.messagesPath, res.status, () => toTwilioMessage(res.body), FailureType.VendorOutcomeUnknown);
  }

  /**
   * One message as Twilio has it now (`GET …/Messages/{Sid}.json`): its status, and its error code once it failed.
   * A receipt that never came (a lost status callback) is read here instead. A 404 is a non-retryable `NotFound`.
   */
  async fetchMessage(sid: string, signal?: AbortSignal): Promise<TwilioMessage> {
    // The SID becomes part of the path: only Twilio's own form may.
    if (!MESSAGE_SID.test(sid)) {
      throw ApplicationFailure.create({ type: FailureType.InvalidInput, message: 'fetchMessage needs a Twilio message SID (SM or MM and 32 hex digits)', nonRetryable: true });
    }
    const path = `/${API_VERSION}/Accounts/${this.accountSid}/Messages/${sid}.json`;
    const res = await this.http.request({ method: 'GET', path, signal });
    return this.read('GET', path, res.status, () => toTwilioMessage(res.body));
  }

  /** Messages newest first, page by page, following Twilio's `next_page_uri`. */
  async *messagePages(query: ListMessagesQuery, signal?: AbortSignal): AsyncGenerator<TwilioMessage[]> {
    let path: string | null = this.messagesPath;
    let params: Record<string, string | number | undefined> | undefined = {
      To: query.to,
      From: query.from,
      'DateSent>': query.dateSentAfter === undefined ? undefined : twilioDateTime(query.dateSentAfter),
      PageSize: query.pageSize,
    };
    while (path !== null) {
      const res = await this.http.request({ path, query: params, signal });
      // The list path without its query: the filters hold phone numbers.
      const page: TwilioMessagePage = this.read('GET', this.messagesPath, res.status, () => toTwilioMessagePage(res.body));
      yield page.messages;
      // next_page_uri carries the filters and the page token.
      path = page.nextPageUri;
      params = undefined;
    }
  }

  /**
   * The outbound messages to this recipient from this sender created between `since` and `until` (each widened by
   * the clock-skew allowance), with `body` when it is given, and not among `excludeSids`; oldest first. Which of them
   * belongs to whom is the caller's to tell (see src/activities/notifications/twilio-send.ts).
   *
   * No date filter is sent to Twilio: its `DateSent` filters on the send time, which a message still waiting in its
   * sender's queue does not have yet. Pages are read newest first until one holds only older messages. Twilio's list
   * may show a new message only after a while (`listSettleMs`).
   */
  async findSentMessages(query: FindSentMessagesQuery, signal?: AbortSignal): Promise<TwilioMessage[]> {
    const cutoff = query.since.getTime() - this.clockSkewMs;
    const latest = query.until === undefined ? Infinity : query.until.getTime() + this.clockSkewMs;
    const excluded = new Set(query.excludeSids);
    const matches: TwilioMessage[] = [];
    let pages = 0;
    for await (const page of this.messagePages({ to: query.to, from: query.from, pageSize: 100 }, signal)) {
      pages++;
      for (const m of page) {
        // To and From were filtered by Twilio, which may spell numbers its own way.
        if (m.dateCreated.getTime() < cutoff || m.dateCreated.getTime() > latest || excluded.has(m.sid) || !m.direction.startsWith('outbound')) continue;
        if (query.body !== undefined && m.body !== query.body) continue;
        matches.push(m);
      }
      if (page.every((m) => m.dateCreated.getTime() < cutoff)) break;
      if (pages >= this.maxLookupPages) {
        // Not knowing is not "not sent": sending again could deliver twice.
        throw vendorFailure({
          type: FailureType.VendorOutcomeUnknown,
          message: `looked through ${pages} pages of messages without reaching the first attempt's time`,
          retryable: true,
          details: { vendor: 'twilio', method: 'GET', path: this.messagesPath, ambiguous: true },
        });
      }
    }
    matches.sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime() || a.sid.localeCompare(b.sid));
    return matches;
  }

  /** Maps a 2xx answer; an unreadable one becomes a retryable failure of `type` without Twilio's data in it. */
  private read<T>(method: HttpMethod, path: string, status: number, map: () => T, type: string = FailureType.VendorUnavailable): T {
    try {
      return map();
    } catch (error) {
      throw vendorFailure({
        type,
        message: `unexpected answer (${(error as Error).name})`,
        retryable: true,
        details: { vendor: 'twilio', method, path, status, ambiguous: type === FailureType.VendorOutcomeUnknown },
      });
    }
  }
}
