// One parsed item -> its verdict. The kind is told apart here, once: a raw delivery
// (`{method, url, headers, body}`, which is also a line of `listen --out`): an SMN
// notification when its headers or body say so, else SUBHOOK; a saved notification
// delivery (`{headers, body}`); an SMN notification body; a SUBHOOK event (it has
// `events`); an SMN response body (its fields match an operation's); or else a SUBHOOK
// event again when it has fields SUBHOOK events have.
import { X509Certificate } from 'node:crypto';
import { RECEPTION_RULES, type DeliveryRecord } from '../judge/record.js';
import type { SubhookDelivery } from '../subhook/decode.js';
import type { SmnNotificationHeadersInput } from '../notification/index.js';
import { judgeSmnBody, looksLikeSmnBody, unrecognizedSmnBody, type HarEntry, judgeHarEntry } from './smn.js';
import { hasSmnNotificationHeader, judgeSmnNotification, judgeSmnNotificationDelivery, looksLikeSmnNotification, type SmnNotificationJudgeOptions } from '../judge/smn-notification.js';
import { hasSubhookField, judgeSubhookDelivery, judgeSubhookFields, type SubhookJudgeOptions } from '../judge/subhook.js';
import { skipped, verdictOf, type Problem, type Verdict } from '../judge/verdict.js';

export type Kind = 'auto' | 'smn' | 'subhook';
export const KINDS: readonly Kind[] = ['auto', 'smn', 'subhook'];

/** What `validate` judges with. Data only: the options go to its worker threads as they are. */
export interface JudgeOptions extends SubhookJudgeOptions, Pick<SmnNotificationJudgeOptions, 'noCertificate' | 'requiredBy'> {
  kind: Kind;
  /** The certificate (PEM) that every SMN notification's signature is verified with; without it, signatures are not checked. */
  certificate?: string;
}

const smnOptionsOf = new WeakMap<JudgeOptions, SmnNotificationJudgeOptions>();

/** The options of an SMN notification's judge, from validate's (made once, the certificate read once): offline, so no timestamp window. */
function smnOptions(options: JudgeOptions): SmnNotificationJudgeOptions {
  let smn = smnOptionsOf.get(options);
  if (!smn) {
    const certificate = options.certificate === undefined ? undefined : new X509Certificate(options.certificate);
    smn = {
      certificates: certificate && (() => ({ certificate })),
      noCertificate: options.noCertificate,
      strict: options.strict,
      requireSignature: options.requireSignature,
      requiredBy: options.requiredBy,
    };
    smnOptionsOf.set(options, smn);
  }
  return smn;
}

/** A body as saved (text, or already parsed), read as JSON when it is text; undefined when it is not JSON. */
function parsedBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  // Most saved deliveries are SUBHOOK forms: not parsed at all, rather than failing to.
  if (!/^\s*\{/.test(body)) return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** Whether a saved request (headers and body) is an SMN notification: its headers, or its body, say so. */
const isSmnNotificationRequest = (headers: unknown, body: unknown): boolean =>
  (isObject(headers) && hasSmnNotificationHeader(headers as SmnNotificationHeadersInput)) || looksLikeSmnNotification(parsedBody(body));

/** `{headers, body}` without a method: a notification delivery saved as its headers and body (fixtures/smn/notifications). */
const isSavedNotification = (value: unknown): value is { headers: Record<string, unknown>; body: unknown } =>
  isObject(value) && !('method' in value) && isObject(value.headers) && 'body' in value && isSmnNotificationRequest(value.headers, value.body);

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

const isDelivery = (value: unknown): value is Record<string, unknown> => isObject(value) && typeof value.method === 'string' && typeof value.url === 'string';

const malformedDelivery = (field: string, expected: string, value: unknown): Problem => ({
  rule: 'malformed-delivery',
  pointer: `/${field}`,
  expected,
  received: value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`,
});

/** A saved raw delivery, or a `listen --out` record, judged like a live one. */
async function judgeDelivery(saved: Record<string, unknown>, options: JudgeOptions): Promise<Verdict> {
  const record = saved as Partial<DeliveryRecord>;
  // listen judged the message when it first came; SMN sending it again is no new item.
  if (typeof record.redeliveryOf === 'number') return skipped(`a redelivery of #${record.redeliveryOf} (its message_id, accepted then), judged there`, { kind: 'smn-notification', event: record.verdict?.event });
  if (typeof record.bodyOmitted === 'string') {
    return verdictOf({ kind: record.verdict?.kind ?? 'subhook', problems: [{ rule: 'body-too-large', pointer: '', where: 'body', expected: 'a body within the receiver limit', received: record.bodyOmitted }] });
  }
  const headers = saved.headers ?? {};
  if (!isObject(headers)) return verdictOf({ kind: 'subhook', problems: [malformedDelivery('headers', 'an object of header names and values', headers)] });
  const body = saved.body ?? null;
  if (body !== null && typeof body !== 'string') return verdictOf({ kind: 'subhook', problems: [malformedDelivery('body', 'the body as a string', body)] });
  const delivery: SubhookDelivery = {
    method: record.method!,
    url: record.url!,
    headers: headers as SubhookDelivery['headers'],
    body: body !== null && record.bodyEncoding === 'base64' ? Buffer.from(body, 'base64') : body,
  };
  const smn = options.kind !== 'subhook' && isSmnNotificationRequest(headers, delivery.body);
  if (options.kind === 'smn' && !smn) {
    return verdictOf({ kind: 'smn', problems: [{ rule: 'wrong-kind', pointer: '', expected: 'an SMN response body or notification (--kind smn)', received: 'a raw SUBHOOK delivery' }] });
  }
  const { verdict } = smn ? await judgeSmnNotificationDelivery(delivery, smnOptions(options)) : await judgeSubhookDelivery(delivery, options);
  const recorded = (record.verdict?.problems ?? []).filter((problem) => RECEPTION_RULES.includes(problem.rule));
  return recorded.length === 0 ? verdict : verdictOf({ ...verdict, problems: [...verdict.problems, ...recorded] });
}

function unrecognized(value: unknown): Verdict {
  const smn = unrecognizedSmnBody(value);
  return verdictOf({
    problems: [{ ...smn, expected: `a SUBHOOK event (an object with "events"), a raw delivery {method, url, headers, body}, or ${smn.expected}` }],
  });
}

/** The verdict on one parsed payload or delivery; a promise only for deliveries (decoding multipart is async). */
export function judgeValue(value: unknown, options: JudgeOptions): Verdict | Promise<Verdict> {
  if (isDelivery(value)) return judgeDelivery(value, options);
  if (options.kind !== 'subhook') {
    if (isSavedNotification(value)) {
      return judgeSmnNotification(parsedBody(value.body), value.headers as SmnNotificationHeadersInput, smnOptions(options)).then(({ verdict }) => verdict);
    }
    if (looksLikeSmnNotification(value)) return judgeSmnNotification(value, undefined, smnOptions(options)).then(({ verdict }) => verdict);
  }
  if (options.kind === 'subhook' || (options.kind === 'auto' && isObject(value) && 'events' in value)) return judgeSubhookFields(value, options);
  if (options.kind === 'smn' || looksLikeSmnBody(value)) return judgeSmnBody(value, options.strict);
  // Not SMN, but with fields of SUBHOOK events: judged as an event, whose problems
  // (a missing `events`...) say more than "unrecognized".
  if (options.product !== undefined || (isObject(value) && hasSubhookField(value))) return judgeSubhookFields(value, options);
  return unrecognized(value);
}

/** A HAR exchange is SMN traffic whatever --kind says; `--kind subhook` skips it. */
export function judgeHar(entry: HarEntry, options: JudgeOptions): Verdict {
  if (options.kind === 'subhook') return { status: 'skip', problems: [], warnings: [], note: 'a HAR holds SMN exchanges, and --kind is subhook' };
  return judgeHarEntry(entry, options.strict);
}
