// What a verdict says about one thing wrong with an SMN notification: the rules, and
// how a value is shown (the converter from schema errors is contract/problem.ts). Nothing secret passes through here (the
// private key never reaches a verdict); the signature is still shown cut short, as
// SUBHOOK signatures are, because a verdict is for reading, not for copying.
import type { ErrorObject } from 'ajv/dist/2020.js';
import { describeValue, problemsFromAjv, type Problem, type ValueDisplay } from '../contract/problem.js';

export { pointerTo } from '../contract/problem.js';

/** The stable name of each way an SMN notification can fail. */
export type SmnNotificationRule =
  /** The body is not a JSON object. */
  | 'not-an-object'
  /** `type` is not one of the message types of the contract. */
  | 'unknown-type'
  /** A field the type requires is absent. */
  | 'missing-field'
  /** A value of the wrong JSON type. */
  | 'wrong-type'
  /** A string breaking the field's pattern or format (message id, timestamp, URL, base64...). */
  | 'bad-format'
  /** A value outside the field's documented values (`signature_version`). */
  | 'bad-value'
  /** A string too short or too long. */
  | 'bad-length'
  /** A header the contract requires is absent (a warning for `X-SMN-SUBSCRIPTION-URN`). */
  | 'missing-header'
  /** A header disagrees with the body field it repeats, or names a subscription of another topic. */
  | 'header-mismatch'
  /** The signature does not verify with the certificate's key over the signing string. */
  | 'bad-signature'
  /** The certificate cannot be read as an X.509 certificate. */
  | 'unreadable-certificate'
  /** The certificate is not signed with RSA and SHA-1/256/384/512, or its key is not RSA. */
  | 'unsupported-certificate-algorithm'
  /** The timestamp is further from the receiver's clock than the tolerance asked for. */
  | 'stale-timestamp'
  /** A field the type does not declare (a warning: the documents do not forbid it). */
  | 'undeclared-field'
  /** Any other schema keyword; `expected` names it. */
  | 'schema';

/** A problem of an SMN notification; `where` is set when it is not the body: `header X-SMN-MESSAGE-ID`, `certificate`. */
export type SmnNotificationProblem = Problem<SmnNotificationRule>;

const DISPLAY: ValueDisplay = { signatureCharacters: 8, over: 80, keep: 77 };

/** Renders a received value for a verdict: strings as JSON, cut short; the signature shortest. */
export const describeReceived = (pointer: string, value: unknown): string => describeValue(pointer, value, DISPLAY);

/** The rules of the notification vocabulary, by JSON Schema keyword; other keywords break `schema`. */
export const RULE_OF_KEYWORD: Readonly<Record<string, SmnNotificationRule>> = {
  required: 'missing-field',
  type: 'wrong-type',
  pattern: 'bad-format',
  format: 'bad-format',
  enum: 'bad-value',
  const: 'bad-value',
  minLength: 'bad-length',
  maxLength: 'bad-length',
  minimum: 'bad-value',
  maximum: 'bad-value',
};

/**
 * The problems of a failed validation of `value` (the body, or a header value when
 * `where` names the header). `owner` names what the schema describes, for
 * `missing-field`. One problem per field and rule: a timestamp breaking both its
 * pattern and its format is one `bad-format`.
 */
export const problemsOf = (errors: ErrorObject[], value: unknown, owner: string, where?: string): SmnNotificationProblem[] =>
  problemsFromAjv(errors, value, { describe: describeReceived, rules: RULE_OF_KEYWORD, otherRule: 'schema', owner, where, oncePerRule: true });
