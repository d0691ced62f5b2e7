/**
 * Reading Cloudbeds' request parameters as its PHP back end does: a form body
 * (`application/x-www-form-urlencoded`) with bracket notation for lists and objects
 * (`items[0][itemName]=...`). Each operation declares the fields it knows; a field it does not
 * know is refused (`Unknown parameter items[0][itemname]`), so a misspelt field cannot pass
 * unnoticed as it would at Cloudbeds.
 */

/** A scalar field, or a list whose entries have these fields. */
export type FieldSpec = 'scalar' | { list: Record<string, FieldSpec> };
export type Fields = Record<string, FieldSpec>;

export type Parsed = string | ParsedObject;
export interface ParsedObject {
  [key: string]: Parsed;
}

export class ParamError extends Error {}

/** `items[0][itemName]` → `['items', '0', 'itemName']`; anything else malformed is refused. */
function pathOf(name: string): string[] {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(name);
  if (!match) throw new ParamError(`Malformed parameter name ${name}`);
  const rest = [...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!);
  if (rest.some((part) => part === '')) throw new ParamError(`Parameter ${name}: list entries need their index`);
  return [match[1]!, ...rest];
}

/** The parameters as one nested object; a name given twice, or both as a value and a list, is refused. */
export function parseParams(params: URLSearchParams): ParsedObject {
  const root: ParsedObject = {};
  for (const [name, value] of params) {
    const path = pathOf(name);
    let node = root;
    path.forEach((part, i) => {
      const last = i === path.length - 1;
      const existing = node[part];
      if (last) {
        if (existing !== undefined) throw new ParamError(`Parameter ${name} is given more than once`);
        node[part] = value;
        return;
      }
      if (typeof existing === 'string') throw new ParamError(`Parameter ${path.slice(0, i + 1).join('.')} is both a value and a list`);
      node = (node[part] ??= {}) as ParsedObject;
    });
  }
  return root;
}

/** Refuses what the operation does not know, naming the field as it was sent. */
export function checkFields(parsed: ParsedObject, fields: Fields, prefix = ''): void {
  for (const [key, value] of Object.entries(parsed)) {
    const name = prefix ? `${prefix}[${key}]` : key;
    const spec = fields[key];
    if (spec === undefined) throw new ParamError(`Unknown parameter ${name}`);
    if (spec === 'scalar') {
      if (typeof value !== 'string') throw new ParamError(`Parameter ${name} must be a single value`);
      continue;
    }
    if (typeof value === 'string') throw new ParamError(`Parameter ${name} must be a list`);
    for (const [index, entry] of Object.entries(value)) {
      if (!/^\d+$/.test(index)) throw new ParamError(`Parameter ${name}[${index}]: a list is indexed by numbers`);
      if (typeof entry === 'string') throw new ParamError(`Parameter ${name}[${index}] must hold fields`);
      checkFields(entry, spec.list, `${name}[${index}]`);
    }
  }
}

/** A list parameter's entries in index order. */
export function listOf(value: Parsed | undefined): ParsedObject[] {
  if (value === undefined || typeof value === 'string') return [];
  return Object.entries(value)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, entry]) => entry as ParsedObject);
}

export function str(value: Parsed | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
