// Inputs the conformance checks send, derived from the contract: invalid values just
// outside each parameter's rules (with the error the spec's `x-error` names for them),
// valid boundary values, and broken request bodies. Nothing here repeats a limit or a
// code the spec already states.
import type { SmnContract } from '../contract/smn.js';
import type { Parameter, Schema, SmnOperation } from '../contract/smn-responses.js';

export interface NegativeCase {
  /** What is wrong, for the report: `limit=0 (below the minimum 1)`. */
  description: string;
  query?: string;
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

export function negativeCases(operation: SmnOperation, contract: SmnContract, example?: unknown): NegativeCase[] {
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
    const values = schema.enum as unknown[] | undefined;
    if (values?.every((value) => typeof value === 'string')) {
      const names = values as string[];
      cases.push({ description: `${name}=unknown_event (not one of ${names.join(', ')})`, query: `${name}=unknown_event`, error });
      const upper = names[0]?.toUpperCase();
      if (upper && !names.includes(upper)) cases.push({ description: `${name}=${upper} (values are case-sensitive)`, query: `${name}=${upper}`, error });
    } else if (values?.every((value) => typeof value === 'number')) {
      const outside = Math.max(...(values as number[])) + 1;
      cases.push({ description: `${name}=${outside} (not one of ${values.join(', ')})`, query: `${name}=${outside}`, error });
    }
    const kitChoice = parameter['x-kit-choice'];
    if (kitChoice) for (const added of cases.slice(before)) added.kitChoice = kitChoice;
  }
  if (operation.requestBody) cases.push(...bodyCases(operation.requestBody, contract, example));
  return cases;
}

function bodyCases(schema: Schema, contract: SmnContract, example: unknown): NegativeCase[] {
  const error = contract.bodyError;
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
    if (!item) continue;
    cases.push({ description: `${name}[0].event_type not a known event type`, body: JSON.stringify({ [name]: [{ ...item, event_type: 'unknown_event' }] }), error: contract.eventTypeError });
    for (const [eventType, codes] of Object.entries(contract.topicUrnErrors)) {
      cases.push({
        description: `${name}[0].topic_urn malformed for ${eventType}`,
        body: JSON.stringify({ [name]: [{ event_type: eventType, topic_urn: 'urn:smn:not-a-topic' }] }),
        error: codes.malformed,
      });
    }
  }
  return cases;
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
