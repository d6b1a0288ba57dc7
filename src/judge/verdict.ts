// What `validate` and `listen` say about one item: a payload, a raw delivery, a HAR
// exchange. A problem has the one shape of contract/problem.ts, `where` set for problems
// outside a JSON body (a header, the query, the request).
import type { Problem } from '../contract/problem.js';
import type { Status } from '../report/report.js';

export type { Problem } from '../contract/problem.js';

export interface Verdict {
  /** fail when there are problems, warn when only warnings, skip when the item could not be judged. */
  status: Status;
  /** `smn`: an SMN response body; `smn-notification`: a notification SMN sends to an http(s) subscriber. */
  kind?: 'subhook' | 'smn' | 'smn-notification';
  /** SUBHOOK: the product whose schema judged the event, and the event. */
  product?: string;
  /** SUBHOOK: the event; SMN notifications: the message type (`Notification`...). */
  event?: string;
  /** SMN notifications: the SMS callback event type its message carries (`sms_fail_event`). */
  smsEvent?: string;
  /** SMN: the operation and the HTTP status the body was judged for. */
  operation?: string;
  httpStatus?: number;
  problems: Problem[];
  /** Things the contract does not forbid but does not know either (undeclared SMN fields). */
  warnings: Problem[];
  /** Why an item was skipped; for an SMN notification, why its signature was not checked. */
  note?: string;
  /**
   * Whether the signature was checked: a SUBHOOK event's against the key, an SMN
   * notification's with a certificate; undefined when the item carries none. Without a
   * key or a certificate, a forged delivery is as valid as a real one.
   */
  signature?: SignatureCheck;
}

export type SignatureCheck = 'checked' | 'not-checked';

// Every verdict is built here with the same fields in the same order: V8 then handles
// them all with one object shape, which matters at a million items per run (an object
// spread followed by new properties measured 40 times slower).
function verdict(status: Status, fields: Partial<Verdict>, problems: Problem[], warnings: Problem[]): Verdict {
  return {
    status,
    kind: fields.kind,
    product: fields.product,
    event: fields.event,
    smsEvent: fields.smsEvent,
    operation: fields.operation,
    httpStatus: fields.httpStatus,
    problems,
    warnings,
    note: fields.note,
    signature: fields.signature,
  };
}

/** What verdictOf gives for a SUBHOOK event without problems, built without the intermediate object (the hot path of `validate`). */
export const subhookPassed = (product: string, event: string, signature: SignatureCheck | undefined): Verdict => ({
  status: 'pass',
  kind: 'subhook',
  product,
  event,
  smsEvent: undefined,
  operation: undefined,
  httpStatus: undefined,
  problems: [],
  warnings: [],
  note: undefined,
  signature,
});

/** A verdict whose status follows from its problems and warnings (a `status` among the fields is ignored). */
export function verdictOf(fields: Partial<Verdict> & { problems: Problem[] }): Verdict {
  const warnings = fields.warnings ?? [];
  return verdict(fields.problems.length > 0 ? 'fail' : warnings.length > 0 ? 'warn' : 'pass', fields, fields.problems, warnings);
}

export const skipped = (note: string, fields: Partial<Verdict> = {}): Verdict => verdict('skip', { ...fields, note }, [], []);

/** What was judged, for a line of output: `sms delivered`, `ListSubscriptions 200`. */
export function subjectOf(verdict: Verdict): string {
  if (verdict.kind === 'subhook') return [verdict.product, verdict.event ?? '(no event)'].filter(Boolean).join(' ');
  if (verdict.kind === 'smn-notification') return ['smn', verdict.event ?? '(no type)', verdict.smsEvent].filter(Boolean).join(' ');
  if (verdict.kind === 'smn') return [verdict.operation ?? 'SMN body', verdict.httpStatus].filter((part) => part !== undefined).join(' ');
  return 'payload';
}

export const describeProblem = (problem: Problem): string =>
  `${problem.rule} ${[problem.where, problem.pointer].filter(Boolean).join(' ') || '(whole item)'}: expected ${problem.expected}, received ${problem.received}`;

/** The problem of text that JSON.parse refuses; its message is not used, as it quotes the text and so could quote a token. */
export const malformedJson = (text: string): Problem => ({
  rule: 'malformed-json',
  pointer: '',
  expected: 'a JSON value',
  received: `${text.length} characters that do not parse as JSON`,
});

/** JSON.parse without its message, which quotes the text and so could quote a token. */
export function parseJson(text: string): { value: unknown } | { problem: Problem } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return { problem: malformedJson(text) };
  }
}

/** How the signatures of the judged SUBHOOK events went, for summaries and reports. */
export interface SignatureCounts {
  /** Whether a key was given, so that signatures could be checked. */
  keyGiven: boolean;
  checked: number;
  notChecked: number;
}

export const signatureCounts = (keyGiven: boolean): SignatureCounts => ({ keyGiven, checked: 0, notChecked: 0 });

/** How the signatures of the judged SMN notifications went. */
export interface SmnSignatureCounts {
  /** Where certificates come from: `file` (--smn-cert), `fetched` (signing_cert_url on an allowed host), or `none`. */
  certificate: 'file' | 'fetched' | 'none';
  checked: number;
  notChecked: number;
}

export const smnSignatureCounts = (certificate: SmnSignatureCounts['certificate']): SmnSignatureCounts => ({ certificate, checked: 0, notChecked: 0 });

/** Counts a verdict's signature check with its kind: SUBHOOK in `counts`, SMN notifications in `smn`. */
export function countSignature(counts: SignatureCounts, verdict: Pick<Verdict, 'signature' | 'kind'>, smn?: SmnSignatureCounts): void {
  const into = verdict.kind === 'smn-notification' ? smn : counts;
  if (!into) return;
  if (verdict.signature === 'checked') into.checked++;
  else if (verdict.signature === 'not-checked') into.notChecked++;
}

/**
 * What a summary line adds when signatures went unchecked: without a key, a forged push
 * passes, and a summary saying only "valid" would hide that.
 */
export function uncheckedSignaturesNote(counts: SignatureCounts, noun: { one: string; many: string }): string {
  if (counts.notChecked === 0) return '';
  return `; signatures not checked (no key given): ${counts.notChecked} ${counts.notChecked === 1 ? `${noun.one} carries` : `${noun.many} carry`} one`;
}

/** The same for SMN notifications: `why` says what would have checked them. */
export function uncheckedSmnSignaturesNote(counts: SmnSignatureCounts | undefined, noun: { one: string; many: string }, why: string): string {
  if (!counts || counts.notChecked === 0) return '';
  return `; SMN signatures not checked (${why}): ${counts.notChecked} ${counts.notChecked === 1 ? `${noun.one} carries` : `${noun.many} carry`} one`;
}
