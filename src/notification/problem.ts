// What a verdict says about one thing wrong with an SMN notification, and the one
// converter from a schema error to it. Nothing secret passes through here (the
// private key never reaches a verdict); the signature is still shown cut short, as
// SUBHOOK signatures are, because a verdict is for reading, not for copying.
import type { ErrorObject } from 'ajv/dist/2020.js';

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

export interface SmnNotificationProblem {
  rule: SmnNotificationRule;
  /** JSON pointer to the body field concerned, such as `/message_id`; `` for the whole body. */
  pointer: string;
  expected: string;
  received: string;
  /** Where the problem is when it is not the body: `header X-SMN-MESSAGE-ID`, `certificate`. */
  where?: string;
}

const SHOWN_SIGNATURE_CHARACTERS = 8;
const SHOWN_VALUE_CHARACTERS = 80;

/** Renders a received value for a verdict: strings as JSON, cut short; the signature shortest. */
export function describeReceived(pointer: string, value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'object') return Array.isArray(value) ? `an array of ${value.length} items` : 'an object';
  if (pointer === '/signature' && typeof value === 'string') {
    const shown = value.slice(0, SHOWN_SIGNATURE_CHARACTERS);
    return `"${shown}${value.length > shown.length ? '...' : ''}" (${value.length} characters)`;
  }
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > SHOWN_VALUE_CHARACTERS ? `${text.slice(0, SHOWN_VALUE_CHARACTERS - 3)}...` : text;
}

/** Escapes a field name for a JSON pointer (RFC 6901). */
export const pointerTo = (field: string): string => `/${field.replaceAll('~', '~0').replaceAll('/', '~1')}`;

const RULE_OF_KEYWORD: Record<string, SmnNotificationRule> = {
  required: 'missing-field',
  type: 'wrong-type',
  pattern: 'bad-format',
  format: 'bad-format',
  enum: 'bad-value',
  const: 'bad-value',
  minLength: 'bad-length',
  maxLength: 'bad-length',
};

const FORMATS: Record<string, string> = {
  'date-time': 'an RFC 3339 date-time',
  uri: 'an absolute URI',
};

const characters = (count: unknown): string => `${String(count)} character${count === 1 ? '' : 's'}`;

function expectedOf(error: ErrorObject, owner: string): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `field "${String(params.missingProperty)}", which ${owner} requires`;
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

/**
 * The problems of a failed validation of `value` (the body, or a header value when
 * `where` names the header). `owner` names what the schema describes, for
 * `missing-field`. One problem per field and rule: a timestamp breaking both its
 * pattern and its format is one `bad-format`.
 */
export function problemsOf(errors: ErrorObject[], value: unknown, owner: string, where?: string): SmnNotificationProblem[] {
  const problems: SmnNotificationProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const params = error.params as Record<string, unknown>;
    const pointer = error.keyword === 'required' ? `${error.instancePath}${pointerTo(String(params.missingProperty))}` : error.instancePath;
    const rule = RULE_OF_KEYWORD[error.keyword] ?? 'schema';
    if (seen.has(`${rule} ${pointer}`)) continue;
    seen.add(`${rule} ${pointer}`);
    // A body is flat: a pointer names at most one field.
    const received = where !== undefined || pointer === '' ? value : (value as Record<string, unknown>)[pointer.slice(1).replaceAll('~1', '/').replaceAll('~0', '~')];
    problems.push({ rule, pointer: where !== undefined ? '' : pointer, expected: expectedOf(error, owner), received: describeReceived(pointer, received), ...(where !== undefined ? { where } : {}) });
  }
  return problems;
}
