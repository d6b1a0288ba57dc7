// Inputs the conformance checks send, derived from the contract: invalid values just
// outside each parameter's rules (with the error the spec's `x-error` names for them),
// valid boundary values, and broken request bodies. Nothing here repeats a limit or a
// code the spec already states.
import { fieldError, fieldSchema, oneOfFields, requiredFields } from '../contract/body-fields.js';
import { utf8Length } from '../contract/byte-lengths.js';
import type { SmnContract } from '../contract/smn.js';
import type { Parameter, Schema, SmnOperation } from '../contract/smn-responses.js';

export interface NegativeCase {
  /** What is wrong, for the report: `limit=0 (below the minimum 1)`. */
  description: string;
  query?: string;
  /** Path parameters sent as given instead of the run's (`topic_urn` malformed). */
  path?: Record<string, string>;
  /** A path parameter to fill with a well-formed URN of nothing the project has (`x-not-found`). */
  absent?: string;
  /** Raw body text; undefined sends no body. */
  body?: string;
  contentType?: string;
  /** Name of the documented error example the target must answer with. */
  error: string;
  /** Set when the vendor does not document this refusal (`x-kit-choice`): a target that differs gets a warning. */
  kitChoice?: string;
}

export interface PositiveCase {
  description: string;
  query?: string;
}

const queryParameters = (operation: SmnOperation): Parameter[] => operation.parameters.filter((p) => p.in === 'query');

/** A value its pattern refuses, made from a valid one where there is one. */
const MALFORMED_URN = 'urn:smn:not-a-urn';

/**
 * The invalid requests of an operation. A body's cases are made from `example` (a valid
 * body) and then from `others` for the fields `example` lacks (the contract's other
 * examples: a message_structure, a template).
 */
export function negativeCases(operation: SmnOperation, contract: SmnContract, example?: unknown, others: unknown[] = []): NegativeCase[] {
  const cases: NegativeCase[] = [];
  for (const parameter of queryParameters(operation)) {
    const error = parameter['x-error'];
    if (!error) continue;
    const { name, schema } = parameter;
    const before = cases.length;
    if (schema.type === 'integer') {
      if (typeof schema.minimum === 'number') cases.push({ description: `${name}=${schema.minimum - 1} (below the minimum ${schema.minimum})`, query: `${name}=${schema.minimum - 1}`, error });
      if (typeof schema.maximum === 'number') cases.push({ description: `${name}=${schema.maximum + 1} (above the maximum ${schema.maximum})`, query: `${name}=${schema.maximum + 1}`, error });
      cases.push({ description: `${name}=abc (not an integer)`, query: `${name}=abc`, error });
      cases.push({ description: `${name}=1.5 (not an integer)`, query: `${name}=1.5`, error });
    }
    if (schema.type === 'string' && typeof schema.maxLength === 'number') {
      cases.push({ description: `${name} of ${schema.maxLength + 1} characters (at most ${schema.maxLength})`, query: `${name}=${'x'.repeat(schema.maxLength + 1)}`, error });
    }
    const tooManyBytes = pastByteBound(schema);
    if (tooManyBytes !== undefined) cases.push({ description: `${name} of ${utf8Length(tooManyBytes)} bytes in UTF-8 (at most ${String(schema['x-max-bytes'])})`, query: `${name}=${encodeURIComponent(tooManyBytes)}`, error });
    const values = schema.enum as unknown[] | undefined;
    if (values?.every((value) => typeof value === 'string')) {
      const names = values;
      cases.push({ description: `${name}=unknown_event (not one of ${names.join(', ')})`, query: `${name}=unknown_event`, error });
      const upper = names[0]?.toUpperCase();
      if (upper && !names.includes(upper)) cases.push({ description: `${name}=${upper} (values are case-sensitive)`, query: `${name}=${upper}`, error });
    } else if (values?.every((value) => typeof value === 'number')) {
      const outside = Math.max(...(values)) + 1;
      cases.push({ description: `${name}=${outside} (not one of ${values.join(', ')})`, query: `${name}=${outside}`, error });
    }
    const kitChoice = parameter['x-kit-choice'];
    if (kitChoice) for (const added of cases.slice(before)) added.kitChoice = kitChoice;
  }
  // Path parameters other than the project (whose refusal no edition documents): malformed, and naming nothing.
  for (const parameter of operation.parameters.filter((p) => p.in === 'path' && p.name !== 'project_id')) {
    const error = parameter['x-error'];
    // Malformed only where the parameter has a form (a pattern or a list of values) that refuses it.
    const { pattern, enum: values } = parameter.schema as { pattern?: string; enum?: unknown[] };
    const refused = (typeof pattern === 'string' && !new RegExp(pattern, 'u').test(MALFORMED_URN)) || (Array.isArray(values) && !values.includes(MALFORMED_URN));
    if (error && refused) cases.push({ description: `${parameter.name} malformed (${MALFORMED_URN})`, path: { [parameter.name]: MALFORMED_URN }, error, kitChoice: parameter['x-kit-choice'] });
    const notFound = contract.notFoundErrors.get(parameter.name);
    if (notFound) cases.push({ description: `${parameter.name} of nothing the project has`, absent: parameter.name, error: notFound });
  }
  if (operation.requestBody) cases.push(...bodyCases(operation, operation.requestBody, contract, example, others));
  return cases;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function bodyCases(operation: SmnOperation, schema: Schema, contract: SmnContract, example: unknown, others: unknown[]): NegativeCase[] {
  const error = contract.bodyErrors.get(operation.operationId) ?? contract.bodyError;
  const cases: NegativeCase[] = [
    { description: 'a body that is not JSON', body: '{"callback": [', error },
    { description: 'no body at all', error },
  ];
  for (const [name, property] of Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {})) {
    if (property.type !== 'array') continue;
    const item = (example as Record<string, unknown[]> | undefined)?.[name]?.[0];
    if (typeof property.minItems === 'number' && property.minItems > 0) {
      cases.push({ description: `${name} with ${property.minItems - 1} items (at least ${property.minItems})`, body: JSON.stringify({ [name]: Array(property.minItems - 1).fill(item) }), error });
    }
    if (typeof property.maxItems === 'number' && item) {
      cases.push({ description: `${name} with ${property.maxItems + 1} items (at most ${property.maxItems})`, body: JSON.stringify({ [name]: Array(property.maxItems + 1).fill(item) }), error });
    }
    // The SMS callback bindings' items: an event type and its topic.
    if (!item || !(property.items as Schema | undefined)?.properties || !('event_type' in ((property.items as Schema).properties as Record<string, unknown>))) continue;
    cases.push({ description: `${name}[0].event_type not a known event type`, body: JSON.stringify({ [name]: [{ ...item, event_type: 'unknown_event' }] }), error: contract.eventTypeError });
    for (const [eventType, codes] of Object.entries(contract.topicUrnErrors)) {
      cases.push({
        description: `${name}[0].topic_urn malformed for ${eventType}`,
        body: JSON.stringify({ [name]: [{ event_type: eventType, topic_urn: 'urn:smn:not-a-topic' }] }),
        error: codes.malformed,
      });
    }
  }
  if (isObject(example)) {
    const covered = new Set(Object.keys(example));
    cases.push(...fieldCases(schema, example, error, new Set(), true));
    for (const other of others.filter(isObject)) {
      cases.push(...fieldCases(schema, other, error, covered, false));
      Object.keys(other).forEach((name) => covered.add(name));
    }
  }
  return cases;
}

/**
 * One invalid request per rule of each field, made from a valid body (the contract's
 * example, with the run's names): each expects the field's `x-error`, else the body's.
 * A field whose rule is the kit's choice (`x-kit-choice`) makes a case that only warns.
 */
function fieldCases(schema: Schema, valid: Record<string, unknown>, bodyError: string, covered: Set<string>, whole: boolean): NegativeCase[] {
  const cases: NegativeCase[] = [];
  const errorOf = (name: string, keyword?: string): string => fieldError(schema, [name], keyword) ?? bodyError;
  // A field's x-kit-choice marks its constraints (a bound, a pattern), never its type or presence.
  const withField = (name: string, value: unknown, description: string, constraint: boolean, keyword?: string): NegativeCase => ({
    description: `${name} ${description}`,
    body: JSON.stringify({ ...valid, [name]: value }),
    error: errorOf(name, keyword),
    kitChoice: constraint ? (fieldSchema(schema, name)?.['x-kit-choice'] as string | undefined) : undefined,
  });
  if (whole) {
    for (const name of requiredFields(schema)) {
      const { [name]: _dropped, ...rest } = valid;
      cases.push({ description: `${name} missing (required)`, body: JSON.stringify(rest), error: errorOf(name) });
    }
    const alternatives = oneOfFields(schema);
    if (alternatives.length > 0) {
      const rest = Object.fromEntries(Object.entries(valid).filter(([name]) => !alternatives.includes(name)));
      cases.push({ description: `none of ${alternatives.join(', ')} (one is required)`, body: JSON.stringify(rest), error: errorOf(alternatives[0]!) });
    }
  }
  for (const [name, value] of Object.entries(valid)) {
    const field = fieldSchema(schema, name);
    if (!field || typeof value !== 'string' || covered.has(name)) continue;
    cases.push(withField(name, 42, 'a number (must be a string)', false, 'type'));
    const values = field.enum as unknown[] | undefined;
    if (values) cases.push(withField(name, 'unknown_value', `not one of ${values.join(', ')}`, true, 'enum'));
    if (typeof field.maxLength === 'number') cases.push(withField(name, 'x'.repeat(field.maxLength + 1), `of ${field.maxLength + 1} characters (at most ${field.maxLength})`, true, 'maxLength'));
    // A length the vendor counts in bytes: characters of three bytes, within maxLength but past the bytes.
    const tooManyBytes = pastByteBound(field);
    if (tooManyBytes !== undefined) cases.push(withField(name, tooManyBytes, `of ${utf8Length(tooManyBytes)} bytes in UTF-8 (at most ${String(field['x-max-bytes'])})`, true, 'x-max-bytes'));
    if (typeof field.pattern === 'string' && !new RegExp(field.pattern, 'u').test(`${value}!`)) cases.push(withField(name, `${value}!`, `"${value.slice(0, 40)}!" (must match ${field.pattern})`, true, 'pattern'));
    if (field.contentSchema) {
      cases.push(withField(name, '{', 'not the JSON text its contentSchema describes', true));
      for (const key of ((field.contentSchema as Schema).required as string[] | undefined) ?? []) cases.push(withField(name, '{}', `without "${key}" (its contentSchema requires it)`, true));
    }
  }
  return cases;
}

/**
 * A text one byte past a field's `x-max-bytes` made of three-byte characters (`中`), when
 * it stays within the field's `maxLength` (so that only the byte bound refuses it).
 */
function pastByteBound(schema: Schema): string | undefined {
  const bytes = schema['x-max-bytes'];
  if (typeof bytes !== 'number') return undefined;
  const text = '中'.repeat(Math.floor(bytes / 3) + 1);
  return typeof schema.maxLength === 'number' && text.length > schema.maxLength ? undefined : text;
}

/** Valid inputs a conformant target must accept: no parameters, defaults spelled out, boundaries, every enum value. */
export function positiveCases(operation: SmnOperation): PositiveCase[] {
  const parameters = queryParameters(operation);
  if (parameters.length === 0) return [];
  const cases: PositiveCase[] = [{ description: 'no query parameters' }];
  const defaults = parameters.filter((p) => p.schema.default !== undefined).map((p) => `${p.name}=${String(p.schema.default)}`);
  if (defaults.length > 0) cases.push({ description: `the defaults spelled out (${defaults.join('&')})`, query: defaults.join('&') });
  for (const { name, schema } of parameters) {
    if (typeof schema.minimum === 'number') cases.push({ description: `${name}=${schema.minimum} (the minimum)`, query: `${name}=${schema.minimum}` });
    if (typeof schema.maximum === 'number') cases.push({ description: `${name}=${schema.maximum} (the maximum)`, query: `${name}=${schema.maximum}` });
    for (const value of (schema.enum as string[] | undefined) ?? []) cases.push({ description: `${name}=${value}`, query: `${name}=${value}` });
  }
  return cases;
}
