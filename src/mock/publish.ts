// POST /_mock/sms/events: what SMN does when an operator reports an SMS delivery or a
// recipient replies. The event goes to the topic bound to its event type, and from the
// topic to every http(s) subscriber, as an SMN notification.
//
// One subscriber's failure (unreachable, a timeout, an endpoint the policy refuses) is
// that delivery's record, never the publication's: the others are still delivered. A
// publication reaches at most MAX_DELIVERIES subscribers, a few at a time.
import { randomBytes } from 'node:crypto';
import { smnResponses } from '../contract/smn-responses.js';
import { generateSmsCallbackEvent, smsCallbackEventTypes, smsCallbackShape } from '../fire/sms-callback.js';
import { deliverSmnNotification, DeliveryError, smnNotification } from '../notify/envelope.js';
import type { AdminReply } from './admin.js';
import { refusedEndpoint, type DeliveryPolicy } from './delivery-policy.js';
import type { EmulatorState, Subscription } from './state.js';

const DELIVERY_TIMEOUT_MS = 5000;
const HTTP_PROTOCOLS = new Set(['http', 'https']);
/** SMN delivers to confirmed subscriptions (1) and to those that need no confirmation (2). */
const RECEIVING_STATUSES = new Set([1, 2]);
/** Subscribers one publication delivers to; the rest are reported as skipped. */
export const MAX_DELIVERIES = 100;
/** Deliveries in flight at once. */
const CONCURRENCY = 8;

export interface Delivery {
  subscription_urn: string;
  endpoint: string;
  status?: number;
  ms?: number;
  error?: string;
  skipped?: string;
}

/** Runs `work` on every item with at most `limit` running at once, results in order. */
async function mapLimited<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function publishSmsEvent(state: EmulatorState, projectId: string, fields: Record<string, unknown>, policy: DeliveryPolicy): Promise<AdminReply> {
  const eventType = fields.event_type;
  const types = smsCallbackEventTypes();
  if (typeof eventType !== 'string' || !types.includes(eventType)) {
    return {
      status: 400,
      body: {
        error: `event_type must be one of ${types.join(', ')}`,
        problems: [{ rule: 'enum', pointer: '/event_type', expected: `one of ${JSON.stringify(types)}`, received: JSON.stringify(eventType) ?? 'nothing' }],
      },
    };
  }
  const binding = state.bindings(projectId, eventType)[0];
  if (!binding) {
    return { status: 404, body: { error: `no topic is bound to ${eventType} in project ${projectId}; bind one with UpdateSmsEvent first` } };
  }
  // Realistic values for what the caller left out; what the caller gave must be valid.
  const event = { ...generateSmsCallbackEvent(eventType), ...fields };
  const problems = smnResponses().validateSchema(smsCallbackShape(eventType)!.schemaName, event);
  if (problems.length > 0) return { status: 400, body: { error: `not a valid ${eventType}`, problems } };

  const messageId = randomBytes(16).toString('hex');
  const subscribers = state.allSubscriptions(projectId).filter((s) => s.topic_urn === binding.topic_urn && HTTP_PROTOCOLS.has(s.protocol));
  const deliver = async (subscription: Subscription, index: number): Promise<Delivery> => {
    const target = { subscription_urn: subscription.subscription_urn, endpoint: subscription.endpoint };
    if (index >= MAX_DELIVERIES) return { ...target, skipped: `a publication reaches at most ${MAX_DELIVERIES} subscribers` };
    if (!RECEIVING_STATUSES.has(subscription.status)) return { ...target, skipped: `status ${subscription.status}: SMN delivers to confirmed subscriptions only` };
    const refused = refusedEndpoint(subscription.protocol, subscription.endpoint, policy);
    if (refused) return { ...target, skipped: refused };
    try {
      const notification = smnNotification(binding.topic_urn, event, { messageId, subscriptionUrn: subscription.subscription_urn });
      const answer = await deliverSmnNotification(subscription.endpoint, notification, { timeoutMs: DELIVERY_TIMEOUT_MS });
      return { ...target, status: answer.status, ms: answer.ms };
    } catch (error) {
      return { ...target, error: error instanceof DeliveryError ? error.message : `not delivered: ${(error as Error).message}` };
    }
  };
  const deliveries = await mapLimited(
    subscribers.map((subscription, index) => ({ subscription, index })),
    CONCURRENCY,
    ({ subscription, index }) => deliver(subscription, index),
  );
  return { status: 200, body: { topic_urn: binding.topic_urn, message_id: messageId, event, deliveries } };
}
