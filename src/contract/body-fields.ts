// The fields of a request body as the contract describes them: the schema of a field
// (through allOf/anyOf/oneOf and array items) and the error a broken field gets, its
// `x-error` (CreateTopic's `name`: SMN.0002). The mock answers with it; the
// conformance checks expect it.
import type { Schema } from './smn-responses.js';

/** The schemas a key leads to from `schemas`, through combinators and array items. */
function step(schemas: Schema[], key: string): Schema[] {
  const next: Schema[] = [];
  const visit = (s: Schema): void => {
    for (const combined of ['allOf', 'anyOf', 'oneOf']) for (const branch of (s[combined] as Schema[] | undefined) ?? []) visit(branch);
    const child = /^\d+$/.test(key) && s.items ? (s.items as Schema) : (s.properties as Record<string, Schema> | undefined)?.[key];
    if (child) next.push(child);
  };
  schemas.forEach(visit);
  return next;
}

/**
 * The `x-error` of the deepest schema on a field's path through a request body
 * (`['subscriptions', '0', 'endpoint']`); undefined when none on the way has one. With
 * the JSON Schema keyword (or kit extension) that the value broke, a field's `x-errors`
 * entry for that keyword wins over its `x-error` (a remark too long is `SMN.0082`, one
 * that is not a string `SMN.0017`).
 */
export function fieldError(body: Schema, path: string[], keyword?: string): string | undefined {
  let found: string | undefined;
  let at: Schema[] = [body];
  for (const key of path) {
    at = step(at, key);
    if (at.length === 0) break;
    const byKeyword = keyword === undefined ? undefined : at.map((s) => (s['x-errors'] as Record<string, unknown> | undefined)?.[keyword]).find((e): e is string => typeof e === 'string');
    const error = byKeyword ?? at.map((s) => s['x-error']).find((e): e is string => typeof e === 'string');
    if (error) found = error;
  }
  return found;
}

/** The schema of a top-level field, its `x-error` and `x-kit-choice` included (the one that has them, when several do). */
export function fieldSchema(body: Schema, name: string): Schema | undefined {
  const schemas = step([body], name);
  return schemas.find((s) => s['x-error'] !== undefined) ?? schemas[0];
}

/** The top-level fields a body must have (`required`, through allOf). */
export function requiredFields(body: Schema): string[] {
  const found: string[] = [];
  const visit = (s: Schema): void => {
    found.push(...((s.required as string[] | undefined) ?? []));
    for (const branch of (s.allOf as Schema[] | undefined) ?? []) visit(branch);
  };
  visit(body);
  return [...new Set(found)];
}

/** The fields of which a body must have at least one (`anyOf` of required branches), in order; [] when there is no such rule. */
export function oneOfFields(body: Schema): string[] {
  const branches = (body.anyOf as Schema[] | undefined) ?? [];
  const fields = branches.map((b) => (b.required as string[] | undefined)?.[0]);
  return fields.every((f): f is string => typeof f === 'string') ? fields : [];
}
