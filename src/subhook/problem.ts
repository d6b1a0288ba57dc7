// What a verdict says about one thing wrong with a SUBHOOK event, and how a received
// value is shown in it. `token` and `signature` are never shown whole: a captured
// token/signature pair authenticates any body, so it must not end up in logs.

/** The stable name of each way a SUBHOOK event can fail. */
export type SubhookRule =
  /** The decoded fields are not an object. */
  | 'not-an-object'
  /** `events` is not one of the product's event names (`unkown` included, `unknown` not). */
  | 'unknown-event'
  /** A field the event requires is absent. */
  | 'missing-field'
  /** A field the event does not have (often a field of another event). */
  | 'unexpected-field'
  /** A value of the wrong JSON type, such as an object where a string is expected. */
  | 'wrong-type'
  /** A value of the right type that breaks the field's pattern or range. */
  | 'bad-format'
  /** A string that is too short or too long, such as an empty token. */
  | 'bad-length'
  /** `signature` is not md5(token + key). */
  | 'bad-signature'
  /** The token was accepted before (replay guard). */
  | 'replayed-token'
  /** The timestamp is outside the replay guard's window. */
  | 'stale-timestamp'
  /** Any other schema keyword; `expected` names it. */
  | 'schema';

export interface SubhookProblem {
  rule: SubhookRule;
  /** JSON pointer to the field, such as `/timestamp`; `` for the whole event. */
  pointer: string;
  expected: string;
  received: string;
}

const SHOWN_SIGNATURE_CHARACTERS = 4;
const SHOWN_VALUE_CHARACTERS = 60;

const truncate = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max)}...` : text);

/** Renders a received value for a verdict, hiding secrets: the token never, a signature cut short. */
export function describeReceived(pointer: string, value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    if (pointer === '/token') return `a string of ${value.length} characters`;
    if (pointer === '/signature') {
      const shown = value.slice(0, SHOWN_SIGNATURE_CHARACTERS);
      return `"${shown}${value.length > shown.length ? '...' : ''}" (${value.length} characters)`;
    }
  }
  if (typeof value === 'object') {
    return Array.isArray(value) ? `an array of ${value.length} items` : 'an object';
  }
  if (pointer === '/token' || pointer === '/signature') return `a ${typeof value}`;
  return truncate(JSON.stringify(value) ?? typeof value, SHOWN_VALUE_CHARACTERS);
}

/** Escapes a field name for a JSON pointer (RFC 6901). */
export const pointerTo = (field: string): string => `/${field.replaceAll('~', '~0').replaceAll('/', '~1')}`;
