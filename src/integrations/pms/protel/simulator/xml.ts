/**
 * The simulator's XML: fast-xml-parser reads a request into elements whose names are resolved
 * against their namespaces (a client may pick any prefix), and builds answers from plain trees
 * (every value escaped by the builder).
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

export interface El {
  ns: string | null;
  local: string;
  /** Unprefixed attributes. */
  attributes: Record<string, string>;
  /** Prefixed attributes as `{namespace}name`. */
  qualified: Record<string, string>;
  elements: El[];
  text: string;
}

export class MalformedXml extends Error {}

type Parsed = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '$', textNodeName: '_', suppressEmptyNode: true, suppressBooleanAttributes: false });

const nameOf = (n: Parsed): string | undefined => Object.keys(n).find((k) => k !== ':@' && k !== '#text');

function qname(name: string): { prefix: string; local: string } {
  const i = name.indexOf(':');
  return i < 0 ? { prefix: '', local: name } : { prefix: name.slice(0, i), local: name.slice(i + 1) };
}

function convert(n: Parsed, outer: ReadonlyMap<string, string>): El {
  const name = nameOf(n)!;
  const raw = n[':@'] ?? {};
  const scope = new Map(outer);
  for (const [k, v] of Object.entries(raw)) if (k === 'xmlns' || k.startsWith('xmlns:')) scope.set(k === 'xmlns' ? '' : k.slice(6), v);
  const resolve = (prefix: string): string | null => {
    const uri = scope.get(prefix);
    if (uri === undefined && prefix !== '') throw new MalformedXml(`the prefix ${prefix} is not declared`);
    return uri ?? null;
  };
  const { prefix, local } = qname(name);
  const el: El = { ns: resolve(prefix), local, attributes: {}, qualified: {}, elements: [], text: '' };
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
    const q = qname(k);
    if (q.prefix === '') el.attributes[q.local] = v;
    else el.qualified[`{${resolve(q.prefix)}}${q.local}`] = v;
  }
  const texts: string[] = [];
  for (const c of (n[name] as Parsed[] | undefined) ?? []) {
    if (nameOf(c) !== undefined) el.elements.push(convert(c, scope));
    else if (typeof c['#text'] === 'string') texts.push(c['#text']);
  }
  el.text = texts.join('').trim();
  return el;
}

/** The document's root element; `MalformedXml` for anything that is not one well-formed element without a DTD. */
export function parseXml(text: string): El {
  if (/<!DOCTYPE/i.test(text)) throw new MalformedXml('a DTD is not allowed in a SOAP message');
  const result = XMLValidator.validate(text);
  if (result !== true) throw new MalformedXml(result.err.msg);
  const roots = (parser.parse(text) as Parsed[]).filter((n) => nameOf(n) !== undefined);
  if (roots.length !== 1) throw new MalformedXml('a document has exactly one root element');
  return convert(roots[0]!, new Map());
}

export const first = (parent: El | undefined, local: string, ns = parent?.ns): El | undefined => parent?.elements.find((e) => e.local === local && e.ns === ns);
export const all = (parent: El | undefined, local: string, ns = parent?.ns): El[] => parent?.elements.filter((e) => e.local === local && e.ns === ns) ?? [];
export const dig = (parent: El | undefined, ...locals: string[]): El | undefined => locals.reduce<El | undefined>((el, l) => first(el, l), parent);

// --- answers ---------------------------------------------------------------------------------------------------------

export type Tree = { [key: string]: string | Tree | Tree[] };
type Value = string | number | boolean | null | undefined;

/** An answer element: attributes (null/undefined dropped), children by qualified name, optional text. */
export function el(attributes: Record<string, Value>, kids: Record<string, Tree | Tree[] | undefined> = {}, text?: string | null): Tree {
  const tree: Tree = {};
  for (const [k, v] of Object.entries(attributes)) if (v !== null && v !== undefined) tree[`$${k}`] = String(v);
  for (const [k, v] of Object.entries(kids)) if (v !== undefined && !(Array.isArray(v) && v.length === 0)) tree[k] = v;
  if (text !== undefined && text !== null) tree._ = text;
  return tree;
}

export function serialize(rootName: string, root: Tree): string {
  return `<?xml version="1.0" encoding="utf-8"?>${builder.build({ [rootName]: root }) as string}`;
}
