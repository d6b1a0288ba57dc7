// `--edition huawei|otc`: the mock as one edition of the vendor's documents describes
// SMN. The contract accepts what either edition allows, and `x-editions` gives each
// edition's stricter rule (src/contract/editions.ts); with an edition, its rules are
// hard: an operation only the other edition documents is not routed (the gateway's 404
// APIGW.0101, as that edition's service answers), and a value its rule refuses gets the
// error the contract names for the parameter or field. Without an edition nothing here
// applies: the mock accepts what either edition allows.
import { fieldError } from '../../contract/body-fields.js';
import { differenceAt, editionDifferences, EDITION_NAMES, readingsOf, undocumentedIn, type Edition } from '../../contract/editions.js';
import type { SmnContract } from '../../contract/smn.js';
import type { SmnOperation } from '../../contract/smn-responses.js';
import type { Violation } from './violations.js';

/** Whether the edition's documents leave the operation out (the other edition's have it). */
export const outsideEdition = (contract: SmnContract, operation: SmnOperation, edition: Edition | undefined): boolean =>
  edition !== undefined && undocumentedIn(contract.editions, operation.pointer).includes(edition);

/**
 * The first parameter or body field whose value the edition's rule refuses, with the
 * error the contract names for it: the parameter's `x-error`, or the field's for that
 * keyword, else the body's.
 */
export function editionRefusal(
  contract: SmnContract,
  operation: SmnOperation,
  edition: Edition | undefined,
  query: URLSearchParams,
  path: Map<string, string | undefined>,
  body: unknown,
): { error: string; violation: Violation } | undefined {
  if (edition === undefined) return undefined;
  const rule = (note: string | undefined): string => `refused by ${EDITION_NAMES[edition]}'s rule (--edition ${edition})${note ? `: ${note}` : ''}`;
  for (const parameter of operation.parameters) {
    const readings = readingsOf(parameter);
    if (!readings || (parameter.in !== 'query' && parameter.in !== 'path')) continue;
    const values = parameter.in === 'query' ? query.getAll(parameter.name) : [path.get(parameter.name)].filter((v): v is string => v !== undefined);
    for (const value of values) {
      const difference = differenceAt(readings, value, parameter.name);
      const error = difference?.refusedBy.includes(edition) ? contract.parameterError(operation.operationId, parameter.in, parameter.name) : undefined;
      if (difference && error) return { error, violation: { path: [parameter.in, parameter.name], code: difference.keyword, message: rule(readings[edition]?.note) } };
    }
  }
  if (!operation.requestBody || body === undefined) return undefined;
  const difference = editionDifferences(operation.requestBody, body).find((d) => d.refusedBy.includes(edition));
  if (!difference) return undefined;
  const segments = difference.pointer.split('/').slice(1).map((key) => key.replaceAll('~1', '/').replaceAll('~0', '~'));
  const error = fieldError(operation.requestBody, segments, difference.keyword) ?? contract.bodyErrors.get(operation.operationId) ?? contract.bodyError;
  return { error, violation: { path: ['body', ...segments], code: difference.keyword, message: rule(difference.readings[edition]?.note) } };
}
