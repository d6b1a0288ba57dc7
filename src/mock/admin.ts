// The inspection endpoints beside the API, under /_mock/ (described by
// spec/mock-admin.openapi.yaml): read and reset the state, add subscriptions and
// topics, read the requests received, publish SMS callback events.
import { randomBytes } from 'node:crypto';
import { smnResponses } from '../contract/smn-responses.js';
import { JsonInputError, parseJson } from '../net/json.js';
import { refusedEndpoint } from './delivery-policy.js';
import type { RequestTarget } from './request.js';
import { StateLimitError, type EmulatorState, type Subscription } from './state.js';

export const ADMIN_PREFIX = '/_mock/';

export interface AdminReply {
  status: number;
  body?: unknown;
}

export interface AdminContext {
  state: EmulatorState;
  /** The project an admin request means when it names none. */
  defaultProject: string;
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

const ENDPOINTS = `GET ${ADMIN_PREFIX}state, POST ${ADMIN_PREFIX}reset, GET|DELETE ${ADMIN_PREFIX}requests, POST ${ADMIN_PREFIX}subscriptions, POST ${ADMIN_PREFIX}topics, POST ${ADMIN_PREFIX}sms/events`;

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
    case 'POST /subscriptions': {
      const parsed = parseObject(text);
      if (!parsed.value) return parsed.error!;
      const { project_id: _project, ...fields } = parsed.value;
      const topic = typeof fields.topic_urn === 'string' ? fields.topic_urn : '';
      // Defaults a subscriber would get: no remark, confirmed, owned by the topic's project.
      const subscription = {
        remark: '',
        status: 1,
        owner: topic.split(':')[3],
        subscription_urn: `${topic}:${randomBytes(16).toString('hex')}`,
        ...fields,
      } as Subscription;
      const problems = smnResponses().validateSchema('Subscription', subscription);
      if (problems.length > 0) return problem(400, 'not a valid subscription', problems);
      // Any host may be recorded (state can mirror a real account); where notifications
      // may go is decided when they are sent.
      const refused = refusedEndpoint(subscription.protocol, subscription.endpoint, 'any');
      if (refused) {
        return problem(400, refused, [{ rule: 'format', pointer: '/endpoint', expected: `an ${subscription.protocol} URL`, received: JSON.stringify(subscription.endpoint) }]);
      }
      return { status: 201, body: state.addSubscription(projectOf(target, parsed.value, context), subscription) };
    }
    case 'POST /topics': {
      const parsed = parseObject(text);
      if (!parsed.value) return parsed.error!;
      const topic = parsed.value.topic_urn;
      const problems = smnResponses().validateSchema('TopicUrn', topic);
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
