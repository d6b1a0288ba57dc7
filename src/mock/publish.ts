// POST /_mock/sms/events: what SMN does when an operator reports an SMS delivery or a
// recipient replies. The event goes to the topic bound to its event type, and from the
// topic to every http(s) subscriber, as a signed SMN notification (notifier.ts).
import { randomBytes } from 'node:crypto';
import { smnResponses } from '../contract/smn-responses.js';
import { generateSmsCallbackEvent, smsCallbackEventTypes, smsCallbackShape } from '../fire/sms-callback.js';
import type { AdminReply } from './admin.js';
import type { Notifier } from './notifier.js';
import type { EmulatorState } from './state.js';

export async function publishSmsEvent(state: EmulatorState, notifier: Notifier, projectId: string, fields: Record<string, unknown>): Promise<AdminReply> {
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
  const subscribers = state.allSubscriptions(projectId).filter((s) => s.topic_urn === binding.topic_urn);
  const deliveries = await notifier.publish(projectId, subscribers, JSON.stringify(event), { messageId, subject: eventType });
  return { status: 200, body: { topic_urn: binding.topic_urn, message_id: messageId, event, deliveries } };
}
