// Valid, signed SUBHOOK events made from the spec: which fields an event has, what each
// field's schema allows and what its examples look like all come from spec/subhook/**
// through the compiled contract. Only the protocol's own fields are named here: the
// event's name, the token and signature that sign it, and the timestamp that dates it.
// `smn-kit fire` sends them, and `smn-kit conformance --receiver` judges receivers with them.
import { subhookContract, subhookPayloadSchema, type SubhookEventContract } from '../subhook/contract.js';
import { signSubhook } from '../subhook/signature.js';
import { validateSubhookEvent } from '../subhook/validate.js';
import type { SubhookProblem } from '../subhook/problem.js';
import type { Random } from './random.js';
import { OverrideError } from './sms-callback.js';
import { unixSecondsFromMs, valueFor, type ValueSchema } from './values.js';

/** The field whose value is the event's name. */
export const EVENT_FIELD = 'events';
/** The fields of the signature: signature = md5(token + key). */
export const TOKEN_FIELD = 'token';
export const SIGNATURE_FIELD = 'signature';
/** When the event happened, in Unix seconds; not signed. */
export const TIMESTAMP_FIELD = 'timestamp';
const PROTOCOL_FIELDS = new Set([EVENT_FIELD, TOKEN_FIELD, SIGNATURE_FIELD, TIMESTAMP_FIELD]);

/** A field's JSON Schema with its `$ref` resolved. */
export type FieldSchema = ValueSchema;

/** One event of one product, as the spec describes it. */
export interface SubhookEventShape {
  product: string;
  event: string;
  /** Every field the event may carry, in the schema's order. */
  fields: string[];
  required: string[];
  schemaOf: (field: string) => FieldSchema;
}

/** An event's fields: numbers where the schema allows integers (JSON deliveries keep them). */
export type SubhookEvent = Record<string, unknown>;

/** The event names of a product, in the spec's order (empty for an unknown product). */
export const subhookEventNames = (product: string): string[] => [...(subhookContract().get(product)?.events.keys() ?? [])];

const shapes = new Map<string, SubhookEventShape>();

function shapeOf(product: string, contract: SubhookEventContract): SubhookEventShape {
  const key = `${product}/${contract.name}`;
  const known = shapes.get(key);
  if (known) return known;
  const root = (subhookPayloadSchema(product, contract.name) ?? {}) as { properties?: Record<string, FieldSchema>; required?: string[] };
  const schemas = new Map(Object.entries(root.properties ?? {}));
  const shape: SubhookEventShape = {
    product,
    event: contract.name,
    fields: contract.fields,
    required: root.required ?? [],
    schemaOf: (field) => schemas.get(field) ?? {},
  };
  shapes.set(key, shape);
  return shape;
}

/** The shape of `product`'s `event`, or undefined when the spec has no such event. */
export function subhookEventShape(product: string, event: string): SubhookEventShape | undefined {
  const contract = subhookContract().get(product)?.events.get(event);
  return contract ? shapeOf(product, contract) : undefined;
}

/** The fields whose values fire may choose freely (not the event's name, token, signature or timestamp). */
export const isDataField = (field: string): boolean => !PROTOCOL_FIELDS.has(field);

export interface GenerateSubhookOptions {
  /** The SUBHOOK secret that signs the event. */
  key: string;
  random: Random;
  /** The clock in milliseconds (default now). */
  now?: number;
  /** Values to reuse for the data fields the event has (one message's events share its send_id). */
  shared?: SubhookEvent;
  /** Values set by the user, already coerced (fire's overrides.ts); checked like everything else. */
  overrides?: Record<string, unknown>;
}

const ATTEMPTS = 5;

/**
 * A valid event of `shape`, signed with `key`: every field the schema defines, with
 * realistic values, then the overrides; the token is new and the signature computed
 * unless an override sets them. Throws an OverrideError naming the field (and the rule)
 * when an override makes the event invalid.
 */
export function generateSubhookEvent(shape: SubhookEventShape, options: GenerateSubhookOptions): SubhookEvent {
  const overrides = options.overrides ?? {};
  let problems: SubhookProblem[] = [];
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const event: SubhookEvent = {};
    for (const field of shape.fields) {
      const shared = options.shared?.[field];
      // The event's name is the event's, whatever other spellings its schema accepts.
      event[field] = field === EVENT_FIELD ? shape.event : shared !== undefined && isDataField(field) ? shared : valueFor(shape.schemaOf(field), options.random);
    }
    if (shape.fields.includes(TIMESTAMP_FIELD)) event[TIMESTAMP_FIELD] = unixSecondsFromMs(options.now ?? Date.now());
    Object.assign(event, overrides);
    if (typeof event[TOKEN_FIELD] === 'string' && shape.fields.includes(SIGNATURE_FIELD) && !(SIGNATURE_FIELD in overrides)) {
      event[SIGNATURE_FIELD] = signSubhook(event[TOKEN_FIELD], options.key);
    }
    // Strict: what fire sends as valid obeys the kit's rules too (--tamper sends the rest).
    const verdict = validateSubhookEvent(event, { product: shape.product, key: options.key, strict: true });
    if (verdict.valid) return event;
    problems = verdict.problems;
    const problem = problems.find((p) => p.pointer.slice(1) in overrides);
    if (problem) {
      const field = problem.pointer.slice(1);
      throw new OverrideError(field, `${field}: ${shape.product} ${shape.event} expects ${problem.expected}, got ${problem.received} (${problem.rule})`, problem.rule);
    }
  }
  // Only a spec whose examples do not fit its own schema gets here.
  const detail = problems.map((p) => `${p.pointer}: expected ${p.expected}, got ${p.received}`).join('; ');
  throw new Error(`cannot make a valid ${shape.product} ${shape.event} event from the spec: ${detail}`);
}
