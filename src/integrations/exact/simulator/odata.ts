/**
 * The part of OData v2's query language the simulator understands: `$filter` (comparisons, `and`/`or`/`not`,
 * parentheses, `trim`/`tolower`/`toupper`, `substringof`/`startswith`/`endswith`), `$select`, `$top`,
 * `$skiptoken` and `$inlinecount`. Literals are typed as in OData v2: `guid'…'`, `'string'`, `datetime'…'`,
 * `123` (Int32), `123L` (Int64), `true`/`false`, `null`. A literal whose type does not fit the property is
 * refused as Exact refuses it (so `Timestamp gt 123` without `L` is a 400, and `ID eq '…'` without `guid`).
 *
 * String comparisons follow SQL Server's default collation, which Exact's database uses: case-insensitive and
 * blind to trailing spaces (leading spaces count, so an unpadded `Code eq '25'` finds nothing).
 */
import type { EdmType, EntityDef, SimRow, SimValue } from './wire';

/** A 4xx the simulator answers with an OData error body. */
export class ODataError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Extra response headers. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ODataError';
  }
}

const bad = (message: string) => new ODataError(400, message);

// ---------------------------------------------------------------------------------------------------------------
// Tokens

type Token =
  | { t: 'punct'; v: '(' | ')' | ',' }
  | { t: 'ident'; v: string }
  | { t: 'lit'; type: EdmType | 'null'; v: SimValue; raw: string };

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isGuid(s: string): boolean {
  return GUID.test(s);
}

/** Reads a quoted body starting at `i` (the opening quote); `''` is an escaped quote. Returns [text, next index]. */
function readQuoted(src: string, i: number): [string, number] {
  let out = '';
  let j = i + 1;
  for (;;) {
    if (j >= src.length) throw bad('Unterminated string literal in $filter.');
    const c = src[j]!;
    if (c === "'") {
      if (src[j + 1] === "'") {
        out += "'";
        j += 2;
        continue;
      }
      return [out, j + 1];
    }
    out += c;
    j++;
  }
}

function typedLiteral(prefix: string, body: string): Token {
  const raw = `${prefix}'${body}'`;
  switch (prefix.toLowerCase()) {
    case 'guid':
      if (!GUID.test(body)) throw bad(`Unrecognized 'Edm.Guid' literal '${raw}' in $filter.`);
      return { t: 'lit', type: 'Edm.Guid', v: body.toLowerCase(), raw };
    case 'datetime': {
      // OData v2 datetime literals carry no zone; the simulator reads them as UTC.
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?$/.test(body)) throw bad(`Unrecognized 'Edm.DateTime' literal '${raw}' in $filter.`);
      const ms = Date.parse(`${body}Z`);
      if (Number.isNaN(ms)) throw bad(`Unrecognized 'Edm.DateTime' literal '${raw}' in $filter.`);
      return { t: 'lit', type: 'Edm.DateTime', v: ms, raw };
    }
    default:
      throw bad(`Unsupported literal '${raw}' in $filter.`);
  }
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ t: 'punct', v: c });
      i++;
      continue;
    }
    if (c === "'") {
      const [text, next] = readQuoted(src, i);
      tokens.push({ t: 'lit', type: 'Edm.String', v: text, raw: src.slice(i, next) });
      i = next;
      continue;
    }
    const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?([LlMmDdFf])?/.exec(src.slice(i));
    if (num && (c === '-' || (c >= '0' && c <= '9'))) {
      const raw = num[0];
      const suffix = num[3]?.toUpperCase();
      const isInteger = num[1] === undefined && num[2] === undefined;
      if (suffix === 'L') {
        if (!isInteger) throw bad(`Unrecognized 'Edm.Int64' literal '${raw}' in $filter.`);
        tokens.push({ t: 'lit', type: 'Edm.Int64', v: BigInt(raw.slice(0, -1)), raw });
      } else if (suffix !== undefined || !isInteger) {
        tokens.push({ t: 'lit', type: 'Edm.Double', v: Number(suffix ? raw.slice(0, -1) : raw), raw });
      } else {
        const n = Number(raw);
        // An integer too large for Int32 without L is still an Int32 literal to the parser, and invalid.
        if (n > 2147483647 || n < -2147483648) throw bad(`Unrecognized 'Edm.Int32' literal '${raw}' in $filter (Int64 values need the L suffix).`);
        tokens.push({ t: 'lit', type: 'Edm.Int32', v: n, raw });
      }
      i += raw.length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)*/.exec(src.slice(i));
    if (ident) {
      const word = ident[0];
      i += word.length;
      if (src[i] === "'") {
        const [body, next] = readQuoted(src, i);
        tokens.push(typedLiteral(word, body));
        i = next;
        continue;
      }
      if (word === 'true' || word === 'false') tokens.push({ t: 'lit', type: 'Edm.Boolean', v: word === 'true', raw: word });
      else if (word === 'null') tokens.push({ t: 'lit', type: 'null', v: null, raw: word });
      else tokens.push({ t: 'ident', v: word });
      continue;
    }
    throw bad(`Syntax error at position ${i} in $filter '${src}'.`);
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------------------------------
// Syntax tree

export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
const COMPARE_OPS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);

export type Operand =
  | { kind: 'field'; name: string }
  | { kind: 'lit'; type: EdmType | 'null'; value: SimValue; raw: string }
  | { kind: 'fn'; fn: string; args: Operand[] };

export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; expr: FilterNode }
  | { kind: 'cmp'; op: CompareOp; left: Operand; right: Operand }
  | { kind: 'bool'; operand: Operand };

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly src: string,
  ) {}

  parse(): FilterNode {
    const node = this.or();
    if (this.pos < this.tokens.length) throw bad(`Syntax error in $filter '${this.src}': unexpected '${this.describe(this.tokens[this.pos]!)}'.`);
    return node;
  }

  private describe(t: Token): string {
    return t.t === 'lit' ? t.raw : t.v;
  }

  private peekWord(word: string): boolean {
    const t = this.tokens[this.pos];
    return t !== undefined && t.t === 'ident' && t.v === word;
  }

  private or(): FilterNode {
    let left = this.and();
    while (this.peekWord('or')) {
      this.pos++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): FilterNode {
    let left = this.unary();
    while (this.peekWord('and')) {
      this.pos++;
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): FilterNode {
    if (this.peekWord('not')) {
      this.pos++;
      return { kind: 'not', expr: this.unary() };
    }
    const t = this.tokens[this.pos];
    if (t?.t === 'punct' && t.v === '(') {
      // A parenthesised boolean expression (a parenthesised operand is not needed by anything we support).
      this.pos++;
      const inner = this.or();
      this.expectPunct(')');
      return inner;
    }
    const left = this.operand();
    const opToken = this.tokens[this.pos];
    if (opToken?.t === 'ident' && COMPARE_OPS.has(opToken.v)) {
      this.pos++;
      return { kind: 'cmp', op: opToken.v as CompareOp, left, right: this.operand() };
    }
    return { kind: 'bool', operand: left };
  }

  private expectPunct(v: '(' | ')' | ','): void {
    const t = this.tokens[this.pos];
    if (t?.t !== 'punct' || t.v !== v) throw bad(`Syntax error in $filter '${this.src}': expected '${v}'.`);
    this.pos++;
  }

  private operand(): Operand {
    const t = this.tokens[this.pos];
    if (t === undefined) throw bad(`Syntax error in $filter '${this.src}': expression expected at the end.`);
    this.pos++;
    if (t.t === 'lit') return { kind: 'lit', type: t.type, value: t.v, raw: t.raw };
    if (t.t === 'punct') throw bad(`Syntax error in $filter '${this.src}': unexpected '${t.v}'.`);
    const next = this.tokens[this.pos];
    if (next?.t === 'punct' && next.v === '(') {
      this.pos++;
      const args: Operand[] = [];
      if (!(this.tokens[this.pos]?.t === 'punct' && (this.tokens[this.pos] as { v: string }).v === ')')) {
        args.push(this.operand());
        while (this.tokens[this.pos]?.t === 'punct' && (this.tokens[this.pos] as { v: string }).v === ',') {
          this.pos++;
          args.push(this.operand());
        }
      }
      this.expectPunct(')');
      return { kind: 'fn', fn: t.v, args };
    }
    if (t.v.includes('/')) throw bad(`Filtering on navigation properties is not supported ('${t.v}').`);
    return { kind: 'field', name: t.v };
  }
}

export function parseFilter(src: string): FilterNode {
  if (src.trim() === '') throw bad('$filter must not be empty.');
  return new Parser(tokenize(src), src).parse();
}

// ---------------------------------------------------------------------------------------------------------------
// Type checking and evaluation

export type Predicate = (row: SimRow) => boolean;

interface Typed {
  type: EdmType | 'null';
  /** Whether the value comes from a property (directly or through a function). */
  fromField: boolean;
  get: (row: SimRow) => SimValue;
}

const CLR: Record<EdmType | 'null', string> = {
  'Edm.Guid': 'System.Guid',
  'Edm.String': 'System.String',
  'Edm.Boolean': 'System.Boolean',
  'Edm.DateTime': 'System.DateTime',
  'Edm.Int32': 'System.Int32',
  'Edm.Int64': 'System.Int64',
  'Edm.Double': 'System.Double',
  null: 'null',
};

/** SQL Server's default collation: case-insensitive, trailing spaces ignored. */
const collate = (s: string) => (s.endsWith(' ') ? s.replace(/ +$/, '') : s).toLowerCase();

const STRING_FNS = new Set(['trim', 'tolower', 'toupper']);
const BOOL_FNS = new Set(['substringof', 'startswith', 'endswith']);

function typeOperand(op: Operand, def: EntityDef, entityType: string): Typed {
  if (op.kind === 'lit') return { type: op.type, fromField: false, get: () => op.value };
  if (op.kind === 'field') {
    const field = def[op.name];
    if (field === undefined) throw bad(`No property '${op.name}' exists in type '${entityType}'.`);
    const name = op.name;
    return { type: field.type, fromField: true, get: (row) => row[name] ?? null };
  }
  if (STRING_FNS.has(op.fn)) {
    if (op.args.length !== 1) throw bad(`No function signature for the function with name '${op.fn}' matches the specified arguments.`);
    const arg = typeOperand(op.args[0]!, def, entityType);
    if (arg.type !== 'Edm.String') throw bad(`No function signature for the function with name '${op.fn}' matches the specified arguments.`);
    const f = op.fn === 'trim' ? (s: string) => s.trim() : op.fn === 'tolower' ? (s: string) => s.toLowerCase() : (s: string) => s.toUpperCase();
    return {
      type: 'Edm.String',
      fromField: arg.fromField,
      get: (row) => {
        const v = arg.get(row);
        return typeof v === 'string' ? f(v) : null;
      },
    };
  }
  if (BOOL_FNS.has(op.fn)) {
    if (op.args.length !== 2) throw bad(`No function signature for the function with name '${op.fn}' matches the specified arguments.`);
    const a = typeOperand(op.args[0]!, def, entityType);
    const b = typeOperand(op.args[1]!, def, entityType);
    if (a.type !== 'Edm.String' || b.type !== 'Edm.String') throw bad(`No function signature for the function with name '${op.fn}' matches the specified arguments.`);
    const test =
      op.fn === 'substringof'
        ? (x: string, y: string) => y.toLowerCase().includes(x.toLowerCase())
        : op.fn === 'startswith'
          ? (x: string, y: string) => x.toLowerCase().startsWith(y.toLowerCase())
          : (x: string, y: string) => x.toLowerCase().endsWith(y.toLowerCase());
    return {
      type: 'Edm.Boolean',
      fromField: a.fromField || b.fromField,
      get: (row) => {
        const x = a.get(row);
        const y = b.get(row);
        return typeof x === 'string' && typeof y === 'string' ? test(x, y) : false;
      },
    };
  }
  throw bad(`Unknown function '${op.fn}' in $filter.`);
}

const NUMERIC = new Set<EdmType | 'null'>(['Edm.Int32', 'Edm.Int64', 'Edm.Double']);

/** Whether a literal of type `lit` may be compared with a property of type `field`. */
function compatible(field: EdmType | 'null', lit: EdmType | 'null'): boolean {
  if (lit === 'null' || field === lit) return true;
  // Exact needs the L suffix on Int64 literals: an Int32 or Double literal against an Int64 property is refused.
  if (field === 'Edm.Int64') return false;
  if (field === 'Edm.Int32') return lit === 'Edm.Int64';
  if (field === 'Edm.Double') return NUMERIC.has(lit);
  return false;
}

function compareValues(type: EdmType | 'null', a: SimValue, b: SimValue): number {
  if (type === 'Edm.String') {
    const x = collate(String(a));
    const y = collate(String(b));
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (type === 'Edm.Int64' || typeof a === 'bigint' || typeof b === 'bigint') {
    const x = BigInt(a as number | bigint);
    const y = BigInt(b as number | bigint);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (type === 'Edm.Boolean') return Number(a) - Number(b);
  if (type === 'Edm.Guid') return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
  return Number(a) - Number(b);
}

/**
 * The comparisons a client makes on every look-up and every Sync page (a property equal to a string or GUID, a
 * Timestamp bound), with the literal prepared once: a scan of 50 000 rows should cost milliseconds.
 */
function fastCompare(node: Extract<FilterNode, { kind: 'cmp' }>, field: Typed, lit: Typed): Predicate | null {
  const value = lit.get({});
  if (value === null) return null;
  const fieldOperand = node.left.kind === 'field' ? node.left : node.right.kind === 'field' ? node.right : null;
  if (fieldOperand === null || fieldOperand.kind !== 'field') return null;
  const name = fieldOperand.name;
  if (field.type === 'Edm.String' && (node.op === 'eq' || node.op === 'ne')) {
    const wanted = collate(String(value));
    const eq = node.op === 'eq';
    return (row) => {
      const v = row[name];
      if (typeof v !== 'string') return !eq;
      return (collate(v) === wanted) === eq;
    };
  }
  if (field.type === 'Edm.Guid' && node.op === 'eq') {
    const wanted = String(value).toLowerCase();
    return (row) => row[name] === wanted;
  }
  if (field.type === 'Edm.Int64' && typeof value === 'bigint') {
    // The literal may be on either side: `Timestamp gt 5L` or `5L lt Timestamp`.
    const fieldLeft = node.left.kind === 'field';
    const op = fieldLeft ? node.op : ({ gt: 'lt', ge: 'le', lt: 'gt', le: 'ge', eq: 'eq', ne: 'ne' } as const)[node.op];
    const test: Record<CompareOp, (v: bigint) => boolean> = {
      eq: (v) => v === value,
      ne: (v) => v !== value,
      gt: (v) => v > value,
      ge: (v) => v >= value,
      lt: (v) => v < value,
      le: (v) => v <= value,
    };
    const t = test[op];
    return (row) => {
      const v = row[name];
      return typeof v === 'bigint' && t(v);
    };
  }
  return null;
}

function compileCompare(node: Extract<FilterNode, { kind: 'cmp' }>, def: EntityDef, entityType: string): Predicate {
  const left = typeOperand(node.left, def, entityType);
  const right = typeOperand(node.right, def, entityType);
  if (left.fromField && right.fromField) throw bad('Comparing one property with another is not supported.');
  if (!left.fromField && !right.fromField) throw bad('A comparison in $filter must involve a property.');
  const [field, lit] = left.fromField ? [left, right] : [right, left];
  if (!compatible(field.type, lit.type)) {
    const hint = field.type === 'Edm.Int64' && lit.type === 'Edm.Int32' ? ' Int64 literals need the L suffix, e.g. 123L.' : '';
    throw bad(`Operator '${node.op}' incompatible with operand types '${CLR[left.type]}' and '${CLR[right.type]}'.${hint}`);
  }
  if (lit.type === 'null' && node.op !== 'eq' && node.op !== 'ne') throw bad(`Operator '${node.op}' cannot be used with null.`);
  const op = node.op;
  const type = field.type;
  const fast = fastCompare(node, field, lit);
  if (fast !== null) return fast;
  return (row) => {
    const a = left.get(row);
    const b = right.get(row);
    if (a === null || b === null) {
      const bothNull = a === null && b === null;
      return op === 'eq' ? bothNull : op === 'ne' ? !bothNull : false;
    }
    const c = compareValues(type, a, b);
    switch (op) {
      case 'eq':
        return c === 0;
      case 'ne':
        return c !== 0;
      case 'gt':
        return c > 0;
      case 'ge':
        return c >= 0;
      case 'lt':
        return c < 0;
      case 'le':
        return c <= 0;
    }
  };
}

/** Type-checks `node` against `def` and returns a row predicate; throws ODataError (400) on any problem. */
export function compileFilter(node: FilterNode, def: EntityDef, entityType: string): Predicate {
  switch (node.kind) {
    case 'and': {
      const l = compileFilter(node.left, def, entityType);
      const r = compileFilter(node.right, def, entityType);
      return (row) => l(row) && r(row);
    }
    case 'or': {
      const l = compileFilter(node.left, def, entityType);
      const r = compileFilter(node.right, def, entityType);
      return (row) => l(row) || r(row);
    }
    case 'not': {
      const e = compileFilter(node.expr, def, entityType);
      return (row) => !e(row);
    }
    case 'bool': {
      const typed = typeOperand(node.operand, def, entityType);
      if (typed.type !== 'Edm.Boolean' || !typed.fromField) throw bad('$filter must be a boolean expression.');
      return (row) => typed.get(row) === true;
    }
    case 'cmp':
      return compileCompare(node, def, entityType);
  }
}

/** The conjuncts of a filter made only of `and`s (null when it has `or`/`not`). */
export function conjuncts(node: FilterNode): FilterNode[] | null {
  if (node.kind === 'and') {
    const l = conjuncts(node.left);
    const r = conjuncts(node.right);
    return l && r ? [...l, ...r] : null;
  }
  if (node.kind === 'or' || node.kind === 'not') return null;
  return [node];
}

/** `Field eq <literal>` (either order) → the literal, for index look-ups; null otherwise. */
export function equalityOn(node: FilterNode, field: string): Operand & { kind: 'lit' } | null {
  if (node.kind !== 'cmp' || node.op !== 'eq') return null;
  const { left, right } = node;
  if (left.kind === 'field' && left.name === field && right.kind === 'lit') return right;
  if (right.kind === 'field' && right.name === field && left.kind === 'lit') return left;
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Other query options

export interface QueryOptions {
  filter: FilterNode | null;
  filterText: string | null;
  select: string[] | null;
  top: number | null;
  skiptoken: string | null;
  inlinecount: boolean;
}

const KNOWN_OPTIONS = new Set(['$filter', '$select', '$top', '$skiptoken', '$inlinecount', '$orderby', '$skip', '$expand', '$format']);
/** Valid OData options the simulator does not implement: refused loudly rather than ignored. */
const UNIMPLEMENTED = new Set(['$orderby', '$skip', '$expand', '$format']);

/** Reads and checks the system query options of a request against the entity's fields. */
export function parseQueryOptions(params: URLSearchParams, def: EntityDef, entityType: string): QueryOptions {
  for (const key of new Set(params.keys())) {
    if (!key.startsWith('$')) continue;
    if (!KNOWN_OPTIONS.has(key)) throw bad(`The query parameter '${key}' begins with a system-reserved '$' character but is not recognized.`);
    if (UNIMPLEMENTED.has(key)) throw bad(`The query parameter '${key}' is not supported by this endpoint of the simulator.`);
    if (params.getAll(key).length > 1) throw bad(`Query option '${key}' was specified more than once, but it must be specified at most once.`);
  }
  const filterText = params.get('$filter');
  const selectText = params.get('$select');
  const topText = params.get('$top');
  const inline = params.get('$inlinecount');

  let select: string[] | null = null;
  if (selectText !== null) {
    const names = selectText.split(',').map((s) => s.trim());
    if (names.some((n) => n === '*')) throw bad("$select=* is not allowed: name the properties you need.");
    for (const n of names) {
      if (n === '') throw bad('$select has an empty property name.');
      if (n.includes('/')) throw bad(`Selecting navigation properties is not supported ('${n}').`);
      if (def[n] === undefined) throw bad(`No property '${n}' exists in type '${entityType}'.`);
    }
    select = [...new Set(names)];
  }

  let top: number | null = null;
  if (topText !== null) {
    if (!/^\d+$/.test(topText.trim())) throw bad(`Invalid value '${topText}' for $top query option found. The $top query option requires a non-negative integer value.`);
    top = Number(topText.trim());
  }

  if (inline !== null && inline !== 'allpages' && inline !== 'none') throw bad(`Invalid value '${inline}' for $inlinecount query option.`);

  const filter = filterText === null ? null : parseFilter(filterText);
  return { filter, filterText, select, top, skiptoken: params.get('$skiptoken'), inlinecount: inline === 'allpages' };
}
