// The subscriptions' shortcuts: POST /_mock/subscriptions (add one, any host, any status),
// POST /_mock/subscriptions/confirm, DELETE /_mock/subscriptions/{subscription_urn}.
import { randomBytes } from 'node:crypto';
import type { Subscription } from '../../generated/smn.js';
import { refusedEndpoint } from '../delivery/policy.js';
import type { RequestTarget } from '../engine/request.js';
import { ADMIN_PREFIX, parseObject, problem, projectOf, type AdminContext, type AdminReply } from './request.js';

export const SUBSCRIPTION_PATH = `${ADMIN_PREFIX}subscriptions/`;
/** The kit's bound on one subscription added here: the API's fields at their longest fit in a few KiB. */
const MAX_SUBSCRIPTION_BYTES = 16 * 1024;

export async function removeSubscription(target: RequestTarget, context: AdminContext): Promise<AdminReply> {
  const urn = decodeURIComponentSafe(target.pathname.slice(SUBSCRIPTION_PATH.length));
  const projectId = projectOf(target, undefined, context);
  if (typeof projectId !== 'string') return projectId;
  const removed = urn === undefined ? undefined : context.state.families.subscriptions.remove(projectId, urn);
  if (!removed) return problem(404, `no subscription ${urn ?? '(unreadable)'} in project ${projectId}`);
  const confirmation = await context.notifier.unsubscribed(projectId, removed);
  return { status: 200, body: { subscription: removed, ...(confirmation ? { unsubscribe_confirmation: confirmation } : {}) } };
}

export function confirmSubscription(target: RequestTarget, text: string, context: AdminContext): AdminReply {
  const subscriptions = context.state.families.subscriptions;
  const parsed = parseObject(text);
  if (!parsed.value) return parsed.error!;
  const urn = parsed.value.subscription_urn;
  const projectId = projectOf(target, parsed.value, context);
  if (typeof projectId !== 'string') return projectId;
  if (typeof urn !== 'string' || !subscriptions.find(projectId, urn)) return problem(404, `no subscription ${JSON.stringify(urn) ?? 'nothing'} in project ${projectId}`);
  subscriptions.setStatus(projectId, urn, 1);
  return { status: 200, body: subscriptions.find(projectId, urn) };
}

export async function addSubscription(target: RequestTarget, text: string, context: AdminContext): Promise<AdminReply> {
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
  const projectId = projectOf(target, parsed.value, context);
  if (typeof projectId !== 'string') return projectId;
  // The bounds of the API: what a subscription is, what AddSubscription takes as an endpoint.
  const problems = [
    ...context.responses.validateSchema('Subscription', subscription),
    ...context.responses.validateSchema('SubscriptionEndpoint', subscription.endpoint).map((p) => ({ ...p, pointer: `/endpoint${p.pointer}` })),
  ];
  if (problems.length > 0) return problem(400, 'not a valid subscription', problems);
  const bytes = Buffer.byteLength(JSON.stringify(subscription));
  if (bytes > MAX_SUBSCRIPTION_BYTES) return problem(400, `a subscription holds at most ${MAX_SUBSCRIPTION_BYTES / 1024} KiB of JSON; this one ${Math.ceil(bytes / 1024)} KiB`);
  const subscriptions = context.state.families.subscriptions;
  if (subscriptions.find(projectId, subscription.subscription_urn)) {
    return problem(409, `project ${projectId} has a subscription ${subscription.subscription_urn} already; remove it first (DELETE ${SUBSCRIPTION_PATH}{subscription_urn})`);
  }
  // Any host may be recorded (state can mirror a real account); where notifications
  // may go is decided when they are sent.
  const refused = refusedEndpoint(subscription.protocol, subscription.endpoint, 'any');
  if (refused) {
    return problem(400, refused, [{ rule: 'format', pointer: '/endpoint', expected: `an ${subscription.protocol} URL`, received: JSON.stringify(subscription.endpoint) }]);
  }
  subscriptions.add(projectId, subscription);
  const confirmation = !statusGiven && subscription.status === 0 ? await context.notifier.confirmation(projectId, subscription) : undefined;
  return { status: 201, body: confirmation ? { ...subscription, confirmation } : subscription };
}

function decodeURIComponentSafe(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
