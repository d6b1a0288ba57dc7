// The conformance checks, registered in one list in the order they run: each a small
// named function (./checks/) that judges one property of one operation of the target
// and returns a verdict with its evidence. What is expected comes from the contract
// (src/contract/smn-responses.ts, ./cases.ts), not from here. Every operation of the
// contract gets the generic checks; the others name the operations they judge. The write
// checks come after the reads, bindings_restored after the other UpdateSmsEvent checks,
// and resources_cleaned last of all (the runner puts it there, whatever was selected).
import type { Check } from './check.js';
import { bindingsRestored, resourcesCleaned } from './checks/cleanup.js';
import { editionRules } from './checks/editions.js';
import { resourceRoundTrip } from './checks/families.js';
import { eventTypeFilter, subscriptionFilter } from './checks/filters.js';
import { negativeDataRejection, positiveDataAcceptance } from './checks/inputs.js';
import { pagination } from './checks/pagination.js';
import { contentTypeConformance, ignoredAuth, requestIdFormat, responseHeadersConformance, responseSchemaConformance, statusCodeConformance } from './checks/responses.js';
import { subscriptionRoundTrip, topicRoundTrip, updateRoundTrip } from './checks/round-trips.js';
import { encodedUrnsAccepted, privateEndpointsRefused, subscriptionsOfTopicOnly, topicDeletionCascades, topicsNewestFirst } from './checks/vendor-rules.js';

export const checks: Check[] = [
  statusCodeConformance,
  contentTypeConformance,
  responseSchemaConformance,
  responseHeadersConformance,
  requestIdFormat,
  negativeDataRejection,
  positiveDataAcceptance,
  ignoredAuth,
  editionRules,
  encodedUrnsAccepted,
  eventTypeFilter,
  subscriptionFilter,
  pagination,
  topicsNewestFirst,
  subscriptionsOfTopicOnly,
  topicDeletionCascades,
  privateEndpointsRefused,
  topicRoundTrip,
  subscriptionRoundTrip,
  resourceRoundTrip,
  updateRoundTrip,
  bindingsRestored,
  resourcesCleaned,
];

/** The checks that apply to an operation, in the order they run. */
export const checksFor = (operationId: string): Check[] => checks.filter((c) => !c.operations || c.operations.includes(operationId));
