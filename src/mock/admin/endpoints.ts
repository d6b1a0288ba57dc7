// The inspection endpoints beside the API, under /_mock/ (described by
// spec/mock-admin.openapi.yaml): read and reset the state, add, confirm and remove
// subscriptions, add topics and message templates, read the requests received, the
// notifications sent and what phones and mailboxes received (the outbox), publish SMS
// callback events. The families' shortcuts are in files of their own (subscriptions.ts,
// topics.ts, templates.ts, sms-events.ts): this file routes to them and answers the rest.
import type { RequestTarget } from '../engine/request.js';
import { StateLimitError } from '../emulator/state.js';
import { ADMIN_PREFIX, problem, type AdminContext, type AdminReply } from './request.js';
import { publishSmsEvent } from './sms-events.js';
import { addSubscriptionUser } from './subscription-users.js';
import { addSubscription, confirmSubscription, removeSubscription, SUBSCRIPTION_PATH } from './subscriptions.js';
import { addTemplate } from './templates.js';
import { addTopic } from './topics.js';

export { ADMIN_PREFIX, type AdminContext, type AdminReply };

/** A state limit reached: 403 with the SMN code a real service answers past its quota. */
const limitReached = (error: StateLimitError): AdminReply => ({ status: 403, body: { error: error.message, code: error.code } });

const ENDPOINTS = `GET ${ADMIN_PREFIX}state, POST ${ADMIN_PREFIX}reset, GET|DELETE ${ADMIN_PREFIX}requests, POST ${ADMIN_PREFIX}subscriptions, POST ${ADMIN_PREFIX}subscriptions/confirm, DELETE ${ADMIN_PREFIX}subscriptions/{subscription_urn}, POST ${ADMIN_PREFIX}subscription-users, POST ${ADMIN_PREFIX}topics, POST ${ADMIN_PREFIX}templates, GET|DELETE ${ADMIN_PREFIX}deliveries, GET|DELETE ${ADMIN_PREFIX}outbox, POST ${ADMIN_PREFIX}sms/events`;

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
  if (method === 'DELETE' && target.pathname.startsWith(SUBSCRIPTION_PATH) && target.pathname.length > SUBSCRIPTION_PATH.length) return removeSubscription(target, context);
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
    case 'POST /templates':
      return addTemplate(target, text, context);
    case 'POST /subscriptions/confirm':
      return confirmSubscription(target, text, context);
    case 'POST /subscriptions':
      return addSubscription(target, text, context);
    case 'POST /subscription-users':
      return addSubscriptionUser(target, text, context);
    case 'POST /topics':
      return addTopic(target, text, context);
    case 'POST /sms/events':
      return publishSmsEvent(target, text, context);
    default:
      return problem(404, `no inspection endpoint ${method} ${target.pathname}; see ${ENDPOINTS}`);
  }
}
