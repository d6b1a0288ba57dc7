// SMN notifications -> verdicts, for `validate` (saved ones) and `listen` (live ones):
// the envelope of its type and the headers against the body (the library's
// validateSmnNotification) -> the signature with a certificate, when there is one
// (verifySmnNotification) -> the timestamp window, when asked -> the `message` against
// the schema of its SMS callback event, when it is one. The types, fields and headers
// come from the spec, through src/notification/ and src/contract/.
import type { X509Certificate } from 'node:crypto';
import { smnResponses, type SmnProblem } from '../contract/smn-responses.js';
import { SMS_EVENT_TYPE_FIELD, smsCallbackShape } from '../contract/sms-callback.js';
import { readSmnNotificationHeader, smnNotificationContract, validateSmnNotification, verifySmnNotification, type SmnNotificationHeadersInput, type SmnNotificationVerdict } from '../notification/index.js';
import { timestampProblem } from '../notification/verify.js';
import { pointerTo, RULE_OF_KEYWORD } from '../notification/problem.js';
import { JsonInputError, parseJson } from '../net/json.js';
import { printable } from '../net/text.js';
import { verdictOf, type Problem, type SignatureCheck, type Verdict } from './verdict.js';

/** What a certificate source gives for a notification's `signing_cert_url`. */
export type SmnCertificateLookup =
  /** The certificate to verify with. */
  | { certificate: X509Certificate | string | Buffer }
  /** No certificate, and why (the signature is then not checked). */
  | { unchecked: string }
  /** The certificate could not be had, and that is a fault of this delivery. */
  | { problem: Problem };

/** One certificate whatever the URL (a file the user gives), or `listen`'s fetcher. */
export type SmnCertificateSource = (signingCertUrl: unknown) => SmnCertificateLookup | Promise<SmnCertificateLookup>;

export interface SmnNotificationJudgeOptions {
  /** Where certificates come from; without one, signatures are not checked. */
  certificates?: SmnCertificateSource;
  /** Why signatures are not checked when there is no source, for the verdict's note. */
  noCertificate?: string;
  /** What the kit adds beyond the vendor's documents fails instead of warning. */
  strict?: boolean;
  /** When set (and above 0), refuse timestamps further than this from the clock. */
  toleranceSeconds?: number;
  now?: () => number;
  /** A signature not checked is a problem (`unchecked-signature`). */
  requireSignature?: boolean;
  /** What made an unchecked signature a fault, in the caller's words (a command names its option), for that problem. */
  requiredBy?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Whether request headers carry any header of an SMN notification (X-SMN-MESSAGE-TYPE...). */
export function hasSmnNotificationHeader(headers: SmnNotificationHeadersInput): boolean {
  return smnNotificationContract().headers.some((header) => readSmnNotificationHeader(headers, header.name) !== undefined);
}

/**
 * Whether a parsed body is meant as an SMN notification: its `type` is one of the
 * contract's message types, or it carries `signing_cert_url` (which no other payload
 * the kit knows has) and `topic_urn`.
 */
export function looksLikeSmnNotification(value: unknown): value is Record<string, unknown> {
  if (!isObject(value)) return false;
  if (typeof value.type === 'string' && smnNotificationContract().types.has(value.type)) return true;
  return 'signing_cert_url' in value && 'topic_urn' in value;
}

const DEFAULT_NO_CERTIFICATE = 'no certificate given';

/** Where the problems of the event inside `message` are: the body's field, then the pointer into the event. */
const IN_MESSAGE = 'message JSON';

const eventProblem = (problem: SmnProblem): Problem => ({
  // The contract's rules, named as the library names them for the envelope.
  rule: RULE_OF_KEYWORD[problem.rule] ?? problem.rule,
  pointer: problem.pointer,
  expected: problem.expected,
  received: problem.received,
  where: IN_MESSAGE,
});

/**
 * The SMS callback event a `message` carries (its JSON text names an event type of
 * the contract), or undefined: other topics' messages are free text, not judged.
 */
function smsCallbackEvent(message: unknown): { eventType: string; event: Record<string, unknown> } | undefined {
  if (typeof message !== 'string' || !message.trimStart().startsWith('{')) return undefined;
  let event: unknown;
  try {
    event = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (!isObject(event)) return undefined;
  const eventType = event[SMS_EVENT_TYPE_FIELD];
  return typeof eventType === 'string' && smsCallbackShape(eventType) ? { eventType, event } : undefined;
}

/** The event's problems and warnings by the strictness policy: the kit's choices and unknown fields warn. */
function judgeMessage(eventType: string, event: Record<string, unknown>): { problems: Problem[]; warnings: Problem[] } {
  const shape = smsCallbackShape(eventType)!;
  const found = smnResponses().validateSchema(shape.schemaName, event);
  const problems = found.filter((problem) => !problem.kitChoice).map(eventProblem);
  const warnings = found.filter((problem) => problem.kitChoice).map(eventProblem);
  for (const field of Object.keys(event)) {
    if (shape.fields.includes(field)) continue;
    warnings.push({
      rule: 'undeclared-field',
      pointer: pointerTo(field),
      expected: `only the fields of ${shape.schemaName}: ${shape.fields.join(', ')} (a newer vendor revision may add fields)`,
      received: `field "${field}"`,
      where: IN_MESSAGE,
    });
  }
  return { problems, warnings };
}

const uncheckedSignature = (why: string, requiredBy: string | undefined): Problem => ({
  rule: 'unchecked-signature',
  pointer: '/signature',
  expected: `a signature verified with the signing certificate${requiredBy === undefined ? '' : ` (${requiredBy})`}`,
  received: `not checked: ${why}`,
});

/** The library's verdict on the envelope and, with a certificate, the signature and the window. */
async function libraryVerdict(body: Record<string, unknown>, headers: SmnNotificationHeadersInput | undefined, options: SmnNotificationJudgeOptions): Promise<{ verdict: SmnNotificationVerdict; signature?: SignatureCheck; note?: string; extra: Problem[] }> {
  const window = options.toleranceSeconds !== undefined && options.toleranceSeconds > 0 ? options.toleranceSeconds : undefined;
  if (typeof body.signature !== 'string') return { verdict: validateSmnNotification(body, headers), extra: [] };
  const lookup: SmnCertificateLookup = options.certificates ? await options.certificates(body.signing_cert_url) : { unchecked: options.noCertificate ?? DEFAULT_NO_CERTIFICATE };
  if ('certificate' in lookup) {
    return { verdict: verifySmnNotification(body, { certificatePem: lookup.certificate, headers, toleranceSeconds: window, now: options.now }), signature: 'checked', extra: [] };
  }
  const verdict = validateSmnNotification(body, headers);
  const extra: Problem[] = 'problem' in lookup ? [lookup.problem] : [];
  const stale = window === undefined || verdict.problems.some((problem) => problem.pointer === '/timestamp' && problem.where === undefined) ? undefined : timestampProblem(body.timestamp, window, options.now ?? Date.now);
  if (stale) extra.push(stale);
  return { verdict, signature: 'not-checked', note: 'unchecked' in lookup ? lookup.unchecked : undefined, extra };
}

/**
 * Judges one SMN notification: `body` parsed (or not an object, which is a problem),
 * `headers` when the request's are known. Resolves with the verdict and, when the
 * verdict is valid, the notification.
 */
export async function judgeSmnNotification(body: unknown, headers: SmnNotificationHeadersInput | undefined, options: SmnNotificationJudgeOptions = {}): Promise<{ verdict: Verdict; notification?: Record<string, unknown> }> {
  if (!isObject(body)) {
    const verdict = validateSmnNotification(body, headers);
    return { verdict: verdictOf({ kind: 'smn-notification', problems: verdict.problems, warnings: verdict.warnings }) };
  }
  const found = await libraryVerdict(body, headers, options);
  const problems: Problem[] = [...found.verdict.problems, ...found.extra];
  const warnings: Problem[] = [...found.verdict.warnings];
  const carried = smsCallbackEvent(body.message);
  if (carried) {
    const message = judgeMessage(carried.eventType, carried.event);
    problems.push(...message.problems);
    warnings.push(...message.warnings);
  }
  // `note` says why no certificate was looked for; a certificate that could not be had is a problem of its own already.
  if (found.signature === 'not-checked' && found.note !== undefined && options.requireSignature) problems.push(uncheckedSignature(found.note, options.requiredBy));
  const verdict = verdictOf({
    kind: 'smn-notification',
    event: found.verdict.type,
    smsEvent: carried?.eventType,
    problems: options.strict ? [...problems, ...warnings] : problems,
    warnings: options.strict ? [] : warnings,
    signature: found.signature,
    note: found.note,
  });
  return verdict.status === 'fail' ? { verdict } : { verdict, notification: body };
}

/** A request as received or saved: what an SMN notification delivery is judged from. */
export interface SmnNotificationDelivery {
  method: string;
  headers: SmnNotificationHeadersInput;
  body?: string | Uint8Array | null;
}

/**
 * Judges a whole delivery: SMN always POSTs a JSON body, so another method, or a body
 * that is not JSON, is a problem before the notification itself is judged.
 */
export async function judgeSmnNotificationDelivery(delivery: SmnNotificationDelivery, options: SmnNotificationJudgeOptions = {}): Promise<{ verdict: Verdict; notification?: Record<string, unknown> }> {
  const problems: Problem[] = [];
  if (delivery.method.toUpperCase() !== 'POST') {
    problems.push({ rule: 'wrong-method', pointer: '', where: 'method', expected: 'POST, as SMN sends every notification', received: printable(delivery.method, 20) });
  }
  const text = delivery.body === null || delivery.body === undefined ? '' : typeof delivery.body === 'string' ? delivery.body : Buffer.from(delivery.body.buffer, delivery.body.byteOffset, delivery.body.byteLength).toString('utf8');
  let body: unknown;
  try {
    body = parseJson(text);
  } catch (error) {
    if (!(error instanceof JsonInputError)) throw error;
    const where = readSmnNotificationHeader(delivery.headers, 'X-SMN-MESSAGE-TYPE');
    const event = where !== undefined && smnNotificationContract().types.has(where) ? where : undefined;
    return { verdict: verdictOf({ kind: 'smn-notification', event, problems: [...problems, { rule: 'malformed-json', pointer: '', where: 'body', expected: 'a JSON object (the notification)', received: `${text.length} characters: ${error.message}` }] }) };
  }
  const judged = await judgeSmnNotification(body, delivery.headers, options);
  if (problems.length === 0) return judged;
  return { verdict: verdictOf({ ...judged.verdict, problems: [...problems, ...judged.verdict.problems] }) };
}
