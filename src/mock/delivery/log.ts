// What the emulator tried to send to http(s) subscribers, one record per attempt (or
// per message not sent at all), the last 1,000, oldest first: GET /_mock/deliveries
// (spec/mock-admin.openapi.yaml, schema Delivery). A message's records end with the one
// that carries its `outcome`.

/**
 * How a message's delivery to one subscriber ended. `delivered`: a 2xx answer;
 * `refused`: another answer below 500 (SMN retries only a 5xx or no answer);
 * `dropped_after_attempts`: the seventh attempt failed too; `dropped_by_ttl`: its
 * time_to_live passed before the next attempt; `dropped_queue_full`: the retry queue
 * dropped it, the oldest waiting; `dropped_subscription_changed`: the subscription was
 * removed (or, for a confirmation, confirmed) before the next attempt; `left_out`: the
 * endpoint was left out (blacklisted) when the attempt was due; `skipped`: never sent
 * (unconfirmed, a host the mock may not deliver to, past the fan-out limit); `not_sent`:
 * the message could not be made; `stopped`: the mock closed during the attempt.
 */
export type DeliveryOutcome =
  | 'delivered'
  | 'refused'
  | 'dropped_after_attempts'
  | 'dropped_by_ttl'
  | 'dropped_queue_full'
  | 'dropped_subscription_changed'
  | 'left_out'
  | 'skipped'
  | 'not_sent'
  | 'stopped';

/** One attempt (or a message not sent) to one subscriber, and what came of it. */
export interface Delivery {
  subscription_urn: string;
  endpoint: string;
  /** SubscriptionConfirmation, Notification or UnsubscribeConfirmation. */
  type?: string;
  message_id?: string;
  /** 1 to 7: which attempt of this message to this subscriber. */
  attempt?: number;
  /** The receiver's HTTP status. */
  status?: number;
  ms?: number;
  /** Why it was not delivered, when it was sent and failed. */
  error?: string;
  /** Why nothing was sent. */
  skipped?: string;
  /** When the next attempt is due (a 5xx or no answer, attempts and time left). */
  next_attempt_at?: string;
  /** How the message's delivery to this subscriber ended, on its last record. */
  outcome?: DeliveryOutcome;
  /** Why it ended so, when the attempt was made and a drop followed it. */
  reason?: string;
  /** The names of the subscription's custom headers (extension.header) sent with it; never their values. */
  custom_headers?: string[];
}

export type LoggedDelivery = Delivery & { time: string; project_id: string };

const LOG_SIZE = 1000;

export class DeliveryLog {
  private readonly log: LoggedDelivery[] = [];

  record(projectId: string, delivery: Delivery): Delivery {
    this.log.push({ time: new Date().toISOString(), project_id: projectId, ...delivery });
    if (this.log.length > LOG_SIZE) this.log.shift();
    return delivery;
  }

  /** The records, oldest first (at most the last 1,000). */
  list(): LoggedDelivery[] {
    return [...this.log];
  }

  clear(): void {
    this.log.length = 0;
  }
}
