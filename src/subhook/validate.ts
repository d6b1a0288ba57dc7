// Decoded fields -> verdict: the event is looked up by its `events` value, validated
// against that event's schema (compiled once, see contract.ts), then, when a key is
// given, its signature is checked. Every problem is reported, each with its rule.
import type { ErrorObject } from 'ajv/dist/2020.js';
import { subhookContract, type SubhookEventContract, type SubhookProductContract } from './contract.js';
import { kitChoiceOf, problemsFromAjv } from '../contract/problem.js';
import { describeReceived, type SubhookProblem, type SubhookRule } from './problem.js';
import { verifySubhookSignature } from './signature.js';

export interface ValidateSubhookOptions {
  /** The product id: `sms` (domestic SMS) or `intersms` (international SMS), as the spec's channels name them. */
  product: string;
  /** The SUBHOOK secret. When given, the signature is checked too. */
  key?: string | undefined;
  /**
   * What the vendor documents is always a rule; what the kit adds (a field the event
   * does not list, a rule marked `x-kit-choice` in the schemas) is a warning, or a
   * problem when `strict` is true.
   */
  strict?: boolean | undefined;
}

/**
 * The verdict on one event. `Event` is the payload type a valid event has; pass the
 * generated union of the product, such as `SmsSubhookEvent`.
 */
export type SubhookVerdict<Event = Record<string, unknown>> =
  | { valid: true; product: string; event: string; payload: Event; problems: []; warnings: SubhookProblem[] }
  | { valid: false; product: string; event: string | undefined; problems: SubhookProblem[]; warnings: SubhookProblem[] };

/**
 * Whether a schema error breaks a rule the kit added rather than one the vendor
 * documents: a field the event does not list (a newer revision of the vendor's page
 * may send it), or a rule of a schema marked `x-kit-choice` other than its type.
 */
const isKitRule = (error: ErrorObject): boolean => error.keyword === 'additionalProperties' || kitChoiceOf(error) !== undefined;

const RULE_OF_KEYWORD: Record<string, SubhookRule> = {
  required: 'missing-field',
  additionalProperties: 'unexpected-field',
  type: 'wrong-type',
  pattern: 'bad-format',
  format: 'bad-format',
  minimum: 'bad-format',
  maximum: 'bad-format',
  minLength: 'bad-length',
  maxLength: 'bad-length',
};

function productContract(product: string): SubhookProductContract {
  const products = subhookContract();
  const found = products.get(product);
  if (!found) {
    throw new TypeError(`validateSubhookEvent: unknown product "${product}"; the spec defines ${[...products.keys()].join(', ')}`);
  }
  return found;
}

// SUBHOOK's words where they differ from the shared ones: a bare type, and the event
// whose field an unexpected one is.
function expectedOf(error: ErrorObject, event: SubhookEventContract, product: SubhookProductContract): string | undefined {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'type') return String(params.type).split(',').join(' or ');
  if (error.keyword !== 'additionalProperties') return undefined;
  const field = String(params.additionalProperty);
  const owners = [...product.events.values()].filter((other) => other.fields.includes(field)).map((other) => other.name);
  const hint = owners.length > 0 ? ` ("${field}" belongs to ${owners.join(', ')})` : '';
  return `only the fields of ${event.name}: ${event.fields.join(', ')}${hint}`;
}

const problemOf = (error: ErrorObject, fields: Record<string, unknown>, event: SubhookEventContract, product: SubhookProductContract): SubhookProblem =>
  problemsFromAjv<SubhookRule>([error], fields, {
    describe: describeReceived,
    rules: RULE_OF_KEYWORD,
    otherRule: 'schema',
    owner: event.name,
    expected: (broken) => expectedOf(broken, event, product),
  })[0]!;

const aboutSignature = (problem: SubhookProblem): boolean => problem.pointer === '/token' || problem.pointer === '/signature';

// Made once per call, and not as a closure: a valid event is the common case, and
// validate judges millions of them.
function subhookVerdict<Event>(product: SubhookProductContract, fields: unknown, event: string | undefined, problems: SubhookProblem[], warnings: SubhookProblem[]): SubhookVerdict<Event> {
  return problems.length === 0 && event !== undefined
    ? { valid: true, product: product.product, event, payload: fields as Event, problems: [], warnings }
    : { valid: false, product: product.product, event, problems, warnings };
}

/**
 * Validates decoded SUBHOOK fields (see `decodeSubhookDelivery`) against the event
 * schema of the product, and their signature when `key` is given. Values may be the
 * strings of a form, multipart or GET delivery or the JSON values of a JSON delivery:
 * the schemas accept both where the vendor sends both, so the verdict does not depend
 * on the transport. Never throws for bad fields; throws for an unknown product or an
 * empty key, which are set-up errors.
 */
export function validateSubhookEvent<Event = Record<string, unknown>>(fields: unknown, options: ValidateSubhookOptions): SubhookVerdict<Event> {
  const product = productContract(options.product);
  if (options.key !== undefined && (typeof options.key !== 'string' || options.key.length === 0)) {
    throw new TypeError('validateSubhookEvent: key (the SUBHOOK secret) must be a non-empty string when given');
  }
  const warnings: SubhookProblem[] = [];
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
    return subhookVerdict<Event>(product, fields, undefined, [{ rule: 'not-an-object', pointer: '', expected: 'an object of event fields', received: describeReceived('', fields) }], warnings);
  }
  const record = fields as Record<string, unknown>;
  const problems: SubhookProblem[] = [];
  const name = record.events;
  const event = typeof name === 'string' ? (product.events.get(name) ?? product.events.get(product.aliases.get(name) ?? '')) : undefined;
  if (!event) {
    problems.push({
      rule: name === undefined ? 'missing-field' : 'unknown-event',
      pointer: '/events',
      expected: `one of ${[...product.events.keys()].join(', ')}`,
      received: describeReceived('/events', name),
    });
  } else if (!event.validate(record)) {
    for (const error of event.validate.errors ?? []) (!options.strict && isKitRule(error) ? warnings : problems).push(problemOf(error, record, event, product));
  }

  // A malformed token or signature is already reported; a mismatch would only repeat it.
  const signatureFieldsWellFormed = !problems.some(aboutSignature) && !warnings.some(aboutSignature);
  if (options.key !== undefined && signatureFieldsWellFormed && typeof record.token === 'string' && typeof record.signature === 'string') {
    if (!verifySubhookSignature(record, options.key)) {
      problems.push({
        rule: 'bad-signature',
        pointer: '/signature',
        expected: 'md5(token + key) in lower-case hex, key being the SUBHOOK secret',
        received: describeReceived('/signature', record.signature),
      });
    }
  }
  // The event as the push spells it (`unknown` and `unkown` are one event of the contract).
  return subhookVerdict<Event>(product, fields, event && (name as string), problems, warnings);
}
