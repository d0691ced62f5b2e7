/**
 * XML for protel's messages through fast-xml-parser: reading resolves namespaces (so an element
 * is known by its namespace and name, whatever prefix the sender chose), building escapes every
 * value. Documents with a DOCTYPE are refused: SOAP 1.2 forbids them, and entity expansion is no
 * business of a PMS answer.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

export interface XmlElement {
  ns: string | null;
  name: string;
  /** Attributes without a prefix, by name. */
  attrs: Record<string, string>;
  /** Attributes with a prefix, resolved: `{namespace}name`. */
  nsAttrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text, trimmed. */
  text: string;
}

export class XmlError extends Error {
  override name = 'XmlError';
}

type ParsedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
});

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', textNodeName: '#text', suppressEmptyNode: true, suppressBooleanAttributes: false });

export function readXml(text: string): XmlElement {
  if (/<!DOCTYPE/i.test(text)) throw new XmlError('a document type declaration is not allowed');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlError(`not well-formed XML: ${valid.err.msg}`);
  const roots = (parser.parse(text) as ParsedNode[]).filter((n) => tagOf(n) !== undefined);
  if (roots.length !== 1) throw new XmlError('expected one root element');
  return toElement(roots[0]!, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]));
}

function tagOf(node: ParsedNode): string | undefined {
  return Object.keys(node).find((k) => k !== ':@' && k !== '#text');
}

function toElement(node: ParsedNode, inherited: Map<string, string>): XmlElement {
  const tag = tagOf(node)!;
  const raw = node[':@'] ?? {};
  const scope = new Map(inherited);
  for (const [name, value] of Object.entries(raw)) {
    if (name === 'xmlns') scope.set('', value);
    else if (name.startsWith('xmlns:')) scope.set(name.slice(6), value);
  }
  const [prefix, local] = split(tag);
  const ns = scope.get(prefix) ?? null;
  if (prefix !== '' && ns === null) throw new XmlError(`undeclared prefix ${prefix}`);
  const attrs: Record<string, string> = {};
  const nsAttrs: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    const [p, n] = split(name);
    if (p === '') attrs[n] = value;
    else {
      const uri = scope.get(p);
      if (uri === undefined) throw new XmlError(`undeclared prefix ${p}`);
      nsAttrs[`{${uri}}${n}`] = value;
    }
  }
  const children: XmlElement[] = [];
  const texts: string[] = [];
  for (const child of (node[tag] as ParsedNode[] | undefined) ?? []) {
    if (tagOf(child) !== undefined) children.push(toElement(child, scope));
    else if (typeof child['#text'] === 'string') texts.push(child['#text']);
  }
  return { ns, name: local, attrs, nsAttrs, children, text: texts.join('').trim() };
}

function split(qname: string): [string, string] {
  const colon = qname.indexOf(':');
  return colon < 0 ? ['', qname] : [qname.slice(0, colon), qname.slice(colon + 1)];
}

// --- reading helpers -------------------------------------------------------------------------------------------------

/** The first child with this name (in the parent's namespace unless `ns` is given). */
export function child(parent: XmlElement | undefined, name: string, ns?: string | null): XmlElement | undefined {
  return parent?.children.find((c) => c.name === name && c.ns === (ns === undefined ? parent.ns : ns));
}

export function children(parent: XmlElement | undefined, name: string, ns?: string | null): XmlElement[] {
  return parent?.children.filter((c) => c.name === name && c.ns === (ns === undefined ? parent.ns : ns)) ?? [];
}

/** Follows a path of child names in the parent's namespace. */
export function path(parent: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  let current = parent;
  for (const name of names) current = child(current, name);
  return current;
}

export function attr(element: XmlElement | undefined, name: string): string | undefined {
  return element?.attrs[name];
}

// --- building --------------------------------------------------------------------------------------------------------

/** An element as fast-xml-parser's builder takes it. */
export type XmlNode = { [key: string]: string | XmlNode | XmlNode[] };
type AttrValue = string | number | boolean | null | undefined;
type ChildValue = XmlNode | XmlNode[] | undefined;

/** An element: attributes (null and undefined left out), child elements by qualified name, and text. */
export function node(attrs: Record<string, AttrValue> = {}, kids: Record<string, ChildValue> = {}, text?: string): XmlNode {
  const out: XmlNode = {};
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined && value !== null) out[`@_${name}`] = String(value);
  for (const [name, value] of Object.entries(kids)) if (value !== undefined && !(Array.isArray(value) && value.length === 0)) out[name] = value;
  if (text !== undefined) out['#text'] = text;
  return out;
}

/** A text-only element. */
export function textNode(text: string, attrs: Record<string, AttrValue> = {}): XmlNode {
  return node(attrs, {}, text);
}

export function buildXml(rootName: string, root: XmlNode): string {
  return `<?xml version="1.0" encoding="utf-8"?>${builder.build({ [rootName]: root }) as string}`;
}
