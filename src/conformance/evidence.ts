// How a verdict quotes what it saw: a request by method, path and query, and the
// contract's problems with a response, each with its JSON pointer.
import type { SmnProblem } from '../contract/smn-responses.js';
import type { SentRequest } from './target.js';

export const describeProblems = (problems: SmnProblem[]): string =>
  problems.map((p) => `${p.pointer || '(body)'}: expected ${p.expected}, received ${p.received}`).join('; ');

/** `GET /v2/.../subscriptions?limit=0`: the request without the target's origin. */
export const requestLabel = (request: SentRequest): string => {
  const url = new URL(request.url);
  return `${request.method} ${url.pathname}${url.search}`;
};
