/**
 * SOAP 1.2 as protel I/O's endpoint enforces it, and its faults. An envelope passes when:
 * the media type is `application/soap+xml` (else 415 with a Sender fault), the document is
 * well-formed (else 400 Sender), its root is a SOAP 1.2 `Envelope` (a SOAP 1.1 or other root is
 * a VersionMismatch, 500, with an `Upgrade` header naming SOAP 1.2), no header block it does not
 * know demands `mustUnderstand` (MustUnderstand, 500), protel's `Action` and `CorrelationID` are
 * in the header and `Target` names a protel system (else 400 Sender), the SOAPAction (HTTP header
 * or media-type parameter) is the action's, and the body holds exactly the message `Action` names.
 */
import { type El, el, first, MalformedXml, parseXml, serialize, type Tree } from './xml';
import { expectedSoapAction, HTNG_ASYNC_NS, MESSAGE_TABLE, type MessageDefinition, PROTEL_NS, SOAP12, SOAP12_MEDIA_TYPE, TARGETS } from './wire';

export interface SoapFaultAnswer {
  status: number;
  code: 'Sender' | 'Receiver' | 'VersionMismatch' | 'MustUnderstand';
  /** protel subcodes (in protel's namespace). */
  subcode?: string;
  reason: string;
  headers?: Record<string, string>;
}

export interface SoapRequest {
  action: string;
  definition: MessageDefinition;
  correlationId: string;
  target: string;
  message: El;
}

/** The parts of the media type: `application/soap+xml; charset=utf-8; action="..."`. */
function mediaType(contentType: string | undefined): { type: string; action?: string } {
  const [type = '', ...params] = (contentType ?? '').split(';').map((p) => p.trim());
  const action = params.map((p) => /^action\s*=\s*"?([^"]*)"?$/i.exec(p)?.[1]).find((a) => a !== undefined);
  return { type: type.toLowerCase(), action };
}

const KNOWN_HEADERS = new Set([`{${PROTEL_NS}}Action`, `{${PROTEL_NS}}CorrelationID`, `{${PROTEL_NS}}Target`, `{${PROTEL_NS}}Source`, `{${HTNG_ASYNC_NS}}CorrelationID`]);

const sender = (reason: string, subcode: string, status = 400): SoapFaultAnswer => ({ status, code: 'Sender', subcode, reason });

/** Reads and checks one request; a fault answer when it does not pass. */
export function readSoapRequest(body: string, headers: Record<string, string | string[] | undefined>): SoapRequest | SoapFaultAnswer {
  const contentType = mediaType(single(headers['content-type']));
  if (contentType.type !== SOAP12_MEDIA_TYPE) return sender(`protel I/O takes SOAP 1.2 (${SOAP12_MEDIA_TYPE}), not ${contentType.type || 'a body without a content type'}`, 'UnsupportedMediaType', 415);
  let root: El;
  try {
    root = parseXml(body);
  } catch (error) {
    return sender(`the request is not well-formed XML: ${error instanceof MalformedXml ? error.message : String(error)}`, 'MalformedMessage');
  }
  if (root.ns !== SOAP12 || root.local !== 'Envelope') {
    return { status: 500, code: 'VersionMismatch', reason: 'only SOAP 1.2 envelopes are supported', headers: {} };
  }
  const header = first(root, 'Header');
  const blocks = header?.elements ?? [];
  const unknown = blocks.find((b) => ['true', '1'].includes(b.qualified[`{${SOAP12}}mustUnderstand`] ?? '') && !KNOWN_HEADERS.has(`{${b.ns ?? ''}}${b.local}`));
  if (unknown) return { status: 500, code: 'MustUnderstand', reason: `header block {${unknown.ns ?? ''}}${unknown.local} is not understood` };
  const action = first(header, 'Action', PROTEL_NS)?.text;
  const correlationId = first(header, 'CorrelationID', PROTEL_NS)?.text || first(header, 'CorrelationID', HTNG_ASYNC_NS)?.text;
  const target = first(header, 'Target', PROTEL_NS)?.text;
  if (!action) return sender('the protel header element Action is missing', 'MissingHeader');
  if (!correlationId) return sender('the protel header element CorrelationID is missing', 'MissingHeader');
  if (!target || !TARGETS.has(target)) return sender(`Target must be one of ${[...TARGETS].join(', ')} for synchronous messages`, 'InvalidTarget');
  const soapAction = single(headers.soapaction)?.replace(/^"|"$/g, '') ?? contentType.action;
  const definition = MESSAGE_TABLE[action];
  if (definition === undefined) return sender(`protel I/O has no synchronous message ${action}`, 'ActionNotSupported');
  if (soapAction !== expectedSoapAction(action)) return sender(`SOAPAction ${soapAction ?? '(none)'} does not match the action ${action}`, 'ActionMismatch');
  const bodyElements = first(root, 'Body')?.elements ?? [];
  const message = bodyElements[0];
  if (bodyElements.length !== 1 || message === undefined) return sender('the Body must hold exactly one message', 'MalformedMessage');
  if (message.local !== action || message.ns !== definition.ns) return sender(`the Body holds {${message.ns ?? ''}}${message.local}, not the ${action} the header names`, 'ActionMismatch');
  return { action, definition, correlationId, target, message };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** A SOAP 1.2 fault envelope (with the supported envelope named for a VersionMismatch). */
export function faultEnvelope(fault: SoapFaultAnswer): string {
  const code = el({}, {
    'env:Value': el({}, {}, `env:${fault.code}`),
    'env:Subcode': fault.subcode ? el({}, { 'env:Value': el({}, {}, `p:${fault.subcode}`) }) : undefined,
  });
  const upgrade = fault.code === 'VersionMismatch' ? el({}, { 'env:Upgrade': el({}, { 'env:SupportedEnvelope': el({ qname: 'ns1:Envelope', 'xmlns:ns1': SOAP12 }) }) }) : undefined;
  const body = el({}, { 'env:Fault': el({}, { 'env:Code': code, 'env:Reason': el({}, { 'env:Text': el({ 'xml:lang': 'en' }, {}, fault.reason) }) }) });
  return serialize('env:Envelope', el({ 'xmlns:env': SOAP12, 'xmlns:p': PROTEL_NS }, { ...(upgrade ? { 'env:Header': upgrade } : {}), 'env:Body': body }));
}

/** An answer envelope: protel's header (the RS action and the request's CorrelationID) and the RS. */
export function answerEnvelope(rsName: string, ns: string, correlationId: string, rs: Tree): string {
  const header = el({}, {
    'p:Action': el({}, {}, rsName),
    'p:CorrelationID': el({}, {}, correlationId),
    'htnga:CorrelationID': el({ 'xmlns:htnga': HTNG_ASYNC_NS }, {}, correlationId),
  });
  return serialize('env:Envelope', el({ 'xmlns:env': SOAP12, 'xmlns:p': PROTEL_NS }, { 'env:Header': header, 'env:Body': el({}, { [rsName]: { $xmlns: ns, ...rs } }) }));
}
