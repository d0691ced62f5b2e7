/**
 * The SOAP 1.2 envelope protel I/O takes and gives: protel's `Action`, `CorrelationID` and (for
 * synchronous messages) `Target` header elements, the same CorrelationID in HTNG's asynchronous
 * header, and one message in the body. Faults are SOAP 1.2 faults: a code (`Sender`,
 * `Receiver`, `VersionMismatch`, `MustUnderstand`), optional subcodes and a reason.
 */
import { buildXml, child, children, node, textNode, type XmlElement, XmlError, type XmlNode, readXml } from './xml';
import { NS } from './wire';

export interface EnvelopeSpec {
  action: string;
  correlationId: string;
  target: string;
  /** The message element's name and its content (root attributes included). */
  body: { name: string; ns: string; content: XmlNode };
}

export function buildEnvelope(spec: EnvelopeSpec): string {
  const header = node({}, {
    'p:Action': textNode(spec.action),
    'p:CorrelationID': textNode(spec.correlationId),
    'p:Target': textNode(spec.target),
    'htnga:CorrelationID': textNode(spec.correlationId, { 'xmlns:htnga': NS.htngAsync }),
  });
  const message = node({ xmlns: spec.body.ns }, {});
  Object.assign(message, spec.body.content);
  return buildXml('env:Envelope', node({ 'xmlns:env': NS.soap12, 'xmlns:p': NS.protel }, { 'env:Header': header, 'env:Body': node({}, { [spec.body.name]: message }) }));
}

export interface SoapFault {
  /** `Sender`, `Receiver`, `VersionMismatch`, `MustUnderstand` or `DataEncodingUnknown`. */
  code: string;
  /** Subcode values without their prefix, outermost first. */
  subcodes: string[];
  reason: string;
}

export type SoapAnswer =
  | { kind: 'message'; action: string | null; correlationId: string | null; message: XmlElement }
  | { kind: 'fault'; fault: SoapFault };

/** Reads an answer; throws `XmlError` when it is not a SOAP 1.2 envelope with one body element. */
export function readEnvelope(text: string): SoapAnswer {
  const root = readXml(text);
  if (root.ns !== NS.soap12 || root.name !== 'Envelope') throw new XmlError(`expected a SOAP 1.2 Envelope, got {${root.ns ?? ''}}${root.name}`);
  const body = child(root, 'Body');
  if (body === undefined) throw new XmlError('an envelope without a Body');
  const [first, ...rest] = body.children;
  if (first === undefined || rest.length > 0) throw new XmlError('expected exactly one element in the Body');
  if (first.ns === NS.soap12 && first.name === 'Fault') return { kind: 'fault', fault: readFault(first) };
  const header = child(root, 'Header');
  const action = child(header, 'Action', NS.protel)?.text ?? null;
  const correlationId = child(header, 'CorrelationID', NS.protel)?.text ?? child(header, 'CorrelationID', NS.htngAsync)?.text ?? null;
  return { kind: 'message', action, correlationId, message: first };
}

function readFault(fault: XmlElement): SoapFault {
  const code = child(fault, 'Code');
  const subcodes: string[] = [];
  for (let sub = child(code, 'Subcode'); sub !== undefined; sub = child(sub, 'Subcode')) subcodes.push(localName(child(sub, 'Value')?.text));
  const reason = children(child(fault, 'Reason'), 'Text').map((t) => t.text).find((t) => t !== '') ?? '';
  return { code: localName(child(code, 'Value')?.text), subcodes, reason };
}

/** `env:Sender` → `Sender`. */
function localName(qname: string | undefined): string {
  if (qname === undefined) return '';
  const colon = qname.indexOf(':');
  return colon < 0 ? qname : qname.slice(colon + 1);
}

/** A fault in a non-2xx answer, when the body is one; undefined otherwise (a gateway's HTML, nothing). */
export function faultOf(text: string): SoapFault | undefined {
  try {
    const answer = readEnvelope(text);
    return answer.kind === 'fault' ? answer.fault : undefined;
  } catch {
    return undefined;
  }
}
