// edition_rules: where the vendor's two editions differ on what a request may hold
// (`x-editions` with a stricter rule: Huawei Cloud's time_to_live of at most 86,400 s
// and display name of at least 1 byte, Open Telekom Cloud's template protocols and tag
// resource types...), a valid request that one edition refuses and the other allows. With
// --edition, that edition's reading is the rule: it fails a target that accepts what the
// edition refuses, or refuses what it allows. Without it, whatever the target does is a
// warning naming both readings (and a failure only when it follows neither: an error
// other than the one the contract names).
import { fieldError } from '../../contract/body-fields.js';
import { describeReadings, differenceAt, editionPlaces, EDITION_NAMES, readingsOf, type Edition, type EditionDifference, type EditionReading } from '../../contract/editions.js';
import { smnResponses, type Schema, type SmnOperation } from '../../contract/smn-responses.js';
import { fail, guarded, pass, warn, type Check, type CheckVerdict } from '../check.js';
import type { CheckContext } from '../context.js';
import { successStatus } from '../operations.js';
import type { Exchange } from '../target.js';

/** A request of the operation that differs from a valid one at one place, by a value one edition refuses. */
interface EditionCase {
  description: string;
  /** The parameter's or field's error when refused. */
  error: string;
  difference: EditionDifference;
  /** Changes a valid request into this one. */
  apply(request: { path: Record<string, string>; query: URLSearchParams; body: Record<string, unknown> | undefined }): void;
}

type Readings = Partial<Record<Edition, EditionReading>>;

/**
 * A value that the contract's schema accepts and an edition's stricter rule refuses,
 * made from that rule: one character short of `minLength`, a value of the contract's
 * enum outside the edition's, one item past `maxItems`, a number past a `pattern` of
 * digits. Undefined when none can be made.
 */
function outside(context: CheckContext, schema: Schema, readings: Readings, current: unknown, key: string): { value: unknown; difference: EditionDifference } | undefined {
  const candidates: unknown[] = [];
  for (const reading of Object.values(readings)) {
    const rule = reading.schema ?? {};
    if (typeof rule.minLength === 'number') candidates.push('x'.repeat(rule.minLength - 1));
    if (Array.isArray(rule.enum)) candidates.push(...((schema.enum as unknown[] | undefined) ?? []).filter((v) => !(rule.enum as unknown[]).includes(v)));
    if (typeof rule.maxItems === 'number') {
      const sample: unknown = Array.isArray(current) && current.length > 0 ? (current as unknown[])[0] : (schema.items as Schema | undefined)?.type === 'string' ? 'value' : { key: 'key' };
      candidates.push(Array.from({ length: rule.maxItems + 1 }, (_, i) => vary(sample, i)));
    }
    if (typeof rule.pattern === 'string') for (let digits = 1; digits <= 9; digits++) for (const lead of [1, 2, 5, 9]) candidates.push(String(lead * 10 ** (digits - 1)));
  }
  for (const value of candidates) {
    const difference = differenceAt(readings, value, key);
    if (difference && context.responses.validateWith(`edition base ${key}`, schema, value).length === 0) return { value, difference };
  }
  return undefined;
}

/** An item made distinct by its position (`key` becomes `key1`...), for lists whose items must differ. */
function vary(sample: unknown, i: number): unknown {
  if (typeof sample === 'string') return `${sample}${i}`;
  if (typeof sample === 'object' && sample !== null && !Array.isArray(sample)) {
    return Object.fromEntries(Object.entries(sample).map(([k, v]) => [k, typeof v === 'string' ? `${v}${i}` : v]));
  }
  return sample;
}

/** Sets a value at a path of keys (`*`: the first item) in a body, making what is missing on the way. */
function setAt(body: Record<string, unknown>, path: string[], value: unknown): void {
  let at: Record<string, unknown> | unknown[] = body;
  path.forEach((key, i) => {
    const slot = key === '*' ? 0 : key;
    if (i === path.length - 1) {
      (at as Record<string | number, unknown>)[slot] = value;
      return;
    }
    const next = (at as Record<string | number, unknown>)[slot];
    const made = typeof next === 'object' && next !== null ? next : path[i + 1] === '*' ? [] : {};
    if (Array.isArray(made) && made.length === 0) made.push({});
    (at as Record<string | number, unknown>)[slot] = made;
    at = made as Record<string, unknown> | unknown[];
  });
}

/** The value at a path of keys (`*`: the first item), if any. */
const valueAt = (body: unknown, path: string[]): unknown =>
  path.reduce<unknown>((at, key) => (typeof at === 'object' && at !== null ? (at as Record<string | number, unknown>)[key === '*' ? 0 : key] : undefined), body);

/** The requests of an operation that exercise its edition rules: one per parameter or body field the editions read differently. */
function editionCases(context: CheckContext, operation: SmnOperation, example: Record<string, unknown> | undefined): EditionCase[] {
  const cases: EditionCase[] = [];
  const { contract } = context.responses;
  for (const parameter of operation.parameters) {
    const readings = readingsOf(parameter);
    if (!readings || (parameter.in !== 'query' && parameter.in !== 'path')) continue;
    // A resource type whose resources the run does not have (an SMS signature) makes the id beside it wrong, not the type.
    if (parameter.name === 'resource_type' && operation.path.includes('{resource_id}')) continue;
    const found = outside(context, parameter.schema, readings, undefined, parameter.name);
    const error = contract.parameterError(operation.operationId, parameter.in, parameter.name);
    if (!found || !error || typeof found.value !== 'string') continue;
    const value = found.value;
    cases.push({
      description: `${parameter.name}=${value}`,
      error,
      difference: found.difference,
      apply: (request) => (parameter.in === 'path' ? (request.path[parameter.name] = value) : request.query.set(parameter.name, value)),
    });
  }
  if (operation.requestBody && example) {
    for (const place of editionPlaces(operation.requestBody)) {
      const found = outside(context, place.schema, place.readings, valueAt(example, place.path), place.path.join('/'));
      if (!found) continue;
      const keyword = found.difference.keyword;
      const segments = place.path.map((key) => (key === '*' ? '0' : key));
      cases.push({
        description: `${place.path.join('.').replaceAll('.*', '[0]')} ${Array.isArray(found.value) ? `of ${found.value.length} items` : JSON.stringify(found.value).slice(0, 60)}`,
        error: fieldError(operation.requestBody, segments, keyword) ?? contract.bodyErrors.get(operation.operationId) ?? contract.bodyError,
        difference: found.difference,
        apply: (request) => setAt(request.body ?? {}, place.path, found.value),
      });
    }
  }
  return cases;
}

/** The verdict on one case: by the edition's reading with --edition, else a warning naming both (a failure when the target follows neither). */
function judge(context: CheckContext, operation: SmnOperation, item: EditionCase, exchange: Exchange): CheckVerdict {
  const documented = context.responses.contract.errors.get(item.error);
  const expected = { status: documented?.status ?? 400, code: documented && 'code' in documented.body ? documented.body.code : item.error };
  const { status, json } = exchange.response;
  const code = (json as { code?: unknown } | undefined)?.code;
  const accepted = status === successStatus(operation);
  const refused = status === expected.status && code === expected.code;
  const received = `${status}${typeof code === 'string' ? ` ${code}` : ''}`;
  const readings = describeReadings(item.difference);
  const { edition } = context.options;
  if (edition !== undefined) {
    const refuses = item.difference.refusedBy.includes(edition);
    if (refuses && !refused) return fail(`${item.description}: ${EDITION_NAMES[edition]} refuses it (--edition ${edition}): expected ${expected.status} with code ${expected.code}, received ${received}; ${readings}`, exchange);
    if (!refuses && !accepted) return fail(`${item.description}: ${EDITION_NAMES[edition]} allows it (--edition ${edition}): expected ${successStatus(operation)}, received ${received}; ${readings}`, exchange);
    return pass(`${item.description}: ${refuses ? `refused with ${expected.code}` : 'accepted'}, as ${EDITION_NAMES[edition]} says`);
  }
  const names = (editions: Edition[]): string => editions.map((e) => EDITION_NAMES[e]).join(' and ');
  if (accepted) return warn(`${item.description}: accepted, as ${names(item.difference.allowedBy)} allows; ${readings}. --edition ${item.difference.refusedBy[0]} makes it a failure`, exchange);
  if (refused) return warn(`${item.description}: refused with ${expected.code}, as ${names(item.difference.refusedBy)} does; ${readings}. --edition ${item.difference.allowedBy[0]} makes it a failure`, exchange);
  return fail(`${item.description}: neither edition's reading: expected ${successStatus(operation)} (${names(item.difference.allowedBy)}) or ${expected.status} with code ${expected.code} (${names(item.difference.refusedBy)}), received ${received}`, exchange);
}

/** The operations with a place the editions read differently that a request can exercise. */
const hasEditionRules = (operation: SmnOperation): boolean =>
  operation.parameters.some((p) => readingsOf(p) !== undefined && !(p.name === 'resource_type' && operation.path.includes('{resource_id}'))) ||
  (operation.requestBody !== undefined && editionPlaces(operation.requestBody).length > 0);

export const editionRules: Check = {
  name: 'edition_rules',
  operations: smnResponses().operations.filter(hasEditionRules).map((operation) => operation.operationId),
  run: guarded(async (context, operation) => {
    const { body } = await context.validRequest(operation);
    const example = body === undefined ? undefined : (JSON.parse(body) as Record<string, unknown>);
    const cases = editionCases(context, operation, example);
    const warnings: string[] = [];
    const passed: string[] = [];
    let firstWarning: Exchange | undefined;
    for (const item of cases) {
      // Each case from a valid request of its own (a write makes its own resource where the valid request does).
      const valid = await context.validRequest(operation);
      const request = { path: valid.path, query: new URLSearchParams(), body: valid.body === undefined ? undefined : (JSON.parse(valid.body) as Record<string, unknown>) };
      item.apply(request);
      const exchange = await context.request(operation, { path: request.path, query: request.query.toString() || undefined, body: request.body && JSON.stringify(request.body) });
      const verdict = judge(context, operation, item, exchange);
      if (verdict.status === 'fail') return verdict;
      if (verdict.status === 'pass') passed.push(verdict.message);
      if (verdict.status === 'warn') {
        warnings.push(verdict.message);
        firstWarning ??= exchange;
      }
    }
    if (warnings.length > 0) return warn(warnings.join('; '), firstWarning);
    return pass(cases.length === 0 ? 'no request can tell the editions apart here' : passed.join('; '));
  }),
};
