// How SMN hands a topic message to an http(s) subscriber: a POST with the
// `X-SMN-MESSAGE-TYPE`, `X-SMN-MESSAGE-ID`, `X-SMN-TOPIC-URN` and
// `X-SMN-SUBSCRIPTION-URN` headers and the JSON envelope `SmnNotification` of
// spec/smn.openapi.yaml, signed as SMN signs it (src/notification/). Used by
// `smn-kit fire sms_*_event` and by the emulator.
import type { KeyObject } from 'node:crypto';
import { createRandom, type Random } from '../generate/random.js';
import { deliver, type DeliverOptions, type DeliveryAnswer } from '../net/deliver.js';
import { signSmnNotification, signSmnNotificationAsync, validateSmnNotification } from '../notification/index.js';
import { isoSeconds } from '../generate/values.js';

export const SMN_NOTIFICATION_SCHEMA = 'SmnNotification';

/** The envelope's fields, as the spec names them. */
export interface SmnNotificationBody {
  type: string;
  signature: string;
  signature_version: string;
  topic_urn: string;
  message_id: string;
  message: string;
  subject?: string;
  subscribe_url?: string;
  unsubscribe_url?: string;
  signing_cert_url: string;
  timestamp: string;
}

/** What a subscriber receives: the headers (Content-Type included) and the JSON body. */
export interface SmnNotification {
  headers: Record<string, string>;
  body: SmnNotificationBody;
}

export interface SmnNotificationOptions {
  /** `Notification` (default), `SubscriptionConfirmation` or `UnsubscribeConfirmation`. */
  type?: string;
  /** 32 hex digits; default a new one. */
  messageId?: string;
  /** Default: for a Notification, the event's `event_type` when it has one; otherwise no subject. */
  subject?: string;
  /** When SMN sent it, in milliseconds (default now). */
  timestamp?: number;
  /** The subscription the message goes to; default the topic URN and 32 new hex digits. */
  subscriptionUrn?: string;
  /** Base URL of the SMN that sends it, for the unsubscribe and certificate URLs. */
  endpoint?: string;
  /** Default: one unseeded generator shared by all calls. Seeded, the ids and the signature repeat. */
  random?: Random;
  /** The URLs the envelope carries; default URLs under `endpoint`. */
  subscribeUrl?: string;
  unsubscribeUrl?: string;
  signingCertUrl?: string;
  /**
   * The key that signs it (RSA, SHA-256 unless the certificate names another hash).
   * Without one the signature is random bytes of a real signature's length, which no
   * certificate verifies.
   */
  signer?: { privateKey: KeyObject | string; hash?: 'sha1' | 'sha256' | 'sha384' | 'sha512' };
}

export const DEFAULT_SMN_ENDPOINT = 'https://smn.mock.invalid';
// One generator for every call without options.random: ids then come from one long
// stream rather than from many 32-bit seeds, whose ids could collide.
let shared: Random | undefined;
const unseeded = (): Random => (shared ??= createRandom());
const NOTIFICATION = 'Notification';
// The size of an RSA-2048 signature, for an unsigned envelope whose field should look real.
const SIGNATURE_BYTES = 256;

/**
 * The notification that delivers `event` (an object, sent as its JSON text, or a string
 * sent as it is) from the topic `topicUrn`, signed with `options.signer`. Throws a
 * TypeError naming the field when the envelope does not obey `SmnNotification` (a
 * malformed topic URN, message id or type).
 */
export function smnNotification(topicUrn: string, event: object | string, options: SmnNotificationOptions = {}): SmnNotification {
  const random = options.random ?? unseeded();
  const type = options.type ?? 'Notification';
  const messageId = options.messageId ?? random.hex(32);
  const endpoint = (options.endpoint ?? DEFAULT_SMN_ENDPOINT).replace(/\/+$/, '');
  const subscriptionUrn = options.subscriptionUrn ?? `${topicUrn}:${random.hex(32)}`;
  const eventType = typeof event === 'object' ? (event as { event_type?: unknown }).event_type : undefined;
  const signature = options.signer ? '' : Buffer.from(Array.from({ length: SIGNATURE_BYTES }, () => random.int(0, 255))).toString('base64');
  // Only a Notification has a subject; without one the field is left out, never sent
  // empty, because the vendor's documents disagree on how an empty subject is signed.
  const subject = options.subject ?? (type === NOTIFICATION && typeof eventType === 'string' ? eventType : undefined);
  const unsigned: SmnNotificationBody = {
    type,
    signature,
    signature_version: 'v1',
    topic_urn: topicUrn,
    message_id: messageId,
    message: typeof event === 'string' ? event : JSON.stringify(event),
    ...(subject === undefined ? {} : { subject }),
    // A Notification offers to unsubscribe; both confirmations carry subscribe_url
    // (an UnsubscribeConfirmation, to subscribe again).
    ...(type === NOTIFICATION
      ? { unsubscribe_url: options.unsubscribeUrl ?? `${endpoint}/smn/subscription/unsubscribe?subscription_urn=${encodeURIComponent(subscriptionUrn)}` }
      : { subscribe_url: options.subscribeUrl ?? `${endpoint}/smn/subscription/confirm?topic_urn=${encodeURIComponent(topicUrn)}&token=${random.hex(64)}` }),
    signing_cert_url: options.signingCertUrl ?? `${endpoint}/smn/smn_cert.pem`,
    timestamp: isoSeconds(options.timestamp ?? Date.now()),
  };
  const body = options.signer ? signSmnNotification(unsigned, options.signer.privateKey, { hash: options.signer.hash }) : unsigned;
  const problem = validateSmnNotification(body).problems[0];
  if (problem) throw new TypeError(`smnNotification: ${problem.pointer || 'the envelope'} must be ${problem.expected}, got ${problem.received}`);
  return {
    headers: {
      'content-type': 'application/json; charset=UTF-8',
      'X-SMN-MESSAGE-TYPE': type,
      'X-SMN-MESSAGE-ID': messageId,
      'X-SMN-TOPIC-URN': topicUrn,
      'X-SMN-SUBSCRIPTION-URN': subscriptionUrn,
    },
    body,
  };
}

/** `smnNotification` signed on the thread pool (see signSmnNotificationAsync): for a sender of many at once. */
export async function signedSmnNotification(topicUrn: string, event: object | string, options: SmnNotificationOptions & Required<Pick<SmnNotificationOptions, 'signer'>>): Promise<SmnNotification> {
  const { signer, ...rest } = options;
  const unsigned = smnNotification(topicUrn, event, rest);
  return { headers: unsigned.headers, body: await signSmnNotificationAsync(unsigned.body, signer.privateKey, { hash: signer.hash }) };
}

/**
 * POSTs `notification` to `url` and resolves with the answer's status (whatever it is)
 * and the time it took. Rejects with a `DeliveryError` (from src/net/deliver.ts) when
 * there is no answer within `timeoutMs` (the whole exchange, body included) or a capped
 * body: `kind` is `unreachable` (no connection) or `no-answer`.
 */
export function deliverSmnNotification(url: string | URL, notification: SmnNotification, options: DeliverOptions = {}): Promise<DeliveryAnswer> {
  return deliver({ method: 'POST', url: new URL(url), headers: notification.headers, body: JSON.stringify(notification.body) }, options);
}

export { DeliveryError } from '../net/deliver.js';
export type { DeliveryAnswer } from '../net/deliver.js';
