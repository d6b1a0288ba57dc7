// Which operation a request calls. Routing is the contract's (exact paths, as Prism
// routes them: `/callback/` is another route, 404 at the gateway); the engine then gets
// the one operation matched, in both shapes it needs.
import type { SmnOperation, SmnResponses } from '../../contract/smn-responses.js';
import type { HttpOperation } from './operations.js';
import { decodeSegment } from './request.js';

export interface Route {
  /** The operation as the engines and the answers take it (Prism's shape). */
  operation: HttpOperation;
  /** The same operation as the contract's validators know it (its parameters dereferenced). */
  contractOperation: SmnOperation;
  /** The path template's segments (`{project_id}` marks a parameter). */
  segments: string[];
}

/** The route of a method and a path as sent, or undefined when the contract has none. */
export type Router = (method: string, pathname: string) => Route | undefined;

/** The routing table of the contract's operations; `operations` as `httpOperationsOf` (or Prism) makes them. */
export function routerOf(responses: SmnResponses, operations: HttpOperation[]): Router {
  const routes = new Map<SmnOperation, Route>();
  for (const contractOperation of responses.operations) {
    const operation = operations.find((op) => op.method.toUpperCase() === contractOperation.method && op.path === contractOperation.path);
    if (operation) routes.set(contractOperation, { operation, contractOperation, segments: operation.path.split('/') });
  }
  return (method, pathname) => {
    const contractOperation = responses.find(method, pathname);
    return contractOperation && routes.get(contractOperation);
  };
}

/**
 * The path parameters of a request on its route, decoded, in the template's order; a
 * parameter whose percent-encoding is broken (`abc%`) cannot be read and is undefined.
 */
export function pathParameters(route: Route, pathname: string): Map<string, string | undefined> {
  const segments = pathname.split('/');
  const parameters = new Map<string, string | undefined>();
  route.segments.forEach((part, i) => {
    if (part.startsWith('{')) parameters.set(part.slice(1, -1), decodeSegment(segments[i] ?? ''));
  });
  return parameters;
}
