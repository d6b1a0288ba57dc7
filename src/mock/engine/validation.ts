// What the mock decides about a request its router matched: does it obey the contract,
// and which documented answer does it get. Prism's algorithm is the reference; two
// engines run it:
//
// - `fast` (the default): Prism's steps re-done here on validators compiled once per
//   operation (on its first request) from the contract: the same Ajv (draft-07, the
//   options and formats Prism gives it), the parameters deserialized and gathered per
//   location as Prism does, the same diagnostics (location, keyword, message), the same
//   choice of the answer's status and example, `Prefer` included. No Prism at run time:
//   the mock starts without loading it and pays for no per-request machinery. What Prism
//   does to a request body schema before validating it (allOf merged, readOnly properties
//   left out) is done by `npm run generate`, with Prism's functions, for the kit's
//   contract (generated/smn.prism-bodies.json); Prism is an optional dependency.
// - `prism`: Prism itself (prism-engine.ts), for anyone who wants every request to go
//   through it (`--engine prism`). The fast engine hands it what it does not mirror
//   (a parameter style beyond form and simple, an answer without an example that Prism
//   would generate from its schema).
//
// Neither checks credentials: the mock has authenticated the request before, by the
// mode it runs in (auth.ts), and the engines never see a credential.
//
// test/mock-engines.test.ts sends thousands of generated requests, valid and broken in
// every way the contract allows, through both and requires the same decision for each.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { parseMediaType } from '../../contract/media-type.js';
import type { SmnContract } from '../../contract/smn.js';
import type { SmnOperation } from '../../contract/smn-responses.js';
import type { HttpOperation } from './operations.js';
import { requireFromPrism } from './prism-package.js';
import type { ParsedBody } from './request.js';
import { cachedCompiler, type ValidatorCompiler } from './validator-cache.js';
import { chooseError, type Violation } from './violations.js';

export const ENGINES = ['fast', 'prism'] as const;
export type EngineName = (typeof ENGINES)[number];

/** What a `Prefer` header asks for: a documented answer by status, by example name, or both. */
export interface Preferences {
  code?: number;
  example?: string;
}

/** A request as the engines see it. */
export interface DecisionInput {
  operation: HttpOperation;
  /** The same operation as the contract's validators know it: its own documented errors (x-not-found, body error codes). */
  contractOperation?: SmnOperation;
  /** The path as sent (not decoded). */
  pathname: string;
  /** `?` and the query as sent, or ''. */
  search: string;
  query: URLSearchParams;
  /** The declared headers but the credentials, and Content-Type when there is a body (`engineHeaders`). */
  headers: Record<string, string>;
  prefer: Preferences;
  body: ParsedBody;
  /** The body as sent (the Prism engine remembers its decisions by it). */
  bodyText: string;
}

/** What was decided for one request, as far as the reply depends on it. */
export interface Decision {
  status: number;
  body: unknown;
  /** The documented error chosen, when the request broke a rule. */
  error?: string;
  violations: Violation[];
}

export interface Engine {
  readonly name: EngineName;
  decide(input: DecisionInput): Decision | Promise<Decision>;
}

export const UNKNOWN_ROUTE = 'api_not_found';
export const BAD_REQUEST = 'bad_request';
export const INTERNAL_ERROR = 'SMN.0018';

/**
 * The headers an engine sees: only those the contract declares, so that its decision
 * depends on nothing else, and never the credentials, so that no secret reaches it.
 */
export function engineHeaders(headers: IncomingHttpHeaders, contract: SmnContract, hasBody: boolean): Record<string, string> {
  const seen: Record<string, string> = {};
  for (const name of contract.requestHeaders) {
    const value = headers[name];
    // An empty value is passed on: the contract decides whether it is allowed.
    if (typeof value !== 'string' || contract.credentialHeaders.includes(name)) continue;
    seen[name] = value;
  }
  if (hasBody) seen['content-type'] = 'application/json';
  return seen;
}

/** `Prefer: code=500, example=nothing_bound`, as Prism's own server reads it. */
export function preferences(header: string | string[] | undefined): Preferences {
  const found: Preferences = {};
  if (header === undefined) return found;
  for (const part of String(header).split(/[,;]/)) {
    const [name, value] = part.split('=').map((s) => s.trim().replace(/^"|"$/g, ''));
    if (name === 'code' && value && /^\d{3}$/.test(value)) found.code = Number(value);
    if (name === 'example' && value) found.example = value;
  }
  return found;
}

/** The query as Prism takes it: one string per name, or the list of a repeated name. */
export function queryRecord(query: URLSearchParams): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key);
    result[key] = values.length === 1 ? values[0]! : values;
  }
  return result;
}

/** The decision when no answer can be negotiated: a `Prefer` naming an answer the operation lacks is the client's mistake. */
export function unanswerable(input: DecisionInput, reason: string, unrouted = false): Decision {
  const { prefer } = input;
  const unsatisfiable = !unrouted && (prefer.code !== undefined || prefer.example !== undefined);
  return {
    status: unrouted ? 404 : unsatisfiable ? 400 : 500,
    body: undefined,
    error: unrouted ? UNKNOWN_ROUTE : unsatisfiable ? BAD_REQUEST : INTERNAL_ERROR,
    violations: [
      unsatisfiable
        ? { path: ['header', 'prefer'], message: `${input.operation.iid} has no ${prefer.code !== undefined ? `${prefer.code} answer` : `example named ${prefer.example}`}` }
        : { message: `Prism: ${reason}` },
    ],
  };
}

/** The decision from the violations found and the answer negotiated: the documented error the spec names for a violation, or the answer. */
export function settle(contract: SmnContract, input: DecisionInput, violations: Violation[], answer: () => { status: number; body: unknown }): Decision {
  // An unreadable body reached the engine as no body; say why before its "required".
  if (input.body.problem && input.operation.request?.body) violations.unshift({ path: ['body'], message: input.body.problem });
  const choice = chooseError(contract, violations, input.body.body, input.contractOperation);
  if (choice) return { status: 400, body: undefined, error: choice.error, violations: [choice.violation] };
  const { status, body } = answer();
  return { status, body, violations: [] };
}

// ---------------------------------------------------------------------------------
// The fast engine.

type Request = NonNullable<HttpOperation['request']>;
type Param = NonNullable<Request['path'] | Request['query'] | Request['headers'] | Request['cookie']>[number];
type Response = HttpOperation['responses'][number];
type Content = NonNullable<Response['contents']>[number];
type Schema = Record<string, unknown>;
type Deserializer = (name: string, parameters: Record<string, unknown>, schema: Schema | undefined, explode: boolean) => unknown;

/** A diagnostic as Prism makes it; `error` false for a warning (a deprecated parameter used). */
interface Diagnostic extends Violation {
  error: boolean;
}

// Prism validates every schema of an OpenAPI document with its draft-07 Ajv (http-spec
// marks them all draft-07), parameters coerced, bodies not.
// (Not checking each schema against the meta-schema spares compiling the meta-schema at
// start; the specs are linted, and a schema Ajv cannot compile still fails.)
const AJV_OPTIONS = { allErrors: true, allowUnionTypes: true, allowMatchingProperties: true, strict: false, validateSchema: false } as const;
const quietAboutUnknownFormats = {
  warn: (...args: unknown[]) => {
    if (typeof args[0] !== 'string' || !args[0].startsWith('unknown format')) console.warn(...args);
  },
  log: console.log,
  error: console.error,
};
let compilers: { coerce: ValidatorCompiler; plain: ValidatorCompiler } | undefined;
/** Prism's two Ajv instances (parameters coerced, bodies not), their validators kept between runs (validator-cache.ts). */
function ajvs(): { coerce: ValidatorCompiler; plain: ValidatorCompiler } {
  if (compilers) return compilers;
  const make = (coerceTypes: boolean) => (): Ajv => {
    const require = createRequire(import.meta.url);
    const { Ajv: AjvClass } = require('ajv') as typeof import('ajv');
    const ajvFormats = require('ajv-formats') as typeof import('ajv-formats');
    const ajv = new AjvClass({ ...AJV_OPTIONS, coerceTypes, logger: quietAboutUnknownFormats, code: { source: true } });
    ajvFormats.default(ajv);
    // Prism's own date-time format (it accepts a space for the T), from the Prism package,
    // loaded when a value is first checked: no request of the kit's contract has one.
    type DateTime = { date_time(value: string): boolean; compareDateTime(a: string, b: string): number | undefined };
    let dateTime: DateTime | undefined;
    const prismDateTime = (): DateTime => (dateTime ??= requireFromPrism<DateTime>('./validator/validators/dateTime.js', 'a request field of format date-time'));
    ajv.addFormat('date-time', { validate: (value: string) => prismDateTime().date_time(value), compare: (a: string, b: string) => prismDateTime().compareDateTime(a, b) });
    return ajv;
  };
  compilers = {
    coerce: cachedCompiler('prism parameters', { ...AJV_OPTIONS, coerceTypes: true }, make(true)),
    plain: cachedCompiler('prism body', { ...AJV_OPTIONS, coerceTypes: false }, make(false)),
  };
  return compilers;
}

/** Prism's wording of an Ajv error (`Request query parameter limit must be >= 1`). */
function diagnosticsOf(errors: ErrorObject[], prefix: string): Diagnostic[] {
  return errors.map((error) => {
    const params = error.params as Record<string, unknown>;
    const allowed = 'allowedValues' in params ? `: ${(params.allowedValues as unknown[]).join(', ')}` : '';
    const additional = 'additionalProperty' in params ? `; found '${String(params.additionalProperty)}'` : '';
    const unevaluated = 'unevaluatedProperty' in params ? `: '${String(params.unevaluatedProperty)}'` : '';
    const errorPath = error.instancePath.split('/').filter((segment) => segment !== '');
    const kind = errorPath.length > 0 ? (prefix === 'body' ? 'property ' : 'parameter ') : '';
    const source = `Request ${prefix} ${kind}${errorPath.join('.').trim()}${errorPath.length > 0 ? ' ' : ''}`;
    return { path: [prefix, ...errorPath], code: error.keyword || '', message: `${source}${error.message || ''}${allowed}${additional}${unevaluated}`, error: true };
  });
}

function keyValues(items: string[]): Record<string, string | undefined> {
  const object: Record<string, string | undefined> = {};
  items.forEach((item, i) => {
    if (i % 2 === 0) object[item] = undefined;
    else object[items[i - 1]!] = item;
  });
  return object;
}
const last = (value: unknown): string => String(Array.isArray(value) ? value[value.length - 1] : value);

/** Prism's `form` style (query): a repeated name is a list, an empty value is no value. */
const formStyle: Deserializer = (name, parameters, schema, explode) => {
  const type = schema?.type;
  const values = parameters[name];
  if (!(type === 'object' && explode) && !values) return undefined;
  if (type === 'array') return explode ? (Array.isArray(values) ? (values as unknown[]) : [values]) : last(values).split(',');
  if (type === 'object') {
    if (!explode) return keyValues(last(values).split(','));
    const properties = (schema?.properties ?? {}) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(parameters).filter(([key]) => Object.hasOwn(properties, key)));
  }
  return values;
};

/** Prism's `simple` style (headers, path). */
const simpleStyle: Deserializer = (name, parameters, schema, explode) => {
  const type = schema ? schema.type : 'undefined';
  const value = parameters[name] as string;
  if (type === 'array') return value === '' ? [] : value.split(',');
  if (type === 'object') {
    if (!explode) return keyValues(value.split(','));
    return Object.fromEntries(value.split(',').map((pair) => pair.split('=') as [string, string]));
  }
  return value;
};

/** The parameters of one location, gathered into one object schema as Prism does. */
interface Location {
  prefix: 'header' | 'query' | 'path';
  specs: Param[];
  /** By lower-case name; a later declaration of the same name wins. */
  byName: Map<string, Param>;
  properties: Record<string, Schema>;
  deserialize: Deserializer;
  validate: ValidateFunction;
}

function locationOf(prefix: Location['prefix'], specs: Param[] | undefined, deserialize: Deserializer): Location | undefined {
  if (!specs || specs.length === 0) return undefined;
  const byName = new Map<string, Param>();
  for (const spec of specs) byName.set(spec.name.toLowerCase(), spec);
  const properties: Record<string, Schema> = {};
  for (const [name, spec] of byName) if (spec.schema) properties[name] = spec.schema as Schema;
  const required = specs.filter((spec) => spec.required).map((spec) => spec.name.toLowerCase());
  const validate = ajvs().coerce.compile({ type: 'object', properties, required });
  return { prefix, specs, byName, properties, deserialize, validate };
}

function checkLocation(location: Location, target: Record<string, unknown>): Diagnostic[] {
  const lowered: Record<string, unknown> = {};
  for (const key of Object.keys(target)) lowered[key.toLowerCase()] = target[key];
  const values: Record<string, unknown> = {};
  for (const [name, spec] of location.byName) {
    const value = location.deserialize(name, lowered, location.properties[name], spec.explode || false);
    if (value) values[name] = value;
  }
  const found = location.validate(values) ? [] : diagnosticsOf(location.validate.errors ?? [], location.prefix);
  for (const spec of location.specs) {
    if (spec.deprecated && target[spec.name]) {
      const where = location.prefix.charAt(0).toUpperCase() + location.prefix.slice(1);
      found.push({ path: [location.prefix, spec.name], code: 'deprecated', message: `${where} param ${spec.name} is deprecated`, error: false });
    }
  }
  return found;
}

/** uri-template-lite's reading of the path parameters, as Prism reads them: each `{name}` lazily, split at commas, decoded. */
function pathReader(template: string): (path: string) => Record<string, unknown> | undefined {
  const names: string[] = [];
  const source = template.replace(/\{([^}]+)\}|[^{]+/g, (part, name: string | undefined) => {
    if (name === undefined) return part.replace(/[$-/?[-^{|}]/g, '\\$&');
    names.push(name);
    return '(.*?)';
  });
  const pattern = new RegExp(`^${source}$`);
  return (path) => {
    const match = pattern.exec(path);
    if (!match) return undefined;
    const values: Record<string, unknown> = {};
    names.forEach((name, i) => {
      const parts = (match[i + 1] ?? '').split(',').map(decodeURIComponent);
      values[name] = parts.length > 1 ? parts : parts[0];
    });
    return values;
  };
}

/** Type and subtype, a structured syntax suffix standing for the subtype (`application/merge-patch+json` is JSON), as Prism matches them. */
function mediaTypeParts(mediaType: string): { type: string; subtype: string } | undefined {
  const match = /^(.+)\/(?:(.+)\+)?(.+)$/.exec(parseMediaType(mediaType)?.type ?? '');
  return match ? { type: match[1]!, subtype: match[3]! } : undefined;
}
/** Whether content declared as `declared` takes a request of `mediaType` (wildcards in the declaration). */
function takes(mediaType: string, declared: string): boolean {
  const a = mediaTypeParts(mediaType);
  const b = mediaTypeParts(declared);
  return Boolean(a && b && (a.type === b.type || b.type === '*') && (a.subtype === b.subtype || b.subtype === '*'));
}

const containsKey = (node: unknown, test: (key: string, value: unknown) => boolean): boolean => {
  if (typeof node !== 'object' || node === null) return false;
  return Object.entries(node).some(([key, value]) => test(key, value) || containsKey(value, test));
};

/** The kit's contract's request bodies as Prism validates them, made by npm run generate (null: nothing to validate). */
let generatedBodies: Record<string, Schema | null> | undefined;
function prismBodies(): Record<string, Schema | null> {
  generatedBodies ??= (JSON.parse(readFileSync(new URL('../../../generated/smn.prism-bodies.json', import.meta.url), 'utf8')) as { bodies: Record<string, Schema | null> }).bodies;
  return generatedBodies;
}

/**
 * A request body schema as Prism validates it: allOf merged (deep) and readOnly
 * properties left out, by Prism's own functions (without them Prism's normalisation
 * changes nothing). The kit's contract's bodies were normalised by npm run generate;
 * another contract's are, here, when Prism is installed.
 */
function asPrismSeesBody(schema: Schema): Schema | undefined {
  if (!containsKey(schema, (key, value) => key === 'allOf' || (key === 'readOnly' && value === true))) return schema;
  const key = createHash('sha256').update(JSON.stringify(schema)).digest('hex');
  const generated = prismBodies()[key];
  if (generated !== undefined) return generated ?? undefined;
  const what = 'a request body schema with allOf or readOnly in a contract other than the kit\'s';
  const mergeAllOf = requireFromPrism<(schema: Schema, options: object) => Schema>('@stoplight/json-schema-merge-allof', what);
  const { stripReadOnlyProperties } = requireFromPrism<{ stripReadOnlyProperties: (schema: Schema) => { _tag: 'Some'; value: Schema } | { _tag: 'None' } }>('./utils/filterRequiredProperties.js', what);
  let merged = schema;
  try {
    merged = mergeAllOf(schema, { deep: true, ignoreAdditionalProperties: true });
  } catch {
    // As Prism: a schema whose allOf cannot be merged is validated as it is.
  }
  // Nothing left once the readOnly properties are out: Prism then validates no body at all.
  const stripped = stripReadOnlyProperties(merged);
  return stripped._tag === 'Some' ? stripped.value : undefined;
}

interface Compiled {
  /** Why this operation goes through Prism instead, if it does. */
  prismOnly?: string;
  header?: Location;
  query?: Location;
  path?: Location;
  readPath: (path: string) => Record<string, unknown> | undefined;
  body?: { required: boolean; validate?: ValidateFunction };
}

function compile(operation: HttpOperation): Compiled {
  const request = operation.request;
  const readPath = pathReader(operation.path);
  const styles = [...(request?.headers ?? []), ...(request?.path ?? [])].every((p) => String(p.style ?? 'simple') === 'simple') && (request?.query ?? []).every((p) => (['form', 'simple', 'unspecified', undefined] as (string | undefined)[]).includes(p.style as string | undefined));
  if (!styles) return { prismOnly: 'a parameter style other than form and simple', readPath };
  if ((request?.cookie ?? []).length > 0) return { prismOnly: 'cookie parameters', readPath };
  let body: Compiled['body'];
  if (request?.body) {
    const contents = request.body.contents ?? [];
    const content = contents.find((c) => takes('application/json', c.mediaType)) ?? contents[0];
    const schema = content?.schema as Schema | undefined;
    const validated = schema && asPrismSeesBody(schema);
    body = { required: Boolean(request.body.required), validate: validated && ajvs().plain.compile(validated) };
  }
  return {
    header: locationOf('header', request?.headers, simpleStyle),
    query: locationOf('query', request?.query, formStyle),
    path: locationOf('path', request?.path, simpleStyle),
    readPath,
    body,
  };
}

/** Prism's input validation (its security check left out): body, headers, query and path, each location's diagnostics in Ajv's order. */
function validate(compiled: Compiled, input: DecisionInput): Diagnostic[] {
  const found: Diagnostic[] = [];
  if (compiled.body) {
    const body = input.body.body;
    if (compiled.body.required && !body) {
      found.push({ code: 'required', message: 'Body parameter is required', error: true });
    } else if (body !== undefined && body !== null && compiled.body.validate && !compiled.body.validate(body)) {
      found.push(...diagnosticsOf(compiled.body.validate.errors ?? [], 'body'));
    }
  }
  if (compiled.header) found.push(...checkLocation(compiled.header, input.headers));
  if (compiled.query) found.push(...checkLocation(compiled.query, queryRecord(input.query)));
  if (compiled.path) found.push(...checkLocation(compiled.path, compiled.readPath(input.pathname) ?? {}));
  return found;
}

// Prism's mocker: which documented answer (status and example) a request gets.

/** An answer negotiated, or why none could be: `defer` when Prism would generate the body from a schema. */
type Negotiated = { status: number; body: unknown } | { refused: string } | { defer: true };

const byStatus = (responses: Response[], code: number): Response | undefined =>
  responses.find((r) => r.code.toLowerCase() === String(code)) ?? responses.find((r) => r.code === `${String(code).charAt(0)}XX`);
const byDefault = (responses: Response[]): Response | undefined => responses.find((r) => r.code === 'default');
const statusOf = (response: Response, fallback: number): number => {
  if (/^\dXX$/.test(response.code)) return Number(`${response.code.charAt(0)}00`);
  return response.code === 'default' ? fallback : Number.parseInt(response.code, 10);
};

/** The content Prism answers with when the client names no media type: `*\/*`, else JSON, else any. */
function defaultContent(contents: Content[] | undefined): Content | undefined {
  if (!contents) return undefined;
  return contents.find((c) => c.mediaType === '*/*') ?? contents.find((c) => /^application\/json\s*(;|$)/i.test(c.mediaType)) ?? contents[0];
}

function answerWith(response: Response, status: number, method: string, exampleKey: string | undefined): Negotiated {
  if (method === 'head') return { status, body: undefined };
  const content = defaultContent(response.contents);
  if (!content) return { status, body: undefined };
  const examples = content.examples ?? [];
  const example = exampleKey !== undefined ? examples.find((e) => e.key === exampleKey) : examples[0];
  if (exampleKey !== undefined && !example) return { refused: `Response for contentType: ${content.mediaType} and exampleKey: ${exampleKey} does not exist.` };
  if (example && 'value' in example && example.value !== undefined) return { status, body: example.value };
  return content.schema ? { defer: true } : { status, body: undefined };
}

function unspecified(operation: HttpOperation, exampleKey: string | undefined): Negotiated {
  const lowest = operation.responses.filter((r) => /^2(\d\d|XX)$/.test(r.code)).sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))[0];
  const response = lowest ?? byDefault(operation.responses) ?? operation.responses[0];
  if (!response) return { refused: 'No response defined for the operation' };
  return answerWith(response, statusOf(response, 200), operation.method, exampleKey);
}

function forValidRequest(operation: HttpOperation, prefer: Preferences): Negotiated {
  if (prefer.code === undefined) return unspecified(operation, prefer.example);
  const response = byStatus(operation.responses, prefer.code) ?? byDefault(operation.responses);
  if (!response) return { refused: `Requested status code ${prefer.code} is not defined in the document.` };
  const chosen = answerWith(response, /^\dXX$/.test(response.code) || response.code === 'default' ? prefer.code : statusOf(response, prefer.code), operation.method, prefer.example);
  return 'refused' in chosen ? unspecified(operation, prefer.example) : chosen;
}

function forInvalidRequest(operation: HttpOperation, found: Diagnostic[], prefer: Preferences): Negotiated {
  const codes = found.some((d) => d.code === 415) ? [415, 422, 400] : [422, 400];
  const exampleKey = prefer.code !== undefined && codes.includes(prefer.code) ? prefer.example : undefined;
  let response: Response | undefined;
  let status = 0;
  for (const code of codes) {
    response = byStatus(operation.responses, code);
    if (response) {
      status = code;
      break;
    }
  }
  if (!response) {
    response = byDefault(operation.responses);
    status = codes[0]!;
  }
  if (!response) return { refused: 'No 422, 400, or default responses defined' };
  const withExamples = response.contents?.find((c) => (c.examples ?? []).length > 0);
  if (!withExamples) return response.contents?.some((c) => c.schema) ? { defer: true } : { status, body: undefined };
  const examples = withExamples.examples!;
  const example = exampleKey !== undefined ? examples.find((e) => e.key === exampleKey) : examples[0];
  if (!example) return { refused: `Response for contentType: ${withExamples.mediaType} and exampleKey: ${exampleKey} does not exist.` };
  return { status, body: 'value' in example ? example.value : undefined };
}

/**
 * The fast engine. `fallback` gives the Prism engine, loaded on first use, for what
 * this one does not mirror.
 */
export function createFastEngine(contract: SmnContract, fallback: () => Promise<Engine>): Engine {
  const compiled = new Map<HttpOperation, Compiled>();
  const deferred = async (input: DecisionInput): Promise<Decision> => (await fallback()).decide(input);
  return {
    name: 'fast',
    decide(input) {
      let operation = compiled.get(input.operation);
      if (!operation) compiled.set(input.operation, (operation = compile(input.operation)));
      if (operation.prismOnly) return deferred(input);
      const found = validate(operation, input);
      const negotiated = found.some((d) => d.error) ? forInvalidRequest(input.operation, found, input.prefer) : forValidRequest(input.operation, input.prefer);
      if ('refused' in negotiated) return unanswerable(input, negotiated.refused);
      const violations: Violation[] = found.map(({ path, code, message }) => (path ? { path, code, message } : { code, message }));
      let needsPrism = false;
      const decision = settle(contract, input, violations, () => {
        if ('defer' in negotiated) {
          needsPrism = true;
          return { status: 0, body: undefined };
        }
        return negotiated;
      });
      return needsPrism ? deferred(input) : decision;
    },
  };
}
