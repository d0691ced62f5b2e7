/**
 * The simulated Twilio account, independent of HTTP: accepts messages, answers list/fetch, drives status
 * callbacks and inbound messages, and exposes the record and the knobs that tests and benchmarks use.
 */
import { randomBytes } from 'node:crypto';
import type { Credentials } from './auth';
import { twilioErrors } from './errors';
import { FaultPlan, type TwilioFaults } from './faults';
import { defaultCallbackBehaviour, MessageLifecycle, validateCallbackBehaviour, type CallbackBehaviour } from './lifecycle';
import type { ApiOutcome, SimMessage } from './model';
import { buildPage, parseList } from './paging';
import { seededRandom } from './random';
import { Scheduler } from './scheduler';
import { SenderQueues, windowStats, type WindowStats } from './sender-queue';
import { SimulatorStore } from './store';
import { parseCreate, renderTemplate, type FormBody } from './validation';
import { WebhookClient, type WebhookAttempt } from './webhook-client';
import { inboundMessageParams, smsSegments, toMessageJson, type MessagePageJson, type MessageResourceJson } from './wire';

export interface SimulatorState {
  faults?: Partial<TwilioFaults>;
  callbacks?: Partial<CallbackBehaviour>;
  /** Recipient addresses that have opted out (21610), e.g. `+33612345678` or `whatsapp:+33612345678`. */
  optedOut?: string[];
  /** WhatsApp recipients whose 24-hour customer-service window is open (as of start/reset). */
  sessions?: string[];
  /** Handsets whose messages end `undelivered` (30003). */
  unreachable?: string[];
  /** When set, the only `From` values the account owns; others get 21606. */
  senders?: string[];
  /** Content templates by ContentSid (`HX…`), `{{1}}`-style placeholders, used to fill `body`. */
  contentTemplates?: Record<string, string>;
  /** Where inbound messages (`inbound()`) are posted, like a number's messaging webhook. */
  inboundWebhookUrl?: string | null;
}

export interface SenderRateReport extends WindowStats {
  sender: string;
  /** The sender's configured rate (0 = unlimited). */
  limit: number;
}

/** STOP-family keywords opt a recipient out; START-family opt them back in (Twilio's default opt-out keywords). */
const STOP_WORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE']);
const START_WORDS = new Set(['START', 'YES', 'UNSTOP']);
const HELP_WORDS = new Set(['HELP', 'INFO']);

export class SimulatorEngine {
  readonly store = new SimulatorStore();
  readonly scheduler = new Scheduler();
  readonly faults: FaultPlan;
  readonly webhooks: WebhookClient;
  private readonly queues = new SenderQueues();
  private lifecycle!: MessageLifecycle;
  private behaviour: CallbackBehaviour = defaultCallbackBehaviour();
  private senders: Set<string> | null = null;
  private templates: Record<string, string> = {};
  private inboundUrl: string | null = null;

  constructor(
    readonly credentials: Credentials,
    private readonly seed: number,
    private readonly initial: SimulatorState,
  ) {
    this.faults = new FaultPlan(seededRandom(seed));
    this.webhooks = new WebhookClient({
      authToken: () => this.credentials.authToken,
      scheduler: this.scheduler,
      timeoutMs: () => this.behaviour.timeoutMs,
      retryDelayMs: () => this.behaviour.retryDelayMs,
    });
    this.reset();
  }

  /** Back to the state given at start: no messages, no callbacks pending, initial faults and seeds. */
  reset(): void {
    this.scheduler.cancelAll();
    this.store.clearAll();
    this.webhooks.clear();
    this.queues.reset();
    // Fresh streams from the same seed: a test that resets replays the same fault sequence.
    this.faults.reseed(seededRandom(this.seed));
    this.faults.reset(this.initial.faults);
    this.behaviour = defaultCallbackBehaviour();
    this.setCallbackBehaviour(this.initial.callbacks ?? {});
    this.lifecycle = new MessageLifecycle({
      store: this.store,
      scheduler: this.scheduler,
      webhooks: this.webhooks,
      random: seededRandom(this.seed ^ 0x5bd1e995),
      behaviour: () => this.behaviour,
    });
    const now = Date.now();
    for (const a of this.initial.optedOut ?? []) this.store.optOut(a);
    for (const a of this.initial.sessions ?? []) this.store.openSession(a, now);
    for (const a of this.initial.unreachable ?? []) this.store.markUnreachable(a);
    this.senders = this.initial.senders ? new Set(this.initial.senders) : null;
    this.templates = { ...(this.initial.contentTemplates ?? {}) };
    this.inboundUrl = this.initial.inboundWebhookUrl ?? null;
  }

  callbackBehaviour(): CallbackBehaviour {
    return { ...this.behaviour };
  }

  setCallbackBehaviour(partial: Partial<CallbackBehaviour>): CallbackBehaviour {
    const next = { ...this.behaviour, ...partial };
    const problems = validateCallbackBehaviour(next);
    if (problems.length > 0) throw new RangeError(problems.join('; '));
    this.behaviour = next;
    return this.callbackBehaviour();
  }

  setInboundWebhookUrl(url: string | null): void {
    this.inboundUrl = url;
  }

  /** Validates and accepts a create request; throws TwilioApiError for a refusal. */
  createMessage(form: FormBody, receivedAt: number, outcome: ApiOutcome): SimMessage {
    const req = parseCreate(form, { senders: this.senders, isOptedOut: (to) => this.store.isOptedOut(to) });
    const now = Date.now();
    const sender = req.from ?? req.messagingServiceSid!;
    const body =
      req.contentSid !== null
        ? renderTemplate(this.templates[req.contentSid] ?? '', req.contentVariables)
        : req.body;
    const params: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(form)) if (v !== undefined) params[k] = v;
    const message: SimMessage = {
      sid: `${req.mediaUrls.length > 0 ? 'MM' : 'SM'}${randomBytes(16).toString('hex')}`,
      accountSid: this.credentials.accountSid,
      channel: req.channel,
      to: req.to,
      from: req.from,
      messagingServiceSid: req.messagingServiceSid,
      body,
      contentSid: req.contentSid,
      contentVariables: req.contentVariablesRaw,
      mediaUrls: req.mediaUrls,
      statusCallback: req.statusCallback,
      numSegments: req.channel === 'sms' ? smsSegments(body) : 1,
      status: 'queued',
      errorCode: null,
      errorMessage: null,
      sender,
      receivedAt,
      createdAt: now,
      dispatchedAt: this.queues.schedule(sender, now, this.faults.rateFor(sender)),
      updatedAt: now,
      apiOutcome: outcome,
      params,
    };
    this.store.add(message);
    this.lifecycle.start(message, now);
    return message;
  }

  fetchMessage(sid: string, uri: string): MessageResourceJson {
    const message = this.store.get(sid);
    if (message === undefined) throw twilioErrors.notFound(uri);
    return toMessageJson(message);
  }

  /** The list as Twilio shows it: a message created less than `listLagMs` ago is not in it yet. */
  listMessages(query: Record<string, unknown>): MessagePageJson {
    const request = parseList(query);
    const now = Date.now();
    const { listLagMs } = this.faults.get();
    const listed = this.store.query(request.filter, now).filter((m) => m.createdAt + listLagMs <= now);
    return buildPage(this.credentials.accountSid, request, listed, toMessageJson);
  }

  toJson(message: SimMessage): MessageResourceJson {
    return toMessageJson(message);
  }

  /**
   * A recipient texts the account: STOP-family keywords opt them out, START-family back in; on WhatsApp any
   * message opens the 24-hour window. Posted, signed, to the inbound webhook when one is set.
   */
  inbound(input: { from: string; to: string; body: string }): { sid: string; optOutType: 'STOP' | 'START' | 'HELP' | null } {
    const keyword = input.body.trim().toUpperCase();
    const optOutType = STOP_WORDS.has(keyword) ? 'STOP' : START_WORDS.has(keyword) ? 'START' : HELP_WORDS.has(keyword) ? 'HELP' : null;
    if (optOutType === 'STOP') this.store.optOut(input.from);
    if (optOutType === 'START') this.store.optIn(input.from);
    if (input.from.startsWith('whatsapp:')) this.store.openSession(input.from, Date.now());
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const url = this.inboundUrl;
    if (url !== null) {
      const params = inboundMessageParams({
        accountSid: this.credentials.accountSid,
        sid,
        ...input,
        ...(optOutType === null ? {} : { optOutType }),
      });
      this.scheduler.at(0, () => this.webhooks.deliver({ kind: 'inbound', messageSid: sid, status: 'received', url, params }));
    }
    return { sid, optOutType };
  }

  /**
   * Achieved rate per sender and how many messages exceeded the sender's limit in a one-second window, measured
   * on dispatch times (when messages leave the queue: what recipients see) or on API receive times (what the
   * client sent).
   */
  rateStats(by: 'dispatched' | 'received' = 'dispatched'): SenderRateReport[] {
    const bySender = new Map<string, number[]>();
    for (const m of this.store.all()) {
      const times = bySender.get(m.sender) ?? [];
      times.push(by === 'dispatched' ? m.dispatchedAt : m.receivedAt);
      bySender.set(m.sender, times);
    }
    return [...bySender].map(([sender, times]) => {
      const limit = this.faults.rateFor(sender);
      return { sender, limit, ...windowStats(times, limit) };
    });
  }

  /** Groups of accepted messages that share a key (default: recipient and body), i.e. what a receiver saw twice. */
  duplicates(key: (m: SimMessage) => string | null = (m) => `${m.to}\u0000${m.body}`): Array<{ key: string; sids: string[] }> {
    const groups = new Map<string, string[]>();
    for (const m of this.store.all()) {
      const k = key(m);
      if (k === null) continue;
      groups.set(k, [...(groups.get(k) ?? []), m.sid]);
    }
    return [...groups].filter(([, sids]) => sids.length > 1).map(([k, sids]) => ({ key: k, sids }));
  }

  callbacks(filter: { messageSid?: string } = {}): WebhookAttempt[] {
    const all = this.webhooks.attempts();
    return filter.messageSid === undefined ? all : all.filter((a) => a.messageSid === filter.messageSid);
  }

  info() {
    return {
      accountSid: this.credentials.accountSid,
      optedOut: this.store.optedOutAddresses(),
      sessions: this.store.openSessions(Date.now()),
      unreachable: this.store.unreachableNumbers(),
      senders: this.senders === null ? null : [...this.senders],
      contentTemplates: Object.keys(this.templates),
      inboundWebhookUrl: this.inboundUrl,
      messages: this.store.all().length,
      pendingWork: this.scheduler.pending(),
    };
  }

  stop(): void {
    this.scheduler.cancelAll();
    this.webhooks.close();
  }
}

