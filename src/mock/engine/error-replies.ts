// The mock's error answers: a documented error of the contract (a named example of its
// shared responses) with the status the contract gives it, and the gateway's body for
// requests Node refuses before they become requests.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { SmnContract } from '../../contract/smn.js';
import { codeOf, newRequestId, writeRawReply, writeReply, type Reply } from './reply.js';
import { BAD_REQUEST, UNKNOWN_ROUTE } from './validation.js';
import type { Violation } from './violations.js';

export const PAYLOAD_TOO_LARGE = 'entity_too_large';
const HEADERS_TOO_LARGE = 'headers_too_large';
const REQUEST_TIMEOUT = 'request_timeout';

/** The reply of a documented error; `fallbackStatus` when no operation of the contract declares one for it. */
export type ErrorReply = (name: string, fallbackStatus: number, violations?: Violation[]) => Reply;

export function errorReplies(contract: SmnContract): ErrorReply {
  return (name, fallbackStatus, violations) => {
    const documented = contract.errors.get(name);
    if (!documented) throw new Error(`the contract has no error example named ${name}`);
    return {
      status: documented.status ?? fallbackStatus,
      body: { ...documented.body },
      errorCode: codeOf(documented.body),
      reason: violations?.[0] && reasonOf(violations[0]),
      violations,
    };
  };
}

/**
 * The answer when the mock holds as many bytes of request bodies as it may (BodyBudget):
 * 503, which the vendor documents ("the system is abnormal") without a body of its own,
 * so the body has the gateway's shape, and the connection closes so that the rest of the
 * body is not read.
 */
export function busyReply(budgetBytes: number): Reply {
  const reason = `the mock holds ${budgetBytes} bytes of request bodies being read or answered, its limit; try again`;
  return {
    status: 503,
    body: { error_code: 'APIGW.0202', error_msg: `Service unavailable: ${reason}.`, request_id: '' },
    errorCode: 'APIGW.0202',
    reason,
    headers: { 'Retry-After': '1', Connection: 'close' },
  };
}

/** A violation in a few words: where, and what. */
function reasonOf(violation: Violation): string {
  const where = (violation.path ?? []).join('.');
  return where ? `${where}: ${violation.message}` : violation.message;
}

/**
 * Requests Node's parser refuses never reach the handler; without this, Node answers a
 * bare `400 Bad Request` (or 431, 408, or 417 for an Expect it does not know) with no
 * body. CONNECT is not an API method.
 */
export function answerClientErrors(server: Server, contract: SmnContract): void {
  const body = (name: string): object => contract.errors.get(name)?.body ?? {};
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (error.code === 'ECONNRESET' || error.code === 'EPIPE') {
      socket.destroy();
      return;
    }
    if (error.code === 'HPE_HEADER_OVERFLOW') writeRawReply(socket, 431, body(HEADERS_TOO_LARGE));
    else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') writeRawReply(socket, 408, body(REQUEST_TIMEOUT));
    else writeRawReply(socket, 400, body(BAD_REQUEST));
  });
  server.on('connect', (_req, socket) => writeRawReply(socket, 404, body(UNKNOWN_ROUTE)));
  // An Expect other than 100-continue: Node answers a bare 417 unless told otherwise.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    writeReply(res, newRequestId(), { status: 417, body: { ...body(BAD_REQUEST) }, headers: { Connection: 'close' } });
  });
}
