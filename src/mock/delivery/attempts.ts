// Delivering one signed message to one http(s) subscriber as SMN delivers it
// (schedule.ts): the first attempt while the request that caused it waits (PublishMessage
// answers once it is done, so a test finds the notification there), the retries in the
// background (retry-queue.ts), every attempt recorded (log.ts).
//
// A retry sends the very message of the first attempt: the same message_id, timestamp
// and signature. The vendor does not say what a redelivery carries; SMN queues the
// message and sends it again, and a receiver dedupes on message_id: a new timestamp
// would need a new signature, and would make a redelivery look like a new message to a
// receiver that also checks the age of a message.
import { deliverSmnNotification, DeliveryError, type SmnNotification } from '../../notify/envelope.js';
import type { Subscription } from '../../generated/smn.js';
import { Blacklist } from './blacklist.js';
import type { Delivery, DeliveryLog, DeliveryOutcome } from './log.js';
import { RetryQueue } from './retry-queue.js';
import { ATTEMPT_TIMEOUT_MS, BLACKLIST_AFTER, delayBefore, MAX_ATTEMPTS, type DeliverySchedule } from './schedule.js';

export type MessageType = 'SubscriptionConfirmation' | 'Notification' | 'UnsubscribeConfirmation';

/** SMN delivers to confirmed subscriptions (1) and to those that need no confirmation (2). */
export const RECEIVING_STATUSES = new Set([1, 2]);

/** Retries waiting at most, all subscribers together, and the characters of message text they hold. */
export const RETRY_QUEUE_LIMITS = { retries: 1000, characters: 16 * 1024 * 1024, concurrency: 8 };

/** One message to one subscriber, as every attempt sends it. */
export interface Message {
  projectId: string;
  /** The subscription as it was when the message was made. */
  subscription: Subscription;
  type: MessageType;
  notification: SmnNotification;
  /** The names of the custom headers it carries (for the records). */
  customHeaders: string[];
  /** Date.now() milliseconds after which it is not sent (a Notification: its publication and time_to_live). */
  expiresAt?: number;
}

export interface CourierOptions {
  schedule: DeliverySchedule;
  log: DeliveryLog;
  /** The subscription as it is now (undefined: removed): a retry goes only where the message is still wanted. */
  subscription?: (projectId: string, subscriptionUrn: string) => Subscription | undefined;
  /** Ends the attempts in flight and the waiting retries (the mock closing). */
  signal?: AbortSignal;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export class Courier {
  private readonly queue: RetryQueue;
  private readonly blacklist: Blacklist;

  constructor(private readonly options: CourierOptions) {
    this.queue = new RetryQueue(RETRY_QUEUE_LIMITS, options.signal);
    this.blacklist = new Blacklist(options.schedule.blacklistMs);
  }

  /** Retries waiting. */
  get waiting(): number {
    return this.queue.size;
  }

  /** Until when (Date.now() milliseconds) the endpoint is left out after failing, if it is. */
  leftOutUntil(endpoint: string): number | undefined {
    return this.blacklist.leftOutUntil(endpoint, Date.now());
  }

  /** The first attempt, recorded and returned; a retry queued when it failed. Never throws. */
  deliver(message: Message): Promise<Delivery> {
    return this.attempt(message, 1);
  }

  private record(message: Message, attempt: number, what: Omit<Delivery, 'subscription_urn' | 'endpoint'>): Delivery {
    const { subscription, type, notification, customHeaders, projectId } = message;
    return this.options.log.record(projectId, {
      subscription_urn: subscription.subscription_urn,
      endpoint: subscription.endpoint,
      type,
      message_id: notification.body.message_id,
      attempt,
      ...(customHeaders.length > 0 ? { custom_headers: customHeaders } : {}),
      ...what,
    });
  }

  private async attempt(message: Message, attempt: number): Promise<Delivery> {
    const now = Date.now();
    const gone = attempt > 1 ? this.noLongerWanted(message) : undefined;
    if (gone) return this.record(message, attempt, { skipped: gone, outcome: 'dropped_subscription_changed' });
    if (message.expiresAt !== undefined && now >= message.expiresAt) {
      return this.record(message, attempt, { skipped: `its time_to_live ended at ${iso(message.expiresAt)}`, outcome: 'dropped_by_ttl' });
    }
    const endpoint = message.subscription.endpoint;
    const until = this.blacklist.leftOutUntil(endpoint, now);
    if (until !== undefined) {
      return this.record(message, attempt, {
        skipped: `the endpoint is left out until ${iso(until)}, after ${BLACKLIST_AFTER} failed attempts in a row (SMN blacklists an endpoint that keeps failing for 5 to 10 minutes)`,
        outcome: 'left_out',
      });
    }
    let failure: { status: number; ms: number } | { error: string };
    try {
      const answer = await deliverSmnNotification(endpoint, message.notification, { timeoutMs: ATTEMPT_TIMEOUT_MS, signal: this.options.signal });
      const answered = { status: answer.status, ms: Math.round(answer.ms * 10) / 10 };
      if (answer.status < 500) {
        this.blacklist.answered(endpoint);
        return this.record(message, attempt, { ...answered, outcome: answer.status < 300 && answer.status >= 200 ? 'delivered' : 'refused' });
      }
      failure = answered;
    } catch (error) {
      if (this.options.signal?.aborted) return this.record(message, attempt, { error: 'stopped: the mock closed', outcome: 'stopped' });
      failure = { error: error instanceof DeliveryError ? error.message : `not delivered: ${(error as Error).message}` };
    }
    const failedAt = Date.now();
    this.blacklist.failed(endpoint, failedAt);
    if (attempt >= MAX_ATTEMPTS) {
      return this.record(message, attempt, { ...failure, outcome: 'dropped_after_attempts', reason: `SMN tries a message ${MAX_ATTEMPTS} times (a 5xx or no answer), then drops it` });
    }
    const due = failedAt + delayBefore(this.options.schedule, attempt + 1);
    if (message.expiresAt !== undefined && due >= message.expiresAt) {
      return this.record(message, attempt, { ...failure, outcome: 'dropped_by_ttl', reason: `no attempt ${attempt + 1}: it would be due at ${iso(due)}, after its time_to_live ends at ${iso(message.expiresAt)}` });
    }
    const recorded = this.record(message, attempt, { ...failure, next_attempt_at: iso(due) });
    this.queue.add({
      due,
      size: message.notification.body.message.length,
      run: async () => {
        await this.attempt(message, attempt + 1);
      },
      dropped: (reason) => void this.record(message, attempt + 1, { skipped: reason, outcome: 'dropped_queue_full' satisfies DeliveryOutcome }),
    });
    return recorded;
  }

  /** Why a retry of the message is no longer wanted, or undefined while it is. */
  private noLongerWanted(message: Message): string | undefined {
    const lookup = this.options.subscription;
    if (!lookup || message.type === 'UnsubscribeConfirmation') return undefined;
    const now = lookup(message.projectId, message.subscription.subscription_urn);
    if (!now) return 'the subscription was removed before this attempt';
    if (message.type === 'Notification' && !RECEIVING_STATUSES.has(now.status)) return `the subscription has status ${now.status}: SMN delivers to confirmed subscriptions only`;
    if (message.type === 'SubscriptionConfirmation' && now.status !== 0) return `the subscription has status ${now.status}: it needs no confirmation any more`;
    return undefined;
  }
}
