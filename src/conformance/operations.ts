// The operations the checks name, by the contract's operationId, and what a check needs
// to know of any operation: whether it writes, and the status a valid request gets.
import type { SmnOperation, SmnResponses } from '../contract/smn-responses.js';
import type { Exchange } from './target.js';

export const LIST_SMS_EVENT = 'ListSmsEvent';
export const UPDATE_SMS_EVENT = 'UpdateSmsEvent';
export const LIST_SUBSCRIPTIONS = 'ListSubscriptions';
export const CREATE_TOPIC = 'CreateTopic';
export const LIST_TOPICS = 'ListTopics';
export const DELETE_TOPIC = 'DeleteTopic';
export const ADD_SUBSCRIPTION = 'AddSubscription';
export const LIST_SUBSCRIPTIONS_BY_TOPIC = 'ListSubscriptionsByTopic';
export const CANCEL_SUBSCRIPTION = 'CancelSubscription';

export const isWrite = (operation: SmnOperation): boolean => operation.method !== 'GET';

/** What a valid request gets: 201 where the operation creates (and declares 201), 200 otherwise. */
export const successStatus = (operation: SmnOperation): number => (operation.responses.has(201) ? 201 : 200);

/**
 * Whether an answer is the gateway's "no such API" (the contract's api_not_found: 404
 * APIGW.0101): the target has no route for the request, which says nothing of SMN's
 * resources (SMN's own 404s carry a `code`).
 */
export function isMissingRoute(responses: SmnResponses, exchange: Exchange): boolean {
  const notFound = responses.contract.errors.get('api_not_found');
  const code = notFound && 'error_code' in notFound.body ? notFound.body.error_code : undefined;
  return exchange.response.status === (notFound?.status ?? 404) && (exchange.response.json as { error_code?: unknown } | undefined)?.error_code === code;
}
