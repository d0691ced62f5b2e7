/**
 * Checks an HTTP exchange against Oracle's OHIP 25.5 OpenAPI (Swagger 2.0) specifications in
 * test/fixtures/ohip (stored gzipped; `OHIP_SPEC_DIR` points at a folder of plain `<module>.json`
 * files to check against another release): the operation exists at that path and method, every query parameter
 * is one the operation declares (type, enum, repeated only where `collectionFormat: multi`),
 * required headers are present and match their patterns, the request body validates against the
 * body parameter's schema, the status is one the operation declares, and the answer's body
 * validates against that status's schema (or is empty where the spec gives none).
 *
 * Schemas are checked with ajv, stricter than Swagger 2.0 itself in one way: an object may hold
 * only the properties its definition names (`additionalProperties: false` is added to every
 * object schema with `properties`), so a misspelt field fails. One spec defect is corrected: the
 * csh, crm and hsk specs give many `format: date` fields `maxLength: 8`, which no `YYYY-MM-DD`
 * date meets; that maxLength is dropped.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import Ajv from 'ajv';

const FIXTURE_DIR = path.resolve(__dirname, '../../fixtures/ohip');

/** One OHIP module's specification text (`rsv`, `crm`, ...). */
function specText(module: string): string {
  const dir = process.env.OHIP_SPEC_DIR;
  if (dir) return readFileSync(path.join(dir, `${module}.json`), 'utf8');
  return gunzipSync(readFileSync(path.join(FIXTURE_DIR, `${module}.json.gz`))).toString('utf8');
}

type Json = Record<string, unknown>;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'body' | 'formData';
  required?: boolean;
  type?: string;
  format?: string;
  pattern?: string;
  enum?: string[];
  maxLength?: number;
  items?: { type?: string; enum?: string[] };
  collectionFormat?: string;
  schema?: Json;
}

interface Operation {
  operationId: string;
  parameters?: Array<Parameter | { $ref: string }>;
  responses: Record<string, { $ref?: string; schema?: Json; headers?: Json }>;
}

export interface WireExchange {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  requestBody: unknown;
  status: number;
  responseBody: unknown;
  responseHeaders: Record<string, string>;
}

export interface CheckResult {
  operationId: string | null;
  /** What is wrong with the request. */
  request: string[];
  /** What is wrong with the answer. */
  response: string[];
}

/** Drops the impossible `maxLength` of dates and closes every plain object schema. */
function tighten(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(tighten);
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Json;
  if (schema.format === 'date' && typeof schema.maxLength === 'number' && schema.maxLength < 10) delete schema.maxLength;
  if (typeof schema.properties === 'object' && schema.properties !== null && schema.allOf === undefined && schema.additionalProperties === undefined) {
    schema.additionalProperties = false;
  }
  for (const value of Object.values(schema)) tighten(value);
}

class SpecFile {
  readonly basePath: string;
  private readonly doc: Json;
  private readonly ajv: Ajv.Ajv;
  private readonly validators = new Map<string, Ajv.ValidateFunction>();

  constructor(text: string) {
    this.doc = JSON.parse(text) as Json;
    this.basePath = this.doc.basePath as string;
    tighten(this.doc.definitions);
    tighten(this.doc.paths);
    tighten(this.doc.responses);
    this.ajv = new Ajv({ allErrors: true, unknownFormats: 'ignore', logger: false, schemaId: 'auto' });
    this.ajv.addSchema({ definitions: this.doc.definitions }, 'spec');
  }

  get version(): string {
    return (this.doc.info as Json).version as string;
  }

  /** The operation at this path (under the base path) and method, preferring literal segments over templates. */
  operation(method: string, subPath: string): Operation | undefined {
    const paths = this.doc.paths as Record<string, Record<string, Operation>>;
    const candidates = Object.keys(paths)
      .filter((template) => new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(subPath))
      .sort((a, b) => literalSegments(b) - literalSegments(a));
    const template = candidates.find((t) => paths[t]![method.toLowerCase()] !== undefined);
    return template === undefined ? undefined : paths[template]![method.toLowerCase()];
  }

  parameter(p: Parameter | { $ref: string }): Parameter {
    if ('$ref' in p) return (this.doc.parameters as Record<string, Parameter>)[p.$ref.replace('#/parameters/', '')]!;
    return p;
  }

  response(op: Operation, status: number): { schema?: Json; headers?: Json } | undefined {
    const r = op.responses[String(status)];
    if (r?.$ref) return (this.doc.responses as Record<string, { schema?: Json }>)[r.$ref.replace('#/responses/', '')];
    return r;
  }

  /** Problems of `value` against a schema of this spec (its `$ref`s resolve to this spec's definitions). */
  validate(schema: Json, value: unknown, where: string): string[] {
    const key = JSON.stringify(schema);
    let validator = this.validators.get(key);
    if (!validator) {
      const rewritten = JSON.parse(key.replace(/"#\/definitions\//g, '"spec#/definitions/')) as Json;
      validator = this.ajv.compile(rewritten);
      this.validators.set(key, validator);
    }
    if (validator(value)) return [];
    return (validator.errors ?? []).slice(0, 10).map((e) => `${where}${e.dataPath} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` (${String((e.params as { additionalProperty: string }).additionalProperty)})` : ''}`);
  }
}

function literalSegments(template: string): number {
  return template.split('/').filter((s) => s && !s.startsWith('{')).length;
}

const INTEGER = /^-?\d+$/;
const NUMBER = /^-?\d+(\.\d+)?$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function scalarProblem(name: string, value: string, type: string | undefined, format: string | undefined, allowed: string[] | undefined): string | undefined {
  if (type === 'integer' && !INTEGER.test(value)) return `query ${name}=${value} is not an integer`;
  if (type === 'number' && !NUMBER.test(value)) return `query ${name}=${value} is not a number`;
  if (type === 'boolean' && value !== 'true' && value !== 'false') return `query ${name}=${value} is not a boolean`;
  if (format === 'date' && !DAY.test(value)) return `query ${name}=${value} is not a date`;
  if (allowed && !allowed.includes(value)) return `query ${name}=${value} is not one of ${allowed.join(', ')}`;
  return undefined;
}

export class OhipSpecs {
  private readonly files: SpecFile[];

  constructor(modules: readonly string[] = ['rsv', 'crm', 'csh', 'hsk']) {
    this.files = modules.map((m) => new SpecFile(specText(m)));
  }

  versions(): string[] {
    return [...new Set(this.files.map((f) => f.version))];
  }

  check(exchange: WireExchange): CheckResult {
    const file = this.files.find((f) => exchange.path.startsWith(`${f.basePath}/`));
    if (!file) return { operationId: null, request: [`no OHIP spec has the base path of ${exchange.path}`], response: [] };
    const op = file.operation(exchange.method, exchange.path.slice(file.basePath.length));
    if (!op) return { operationId: null, request: [`${exchange.method} ${exchange.path} is no operation of ${file.basePath}`], response: [] };
    const request: string[] = [];
    const params = (op.parameters ?? []).map((p) => file.parameter(p));
    request.push(...this.queryProblems(params, exchange.query));
    request.push(...this.headerProblems(params, exchange.headers));
    const body = params.find((p) => p.in === 'body');
    if (body?.schema && exchange.requestBody !== undefined) request.push(...file.validate(body.schema, exchange.requestBody, 'request body'));
    if (body?.required && exchange.requestBody === undefined) request.push('the request has no body');

    const response: string[] = [];
    const declared = file.response(op, exchange.status);
    if (!declared) response.push(`status ${exchange.status} is not an answer of ${op.operationId}`);
    else if (declared.schema) response.push(...file.validate(declared.schema, exchange.responseBody, `${exchange.status} body`));
    else if (exchange.responseBody !== undefined) response.push(`${exchange.status} of ${op.operationId} has no body in the spec, but one was sent`);
    const headers = Object.keys(declared?.headers ?? {}).map((h) => h.toLowerCase());
    for (const name of Object.keys(exchange.responseHeaders)) {
      if (!headers.includes(name.toLowerCase()) && name.toLowerCase() !== 'cache-control') response.push(`answer header ${name} is not declared for ${exchange.status}`);
    }
    return { operationId: op.operationId, request, response };
  }

  private queryProblems(params: Parameter[], query: Record<string, unknown>): string[] {
    const problems: string[] = [];
    for (const [name, raw] of Object.entries(query)) {
      const p = params.find((x) => x.in === 'query' && x.name === name);
      if (!p) {
        problems.push(`query parameter ${name} is not declared`);
        continue;
      }
      const values = (Array.isArray(raw) ? raw : [raw]).map(String);
      if (p.type !== 'array' && values.length > 1) problems.push(`query ${name} is repeated but not an array`);
      if (p.type === 'array' && values.length > 1 && p.collectionFormat !== 'multi') problems.push(`query ${name} is repeated but its collectionFormat is ${p.collectionFormat ?? 'csv'}`);
      for (const value of values) {
        const problem = p.type === 'array' ? scalarProblem(name, value, p.items?.type, undefined, p.items?.enum) : scalarProblem(name, value, p.type, p.format, p.enum);
        if (problem) problems.push(problem);
      }
    }
    return problems;
  }

  private headerProblems(params: Parameter[], headers: WireExchange['headers']): string[] {
    const problems: string[] = [];
    for (const p of params.filter((x) => x.in === 'header')) {
      const raw = headers[p.name.toLowerCase()];
      const value = Array.isArray(raw) ? raw[0] : raw;
      if (value === undefined) {
        if (p.required) problems.push(`required header ${p.name} is missing`);
        continue;
      }
      if (p.pattern && !new RegExp(p.pattern).test(value)) problems.push(`header ${p.name} does not match ${p.pattern}`);
      if (p.maxLength !== undefined && value.length > p.maxLength) problems.push(`header ${p.name} is longer than ${p.maxLength}`);
    }
    return problems;
  }
}
