// The inspection endpoints beside the API, under /_mock/ (described by
// spec/mock-admin.openapi.yaml): read and reset the state, add subscriptions and
// topics, read the requests received, publish SMS callback events.
import { randomBytes } from 'node:crypto';
import type { EmulatorState, Subscription } from './state.js';
import { smnResponses } from '../contract/smn-responses.js';

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

function parseJson(text: string): { value?: Record<string, unknown>; error?: AdminReply } {
  if (text.trim() === '') return { error: problem(400, 'the body must be a JSON object') };
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: problem(400, 'the body must be a JSON object') };
    return { value: value as Record<string, unknown> };
  } catch (error) {
    return { error: problem(400, `the body is not JSON: ${(error as Error).message}`) };
  }
}

function projectOf(url: URL, body: Record<string, unknown> | undefined, context: AdminContext): string {
  const given = body?.project_id ?? url.searchParams.get('project_id');
  return typeof given === 'string' && given !== '' ? given : context.defaultProject;
}

export async function handleAdmin(method: string, url: URL, text: string, context: AdminContext): Promise<AdminReply> {
  const route = `${method} ${url.pathname.slice(ADMIN_PREFIX.length - 1)}`;
  const { state } = context;
  switch (route) {
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
      const parsed = parseJson(text);
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
      return { status: 201, body: state.addSubscription(projectOf(url, parsed.value, context), subscription) };
    }
    case 'POST /topics': {
      const parsed = parseJson(text);
      if (!parsed.value) return parsed.error!;
      const topic = parsed.value.topic_urn;
      const problems = smnResponses().validateSchema('TopicUrn', topic);
      if (problems.length > 0) return problem(400, 'topic_urn is not a valid topic URN', problems.map((p) => ({ ...p, pointer: `/topic_urn${p.pointer}` })));
      state.addTopic(String(topic));
      return { status: 201, body: { topic_urn: topic } };
    }
    case 'POST /sms/events': {
      const parsed = parseJson(text);
      if (!parsed.value) return parsed.error!;
      const { project_id: _project, ...event } = parsed.value;
      return context.publishSmsEvent(projectOf(url, parsed.value, context), event);
    }
    default:
      return problem(404, `no inspection endpoint ${method} ${url.pathname}; see GET ${ADMIN_PREFIX}state, POST ${ADMIN_PREFIX}reset, GET|DELETE ${ADMIN_PREFIX}requests, POST ${ADMIN_PREFIX}subscriptions, POST ${ADMIN_PREFIX}topics, POST ${ADMIN_PREFIX}sms/events`);
  }
}
