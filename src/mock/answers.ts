// The successful answers of the operations. Stateless, they are the example Prism chose,
// shaped by the query as a real SMN would shape its data (filter, page). Stateful, they
// are the emulator's state, shaped the same way; the operations that change it
// (UpdateSmsEvent, CreateTopic, DeleteTopic, AddSubscription, CancelSubscription) change
// it, and PublishMessage sends what it publishes (notifier.ts).
import { randomBytes } from 'node:crypto';
import { fieldError } from '../contract/body-fields.js';
import type { SmnContract } from '../contract/smn.js';
import type { SmnResponses } from '../contract/smn-responses.js';
import { subscriptionFilter } from '../contract/subscription-filters.js';
import { topicFilter } from '../contract/topic-filters.js';
import type { AddSubscriptionRequest, CreateTopicRequest, SmsCallback, SmsCallbackUpdate, Subscription } from '../generated/smn.js';
import { refusedEndpoint } from './delivery-policy.js';
import type { Notifier } from './notifier.js';
import type { HttpOperation } from './operations.js';
import { publishedText, type PublishBody } from './publish.js';
import { urnProjectId, type EmulatorState } from './state.js';

/** A successful answer (200 unless said), or the documented error (a named example of the spec) that replaces it. */
export type Answer = { status?: number; body: Record<string, unknown> } | { error: string; reason: string; where?: string[] };

function integerParameter(operation: HttpOperation, query: URLSearchParams, name: string): number {
  const given = query.get(name);
  if (given !== null && given !== '') return Number(given);
  const declared = operation.request?.query?.find((parameter) => parameter.name === name);
  return Number((declared?.schema as { default?: unknown } | undefined)?.default ?? 0);
}

/** Absent or empty: no filter, as Prism validated it. */
const eventTypeFilter = (query: URLSearchParams): string | undefined => query.get('event_type') || undefined;

/** A list filtered, then paged; the count counts the filtered items (kept as the example's when nothing was filtered out). */
function shapeList(operation: HttpOperation, query: URLSearchParams, record: Record<string, unknown>, list: string, count: string, filter: (item: never) => boolean): unknown {
  const items = record[list] as never[];
  const offset = integerParameter(operation, query, 'offset');
  const limit = integerParameter(operation, query, 'limit');
  const matching = items.filter(filter);
  return { ...record, [count]: matching.length === items.length ? record[count] : matching.length, [list]: matching.slice(offset, offset + limit) };
}

/**
 * The example answer shaped by the (already validated) query of the request. An
 * operation that creates (CreateTopic, AddSubscription) answers a request that names
 * no answer (no Prefer) with its 201 "created" example, as SMN answers a new resource;
 * Prism picks the lowest success status, 200 "already there".
 */
export function exampleAnswer(operation: HttpOperation, status: number, body: unknown, query: URLSearchParams, preferred = false): { status: number; body: unknown } {
  const created = operation.responses.find((response) => response.code === '201');
  if (status === 200 && !preferred && created) {
    const example = created.contents?.find((content) => content.mediaType === 'application/json')?.examples?.[0] as { value?: unknown } | undefined;
    if (example && 'value' in example) return { status: 201, body: example.value };
  }
  return { status, body: shapeExample(operation, body, query) };
}

function shapeExample(operation: HttpOperation, body: unknown, query: URLSearchParams): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const record = body as Record<string, unknown>;
  if (operation.iid === 'ListSmsEvent' && Array.isArray(record.callback)) {
    const eventType = eventTypeFilter(query);
    if (!eventType) return body;
    return { ...record, callback: (record.callback as SmsCallback[]).filter((item) => item.event_type === eventType) };
  }
  if ((operation.iid === 'ListSubscriptions' || operation.iid === 'ListSubscriptionsByTopic') && Array.isArray(record.subscriptions)) {
    return shapeList(operation, query, record, 'subscriptions', 'subscription_count', subscriptionFilter(query));
  }
  if (operation.iid === 'ListTopics' && Array.isArray(record.topics)) {
    return shapeList(operation, query, record, 'topics', 'topic_count', topicFilter(query));
  }
  return body;
}

export interface StateRequest {
  operation: HttpOperation;
  /** The contract's validators. */
  responses: SmnResponses;
  projectId: string;
  /** The path parameters, decoded (`topic_urn`, `subscription_urn`). */
  path: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** Refuse topics the emulator does not know (--strict-topics). */
  strictTopics: boolean;
  /** What sends confirmations and publications. */
  notifier: Notifier;
  /** New subscriptions are confirmed at once (--auto-confirm). */
  autoConfirm: boolean;
}

/** The documented answer for a path parameter that names nothing the project has (`x-not-found`). */
const notFound = (contract: SmnContract, parameter: string, reason: string): Answer => ({ error: contract.notFoundErrors.get(parameter)!, reason, where: ['path', parameter] });
const topicNotFound = (contract: SmnContract, projectId: string, topicUrn: string): Answer => notFound(contract, 'topic_urn', `no topic ${topicUrn} in project ${projectId}`);

/** The protocols whose endpoint confirms a subscription; others (functions, robots) have nobody to confirm, so start confirmed. */
const CONFIRMING = new Set(['http', 'https', 'email', 'sms', 'callnotify']);

/** The emulator's answer for a request the contract accepted (request_id is added later). */
export async function stateAnswer(state: EmulatorState, contract: SmnContract, request: StateRequest): Promise<Answer> {
  const { operation, projectId, query } = request;
  const paged = (): [number, number] => [integerParameter(operation, query, 'offset'), integerParameter(operation, query, 'limit')];
  switch (operation.iid) {
    case 'ListSmsEvent':
      return { body: { request_id: '', callback: state.bindings(projectId, eventTypeFilter(query)) } };
    case 'UpdateSmsEvent': {
      const items = (request.body as { callback: SmsCallbackUpdate[] }).callback;
      if (request.strictTopics) {
        const unknown = items.find((item) => item.topic_urn !== '' && !state.knowsTopic(projectId, item.topic_urn));
        const codes = unknown && contract.topicUrnErrors[unknown.event_type];
        if (unknown && codes) return { error: codes.not_found, reason: `no topic ${unknown.topic_urn} in project ${projectId} (--strict-topics)` };
      }
      state.updateBindings(projectId, items.map(({ event_type, topic_urn }) => ({ event_type, topic_urn })));
      return { body: { request_id: '' } };
    }
    case 'ListSubscriptions': {
      const { total, page } = state.subscriptions(projectId, ...paged(), subscriptionFilter(query));
      return { body: { request_id: '', subscription_count: total, subscriptions: page } };
    }
    case 'CreateTopic': {
      const fields = request.body as CreateTopicRequest;
      const { topic, created } = state.createTopic(projectId, fields);
      return { status: created ? 201 : 200, body: { request_id: '', topic_urn: topic.topic_urn } };
    }
    case 'ListTopics': {
      const { total, page } = state.topics(projectId, ...paged(), topicFilter(query));
      return { body: { request_id: '', topic_count: total, topics: page } };
    }
    case 'DeleteTopic': {
      const topicUrn = request.path.topic_urn!;
      if (!state.knowsTopic(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
      state.deleteTopic(projectId, topicUrn);
      return { body: { request_id: '' } };
    }
    case 'AddSubscription':
      return addSubscriptions(state, contract, request, request.body as AddSubscriptionRequest);
    case 'ListSubscriptionsByTopic': {
      const topicUrn = request.path.topic_urn!;
      if (!state.knowsTopic(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
      // Its one filter (Huawei Cloud's fuzzy_remark) means what it means for ListSubscriptions.
      const byRemark = subscriptionFilter(new URLSearchParams({ fuzzy_remark: query.get('fuzzy_remark') ?? '' }));
      const { total, page } = state.subscriptions(projectId, ...paged(), (s) => s.topic_urn === topicUrn && byRemark(s));
      return { body: { request_id: '', subscription_count: total, subscriptions: page } };
    }
    case 'CancelSubscription': {
      const urn = request.path.subscription_urn!;
      const removed = state.removeSubscription(projectId, urn);
      if (!removed) return notFound(contract, 'subscription_urn', `no subscription ${urn} in project ${projectId}`);
      await request.notifier.unsubscribed(projectId, removed);
      return { body: { request_id: '' } };
    }
    case 'PublishMessage': {
      const topicUrn = request.path.topic_urn!;
      if (!state.knowsTopic(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
      const body = request.body as PublishBody;
      const chosen = publishedText(state, request.responses, projectId, request.body);
      if ('error' in chosen) return chosen;
      const messageId = randomBytes(16).toString('hex');
      const subscribers = state.allSubscriptions(projectId).filter((s) => s.topic_urn === topicUrn);
      // SMN answers once the message is saved and delivers after; the emulator answers
      // once it has delivered, so that a test finds the notifications there, and so that
      // publishers wait for slow subscribers rather than pile deliveries up.
      await request.notifier.publish(projectId, subscribers, chosen.text, { messageId, subject: body.subject || undefined, sender: state.findTopic(projectId, topicUrn)?.display_name || undefined });
      return { body: { request_id: '', message_id: messageId } };
    }
    default:
      // An operation whose family the emulator does not keep yet answers as the stateless mock does.
      return statelessAnswer(operation, query);
  }
}

/**
 * A text answer of a response that is not JSON (the certificate downloads,
 * `application/x-pem-file`), to be sent as it is with its media type; undefined for JSON.
 */
export function rawContent(operation: HttpOperation, status: number, body: unknown): { contentType: string; text: string } | undefined {
  if (typeof body !== 'string') return undefined;
  const contents = operation.responses.find((response) => response.code === String(status))?.contents ?? [];
  const media = contents.find((content) => content.mediaType === 'application/json') ? undefined : contents[0]?.mediaType;
  return media ? { contentType: media, text: body } : undefined;
}

/** The operation's first success example, shaped by the query, as the stateless mock (and Prism) answers a request that names no example. */
function statelessAnswer(operation: HttpOperation, query: URLSearchParams): Answer {
  const success = operation.responses.filter((response) => /^2\d\d$/.test(response.code)).sort((a, b) => a.code.localeCompare(b.code))[0];
  const contents = success?.contents ?? [];
  const example = (contents.find((content) => content.mediaType === 'application/json') ?? contents[0])?.examples?.[0] as { value?: unknown } | undefined;
  const status = Number(success?.code ?? 200);
  const { body } = exampleAnswer(operation, status, example?.value, query);
  return { status, body: (body ?? undefined) as Record<string, unknown> };
}

/**
 * AddSubscription: the subscription (and, with Open Telekom Cloud's `subscriptions`, the
 * others) added unconfirmed, a confirmation sent to each; one the topic has already
 * (same protocol and endpoint) is answered with 200 and its URN, as SMN's idempotent
 * operation does.
 */
async function addSubscriptions(state: EmulatorState, contract: SmnContract, request: StateRequest, body: AddSubscriptionRequest): Promise<Answer> {
  const { projectId } = request;
  const topicUrn = request.path.topic_urn!;
  if (!state.knowsTopic(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
  const all = [body, ...(body.subscriptions ?? [])];
  for (const one of all) {
    // Any host may be subscribed (a real account's may be anywhere); where notifications may go is decided when they are sent.
    const refused = refusedEndpoint(one.protocol, one.endpoint, 'any');
    if (refused) return { error: fieldError(request.responses.componentSchema('SubscriptionToAdd'), ['endpoint'])!, reason: refused, where: ['body', 'endpoint'] };
  }
  let first: { urn: string; created: boolean } | undefined;
  for (const one of all) {
    const existing = state.allSubscriptions(projectId).find((s) => s.topic_urn === topicUrn && s.protocol === one.protocol && s.endpoint === one.endpoint);
    if (existing) {
      first ??= { urn: existing.subscription_urn, created: false };
      continue;
    }
    const confirming = CONFIRMING.has(one.protocol) && !request.autoConfirm;
    const verification = one.extension?.verification_code_enabled;
    const subscription: Subscription = {
      topic_urn: topicUrn,
      protocol: one.protocol,
      subscription_urn: `${topicUrn}:${randomBytes(16).toString('hex')}`,
      owner: urnProjectId(projectId),
      endpoint: one.endpoint,
      remark: one.remark ?? '',
      status: confirming ? 0 : 1,
      ...(verification === undefined ? {} : { extension: { verification_code_enabled: verification } }),
    };
    state.addSubscription(projectId, subscription);
    first ??= { urn: subscription.subscription_urn, created: true };
    if (confirming) await request.notifier.confirmation(projectId, subscription);
  }
  return { status: first!.created ? 201 : 200, body: { request_id: '', subscription_urn: first!.urn } };
}
