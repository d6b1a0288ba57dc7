// The contract's rules about a request that the engines do not apply, because Prism
// does not: integers written otherwise (it coerces them), empty headers (it takes them
// as absent), headers that must repeat a path parameter (`x-must-equal`:
// X-Project-Id), and lengths counted in UTF-8 bytes (`x-max-bytes`). Each gives the
// violation; the caller answers the error the contract names for it.
import type { IncomingHttpHeaders } from 'node:http';
import { fieldError } from '../../contract/body-fields.js';
import { describeLengthViolation, lengthViolation } from '../../contract/byte-lengths.js';
import type { SmnContract, HeaderEquality } from '../../contract/smn.js';
import type { SmnOperation, SmnResponses } from '../../contract/smn-responses.js';
import type { Violation } from './violations.js';

/**
 * A query value of an integer parameter that is not written as one (`1e1`, `+5`, `01`,
 * `100.0`, ``): Prism coerces such text to a number, the contract says integer.
 */
export function nonIntegerQuery(operation: SmnOperation, query: URLSearchParams): Violation | undefined {
  for (const parameter of operation.parameters) {
    if (parameter.in !== 'query' || parameter.schema.type !== 'integer') continue;
    for (const value of query.getAll(parameter.name)) {
      if (!/^-?(0|[1-9][0-9]*)$/.test(value)) return { path: ['query', parameter.name], code: 'type', message: `must be an integer in decimal digits, got "${value.slice(0, 40)}"` };
    }
  }
  return undefined;
}

/** A declared header sent empty when its schema refuses an empty value (X-Security-Token: minLength 1). */
export function emptyHeader(responses: SmnResponses, operation: SmnOperation, headers: IncomingHttpHeaders): Violation | undefined {
  for (const parameter of operation.parameters) {
    if (parameter.in !== 'header' || headers[parameter.name.toLowerCase()] !== '') continue;
    const problem = responses.validateWith(`header ${parameter.name}`, parameter.schema, '')[0];
    if (problem) return { path: ['header', parameter.name.toLowerCase()], code: problem.rule, message: `is empty; expected ${problem.expected}` };
  }
  return undefined;
}

/** The first header that differs from the path parameter it must repeat, with the rule it breaks. */
export function headerMismatch(contract: SmnContract, headers: IncomingHttpHeaders, parameters: Map<string, string | undefined>): { rule: HeaderEquality; violation: Violation } | undefined {
  for (const rule of contract.headerEqualities) {
    const given = headers[rule.header];
    const expected = parameters.get(rule.parameter);
    if (typeof given === 'string' && expected !== undefined && given !== expected) {
      return { rule, violation: { path: ['header', rule.header], message: `differs from the ${rule.parameter} of the path` } };
    }
  }
  return undefined;
}

/**
 * A value longer than the contract allows where the vendor counts UTF-8 bytes, or the
 * total length of custom headers (`x-max-bytes`, `x-min-bytes`, `x-max-total-length`):
 * the engines count characters, as Prism does. Query parameters first, then the body;
 * the error is the parameter's `x-error`, or the field's for that keyword.
 */
export function lengthRuleViolation(contract: SmnContract, operation: SmnOperation, query: URLSearchParams, body: unknown): { error: string; violation: Violation } | undefined {
  for (const parameter of operation.parameters) {
    if (parameter.in !== 'query') continue;
    for (const value of query.getAll(parameter.name)) {
      const found = lengthViolation(parameter.schema, value);
      const error = found && contract.parameterError(operation.operationId, 'query', parameter.name);
      if (found && error) return { error, violation: { path: ['query', parameter.name], code: found.keyword, message: describeLengthViolation(found) } };
    }
  }
  const found = operation.requestBody && body !== undefined ? lengthViolation(operation.requestBody, body) : undefined;
  if (!found) return undefined;
  const error = fieldError(operation.requestBody!, found.path, found.keyword) ?? contract.bodyErrors.get(operation.operationId) ?? contract.bodyError;
  return { error, violation: { path: ['body', ...found.path], code: found.keyword, message: describeLengthViolation(found) } };
}
