// From Prism's request diagnostics to the one error the real SMN would answer.
// Prism reports every violation with a location (`['query','limit']`) and an Ajv
// keyword; SMN answers one code per request. Which code a location gets is written in
// the spec (`x-error`); this file only applies it and orders competing violations.
import type { SmnContract } from '../../contract/smn.js';
import { fieldError } from '../../contract/body-fields.js';
import type { SmnOperation } from '../../contract/smn-responses.js';

/** A request violation as Prism reports it (`validations.input`). */
export interface Violation {
  path?: string[];
  code?: string | number;
  message: string;
}

/** The documented error (a named example of the spec) that answers a request, and why. */
export interface ErrorChoice {
  error: string;
  violation: Violation;
}

// When a request breaks several rules the real service reports one; we report the
// first in this order: path, headers, query, body; in the body, a field
// that is there and wrong before what the body lacks (a PublishMessage whose
// message_structure is a number is about message_structure, not the missing message).
const order = ['path', 'header', 'query', 'body'];
const rank = (violation: Violation): number => {
  const at = order.indexOf(violation.path?.[0] ?? 'body');
  if (at === -1) return order.length;
  return order[at] === 'body' && (violation.path?.length ?? 0) < 2 ? at + 0.5 : at;
};

/**
 * Chooses the documented error for a request Prism found invalid, or undefined when
 * no violation in the list is one SMN reports (an unknown query parameter, say).
 */
export function chooseError(contract: SmnContract, violations: Violation[], body: unknown, operation?: SmnOperation): ErrorChoice | undefined {
  const ranked = [...violations].sort((a, b) => rank(a) - rank(b));
  for (const violation of ranked) {
    const error = errorOf(contract, violation, body, operation);
    if (error) return { error, violation };
  }
  return undefined;
}

function errorOf(contract: SmnContract, violation: Violation, body: unknown, operation?: SmnOperation): string | undefined {
  const [where, name, ...rest] = violation.path ?? [];
  if (where === 'path' || where === 'header' || where === 'query') {
    // A missing parameter is reported on its location ("must have required property 'start_time'"): the parameter's own error applies.
    const missing = name === undefined && violation.code === 'required' ? /required property '([^']+)'/.exec(violation.message)?.[1] : undefined;
    return contract.parameterError(operation?.operationId, where, name ?? missing ?? '');
  }
  // Anything else is about the body ("Body parameter is required" has no path at all).
  if (name === 'callback' && rest.length > 0) return callbackItemError(contract, rest, body);
  const bodyError = (operation && contract.bodyErrors.get(operation.operationId)) ?? contract.bodyError;
  // A missing field is reported on the object that lacks it: the field's own error applies.
  const missing = violation.code === 'required' ? /required property '([^']+)'/.exec(violation.message)?.[1] : undefined;
  const field = [...(violation.path ?? []).slice(1), ...(missing ? [missing] : [])];
  return (operation?.requestBody && fieldError(operation.requestBody, field, violation.code === undefined ? undefined : String(violation.code))) ?? bodyError;
}

function callbackItemError(contract: SmnContract, [index, property]: string[], body: unknown): string {
  const item = (body as { callback?: unknown[] }).callback?.[Number(index)];
  if (typeof item !== 'object' || item === null) return contract.bodyError;
  const eventType = (item as { event_type?: unknown }).event_type;
  const codes =
    typeof eventType === 'string' && Object.hasOwn(contract.topicUrnErrors, eventType)
      ? contract.topicUrnErrors[eventType]
      : undefined;
  if (property === 'event_type' || !codes) return contract.eventTypeError;
  // A bad or missing topic_urn is reported with the code of its item's event type.
  return codes.malformed;
}
