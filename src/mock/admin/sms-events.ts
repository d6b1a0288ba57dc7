// POST /_mock/sms/events: what SMN does when an operator reports an SMS delivery or a
// recipient replies. The event goes to the topic bound to its event type, and the
// notifier sends it to every confirmed subscriber of that topic, as a publication.
import { randomBytes } from 'node:crypto';
import { generateSmsCallbackEvent, smsCallbackEventTypes, smsCallbackShape } from '../../generate/sms-callback.js';
import { parseObject, projectOf, type AdminContext, type AdminReply } from './request.js';
import type { RequestTarget } from '../engine/request.js';

export async function publishSmsEvent(target: RequestTarget, text: string, context: AdminContext): Promise<AdminReply> {
  const parsed = parseObject(text);
  if (!parsed.value) return parsed.error!;
  const { project_id: _project, ...fields } = parsed.value;
  const projectId = projectOf(target, parsed.value, context);
  if (typeof projectId !== 'string') return projectId;
  const { state, notifier, responses } = context;
  const eventType = fields.event_type;
  const types = smsCallbackEventTypes(responses);
  if (typeof eventType !== 'string' || !types.includes(eventType)) {
    return {
      status: 400,
      body: {
        error: `event_type must be one of ${types.join(', ')}`,
        problems: [{ rule: 'enum', pointer: '/event_type', expected: `one of ${JSON.stringify(types)}`, received: JSON.stringify(eventType) ?? 'nothing' }],
      },
    };
  }
  const binding = state.families.smsCallbacks.bindings(projectId, eventType)[0];
  if (!binding) {
    return { status: 404, body: { error: `no topic is bound to ${eventType} in project ${projectId}; bind one with UpdateSmsEvent first` } };
  }
  // Realistic values for what the caller left out; what the caller gave must be valid.
  const event = { ...generateSmsCallbackEvent(eventType, { responses }), ...fields };
  const problems = responses.validateSchema(smsCallbackShape(eventType, responses)!.schemaName, event);
  if (problems.length > 0) return { status: 400, body: { error: `not a valid ${eventType}`, problems } };

  const messageId = randomBytes(16).toString('hex');
  const subscribers = state.families.subscriptions.all(projectId).filter((s) => s.topic_urn === binding.topic_urn);
  const deliveries = await notifier.publish(projectId, subscribers, JSON.stringify(event), { messageId, subject: eventType });
  return { status: 200, body: { topic_urn: binding.topic_urn, message_id: messageId, event, deliveries } };
}
