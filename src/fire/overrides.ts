// `--set field=value`: parsed once, then coerced per event to the type the field's schema
// allows, so `--set app=10001` is the number 10001 in a JSON delivery (as the vendor
// sends it) and `--set tag=10001` stays a string. Whether the value is then valid is
// for the event's schema to say (see generateSubhookEvent).
import { FireError } from './errors.js';

export interface Override {
  field: string;
  /** The text after the first `=`, as typed. */
  text: string;
}

/** Parses each `field=value`; a field given twice is an error, since only one value can win. */
export function parseOverrides(sets: readonly string[]): Override[] {
  const overrides: Override[] = [];
  for (const set of sets) {
    const at = set.indexOf('=');
    if (at <= 0) throw new FireError(`--set "${set}": expected field=value, such as --set tag=order-1024`, 'invalid-override');
    const field = set.slice(0, at);
    if (overrides.some((o) => o.field === field)) throw new FireError(`--set ${field}: given more than once`, 'invalid-override');
    overrides.push({ field, text: set.slice(at + 1) });
  }
  return overrides;
}

interface TypedSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
}

const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;
const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$/;

function allowedTypes(schema: TypedSchema): string[] {
  if (schema.type !== undefined) return Array.isArray(schema.type) ? schema.type : [schema.type];
  // An enum or const without a type: the types of its values.
  const values = schema.enum ?? ('const' in schema ? [schema.const] : []);
  return [...new Set(values.map((value) => (typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : value === null ? 'null' : typeof value)))];
}

/**
 * The value `text` stands for under `schema`: an integer, number, boolean or null when
 * the schema allows that type and the text is written as one, else the text itself.
 * A text that fits no allowed type stays a string, and the schema then says why it is wrong.
 */
export function coerce(text: string, schema: TypedSchema): unknown {
  const types = allowedTypes(schema);
  if (types.includes('integer') && INTEGER.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  if (types.includes('number') && NUMBER.test(text)) return Number(text);
  if (types.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  if (types.includes('null') && text === 'null') return null;
  return text;
}

/** The overrides of one event: those of its fields, coerced by its schema. */
export function overridesFor(overrides: readonly Override[], fields: readonly string[], schemaOf: (field: string) => TypedSchema): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const { field, text } of overrides) {
    if (fields.includes(field)) values[field] = coerce(text, schemaOf(field));
  }
  return values;
}

/**
 * Checks that every override names a field of at least one of the events fired, and
 * none names the field that holds the event's name (EVENT chooses it).
 */
export function checkOverrideFields(overrides: readonly Override[], events: readonly { name: string; fields: readonly string[] }[], nameField: string, what: string): void {
  for (const { field } of overrides) {
    if (field === nameField) throw new FireError(`--set ${field}: the event's name is chosen by EVENT, not by --set`, 'invalid-override');
    if (events.some((event) => event.fields.includes(field))) continue;
    const only = events.length === 1 ? events[0] : undefined;
    throw new FireError(
      only
        ? `--set ${field}: ${what} ${only.name} has no field "${field}"; its fields are ${only.fields.filter((f) => f !== nameField).join(', ')}`
        : `--set ${field}: none of the ${what} events fired (${events.map((e) => e.name).join(', ')}) has a field "${field}"`,
      'invalid-override',
    );
  }
}
