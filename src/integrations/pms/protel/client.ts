/**
 * One protel I/O message exchange: the shared limiter asked first, the message in a SOAP 1.2
 * envelope with a fresh CorrelationID (in protel's header, HTNG's header, the HTTP header and
 * the message root), `Content-Type: application/soap+xml` with the action, `SOAPAction`, and the
 * hotel's bearer token. The answer must be the message's RS carrying the same CorrelationID;
 * its OTA `Errors` become typed failures.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../../domain/failure-types';
import type { Logger } from '../../../logger';
import { bearerAuth, isOutcomeUnknown, VendorHttpClient, type VendorRequest, type VendorResponse } from '../../http';
import { errorsFailure, otaErrors, PROTEL_VENDOR, protelClassifier, unreadableAnswer } from './errors';
import { buildEnvelope, readEnvelope } from './soap';
import type { ProtelSettings } from './settings';
import { NS, type ProtelMessage, soapAction, VERSIONS } from './wire';
import { node, type XmlElement, XmlError, type XmlNode } from './xml';

export interface ProtelClientOptions {
  settings: ProtelSettings;
  token: string;
  logger: Logger;
  withinLimit: <T>(send: () => Promise<T>) => Promise<T>;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface ProtelExchange {
  message: ProtelMessage;
  /** Child elements and attributes of the message root (the root's standard attributes are added here). */
  content: XmlNode;
  /** What a not-found refers to, e.g. `reservation 345001`. */
  subject: string;
}

export class ProtelClient {
  private readonly http: VendorHttpClient;

  constructor(private readonly options: ProtelClientOptions) {
    this.http = new VendorHttpClient({ vendor: 'protel', baseUrl: options.settings.endpointUrl, logger: options.logger, timeoutMs: options.timeoutMs });
  }

  /** Sends one message; returns its RS element (without `Errors`, which throw). */
  async call(exchange: ProtelExchange): Promise<XmlElement> {
    const { message } = exchange;
    const correlationId = randomUUID();
    const action = soapAction(message.rq);
    const envelope = buildEnvelope({
      action: message.rq,
      correlationId,
      target: this.options.settings.target,
      body: { name: message.rq, ns: message.ns, content: { ...rootAttributes(message, correlationId), ...exchange.content } },
    });
    const res = await this.options.withinLimit(() => this.send(message, {
      method: 'POST',
      path: this.options.settings.endpointUrl,
      body: envelope,
      headers: {
        'content-type': `application/soap+xml; charset=utf-8; action="${action}"`,
        accept: 'application/soap+xml',
        soapaction: action,
        correlationid: correlationId,
        authorization: bearerAuth(this.options.token),
      },
      parse: 'text',
      classify: protelClassifier(message),
      signal: this.options.signal,
    }));
    const rs = this.answer(message, res.body, correlationId);
    const errors = otaErrors(rs);
    if (errors.length > 0) throw errorsFailure(message, errors, exchange.subject);
    return rs;
  }

  /**
   * Every protel message is a POST, so the shared client takes a lost answer for an ambiguous
   * write; a read that lost its answer changed nothing and is simply unavailable.
   */
  private async send(message: ProtelMessage, request: VendorRequest): Promise<VendorResponse<string>> {
    try {
      return await this.http.request<string>(request);
    } catch (error) {
      if (message.write || !isOutcomeUnknown(error)) throw error;
      const failure = error as ApplicationFailure;
      throw ApplicationFailure.create({ type: FailureType.VendorUnavailable, message: failure.message, details: [{ ...(failure.details?.[0] as object), ambiguous: false }], cause: failure });
    }
  }

  private answer(message: ProtelMessage, text: string, correlationId: string): XmlElement {
    let answer: ReturnType<typeof readEnvelope>;
    try {
      answer = readEnvelope(text);
    } catch (error) {
      throw unreadableAnswer(message, error instanceof XmlError ? error.message : String(error));
    }
    if (answer.kind === 'fault') throw unreadableAnswer(message, `a fault with HTTP 200: ${answer.fault.code} ${answer.fault.reason}`);
    const rs = answer.message;
    if (rs.ns !== message.ns || rs.name !== message.rs) throw unreadableAnswer(message, `expected ${message.rs}, got ${rs.name}`);
    // An answer to another request (a mixed-up connection) must never be read as this one's.
    const echoed = answer.correlationId ?? rs.attrs.CorrelationID;
    if (echoed !== correlationId) throw unreadableAnswer(message, `CorrelationID ${echoed ?? '(none)'} is not the request's`);
    this.options.logger.debug({ vendor: PROTEL_VENDOR, message: message.rs, correlationId }, 'protel answer');
    return rs;
  }
}

/** EchoToken, TimeStamp, Version, CorrelationID and the hotel's language on the message root. */
function rootAttributes(message: ProtelMessage, correlationId: string): XmlNode {
  const version = message.ns === NS.ota ? VERSIONS.ota : message.ns === NS.htng ? VERSIONS.htng : VERSIONS.protel;
  return node({
    EchoToken: correlationId,
    TimeStamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Version: version,
    CorrelationID: correlationId,
    PrimaryLangID: message.ns === NS.protel ? undefined : 'en',
  });
}
