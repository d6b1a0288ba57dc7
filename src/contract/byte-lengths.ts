// The lengths the vendor counts in UTF-8 bytes (a subject of 512 bytes, a remark of 128),
// and the total length of an object's keys and values (the custom headers of a
// subscription, 1,024 characters in all): rules JSON Schema cannot state, written in the
// contract as `x-max-bytes`, `x-min-bytes` and `x-max-total-length` beside the schema they
// bound. The mock checks them after its engine (which counts characters, as Prism does),
// and the conformance checks send values just past them.
import type { Schema } from './smn-responses.js';

export const LENGTH_KEYWORDS = ['x-max-bytes', 'x-min-bytes', 'x-max-total-length'] as const;
export type LengthKeyword = (typeof LENGTH_KEYWORDS)[number];

/** A value past one of those bounds: where (JSON pointer segments), which bound, and by how much. */
export interface LengthViolation {
  path: string[];
  keyword: LengthKeyword;
  limit: number;
  actual: number;
}

export const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');

/** The first bound of `schema` (at any depth of `value`) that `value` breaks; undefined when none. */
export function lengthViolation(schema: Schema | undefined, value: unknown, path: string[] = []): LengthViolation | undefined {
  if (!schema) return undefined;
  const own = ownViolation(schema, value, path);
  if (own) return own;
  for (const combined of ['allOf', 'anyOf', 'oneOf'] as const) {
    for (const branch of (schema[combined] as Schema[] | undefined) ?? []) {
      const found = lengthViolation(branch, value, path);
      if (found) return found;
    }
  }
  if (Array.isArray(value)) {
    const items = schema.items as Schema | undefined;
    if (!items) return undefined;
    for (const [i, item] of value.entries()) {
      const found = lengthViolation(items, item, [...path, String(i)]);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    const others = typeof schema.additionalProperties === 'object' ? (schema.additionalProperties as Schema) : undefined;
    for (const [key, child] of Object.entries(value)) {
      const found = lengthViolation(Object.hasOwn(properties, key) ? properties[key] : others, child, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

function ownViolation(schema: Schema, value: unknown, path: string[]): LengthViolation | undefined {
  if (typeof value === 'string') {
    const bytes = utf8Length(value);
    const max = schema['x-max-bytes'];
    if (typeof max === 'number' && bytes > max) return { path, keyword: 'x-max-bytes', limit: max, actual: bytes };
    const min = schema['x-min-bytes'];
    if (typeof min === 'number' && bytes < min) return { path, keyword: 'x-min-bytes', limit: min, actual: bytes };
  }
  const total = schema['x-max-total-length'];
  if (typeof total === 'number' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const length = Object.entries(value).reduce((sum, [key, child]) => sum + key.length + (typeof child === 'string' ? child.length : 0), 0);
    if (length > total) return { path, keyword: 'x-max-total-length', limit: total, actual: length };
  }
  return undefined;
}

/** The violation in words, as the mock's diagnostics say it. */
export function describeLengthViolation(violation: LengthViolation): string {
  const unit = violation.keyword === 'x-max-total-length' ? 'characters of names and values in all' : 'bytes in UTF-8';
  const bound = violation.keyword === 'x-min-bytes' ? 'at least' : 'at most';
  return `is ${violation.actual} ${unit}; ${bound} ${violation.limit} (${violation.keyword})`;
}
