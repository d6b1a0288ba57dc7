// Realistic values from the examples the spec gives for a field: an example shows what
// a value looks like (a mobile number, a 32-hex id, a tag like `order-1024`), and a new
// value keeps its look while its variable part changes.
import { createRequire } from 'node:module';
import type { Random } from './random.js';

const HEX_ID = /^(?:[0-9a-f]{16,}|[0-9A-F]{16,})$/;
// A run of digits keeps its first digits and gets new ones after: a mobile number keeps
// its country code and operator prefix (+86138...), an app id its first digits. Runs
// shorter than SHORT_RUN are codes (`86`, the `134` of a masked number) and stay.
const SHORT_RUN = 4;
const MOST_NEW_DIGITS = 8;

function varyDigits(run: string, random: Random): string {
  if (run.length < SHORT_RUN) return run;
  const kept = Math.max(run.length - MOST_NEW_DIGITS, Math.ceil(run.length / 3));
  let out = run.slice(0, kept);
  for (let i = kept; i < run.length; i++) out += String(random.int(0, 9));
  return out;
}

/**
 * A value that looks like `example`: a hexadecimal id (16 or more hex digits) gets new
 * digits throughout; in any other string or integer, each run of 4 or more digits keeps
 * its first third (and all but the last 8) and gets new digits after. Other values are
 * returned as they are.
 */
export function vary(example: unknown, random: Random): unknown {
  if (typeof example === 'number' && Number.isSafeInteger(example) && example >= 0) {
    return Number(varyDigits(String(example), random));
  }
  if (typeof example !== 'string') return example;
  if (HEX_ID.test(example)) {
    const hex = random.hex(example.length);
    return example === example.toUpperCase() && /[A-F]/.test(example) ? hex.toUpperCase() : hex;
  }
  return example.replace(/[0-9]+/g, (run) => varyDigits(run, random));
}

/** Unix seconds of a time in milliseconds. */
export const unixSecondsFromMs = (ms: number): number => Math.floor(ms / 1000);

/** ISO-8601 in UTC to the second (`2026-11-24T09:30:05Z`), as SMN writes its times. */
export const isoSeconds = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** The keywords of a JSON Schema that value generation reads. */
export interface ValueSchema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  examples?: unknown[];
  [keyword: string]: unknown;
}

export const typesOf = (schema: ValueSchema): string[] => (Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []);

const jsonTypeOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value;

/**
 * A new value for a field from its schema (its `$ref`s resolved): its const, one of its
 * enum, a varied example, else whatever json-schema-faker makes of the schema.
 */
export function valueFor(schema: ValueSchema, random: Random): unknown {
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return random.pick(schema.enum);
  const examples = schema.examples ?? [];
  if (examples.length > 0) {
    // Prefer examples of the first type the schema lists: `app` is an integer in JSON
    // deliveries, and its string examples only show how form deliveries carry it.
    const first = typesOf(schema)[0];
    const preferred = examples.filter((example) => jsonTypeOf(example) === first);
    return vary(random.pick(preferred.length > 0 ? preferred : examples), random);
  }
  return fakerWith(random, { alwaysFakeOptionals: true, failOnInvalidFormat: false }).generate(schema as never);
}

// json-schema-faker's own defaults (0.5.x). Its options are global to the process, and
// Prism sets others when it is loaded (--engine prism, or a request the fast engine
// hands it), so every use sets them all: a seed then gives the same values whatever
// ran before in the process.
const FAKER_DEFAULTS = {
  defaultInvalidTypeProduct: undefined,
  defaultRandExpMax: 10,
  maxRegexRetry: 100,
  pruneProperties: [],
  ignoreProperties: [],
  ignoreMissingRefs: false,
  failOnInvalidTypes: true,
  failOnInvalidFormat: true,
  alwaysFakeOptionals: false,
  optionalsProbability: null,
  fixedProbabilities: false,
  useExamplesValue: false,
  useDefaultValue: false,
  requiredOnly: false,
  omitNulls: false,
  minItems: 0,
  maxItems: null,
  minLength: 0,
  maxLength: null,
  refDepthMin: undefined,
  refDepthMax: undefined,
  resolveJsonPath: false,
  reuseProperties: false,
  fillProperties: true,
  sortProperties: false,
  replaceEmptyByRandomValue: false,
};

/**
 * json-schema-faker with its defaults, `options` and `random` as its only source of
 * randomness. Loaded on first use: most runs (and the mock's start) never need it.
 */
export function fakerWith(random: Random<number | string>, options: Record<string, unknown>): typeof import('json-schema-faker').JSONSchemaFaker {
  const { JSONSchemaFaker } = createRequire(import.meta.url)('json-schema-faker') as typeof import('json-schema-faker');
  JSONSchemaFaker.option({ ...FAKER_DEFAULTS, ...options, random: random.next } as never);
  return JSONSchemaFaker;
}
