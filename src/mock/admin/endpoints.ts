// The inspection endpoints beside the API, under /_mock/ (described by
// spec/mock-admin.openapi.yaml): read and reset the state, add, confirm and remove
// subscriptions, add topics and message templates, read the requests received, the
// notifications sent and what phones and mailboxes received (the outbox), publish SMS
// callback events.
import { randomBytes } from 'node:crypto';
import type { SmnResponses } from '../../contract/smn-responses.js';
import { JsonInputError, parseJson } from '../../net/json.js';
import { refusedEndpoint } from '../delivery/policy.js';
import type { Notifier } from '../delivery/notifier.js';
import type { RequestTarget } from '../engine/request.js';
import type { Subscription } from '../../generated/smn.js';
import { StateLimitError, type EmulatorState } from '../emulator/state.js';

export const ADMIN_PREFIX = '/_mock/';

export interface AdminReply {
  status: number;
  body?: unknown;
}

export interface AdminContext {
  state: EmulatorState;
  /** The contract's validators: what the mock serves is what its endpoints check against. */
  responses: SmnResponses;
  /** The project an admin request means when it names none. */
  defaultProject: string;
  notifier: Notifier;
  /** New subscriptions are confirmed at once, with no SubscriptionConfirmation (--auto-confirm). */
  autoConfirm: boolean;
  /** Publishes an SMS callback event (POST /_mock/sms/events). */
  publishSmsEvent: (projectId: string, event: Record<string, unknown>) => Promise<AdminReply>;
}

const problem = (status: number, error: string, problems?: unknown[]): AdminReply => ({ status, body: problems ? { error, problems } : { error } });

/** A state limit reached: 403 with the SMN code a real service answers past its quota. */
const limitReached = (error: StateLimitError): AdminReply => ({ status: 403, body: { error: error.message, code: error.code } });

function parseObject(text: string): { value?: Record<string, unknown>; error?: AdminReply } {
  if (text.trim() === '') return { error: problem(400, 'the body must be a JSON object') };
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (error) {
    if (error instanceof JsonInputError) return { error: problem(400, `the body is ${error.message}`) };
    throw error;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: problem(400, 'the body must be a JSON object') };
  return { value: value as Record<string, unknown> };
}

function projectOf(target: RequestTarget, body: Record<string, unknown> | undefined, context: AdminContext): string {
  const given = body?.project_id ?? target.query.get('project_id');
  return typeof given === 'string' && given !== '' ? given : context.defaultProject;
}

const ENDPOINTS = `GET ${ADMIN_PREFIX}state, POST ${ADMIN_PREFIX}reset, GET|DELETE ${ADMIN_PREFIX}requests, POST ${ADMIN_PREFIX}subscriptions, POST ${ADMIN_PREFIX}subscriptions/confirm, DELETE ${ADMIN_PREFIX}subscriptions/{subscription_urn}, POST ${ADMIN_PREFIX}topics, POST ${ADMIN_PREFIX}templates, GET|DELETE ${ADMIN_PREFIX}deliveries, GET|DELETE ${ADMIN_PREFIX}outbox, POST ${ADMIN_PREFIX}sms/events`;
const SUBSCRIPTION_PATH = `${ADMIN_PREFIX}subscriptions/`;
/** What CreateMessageTemplate documents: the protocols a template is for, and 256 KB of content (counted in characters). */
const TEMPLATE_PROTOCOLS = ['default', 'email', 'sms', 'http', 'https'];
const TEMPLATE_MAX = 256 * 1024;

export async function handleAdmin(method: string, target: RequestTarget, text: string, context: AdminContext): Promise<AdminReply> {
  try {
    return await route(method, target, text, context);
  } catch (error) {
    if (error instanceof StateLimitError) return limitReached(error);
    throw error;
  }
}

async function route(method: string, target: RequestTarget, text: string, context: AdminContext): Promise<AdminReply> {
  const { state } = context;
  if (method === 'DELETE' && target.pathname.startsWith(SUBSCRIPTION_PATH) && target.pathname.length > SUBSCRIPTION_PATH.length) {
    const urn = decodeURIComponentSafe(target.pathname.slice(SUBSCRIPTION_PATH.length));
    const projectId = projectOf(target, undefined, context);
    const removed = urn === undefined ? undefined : state.removeSubscription(projectId, urn);
    if (!removed) return problem(404, `no subscription ${urn ?? '(unreadable)'} in project ${projectId}`);
    const confirmation = await context.notifier.unsubscribed(projectId, removed);
    return { status: 200, body: { subscription: removed, ...(confirmation ? { unsubscribe_confirmation: confirmation } : {}) } };
  }
  switch (`${method} ${target.pathname.slice(ADMIN_PREFIX.length - 1)}`) {
    case 'GET /state':
      return { status: 200, body: state.snapshot() };
    case 'POST /reset':
      state.reset();
      return { status: 204 };
    case 'GET /requests':
      return { status: 200, body: { requests: state.requests() } };
    case 'DELETE /requests':
      state.clearRequests();
      return { status: 204 };
    case 'GET /deliveries':
      return { status: 200, body: { deliveries: context.notifier.deliveries() } };
    case 'DELETE /deliveries':
      context.notifier.clear();
      return { status: 204 };
    case 'GET /outbox':
      return { status: 200, body: { messages: context.notifier.outbox() } };
    case 'DELETE /outbox':
      context.notifier.clearOutbox();
      return { status: 204 };
    case 'POST /templates': {
      const parsed = parseObject(text);
      if (!parsed.value) return parsed.error!;
      const { message_template_name: name, protocol = 'default', content } = parsed.value;
      const problems = [
        ...context.responses.validateSchema('MessageTemplateName', name).map((p) => ({ ...p, pointer: `/message_template_name${p.pointer}` })),
        ...(typeof protocol === 'string' && TEMPLATE_PROTOCOLS.includes(protocol) ? [] : [{ rule: 'enum', pointer: '/protocol', expected: `one of ${JSON.stringify(TEMPLATE_PROTOCOLS)}`, received: JSON.stringify(protocol) }]),
        ...(typeof content === 'string' && content !== '' && content.length <= TEMPLATE_MAX ? [] : [{ rule: 'type', pointer: '/content', expected: `a text of 1 to ${TEMPLATE_MAX} characters`, received: JSON.stringify(content)?.slice(0, 80) ?? 'nothing' }]),
      ];
      if (problems.length > 0) return problem(400, 'not a valid message template', problems);
      const template = { message_template_name: String(name), protocol: String(protocol), content: String(content) };
      state.addTemplate(projectOf(target, parsed.value, context), template);
      return { status: 201, body: template };
    }
    case 'POST /subscriptions/confirm': {
      const parsed = parseObject(text);
      if (!parsed.value) return parsed.error!;
      const urn = parsed.value.subscription_urn;
      const projectId = projectOf(target, parsed.value, context);
      if (typeof urn !== 'string' || !state.findSubscription(projectId, urn)) return problem(404, `no subscription ${JSON.stringify(urn) ?? 'nothing'} in project ${projectId}`);
      state.setSubscriptionStatus(projectId, urn, 1);
      return { status: 200, body: state.findSubscription(projectId, urn) };
    }
    case 'POST /subscriptions': {
      const parsed = parseObject(text);
      if (!parsed.value) return parsed.error!;
      const { project_id: _project, ...fields } = parsed.value;
      const topic = typeof fields.topic_urn === 'string' ? fields.topic_urn : '';
      // Defaults a subscriber would get: no remark, owned by the topic's project, and
      // unconfirmed until the endpoint confirms (an http(s) one gets a
      // SubscriptionConfirmation) unless the mock confirms at once. A status given is kept
      // as it is, and sends nothing: that is how to seed a confirmed subscription.
      const statusGiven = fields.status !== undefined;
      const subscription = {
        remark: '',
        status: context.autoConfirm ? 1 : 0,
        owner: topic.split(':')[3],
        subscription_urn: `${topic}:${randomBytes(16).toString('hex')}`,
        ...fields,
      } as Subscription;
      const problems = context.responses.validateSchema('Subscription', subscription);
      if (problems.length > 0) return problem(400, 'not a valid subscription', problems);
      // Any host may be recorded (state can mirror a real account); where notifications
      // may go is decided when they are sent.
      const refused = refusedEndpoint(subscription.protocol, subscription.endpoint, 'any');
      if (refused) {
        return problem(400, refused, [{ rule: 'format', pointer: '/endpoint', expected: `an ${subscription.protocol} URL`, received: JSON.stringify(subscription.endpoint) }]);
      }
      const projectId = projectOf(target, parsed.value, context);
      state.addSubscription(projectId, subscription);
      const confirmation = !statusGiven && subscription.status === 0 ? await context.notifier.confirmation(projectId, subscription) : undefined;
      return { status: 201, body: confirmation ? { ...subscription, confirmation } : subscription };
    }
    case 'POST /topics': {
      const parsed = parseObject(text);
      if (!parsed.value) return parsed.error!;
      const topic = parsed.value.topic_urn;
      const problems = context.responses.validateSchema('TopicUrn', topic);
      if (problems.length > 0) return problem(400, 'topic_urn is not a valid topic URN', problems.map((p) => ({ ...p, pointer: `/topic_urn${p.pointer}` })));
      state.addTopic(String(topic));
      return { status: 201, body: { topic_urn: topic } };
    }
    case 'POST /sms/events': {
      const parsed = parseObject(text);
      if (!parsed.value) return parsed.error!;
      const { project_id: _project, ...event } = parsed.value;
      return context.publishSmsEvent(projectOf(target, parsed.value, context), event);
    }
    default:
      return problem(404, `no inspection endpoint ${method} ${target.pathname}; see ${ENDPOINTS}`);
  }
}

function decodeURIComponentSafe(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
