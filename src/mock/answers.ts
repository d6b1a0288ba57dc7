// The 200 answers of the three operations. Stateless, they are the example Prism chose,
// shaped by the query as a real SMN would shape its data (filter, page). Stateful, they
// are the emulator's state, shaped the same way; UpdateSmsEvent changes that state.
import type { getHttpOperationsFromSpec } from '@stoplight/prism-http';
import type { SmnContract } from '../contract/smn.js';
import { subscriptionFilter } from '../contract/subscription-filters.js';
import type { Binding, EmulatorState, Subscription } from './state.js';

type PrismOperation = Awaited<ReturnType<typeof getHttpOperationsFromSpec>>[number];

/** A 200 answer, or the documented error (a named example of the spec) that replaces it. */
export type Answer = { body: Record<string, unknown> } | { error: string; reason: string };

function integerParameter(operation: PrismOperation, query: URLSearchParams, name: string): number {
  const given = query.get(name);
  if (given !== null && given !== '') return Number(given);
  const declared = operation.request?.query?.find((parameter) => parameter.name === name);
  return Number((declared?.schema as { default?: unknown } | undefined)?.default ?? 0);
}

/** Absent or empty: no filter, as Prism validated it. */
const eventTypeFilter = (query: URLSearchParams): string | undefined => query.get('event_type') || undefined;


/** The example body shaped by the (already validated) query of the request. */
export function exampleAnswer(operation: PrismOperation, body: unknown, query: URLSearchParams): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const record = body as Record<string, unknown>;
  if (operation.iid === 'ListSmsEvent' && Array.isArray(record.callback)) {
    const eventType = eventTypeFilter(query);
    if (!eventType) return body;
    return { ...record, callback: (record.callback as Binding[]).filter((item) => item.event_type === eventType) };
  }
  if (operation.iid === 'ListSubscriptions' && Array.isArray(record.subscriptions)) {
    // Filtered, then paged: subscription_count counts the filtered ones, whatever the page.
    const offset = integerParameter(operation, query, 'offset');
    const limit = integerParameter(operation, query, 'limit');
    const matching = (record.subscriptions as Subscription[]).filter(subscriptionFilter(query));
    const count = matching.length === record.subscriptions.length ? record.subscription_count : matching.length;
    return { ...record, subscription_count: count, subscriptions: matching.slice(offset, offset + limit) };
  }
  return body;
}

export interface StateRequest {
  operation: PrismOperation;
  projectId: string;
  query: URLSearchParams;
  body: unknown;
  /** Refuse topics the emulator does not know (--strict-topics). */
  strictTopics: boolean;
}

/** The emulator's answer for a request the contract accepted (request_id is added later). */
export function stateAnswer(state: EmulatorState, contract: SmnContract, request: StateRequest): Answer {
  const { operation, projectId, query } = request;
  switch (operation.iid) {
    case 'ListSmsEvent':
      return { body: { request_id: '', callback: state.bindings(projectId, eventTypeFilter(query)) } };
    case 'UpdateSmsEvent': {
      const items = (request.body as { callback: Binding[] }).callback;
      if (request.strictTopics) {
        const unknown = items.find((item) => item.topic_urn !== '' && !state.knowsTopic(projectId, item.topic_urn));
        const codes = unknown && contract.topicUrnErrors[unknown.event_type];
        if (unknown && codes) return { error: codes.not_found, reason: `no topic ${unknown.topic_urn} in project ${projectId} (--strict-topics)` };
      }
      state.updateBindings(projectId, items.map(({ event_type, topic_urn }) => ({ event_type, topic_urn })));
      return { body: { request_id: '' } };
    }
    case 'ListSubscriptions': {
      const { total, page } = state.subscriptions(projectId, integerParameter(operation, query, 'offset'), integerParameter(operation, query, 'limit'), subscriptionFilter(query));
      return { body: { request_id: '', subscription_count: total, subscriptions: page } };
    }
    default:
      throw new Error(`the emulator has no state for ${operation.iid}`);
  }
}
