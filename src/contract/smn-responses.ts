// The SMN contract's operations and responses as compiled validators: which operation
// a request is, whether a response obeys its schema, which fields it carries that the
// contract does not know, and which operation an unlabelled body most likely answers.
// Compiled once per contract (Ajv 2020-12, as OpenAPI 3.1 specifies).
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { newAjv2020 } from './ajv.js';
import { describeReadings, editionDifferences, EDITION_NAMES, type Edition } from './editions.js';
import { pointerTo, problemsFromAjv, shortJson, valueAt, type Problem } from './problem.js';
import { loadSmnContract, type SmnContract } from './smn.js';

/**
 * One thing wrong with an SMN response: its rule is `status` (an undeclared status),
 * `undeclared-field`, or the JSON Schema keyword that failed (`type`, `enum`, `required`...).
 */
export type SmnProblem = Problem;

/** What a judge of someone else's answer reports: the vendor's rules broken, and the rest. */
export interface SmnJudgement {
  problems: SmnProblem[];
  /** Rules the kit added (`x-kit-choice`) and fields the contract does not declare; problems when strict. */
  warnings: SmnProblem[];
}

/** How a judge reads the contract: `strict` makes the kit's choices and undeclared fields problems; `edition` makes that edition's stricter rules problems. */
export interface JudgeOptions {
  strict?: boolean | undefined;
  /** Without one, a value one edition's rule refuses and the other's allows is a warning naming both readings. */
  edition?: Edition | undefined;
}

export interface SmnOperation {
  operationId: string;
  /** Upper-case HTTP method. */
  method: string;
  /** Path template, e.g. `/v2/{project_id}/notifications/subscriptions`. */
  path: string;
  /** Matches a concrete request path. */
  pattern: RegExp;
  /** Declared statuses and their body schemas (dereferenced), for the statuses whose answer is JSON. */
  responses: Map<number, Schema>;
  /** Every declared status, with the media types of its body ([] for an answer without one). */
  statuses: Map<number, string[]>;
  /** Where the operation is in the document (`/paths/~1v2~1.../get`): its `x-editions` are there. */
  pointer: string;
  /** The operation's parameters (dereferenced), path-level ones included. */
  parameters: Parameter[];
  /** The JSON schema of the request body, when the operation takes one. */
  requestBody?: Schema;
  /** The first example of the request body, when the contract gives one. */
  requestExample?: unknown;
  /** Every example of the request body, in the contract's order. */
  requestExamples: unknown[];
  /** Whether a request needs no credential (its security lists an empty requirement: the API forms of a message's links). */
  anonymous: boolean;
}

export type Schema = Record<string, unknown>;

export interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema: Schema;
  'x-error'?: string;
  /** Why the kit chose a rule of this parameter that the vendor does not document. */
  'x-kit-choice'?: string;
}

export interface SmnResponses {
  contract: SmnContract;
  operations: SmnOperation[];
  /** The operation a method and path call, or undefined. */
  find(method: string, path: string): SmnOperation | undefined;
  /** Problems of a response body for an operation and status; [] when it obeys the contract. Kit choices included, marked. */
  validate(operationId: string, status: number, body: unknown): SmnProblem[];
  /**
   * A response body judged by the strictness policy: the vendor's rules are problems;
   * the kit's choices and undeclared fields are warnings, or problems when `strict`.
   */
  judge(operationId: string, status: number, body: unknown, options?: JudgeOptions): SmnJudgement;
  /** JSON pointers of fields the body carries that the schema does not declare. */
  undeclaredFields(operationId: string, status: number, body: unknown): string[];
  /** Validates a value against a named component schema (`SmnError`, `Subscription`...). */
  validateSchema(name: string, value: unknown): SmnProblem[];
  /** A named component schema, its references resolved. */
  componentSchema(name: string): Schema;
  /** Validates a value against a schema of the contract (a parameter's, a request body's), compiled once per key. */
  validateWith(key: string, schema: Schema, value: unknown): SmnProblem[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/**
 * The contract's document with every reference resolved (see `SmnContract.dereferenced`);
 * read it, never change it. Throws for a contract loaded from another file without it.
 */
export function dereferencedDocument(contract: SmnContract): unknown {
  if (contract.dereferenced === undefined) throw new TypeError('this SMN contract was loaded without its dereferenced form: load it with loadSmnContractFile(path)');
  return contract.dereferenced;
}

const describe = (_pointer: string, value: unknown): string => (value === undefined ? 'nothing' : shortJson(value, 80));

// The words SMN response problems have always used: Ajv's own message beyond these
// keywords, and types said plainly (they appear in conformance and validate output).
const SHARED_WORDS = new Set(['required', 'enum', 'pattern', 'const']);
const expectedOf = (error: ErrorObject): string | undefined =>
  error.keyword === 'type' ? `a value of type ${String((error.params as { type: unknown }).type)}` : SHARED_WORDS.has(error.keyword) ? undefined : (error.message ?? error.keyword);

const problemsOf = (validate: ValidateFunction, body: unknown): SmnProblem[] =>
  validate(body) ? [] : problemsFromAjv(validate.errors ?? [], body, { describe, expected: expectedOf, kitChoices: true });

/** Properties a schema declares, through allOf/anyOf/oneOf. */
function declaredProperties(schema: Schema): Map<string, Schema> | undefined {
  const found = new Map<string, Schema>();
  let isObject = false;
  const collect = (s: Schema): void => {
    if (s.properties) {
      isObject = true;
      for (const [name, child] of Object.entries(s.properties as Record<string, Schema>)) found.set(name, child);
    }
    if (s.additionalProperties !== undefined) isObject = false;
    for (const key of ['allOf', 'anyOf', 'oneOf']) for (const branch of (s[key] as Schema[] | undefined) ?? []) collect(branch);
  };
  collect(schema);
  return isObject ? found : undefined;
}

function undeclared(schema: Schema, value: unknown, pointer: string, out: string[]): void {
  if (Array.isArray(value)) {
    const items = schema.items as Schema | undefined;
    if (items) value.forEach((item, i) => undeclared(items, item, `${pointer}/${i}`, out));
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const properties = declaredProperties(schema);
  if (!properties) return;
  for (const [key, child] of Object.entries(value)) {
    const childSchema = properties.get(key);
    const at = `${pointer}${pointerTo(key)}`;
    if (childSchema) undeclared(childSchema, child, at, out);
    else out.push(at);
  }
}

let shared: SmnResponses | undefined;
const compiledContracts = new WeakMap<SmnContract, SmnResponses>();

/** The compiled operations of the kit's SMN contract, or of another contract (each compiled once). */
export function smnResponses(contract?: SmnContract): SmnResponses {
  if (!contract && shared) return shared;
  const known = contract && compiledContracts.get(contract);
  if (known) return known;
  const source = contract ?? loadSmnContract();
  const document = dereferencedDocument(source) as {
    paths: Record<string, Record<string, unknown>>;
    components: { schemas: Record<string, Schema> };
  };
  let ajv: Ajv2020 | undefined;
  // verbose: each error carries the schema it broke, whose x-kit-choice marks the kit's rules.
  const newAjv = (): Ajv2020 => newAjv2020({ strict: false, allErrors: true, verbose: true });
  const validators = new Map<string, ValidateFunction>();
  const compiled = (key: string, schema: Schema): ValidateFunction => {
    let validate = validators.get(key);
    if (!validate) validators.set(key, (validate = (ajv ??= newAjv()).compile(schema)));
    return validate;
  };

  const operations: SmnOperation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    const shared = (item.parameters as Parameter[] | undefined) ?? [];
    for (const method of METHODS) {
      const operation = item[method] as
        | {
            operationId: string;
            parameters?: Parameter[];
            requestBody?: { content: Record<string, { schema: Schema; examples?: Record<string, { value?: unknown }> }> };
            responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
            security?: Record<string, string[]>[];
          }
        | undefined;
      if (!operation) continue;
      const responses = new Map<number, Schema>();
      const statuses = new Map<number, string[]>();
      for (const [status, response] of Object.entries(operation.responses)) {
        const schema = response.content?.['application/json']?.schema;
        if (schema) responses.set(Number(status), schema);
        statuses.set(Number(status), Object.keys(response.content ?? {}));
      }
      const source = path
        .split('/')
        .map((segment) => (/^\{.+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('/');
      operations.push({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        path,
        pattern: new RegExp(`^${source}$`),
        responses,
        statuses,
        pointer: `/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}/${method}`,
        parameters: [...shared, ...(operation.parameters ?? [])],
        requestBody: operation.requestBody?.content['application/json']?.schema,
        requestExample: Object.values(operation.requestBody?.content['application/json']?.examples ?? {})[0]?.value,
        requestExamples: Object.values(operation.requestBody?.content['application/json']?.examples ?? {}).map((example) => example.value),
        anonymous: (operation.security ?? (document as { security?: Record<string, string[]>[] }).security ?? []).some((requirement) => Object.keys(requirement).length === 0),
      });
    }
  }
  const byId = new Map(operations.map((op) => [op.operationId, op]));
  const schemaOf = (operationId: string, status: number): Schema | undefined => byId.get(operationId)?.responses.get(status);
  const routes = routingTable(operations);

  const responses: SmnResponses = {
    contract: source,
    operations,
    find: (method, path) => routes.get(method.toUpperCase())?.find((op) => op.pattern.test(path)),
    validate(operationId, status, body) {
      const operation = byId.get(operationId);
      if (!operation) throw new TypeError(`the SMN contract has no operation ${operationId}`);
      const schema = operation.responses.get(status);
      if (!schema) {
        return [{ rule: 'status', pointer: '', expected: `one of the statuses ${operationId} declares: ${[...operation.responses.keys()].join(', ')}`, received: String(status) }];
      }
      return problemsOf(compiled(`${operationId} ${status}`, schema), body);
    },
    judge(operationId, status, body, options = {}) {
      const all = responses.validate(operationId, status, body);
      const undeclaredAt = responses.undeclaredFields(operationId, status, body).map(
        (pointer): SmnProblem => ({ rule: 'undeclared-field', pointer, expected: 'only the fields the contract declares (a newer vendor revision may add fields)', received: describe(pointer, valueAt(body, pointer)) }),
      );
      const { hard, differ } = editionProblems(byId.get(operationId)?.responses.get(status), body, options.edition);
      if (options.strict) return { problems: [...all, ...undeclaredAt, ...hard], warnings: differ };
      return { problems: [...all.filter((p) => !p.kitChoice), ...hard], warnings: [...all.filter((p) => p.kitChoice), ...undeclaredAt, ...differ] };
    },
    undeclaredFields(operationId, status, body) {
      const schema = schemaOf(operationId, status);
      const out: string[] = [];
      if (schema) undeclared(schema, body, '', out);
      return out;
    },
    validateSchema(name, value) {
      const schema = document.components.schemas[name];
      if (!schema) throw new TypeError(`the SMN contract has no schema ${name}`);
      return problemsOf(compiled(`#${name}`, schema), value);
    },
    componentSchema(name) {
      const schema = document.components.schemas[name];
      if (!schema) throw new TypeError(`the SMN contract has no schema ${name}`);
      return schema;
    },
    validateWith: (key, schema, value) => problemsOf(compiled(`with ${key}`, schema), value),
  };
  if (!contract) shared = responses;
  compiledContracts.set(source, responses);
  return responses;
}

/**
 * Where a body breaks an edition's stricter rule (`x-editions`): with `edition`, that
 * edition's rules are problems (`hard`), the other's say nothing; without, every such
 * place is a warning that names both readings (`differ`). Never a problem under --strict
 * alone: a reading of the vendor's is not the kit's choice.
 */
function editionProblems(schema: Schema | undefined, body: unknown, edition: Edition | undefined): { hard: SmnProblem[]; differ: SmnProblem[] } {
  const hard: SmnProblem[] = [];
  const differ: SmnProblem[] = [];
  if (!schema) return { hard, differ };
  for (const difference of editionDifferences(schema, body)) {
    const received = describe(difference.pointer, valueAt(body, difference.pointer));
    if (edition === undefined) {
      differ.push({ rule: 'x-editions', pointer: difference.pointer, expected: `what either edition allows: ${describeReadings(difference)} (--edition makes one reading hard)`, received });
    } else if (difference.refusedBy.includes(edition)) {
      hard.push({ rule: difference.keyword, pointer: difference.pointer, expected: `${EDITION_NAMES[edition]}'s rule (--edition ${edition}): ${difference.readings[edition]?.note ?? ''}`, received });
    }
  }
  return { hard, differ };
}

/**
 * The operations by method, each method's in the order a request is matched: where two
 * templates can match the same path, the one with a fixed segment where the other has a
 * variable comes first (`DELETE .../subscriptions/filter_polices` is
 * BatchDeleteSubscriptionsFilterPolices, not CancelSubscription with a URN of
 * "filter_polices"), compared segment by segment from the left; otherwise the
 * contract's order.
 */
function routingTable(operations: SmnOperation[]): Map<string, SmnOperation[]> {
  const variable = (segment: string): number => (/^\{.+\}$/.test(segment) ? 1 : 0);
  const shape = new Map(operations.map((op) => [op, op.path.split('/').map(variable)]));
  const moreFixed = (a: SmnOperation, b: SmnOperation): number => {
    const [x, y] = [shape.get(a)!, shape.get(b)!];
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    // A total order (sort needs one); templates of different lengths never match the same path.
    return x.length - y.length;
  };
  const table = new Map<string, SmnOperation[]>();
  for (const operation of operations) table.set(operation.method, [...(table.get(operation.method) ?? []), operation]);
  // Array.prototype.sort is stable: templates that never compete keep the contract's order.
  for (const list of table.values()) list.sort(moreFixed);
  return table;
}

/**
 * The operation whose successful response a body most likely is, told by the fields
 * only that operation's 200 schema requires; undefined when none fits.
 */
export function guessSmnOperation(body: unknown, responses: SmnResponses = smnResponses()): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const keys = new Set(Object.keys(body));
  let best: { id: string; score: number } | undefined;
  for (const operation of responses.operations) {
    const schema = operation.responses.get(200);
    const required = (schema?.required as string[] | undefined) ?? [];
    if (required.length === 0 || !required.every((k) => keys.has(k))) continue;
    // The most specific match wins: ListSubscriptions requires more than UpdateSmsEvent.
    if (!best || required.length > best.score) best = { id: operation.operationId, score: required.length };
  }
  return best?.id;
}
