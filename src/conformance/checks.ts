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

/** The checks that apply to an operation, in the order they run. */
export const checksFor = (operationId: string): Check[] => checks.filter((c) => !c.operations || c.operations.includes(operationId));
