// The operations the checks name, by the contract's operationId, and what a check needs
// to know of any operation: whether it writes, and the status a valid request gets.
import type { SmnOperation } from '../contract/smn-responses.js';

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
