// The operations the checks name, by the contract's operationId, and what a check needs
// to know of any operation: whether it writes, the status a valid request gets, and
// whether the run can make a valid request to it at all.
import type { SmnOperation, SmnResponses } from '../contract/smn-responses.js';
import type { Exchange } from './target.js';

export const LIST_SMS_EVENT = 'ListSmsEvent';
export const UPDATE_SMS_EVENT = 'UpdateSmsEvent';
export const LIST_SUBSCRIPTIONS = 'ListSubscriptions';
export const CREATE_TOPIC = 'CreateTopic';
export const LIST_TOPICS = 'ListTopics';
export const LIST_TOPIC_DETAILS = 'ListTopicDetails';
export const UPDATE_TOPIC = 'UpdateTopic';
export const DELETE_TOPIC = 'DeleteTopic';
export const ADD_SUBSCRIPTION = 'AddSubscription';
export const UPDATE_SUBSCRIPTION = 'UpdateSubscription';
export const LIST_SUBSCRIPTIONS_BY_TOPIC = 'ListSubscriptionsByTopic';
export const PUBLISH_MESSAGE = 'PublishMessage';
export const CANCEL_SUBSCRIPTION = 'CancelSubscription';

/**
 * GETs that change the target: following a subscription's confirmation or unsubscribe
 * link (the vendor's SubscribeTopic, ConfirmSubscription, UnsubscribeTopic,
 * UnsubscribeSubscription), and a POST that only reads (ListResourceInstances: a query
 * whose filters are in the body). The method says the rest.
 */
const WRITING_GETS = new Set(['ConfirmSubscription', 'SubscribeTopic', 'UnsubscribeSubscription', 'UnsubscribeTopic']);
const READING_POSTS = new Set(['ListResourceInstances']);

export const isWrite = (operation: SmnOperation): boolean =>
  WRITING_GETS.has(operation.operationId) || (operation.method !== 'GET' && !READING_POSTS.has(operation.operationId));

/** What a valid request gets: 201 where the operation creates (and declares 201), 200 otherwise. */
export const successStatus = (operation: SmnOperation): number => (operation.statuses.has(201) ? 201 : 200);

/**
 * The operations to which the run cannot make a valid request, and why: each needs
 * something the target must already have and the run cannot make (or must not: a voice
 * subscription calls a phone). Their valid-request checks are skipped with the reason;
 * what needs no valid request (credentials refused, the refusal's shape) is still checked.
 */
export const NOT_MADE: Readonly<Record<string, string>> = {
  ConfirmSubscription: 'a valid request needs the token of a SubscriptionConfirmation SMN sent to an endpoint, and the run\'s endpoints receive nothing',
  SubscribeTopic: 'a valid request needs the token of a SubscriptionConfirmation SMN sent to an endpoint, and the run\'s endpoints receive nothing',
  AddSubscriptionFromSubscriptionUser: 'a valid request needs subscription users of the account (their ids), which the run cannot make',
  CreateLogtank: "a valid request needs a log group and stream of the account's Log Tank Service, which the run does not make",
  UpdateLogtank: "a valid request needs a log group and stream of the account's Log Tank Service, which the run does not make",
  DeleteLogtank: "a valid request needs a logtank of the run's own, which needs a log group and stream of the account's Log Tank Service",
  CreateKmsKey: "a valid request needs a key of the account's Data Encryption Workshop (KMS), which the run does not make",
  UpdateKmsKey: "a valid request needs a key of the account's Data Encryption Workshop (KMS), which the run does not make",
  DeleteKmsKey: "a valid request needs a KMS binding of the run's own, which needs a key of the account's Data Encryption Workshop",
  CreateNotifyPolicy: 'a valid request needs voice-notification (callnotify) subscriptions, which call a phone: the run makes none',
  UpdateNotifyPolicy: 'a valid request needs voice-notification (callnotify) subscriptions, which call a phone: the run makes none',
  DeleteNotifyPolicy: "a valid request needs a notify policy of the run's own, which needs voice-notification (callnotify) subscriptions",
  DownloadHttpCert: 'a valid request needs the name of a signing certificate, which only a notification SMN sent gives, and the run\'s endpoints receive nothing',
  DownloadHttpSignCert: 'a valid request needs the name of a signing certificate, which only a notification SMN sent gives, and the run\'s endpoints receive nothing',
};

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
