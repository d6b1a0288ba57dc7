// Where the vendor's two editions of SMN differ (Huawei Cloud's and Open Telekom Cloud's),
// as the contract records it: `x-editions` beside the operation, parameter or schema
// concerned. The contract's own schema accepts what either edition allows; each
// edition's entry says what that edition's documents say, so that a caller that knows
// which edition it faces (`--edition huawei|otc` of the mock and of conformance) can
// make that edition's rule hard, and one that does not can name both readings in a
// warning.
import { newAjv2020 } from './ajv.js';

/** The editions of the vendor's documents. */
export const EDITIONS = ['huawei', 'otc'] as const;
export type Edition = (typeof EDITIONS)[number];

/** What one edition says about one place of the contract. */
export interface EditionRule {
  /** Where in the contract: a JSON pointer to the node that carries `x-editions`. */
  pointer: string;
  edition: Edition;
  /** What that edition's documents say, in a sentence. */
  note: string;
  /** False when that edition's current documents do not describe it at all. */
  documented: boolean;
  /** True when that edition marks it deprecated. */
  deprecated: boolean;
  /** That edition's stricter rule, a JSON Schema a value must also satisfy (for the node's schema). */
  schema?: Record<string, unknown>;
}

interface EditionEntry {
  note?: string;
  documented?: boolean;
  deprecated?: boolean;
  schema?: Record<string, unknown>;
}

const escape = (key: string): string => key.replaceAll('~', '~0').replaceAll('/', '~1');

/** Every `x-editions` of a contract document, one rule per edition named, in the document's order. */
export function editionRulesOf(document: unknown): EditionRule[] {
  const rules: EditionRule[] = [];
  const walk = (node: unknown, pointer: string): void => {
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key !== 'x-editions') {
        walk(value, `${pointer}/${escape(key)}`);
        continue;
      }
      for (const [edition, entry] of Object.entries((value ?? {}) as Record<string, EditionEntry>)) {
        if (!(EDITIONS as readonly string[]).includes(edition)) throw new Error(`${pointer}/x-editions: unknown edition "${edition}" (expected ${EDITIONS.join(' or ')})`);
        rules.push({
          pointer,
          edition: edition as Edition,
          note: entry.note ?? '',
          documented: entry.documented ?? true,
          deprecated: entry.deprecated ?? false,
          ...(entry.schema ? { schema: entry.schema } : {}),
        });
      }
    }
  };
  walk(document, '');
  return rules;
}

/** The rules of one edition at one place (the node at `pointer`), if the contract records any. */
export function editionRuleAt(rules: EditionRule[], pointer: string, edition: Edition): EditionRule | undefined {
  return rules.find((rule) => rule.pointer === pointer && rule.edition === edition);
}

/** How a message names each edition. */
export const EDITION_NAMES: Record<Edition, string> = { huawei: 'Huawei Cloud', otc: 'Open Telekom Cloud' };

/** What one edition says at a place of a schema: its note, and its stricter rule if it has one. */
export interface EditionReading {
  note: string;
  schema?: Record<string, unknown>;
}

type Node = Record<string, unknown>;

/** The readings of a schema node (or parameter) that carries `x-editions` with a stricter rule in some edition; undefined otherwise. */
export function readingsOf(node: unknown): Partial<Record<Edition, EditionReading>> | undefined {
  const entries = (node as { 'x-editions'?: Record<string, EditionEntry> } | undefined)?.['x-editions'];
  if (!entries || !Object.values(entries).some((entry) => entry?.schema)) return undefined;
  const readings: Partial<Record<Edition, EditionReading>> = {};
  for (const edition of EDITIONS) {
    const entry = entries[edition];
    if (entry) readings[edition] = { note: entry.note ?? '', ...(entry.schema ? { schema: entry.schema } : {}) };
  }
  return readings;
}

/**
 * A value at a place where the editions differ, which one edition's stricter rule
 * refuses and the other's allows: the contract's own schema accepts it (what either
 * edition allows), so only a caller that knows its edition may refuse it.
 */
export interface EditionDifference {
  /** JSON pointer into the value (the body), or the parameter's name. */
  pointer: string;
  /** The editions whose rule refuses the value, and the keyword of that rule (`minLength`, `enum`...). */
  refusedBy: Edition[];
  keyword: string;
  allowedBy: Edition[];
  readings: Partial<Record<Edition, EditionReading>>;
}

// Each edition schema compiled once (they are a handful of small objects of the contract).
const compiled = new WeakMap<object, (value: unknown) => string | undefined>();
function breaks(schema: Record<string, unknown>, value: unknown): string | undefined {
  let check = compiled.get(schema);
  if (!check) {
    const validate = newAjv2020({ strict: false, allErrors: false }).compile(schema);
    check = (v) => (validate(v) ? undefined : (validate.errors?.[0]?.keyword ?? 'schema'));
    compiled.set(schema, check);
  }
  return check(value);
}

/** The difference a value makes at a node that carries readings, if an edition's rule refuses it. */
export function differenceAt(readings: Partial<Record<Edition, EditionReading>>, value: unknown, pointer: string): EditionDifference | undefined {
  const refusedBy: Edition[] = [];
  let keyword = '';
  for (const edition of EDITIONS) {
    const schema = readings[edition]?.schema;
    const broken = schema && breaks(schema, value);
    if (broken) {
      refusedBy.push(edition);
      keyword ||= broken;
    }
  }
  if (refusedBy.length === 0) return undefined;
  return { pointer, refusedBy, keyword, allowedBy: EDITIONS.filter((e) => !refusedBy.includes(e)), readings };
}

/**
 * Every place of `value` where an edition's stricter rule (`x-editions` with a `schema`,
 * at any depth of `schema`: properties, array items, allOf/anyOf/oneOf) refuses what the
 * contract accepts, in the order the value is walked.
 */
export function editionDifferences(schema: unknown, value: unknown, pointer = ''): EditionDifference[] {
  const found: EditionDifference[] = [];
  const seen = new Set<string>();
  const walk = (node: unknown, at: unknown, where: string, depth: number): void => {
    if (typeof node !== 'object' || node === null || depth > 32) return;
    const readings = readingsOf(node);
    const difference = readings && differenceAt(readings, at, where);
    if (difference && !seen.has(where)) {
      seen.add(where);
      found.push(difference);
    }
    for (const key of ['allOf', 'anyOf', 'oneOf']) for (const branch of ((node as Node)[key] as unknown[] | undefined) ?? []) walk(branch, at, where, depth + 1);
    if (Array.isArray(at)) {
      const items = (node as Node).items;
      if (items) at.forEach((item, i) => walk(items, item, `${where}/${i}`, depth + 1));
    } else if (typeof at === 'object' && at !== null) {
      const properties = ((node as Node).properties ?? {}) as Node;
      for (const [key, child] of Object.entries(at)) if (properties[key]) walk(properties[key], child, `${where}/${escape(key)}`, depth + 1);
    }
  };
  walk(schema, value, pointer, 0);
  return found;
}

/** A place of a schema where an edition has a stricter rule: its path of keys (`*` for any item of an array) and the readings. */
export interface EditionPlace {
  path: string[];
  schema: Node;
  readings: Partial<Record<Edition, EditionReading>>;
}

/** The places of a schema (a request body's) where an edition has a stricter rule, each once. */
export function editionPlaces(schema: unknown): EditionPlace[] {
  const found: EditionPlace[] = [];
  const walk = (node: unknown, path: string[], depth: number): void => {
    if (typeof node !== 'object' || node === null || depth > 12) return;
    const readings = readingsOf(node);
    if (readings && !found.some((place) => place.path.join('/') === path.join('/'))) found.push({ path, schema: node as Node, readings });
    for (const key of ['allOf', 'anyOf', 'oneOf']) for (const branch of ((node as Node)[key] as unknown[] | undefined) ?? []) walk(branch, path, depth + 1);
    if ((node as Node).items) walk((node as Node).items, [...path, '*'], depth + 1);
    for (const [key, child] of Object.entries(((node as Node).properties ?? {}) as Node)) walk(child, [...path, key], depth + 1);
  };
  walk(schema, [], 0);
  return found;
}

/**
 * A sentence naming both readings of a difference: `Huawei Cloud refuses it (Parameter
 * table of CreateTopic...: 1 to 192 bytes); Open Telekom Cloud allows it (...)`.
 */
export function describeReadings(difference: EditionDifference): string {
  const say = (edition: Edition, verb: string): string => {
    const note = difference.readings[edition]?.note;
    return `${EDITION_NAMES[edition]} ${verb}${note ? ` (${note.replace(/\.$/, '')})` : ''}`;
  };
  return [...difference.refusedBy.map((e) => say(e, 'refuses it')), ...difference.allowedBy.map((e) => say(e, 'allows it'))].join('; ');
}

/**
 * Whether an operation is one that one edition documents and another does not (its
 * `x-editions` with `documented: false`): such an operation a deployment of the other
 * edition need not have. An operation no current edition documents (the SMS callback
 * settings of the older API generation) is not among them: it is kept as the seeds
 * describe it. Returns the editions that do not document it, or [] when all or none do.
 */
export function undocumentedIn(rules: EditionRule[], pointer: string): Edition[] {
  const missing = EDITIONS.filter((edition) => editionRuleAt(rules, pointer, edition)?.documented === false);
  return missing.length === EDITIONS.length ? [] : missing;
}

/** The JSON pointer of an operation in the document (`/paths/~1v2~1.../get`), where its `x-editions` are. */
export const operationPointer = (path: string, method: string): string => `/paths/${escape(path)}/${method.toLowerCase()}`;
