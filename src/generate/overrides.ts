// A value the user typed for a field (`--set app=10001`), coerced to the type the
// field's schema allows, so that `app=10001` is the number 10001 in a JSON delivery (as
// the vendor sends it) and `tag=10001` stays a string. Whether the value is then valid
// is for the event's schema to say (generateSubhookEvent). Used by `fire --set` and by
// receiver conformance's `--set`.

/** One `field=value`, as typed. */
export interface Override {
  field: string;
  /** The text after the first `=`, as typed. */
  text: string;
}

/**
 * Each `field=value` read, or why one cannot be: no field before `=`, or a field given
 * twice (only one value can win). The caller says it in its own words (exit 2).
 */
export function parseOverrideTexts(texts: readonly string[]): Override[] | { problem: string } {
  const overrides: Override[] = [];
  for (const text of texts) {
    const at = text.indexOf('=');
    if (at <= 0) return { problem: `"${text}": expected field=value` };
    const field = text.slice(0, at);
    if (overrides.some((o) => o.field === field)) return { problem: `${field}: given more than once` };
    overrides.push({ field, text: text.slice(at + 1) });
  }
  return overrides;
}

export interface TypedSchema {
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
