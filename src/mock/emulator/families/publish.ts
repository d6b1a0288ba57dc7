// Publishing to a topic. PublishMessage: the text each subscriber gets, from the body's
// `message_structure`, template or `message` (SMN's order). POST /_mock/sms/events: what
// SMN does when an operator reports an SMS delivery or a recipient replies; the event
// goes to the topic bound to its event type. Either way the notifier sends it to every
// confirmed subscriber of the topic: a signed SMN notification to an http(s) one, the
// outbox for the others (notifier.ts).
import { randomBytes } from 'node:crypto';
import type { SmnResponses } from '../../../contract/smn-responses.js';
import { generateSmsCallbackEvent, smsCallbackEventTypes, smsCallbackShape } from '../../../generate/sms-callback.js';
import type { AdminReply } from '../../admin/endpoints.js';
import { fieldSchema } from '../../../contract/body-fields.js';
import type { PublishMessageRequest } from '../../../generated/smn.js';
import { JsonInputError, parseJson } from '../../../net/json.js';
import type { Notifier, PublishedText } from '../../delivery/notifier.js';
import type { EmulatorState } from '../state.js';

export async function publishSmsEvent(state: EmulatorState, notifier: Notifier, responses: SmnResponses, projectId: string, fields: Record<string, unknown>): Promise<AdminReply> {
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
  const binding = state.bindings(projectId, eventType)[0];
  if (!binding) {
    return { status: 404, body: { error: `no topic is bound to ${eventType} in project ${projectId}; bind one with UpdateSmsEvent first` } };
  }
  // Realistic values for what the caller left out; what the caller gave must be valid.
  const event = { ...generateSmsCallbackEvent(eventType, { responses }), ...fields };
  const problems = responses.validateSchema(smsCallbackShape(eventType, responses)!.schemaName, event);
  if (problems.length > 0) return { status: 400, body: { error: `not a valid ${eventType}`, problems } };

  const messageId = randomBytes(16).toString('hex');
  const subscribers = state.allSubscriptions(projectId).filter((s) => s.topic_urn === binding.topic_urn);
  const deliveries = await notifier.publish(projectId, subscribers, JSON.stringify(event), { messageId, subject: eventType });
  return { status: 200, body: { topic_urn: binding.topic_urn, message_id: messageId, event, deliveries } };
}

const STRUCTURE = ['body', 'message_structure'];

/** A field of PublishMessage's body, as the contract describes it: its contentSchema, its codes. */
const field = (responses: SmnResponses, name: string): { contentSchema?: Record<string, unknown>; 'x-error': string; 'x-not-found'?: string } =>
  fieldSchema(responses.componentSchema('PublishMessageRequest'), name) as unknown as { 'x-error': string };

/** PublishMessage's body, every field optional: the generated union's first branch (each other branch requires one of them). */
export type PublishBody = Extract<PublishMessageRequest, { subject?: string }>;

/**
 * The text of a PublishMessage for each protocol, or the documented error (the codes are
 * the contract's): a `message_structure` that is not what its contentSchema says
 * (SMN.0021), a template without its `tags` (SMN.0038) or one the project does not have
 * (SMN.0027, x-not-found). The contract has already checked the fields' types and bounds.
 */
export function publishedText(state: EmulatorState, responses: SmnResponses, projectId: string, raw: unknown): { text: PublishedText } | { error: string; reason: string; where: string[] } {
  const body = raw as PublishBody;
  if (body.message_structure !== undefined) {
    let structure: unknown;
    try {
      structure = parseJson(body.message_structure);
    } catch (error) {
      if (error instanceof JsonInputError) return { error: field(responses, 'message_structure')['x-error'], reason: `message_structure is ${error.message}`, where: STRUCTURE };
      throw error;
    }
    // What a structure must be is the contract's (contentSchema of message_structure).
    const { contentSchema, 'x-error': invalid } = field(responses, 'message_structure');
    const problem = responses.validateWith('message_structure content', contentSchema!, structure)[0];
    if (problem) return { error: invalid, reason: `message_structure${problem.pointer}: expected ${problem.expected}, received ${problem.received}`, where: STRUCTURE };
    const texts = structure as Record<string, string>;
    return { text: (protocol) => (Object.hasOwn(texts, protocol) ? texts[protocol]! : texts.default!) };
  }
  if (body.message_template_name !== undefined) {
    const name = body.message_template_name;
    if (!body.tags || Object.keys(body.tags).length === 0) return { error: field(responses, 'tags')['x-error'], reason: 'tags are mandatory with message_template_name', where: ['body', 'tags'] };
    if (!state.hasTemplate(projectId, name)) {
      return { error: field(responses, 'message_template_name')['x-not-found']!, reason: `no message template ${name} in project ${projectId} (add one with POST /_mock/templates)`, where: ['body', 'message_template_name'] };
    }
    const tags = body.tags;
    const render = (content: string): string => content.replace(/\{([^{}]+)\}/g, (whole, key: string) => (Object.hasOwn(tags, key) ? tags[key]! : whole));
    // A protocol without a template of its own gets the default one; without that either, nothing to render from.
    return { text: (protocol) => render(state.findTemplate(projectId, name, protocol)?.content ?? '') };
  }
  return { text: body.message ?? '' };
}
