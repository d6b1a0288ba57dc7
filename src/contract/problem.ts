// The one shape of a problem, whatever was judged (a SUBHOOK event, an SMN response,
// an SMN notification, a delivery), and the one converter from Ajv's errors to it.
// Each vocabulary names its rules (SubhookRule, SmnNotificationRule, or the JSON Schema
// keyword for SMN responses) and words its values; the rest is done here once.
import type { ErrorObject } from 'ajv/dist/2020.js';

/** One thing wrong with what was judged: the rule it breaks, where, what was expected and what came. */
export interface Problem<Rule extends string = string> {
  /** Stable name of the rule: a SUBHOOK or SMN notification rule, a JSON Schema keyword, or one of the kit's. */
  rule: Rule;
  /** JSON pointer into the body the problem is about; `` for the whole of it. */
  pointer: string;
  expected: string;
  received: string;
  /** Where the problem is when it is not the body itself: `header X-SMN-MESSAGE-ID`, `certificate`, `message JSON`... */
  where?: string;
  /** Set when the rule broken is the kit's, not the vendor's (`x-kit-choice`): why the kit chose it. */
  kitChoice?: string;
}

/** Escapes a field name for a JSON pointer (RFC 6901). */
export const pointerTo = (field: string): string => `/${field.replaceAll('~', '~0').replaceAll('/', '~1')}`;

/** The value a JSON pointer names in a value, or undefined when there is none. */
export function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  return pointer
    .slice(1)
    .split('/')
    .reduce<unknown>((at, key) => (at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key.replaceAll('~1', '/').replaceAll('~0', '~')] : undefined), root);
}

/** A value as JSON text; longer than `over` characters, its first `keep` and `...`. */
export function shortJson(value: unknown, over: number, keep = over - 3): string {
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > over ? `${text.slice(0, keep)}...` : text;
}

/** How a vocabulary shows a received value in a problem. */
export interface ValueDisplay {
  /** How many characters of a `/signature` string are shown. */
  signatureCharacters: number;
  /** JSON text longer than `over` characters is cut to its first `keep`, then `...`. */
  over: number;
  keep: number;
  /** Pointers whose values are secrets: a string is shown by its length, anything else by its type. */
  secrets?: readonly string[];
}

/** A received value for a problem: objects by kind, a signature cut short, secrets never, the rest as JSON cut short. */
export function describeValue(pointer: string, value: unknown, display: ValueDisplay): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  const secret = display.secrets?.includes(pointer) === true;
  if (typeof value === 'string' && pointer === '/signature') {
    const shown = value.slice(0, display.signatureCharacters);
    return `"${shown}${value.length > shown.length ? '...' : ''}" (${value.length} characters)`;
  }
  if (typeof value === 'string' && secret) return `a string of ${value.length} characters`;
  if (typeof value === 'object') return Array.isArray(value) ? `an array of ${value.length} items` : 'an object';
  if (secret) return `a ${typeof value}`;
  return shortJson(value, display.over, display.keep);
}

/** The `x-kit-choice` of the schema an error broke (Ajv's `verbose`), unless the rule broken is its type (always the vendor's). */
export function kitChoiceOf(error: ErrorObject): string | undefined {
  const why = (error.parentSchema as { 'x-kit-choice'?: unknown } | undefined)?.['x-kit-choice'];
  return typeof why === 'string' && error.keyword !== 'type' ? why : undefined;
}

const FORMATS: Record<string, string> = {
  'date-time': 'an RFC 3339 date-time',
  uri: 'an absolute URI',
};

const characters = (count: unknown): string => `${String(count)} character${count === 1 ? '' : 's'}`;

/** What a schema error expected, in the library's words; `owner` names what the schema describes. */
function expectedOf(error: ErrorObject, owner: string | undefined): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `field "${String(params.missingProperty)}"${owner === undefined ? '' : `, which ${owner} requires`}`;
    case 'type':
      return `a ${String(params.type).split(',').join(' or a ')}`;
    case 'pattern':
      return `a string matching ${String(params.pattern)}`;
    case 'format':
      return FORMATS[String(params.format)] ?? `a string of format ${String(params.format)}`;
    case 'enum':
      return `one of ${JSON.stringify(params.allowedValues)}`;
    case 'const':
      return JSON.stringify(params.allowedValue);
    case 'minLength':
      return `at least ${characters(params.limit)}`;
    case 'maxLength':
      return `at most ${characters(params.limit)}`;
    default:
      return `${error.keyword}: ${error.message ?? 'see the schema'}`;
  }
}

export interface AjvProblemOptions<Rule extends string> {
  /** How a received value is shown (each vocabulary hides its secrets its own way). */
  describe: (pointer: string, value: unknown) => string;
  /** The rule each keyword breaks; a keyword not listed breaks `otherRule`, or the keyword itself when that is unset. */
  rules?: Readonly<Record<string, Rule>>;
  otherRule?: Rule;
  /** What the schema describes, for `required`: `field "x", which OWNER requires`. */
  owner?: string;
  /** This vocabulary's own words for what an error expected; undefined keeps the shared words. */
  expected?: (error: ErrorObject) => string | undefined;
  /** Set when the value is not a body but, say, a header's value: the problems point nowhere and say where. */
  where?: string;
  /** One problem per rule and pointer: a timestamp breaking both its pattern and its format is one `bad-format`. */
  oncePerRule?: boolean;
  /** Mark the problems whose schema is a kit choice (`x-kit-choice`); the validator must be compiled with `verbose`. */
  kitChoices?: boolean;
}

/** The problems of a failed validation of `value`, in the order Ajv found them. */
export function problemsFromAjv<Rule extends string = string>(errors: readonly ErrorObject[], value: unknown, options: AjvProblemOptions<Rule>): Problem<Rule>[] {
  const problems: Problem<Rule>[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    // anyOf reports its branches and then itself; the branches say more, the summary is noise.
    if (error.keyword === 'anyOf' && errors.length > 1) continue;
    const params = error.params as Record<string, unknown>;
    const field = error.keyword === 'required' ? params.missingProperty : error.keyword === 'additionalProperties' ? params.additionalProperty : undefined;
    const pointer = typeof field === 'string' ? `${error.instancePath}${pointerTo(field)}` : error.instancePath;
    const rule = (options.rules?.[error.keyword] ?? options.otherRule ?? error.keyword) as Rule;
    if (options.oncePerRule) {
      if (seen.has(`${rule} ${pointer}`)) continue;
      seen.add(`${rule} ${pointer}`);
    }
    const problem: Problem<Rule> = {
      rule,
      pointer: options.where === undefined ? pointer : '',
      expected: options.expected?.(error) ?? expectedOf(error, options.owner),
      received: error.keyword === 'additionalProperties' ? `field "${String(field)}"` : options.describe(pointer, options.where === undefined ? valueAt(value, pointer) : value),
    };
    if (options.where !== undefined) problem.where = options.where;
    const kitChoice = options.kitChoices ? kitChoiceOf(error) : undefined;
    if (kitChoice) problem.kitChoice = kitChoice;
    problems.push(problem);
  }
  return problems;
}
