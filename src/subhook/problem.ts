// What a verdict says about one thing wrong with a SUBHOOK event, and how a received
// value is shown in it. `token` and `signature` are never shown whole: a captured
// token/signature pair authenticates any body, so it must not end up in logs.
import { describeValue, type Problem, type ValueDisplay } from '../contract/problem.js';

export { pointerTo } from '../contract/problem.js';

/** The stable name of each way a SUBHOOK event can fail. */
export type SubhookRule =
  /** The decoded fields are not an object. */
  | 'not-an-object'
  /** `events` is not one of the product's event names (or their other spellings: `unknown` for `unkown`). */
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

/** A problem of a SUBHOOK event; its pointer names a field, such as `/timestamp`, or `` for the whole event. */
export type SubhookProblem = Problem<SubhookRule>;

// A signature's first characters tell two apart without giving either away.
const DISPLAY: ValueDisplay = { signatureCharacters: 4, over: 60, keep: 60, secrets: ['/token', '/signature'] };

/** Renders a received value for a verdict, hiding secrets: the token never, a signature cut short. */
export const describeReceived = (pointer: string, value: unknown): string => describeValue(pointer, value, DISPLAY);
