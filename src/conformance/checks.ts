// The conformance checks, registered in one list in the order they run: each a small
// named function (./checks/) that judges one property of one operation of the target
// and returns a verdict with its evidence. What is expected comes from the contract
// (src/contract/smn-responses.ts, ./cases.ts), not from here. The write checks come
// after the reads, bindings_restored after the other UpdateSmsEvent checks, and
// resources_cleaned last of all (CancelSubscription is the contract's last operation).
import type { Check } from './check.js';
import { bindingsRestored, resourcesCleaned } from './checks/cleanup.js';
import { eventTypeFilter, subscriptionFilter } from './checks/filters.js';
import { negativeDataRejection, positiveDataAcceptance } from './checks/inputs.js';
import { pagination } from './checks/pagination.js';
import { contentTypeConformance, ignoredAuth, requestIdFormat, responseHeadersConformance, responseSchemaConformance, statusCodeConformance } from './checks/responses.js';
import { subscriptionRoundTrip, topicRoundTrip, updateRoundTrip } from './checks/round-trips.js';

export const checks: Check[] = [
  statusCodeConformance,
  contentTypeConformance,
  responseSchemaConformance,
  responseHeadersConformance,
  requestIdFormat,
  negativeDataRejection,
  positiveDataAcceptance,
  ignoredAuth,
  eventTypeFilter,
  subscriptionFilter,
  pagination,
  topicRoundTrip,
  subscriptionRoundTrip,
  updateRoundTrip,
  bindingsRestored,
  resourcesCleaned,
];

/**
 * The operations the checks know how to exercise: the ten of the SMS callback, topic,
 * subscription and publishing code path. The contract has every operation of the
 * vendor's SDK (issue 20); the others get checks of their own with the work that
 * teaches the sandbox their resources (message templates, attributes, tags...), and
 * until then none, rather than checks that would send them requests they cannot make
 * valid (a template id, a resource type) and fail a correct target.
 */
export const CHECKED_OPERATIONS: ReadonlySet<string> = new Set([
  'ListSmsEvent',
  'UpdateSmsEvent',
  'ListSubscriptions',
  'CreateTopic',
  'ListTopics',
  'DeleteTopic',
  'AddSubscription',
  'ListSubscriptionsByTopic',
  'PublishMessage',
  'CancelSubscription',
]);

/** The checks that apply to an operation, in the order they run; none for an operation the checks do not cover yet. */
export const checksFor = (operationId: string): Check[] =>
  CHECKED_OPERATIONS.has(operationId) ? checks.filter((c) => !c.operations || c.operations.includes(operationId)) : [];
