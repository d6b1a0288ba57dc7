// What the emulator sends to http(s) subscribers, as SMN sends it: signed notifications
// (src/notification/) with the links SMN puts in them. A SubscriptionConfirmation when a
// subscription is added (its subscribe_url confirms it), a Notification for each
// published message to confirmed subscriptions (its unsubscribe_url ends the
// subscription), an UnsubscribeConfirmation when one is removed (its subscribe_url
// takes it back). The links are capabilities: an HMAC of what they do, keyed with the
// identity's secret, so nothing about them needs storing.
//
// Each message goes to its subscriber as SMN delivers (attempts.ts: the first attempt
// now, retries after a 5xx or no answer in the background, an endpoint that keeps
// failing left out, a Notification dropped once its time_to_live ends), with the
// subscription's custom headers once it is confirmed (headers.ts); every attempt, and
// its answer, is kept in a bounded log (log.ts, GET /_mock/deliveries).
// Subscribers of other protocols (sms, email, functions, robots) get nothing sent: what
// their phone, mailbox or endpoint would have received is kept in a bounded outbox
// instead (GET /_mock/outbox), confirmations with their link included, and so are the
// messages PublishAppMessage pushes to devices (mobile push). A probe (PublishHttpDetect)
// is one signed message, sent once where the delivery policy allows.
import { createHmac, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../../contract/constant-time.js';
import { deliverSmnNotification, DeliveryError, signedSmnNotification, type SmnNotification } from '../../notify/envelope.js';
import { Courier, RECEIVING_STATUSES, type MessageType } from './attempts.js';
import { allowedHeaders, customHeaders } from './headers.js';
import { DeliveryLog, type Delivery, type LoggedDelivery } from './log.js';
import { refusedEndpoint, type DeliveryPolicy } from './policy.js';
import { ATTEMPT_TIMEOUT_MS, BLACKLIST_AFTER, DEFAULT_SCHEDULE, type DeliverySchedule } from './schedule.js';
import type { SigningIdentity } from './signing.js';
import type { Subscription } from '../../generated/smn.js';
import { projectKey } from '../emulator/projects.js';

export { RECEIVING_STATUSES, type Delivery };

const HTTP_PROTOCOLS = new Set(['http', 'https']);
/** How long SMN keeps a published message when PublishMessage gives no time_to_live (the contract's description), in seconds. */
export const DEFAULT_TIME_TO_LIVE_S = 3600;
/** Subscribers one publication delivers to; the rest are reported as skipped. */
export const MAX_DELIVERIES = 100;
/** Deliveries in flight at once. */
const CONCURRENCY = 8;
/** Messages the outbox keeps at most. */
const OUTBOX_SIZE = 1000;
/** Characters of message text the outbox keeps at most, its oldest entries dropped first (a message may be 256 KB). */
const OUTBOX_CHARACTERS = 8 * 1024 * 1024;
/** Removed subscriptions kept for the link back in their UnsubscribeConfirmation (while the mock runs). */
const REMEMBERED = 1000;

export type LinkAction = 'confirm' | 'unsubscribe' | 'resubscribe';

/** The id of the subscription a link's token names (the last part of its URN), or undefined for what is no token of the emulator's. */
export function tokenSubscriptionId(token: string): string | undefined {
  return /^[0-9a-fA-F]{32}[0-9a-f]{64}$/.test(token) ? token.slice(0, 32) : undefined;
}

/** What a phone, mailbox or other non-http(s) endpoint would have received. */
export interface OutboxMessage {
  time: string;
  project_id: string;
  /** SubscriptionConfirmation (with the link that confirms) or Notification. */
  type: 'SubscriptionConfirmation' | 'Notification';
  protocol: string;
  endpoint: string;
  subscription_urn: string;
  topic_urn: string;
  message_id: string;
  /** The subject, for an e-mail (Notification). */
  subject?: string;
  /** The sender's name of an e-mail: the topic's display name, when it has one. */
  sender?: string;
  message: string;
  subscribe_url?: string;
  unsubscribe_url?: string;
}

/** What PublishAppMessage handed a device's push platform (HMS, APNS): kept in the outbox beside what phones and mailboxes received. */
export interface AppOutboxMessage {
  time: string;
  project_id: string;
  type: 'AppNotification';
  platform: string;
  application_urn: string;
  endpoint_urn: string;
  /** The device's push token. */
  token: string;
  message_id: string;
  /** The payload for the platform. */
  message: string;
  /** Seconds SMN holds it before handing it to the platform. */
  time_to_live: number;
}

export type OutboxEntry = OutboxMessage | AppOutboxMessage;

/** What became of a probe (PublishHttpDetect). */
export type ProbeOutcome =
  /** Nothing sent, and why: the delivery policy does not allow the host, or the endpoint is left out after failing. */
  | { notSent: string }
  /** The endpoint's status and the start of its answer's body. */
  | { status: number; answer: string }
  /** No answer within SMN's 5 s, or no connection. */
  | { noAnswer: string };

/** The text of a probe: the vendor does not publish SMN's, so this one says what it is. */
const PROBE_TEXT = 'SMN HTTP detection: a probe of this endpoint for the topic; nothing to do.';
/** Characters of a probe's answer kept. */
const PROBE_ANSWER_CHARACTERS = 2048;

/** A published message: one text for every protocol, or the text for a subscriber's protocol. */
export type PublishedText = string | ((protocol: string) => string);

export interface NotifierOptions {
  /** The signing identity, made on first use. */
  identity: () => SigningIdentity;
  /** The base URL the links and the certificate URL start with (known once the mock listens). */
  baseUrl: () => string;
  policy: DeliveryPolicy;
  /** The retries' delays and how long a failing endpoint is left out (default DEFAULT_SCHEDULE). */
  schedule?: DeliverySchedule;
  /** The subscription as it is now (undefined: removed): a retry goes only where the message is still wanted. */
  subscription?: (projectId: string, subscriptionUrn: string) => Subscription | undefined;
  /** Ends the deliveries in flight and the waiting retries at once (the mock closing). */
  signal?: AbortSignal;
}

/** Runs `work` on every item with at most `limit` running at once, results in order. */
export async function mapLimited<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export class Notifier {
  private readonly log = new DeliveryLog();
  private readonly courier: Courier;
  private readonly sent: OutboxEntry[] = [];
  private sentCharacters = 0;
  private readonly removed = new Map<string, Subscription>();

  constructor(private readonly options: NotifierOptions) {
    this.courier = new Courier({ schedule: options.schedule ?? DEFAULT_SCHEDULE, log: this.log, subscription: options.subscription, signal: options.signal });
  }

  /** Path of the signing certificate on the mock's own base URL. */
  certificatePath(): string {
    return `/smn/${this.options.identity().certificateName}`;
  }

  /** The signing certificate (PEM) and its file name, `SMN_<region>_<32 hex>.pem`, as `signing_cert_url` ends. */
  certificate(): { name: string; pem: string } {
    const identity = this.options.identity();
    return { name: identity.certificateName, pem: identity.certificatePem };
  }

  /** The mock's own base URL, which its links start with. */
  baseUrl(): string {
    return this.options.baseUrl();
  }

  /**
   * A link's token: the subscription's own id (the last part of its URN) and an HMAC of
   * what the link does to it. The id comes first so that ConfirmSubscription, which is
   * given the token alone (no project, no URN), finds the subscription it names; the HMAC
   * makes it unforgeable. The project is keyed as the emulator keys it (projectKey).
   */
  private token(action: LinkAction, projectId: string, subscriptionUrn: string): string {
    const id = subscriptionUrn.slice(subscriptionUrn.lastIndexOf(':') + 1);
    return `${id}${createHmac('sha256', this.options.identity().linkSecret).update(`${action}\n${projectKey(projectId)}\n${subscriptionUrn}`).digest('hex')}`;
  }

  /** Whether the emulator delivers to this endpoint (the policy allows its host; always for a protocol that is not http(s)). */
  delivers(protocol: string, endpoint: string): boolean {
    return refusedEndpoint(protocol, endpoint, this.options.policy) === undefined;
  }

  /** Whether `token` is the one a link for this action on this subscription carries. */
  checkToken(action: LinkAction, projectId: string, subscriptionUrn: string, token: string): boolean {
    return constantTimeEqual(token, this.token(action, projectId, subscriptionUrn));
  }

  link(action: LinkAction, projectId: string, subscriptionUrn: string): string {
    const path = action === 'unsubscribe' ? 'unsubscribe' : action === 'resubscribe' ? 'resubscribe' : 'confirm';
    const query = new URLSearchParams({ project_id: projectId, subscription_urn: subscriptionUrn, token: this.token(action, projectId, subscriptionUrn) });
    return `${this.options.baseUrl()}/smn/subscription/${path}?${query.toString()}`;
  }

  /** The removed subscription the link back would restore, left in place. */
  removedOne(projectId: string, subscriptionUrn: string): Subscription | undefined {
    return this.removed.get(`${projectId} ${subscriptionUrn}`);
  }

  /** A removed subscription the link back may restore, forgotten once taken. */
  takeRemoved(projectId: string, subscriptionUrn: string): Subscription | undefined {
    const key = `${projectId} ${subscriptionUrn}`;
    const subscription = this.removed.get(key);
    this.removed.delete(key);
    return subscription;
  }

  /** The attempts made, oldest first (at most the last 1,000). */
  deliveries(): LoggedDelivery[] {
    return this.log.list();
  }

  clear(): void {
    this.log.clear();
  }

  /** Retries waiting for their time. */
  retriesWaiting(): number {
    return this.courier.waiting;
  }

  /** What phones, mailboxes and other non-http(s) endpoints received, oldest first (the last 1,000, at most 8 M characters of text). */
  outbox(): OutboxEntry[] {
    return [...this.sent];
  }

  clearOutbox(): void {
    this.sent.length = 0;
    this.sentCharacters = 0;
  }

  private keep(projectId: string, subscription: Subscription, message: Omit<OutboxMessage, 'time' | 'project_id' | 'protocol' | 'endpoint' | 'subscription_urn' | 'topic_urn'>): void {
    const { protocol, endpoint, subscription_urn, topic_urn } = subscription;
    this.append({ time: new Date().toISOString(), project_id: projectId, protocol, endpoint, subscription_urn, topic_urn, ...message });
  }

  /** A message PublishAppMessage pushed to a device, kept in the outbox with the others. */
  pushed(projectId: string, message: Omit<AppOutboxMessage, 'time' | 'project_id' | 'type'>): void {
    this.append({ time: new Date().toISOString(), project_id: projectId, type: 'AppNotification', ...message });
  }

  private append(entry: OutboxEntry): void {
    this.sent.push(entry);
    this.sentCharacters += entry.message.length;
    while (this.sent.length > OUTBOX_SIZE || (this.sentCharacters > OUTBOX_CHARACTERS && this.sent.length > 1)) {
      this.sentCharacters -= this.sent.shift()!.message.length;
    }
  }

  /**
   * A probe of an http(s) endpoint (PublishHttpDetect): one signed Notification from the
   * topic with the probe's custom headers, a single attempt of SMN's 5 s, never retried
   * and not counted against the endpoint. Nothing is sent where the delivery policy does
   * not allow the host, nor to an endpoint left out after failing. `probeId` stands for
   * the subscription in the message (there is none). Never throws for the endpoint's sake.
   */
  async probe(projectId: string, topicUrn: string, probeId: string, target: { protocol: string; endpoint: string; header?: Record<string, string> }): Promise<ProbeOutcome> {
    const refused = refusedEndpoint(target.protocol, target.endpoint, this.options.policy);
    if (refused) return { notSent: refused };
    const until = this.courier.leftOutUntil(target.endpoint);
    if (until !== undefined) return { notSent: `the endpoint is left out until ${new Date(until).toISOString()}, after ${BLACKLIST_AFTER} failed attempts in a row` };
    const subscriptionUrn = `${topicUrn}:${probeId}`;
    const signed = await signedSmnNotification(topicUrn, PROBE_TEXT, {
      type: 'Notification',
      subscriptionUrn,
      signingCertUrl: `${this.options.baseUrl()}${this.certificatePath()}`,
      unsubscribeUrl: this.link('unsubscribe', projectId, subscriptionUrn),
      signer: { privateKey: this.options.identity().privateKey },
    });
    // The custom headers never share a name with SMN's (headers.ts), which come last all the same.
    const notification: SmnNotification = { headers: { ...allowedHeaders(target.header), ...signed.headers }, body: signed.body };
    try {
      const answer = await deliverSmnNotification(target.endpoint, notification, { timeoutMs: ATTEMPT_TIMEOUT_MS, signal: this.options.signal, keepAnswer: true });
      return { status: answer.status, answer: (answer.body ?? Buffer.alloc(0)).toString('utf8').slice(0, PROBE_ANSWER_CHARACTERS) };
    } catch (error) {
      if (error instanceof DeliveryError) return { noAnswer: error.message };
      throw error;
    }
  }

  private record(projectId: string, delivery: Delivery): Delivery {
    return this.log.record(projectId, delivery);
  }

  /**
   * Sends one signed message of `type` to an http(s) subscriber: its first attempt,
   * awaited, and its retries after (attempts.ts); never throws. With `signed`, the
   * Notifications of one publication share one signature per text: what SMN signs (the
   * type's x-signed-fields) is the same for every subscriber, only the unsigned
   * unsubscribe_url, X-SMN-SUBSCRIPTION-URN and custom headers differ, so one RSA
   * signature serves them all. Signing runs on the thread pool (signedSmnNotification),
   * and the map holds the signing in flight, so subscribers served at once still share it.
   */
  private async send(
    projectId: string,
    subscription: Subscription,
    type: MessageType,
    message: string,
    fields: { messageId?: string; subject?: string; timestamp?: number; expiresAt?: number },
    signed?: Map<string, Promise<SmnNotification>>,
  ): Promise<Delivery> {
    const target = { subscription_urn: subscription.subscription_urn, endpoint: subscription.endpoint, type };
    const refused = refusedEndpoint(subscription.protocol, subscription.endpoint, this.options.policy);
    if (refused) return this.record(projectId, { ...target, skipped: refused, outcome: 'skipped' });
    try {
      const links =
        type === 'Notification'
          ? { unsubscribeUrl: this.link('unsubscribe', projectId, subscription.subscription_urn) }
          : { subscribeUrl: this.link(type === 'SubscriptionConfirmation' ? 'confirm' : 'resubscribe', projectId, subscription.subscription_urn) };
      let signing = signed?.get(message);
      if (!signing) {
        signing = signedSmnNotification(subscription.topic_urn, message, {
          type,
          messageId: fields.messageId,
          subject: fields.subject,
          timestamp: fields.timestamp,
          subscriptionUrn: subscription.subscription_urn,
          signingCertUrl: `${this.options.baseUrl()}${this.certificatePath()}`,
          ...links,
          signer: { privateKey: this.options.identity().privateKey },
        });
        signed?.set(message, signing);
      }
      const base = await signing;
      // This subscriber's own unsigned parts: its URN header, its custom headers once it
      // is confirmed (never with the confirmation itself) and, on a Notification, its
      // unsubscribe link. Custom headers never share a name with SMN's (headers.ts).
      const custom = type !== 'SubscriptionConfirmation' && RECEIVING_STATUSES.has(subscription.status) ? customHeaders(subscription) : {};
      const notification: SmnNotification = {
        headers: { ...custom, ...base.headers, 'X-SMN-SUBSCRIPTION-URN': subscription.subscription_urn },
        body: links.unsubscribeUrl === undefined ? base.body : { ...base.body, unsubscribe_url: links.unsubscribeUrl },
      };
      return await this.courier.deliver({ projectId, subscription, type, notification, customHeaders: Object.keys(custom), expiresAt: fields.expiresAt });
    } catch (error) {
      return this.record(projectId, { ...target, error: `not sent: ${(error as Error).message}`, outcome: 'not_sent' });
    }
  }

  /**
   * The SubscriptionConfirmation of a new http(s) subscription; for other protocols the
   * confirmation their endpoint would receive goes to the outbox, and undefined is returned.
   */
  async confirmation(projectId: string, subscription: Subscription): Promise<Delivery | undefined> {
    const message = `You are invited to subscribe to topic ${subscription.topic_urn}. To confirm the subscription, visit the subscribe_url included in this message.`;
    if (!HTTP_PROTOCOLS.has(subscription.protocol)) {
      const subscribeUrl = this.link('confirm', projectId, subscription.subscription_urn);
      this.keep(projectId, subscription, { type: 'SubscriptionConfirmation', message_id: randomBytes(16).toString('hex'), message: `${message} ${subscribeUrl}`, subscribe_url: subscribeUrl });
      return undefined;
    }
    return this.send(projectId, subscription, 'SubscriptionConfirmation', message, {});
  }

  /**
   * The UnsubscribeConfirmation of a removed http(s) subscription (undefined for other
   * protocols); the subscription is remembered for the link back it carries.
   */
  async unsubscribed(projectId: string, subscription: Subscription): Promise<Delivery | undefined> {
    this.removed.set(`${projectId} ${subscription.subscription_urn}`, subscription);
    if (this.removed.size > REMEMBERED) this.removed.delete(this.removed.keys().next().value as string);
    if (!HTTP_PROTOCOLS.has(subscription.protocol)) return undefined;
    const message = `You have unsubscribed from topic ${subscription.topic_urn}. To subscribe again, visit the subscribe_url included in this message.`;
    return this.send(projectId, subscription, 'UnsubscribeConfirmation', message, {});
  }

  /**
   * Records, for each http(s) subscriber a publication's message_attributes leave out,
   * that the message was not sent to it, and why (its filter policies, a PROTOCOL
   * attribute); at most MAX_DELIVERIES of them, as for the deliveries.
   */
  leftOut(projectId: string, subscribers: readonly { subscription: Subscription; why: string }[], messageId: string): void {
    for (const { subscription, why } of subscribers.filter(({ subscription }) => HTTP_PROTOCOLS.has(subscription.protocol)).slice(0, MAX_DELIVERIES)) {
      this.record(projectId, { subscription_urn: subscription.subscription_urn, endpoint: subscription.endpoint, type: 'Notification', message_id: messageId, skipped: `left out by the publication's message_attributes: ${why}`, outcome: 'skipped' });
    }
  }

  /**
   * A Notification of `text` to every http(s) subscriber in `subscribers`: sent to the
   * confirmed ones (status 1 or 2), at most MAX_DELIVERIES of them, a few at a time; the
   * others are reported as skipped. Confirmed subscribers of other protocols get it in
   * the outbox. Resolves once each has had its first attempt; an http(s) subscriber is
   * tried again until its time_to_live (seconds, default DEFAULT_TIME_TO_LIVE_S) ends.
   */
  async publish(
    projectId: string,
    subscribers: readonly Subscription[],
    text: PublishedText,
    fields: { messageId: string; subject?: string; sender?: string; timeToLiveSeconds?: number },
  ): Promise<Delivery[]> {
    const textFor = typeof text === 'string' ? () => text : text;
    // Like the deliveries, at most MAX_DELIVERIES messages of one publication go to the outbox.
    const others = subscribers.filter((s) => !HTTP_PROTOCOLS.has(s.protocol) && RECEIVING_STATUSES.has(s.status)).slice(0, MAX_DELIVERIES);
    for (const subscription of others) {
      const email = subscription.protocol === 'email';
      this.keep(projectId, subscription, {
        type: 'Notification',
        message_id: fields.messageId,
        ...(email && fields.subject ? { subject: fields.subject } : {}),
        ...(email && fields.sender ? { sender: fields.sender } : {}),
        message: textFor(subscription.protocol),
        unsubscribe_url: this.link('unsubscribe', projectId, subscription.subscription_urn),
      });
    }
    const http = subscribers.filter((s) => HTTP_PROTOCOLS.has(s.protocol));
    // One time and one signature per text for the whole publication, as one message.
    const now = Date.now();
    const once = { ...fields, timestamp: now, expiresAt: now + (fields.timeToLiveSeconds ?? DEFAULT_TIME_TO_LIVE_S) * 1000 };
    const signed = new Map<string, Promise<SmnNotification>>();
    return mapLimited(http, CONCURRENCY, (subscription, index) => {
      const target = { subscription_urn: subscription.subscription_urn, endpoint: subscription.endpoint, type: 'Notification' };
      if (index >= MAX_DELIVERIES) return Promise.resolve(this.record(projectId, { ...target, skipped: `a publication reaches at most ${MAX_DELIVERIES} subscribers`, outcome: 'skipped' }));
      if (!RECEIVING_STATUSES.has(subscription.status)) {
        return Promise.resolve(this.record(projectId, { ...target, skipped: `status ${subscription.status}: SMN delivers to confirmed subscriptions only`, outcome: 'skipped' }));
      }
      return this.send(projectId, subscription, 'Notification', textFor(subscription.protocol), once, signed);
    });
  }
}
