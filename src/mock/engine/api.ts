// The answer to an API request (anything outside /_mock/ and /smn/), one step after
// the other, each able to end it: route against the contract's operations (404 gateway
// body otherwise) -> authenticate (401; not where the operation's security allows no
// credential) -> path parameters that cannot be decoded and
// what Prism lets through (400) -> the engine validates the request against the
// contract, and a violation becomes the SMN error the spec names for it -> X-Project-Id
// (403) -> the answer: the emulator's (stateful) or the contract's example Prism would
// choose, shaped by the query (stateless, or an operation the emulator keeps no state
// for). Lengths the vendor counts in bytes, and with --edition that edition's stricter
// rules (editions.ts), are checked once the engine has accepted the request (it counts
// characters, and knows only the contract's schema: what either edition allows). The emulator is given as a function: this file knows
// nothing of the resources behind the answers.
//
// The engines see only what the contract declares (engineHeaders), never a credential:
// those are checked here, first, by the mode the mock runs in.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Edition } from '../../contract/editions.js';
import type { SmnContract } from '../../contract/smn.js';
import type { SmnResponses } from '../../contract/smn-responses.js';
import { authenticate, type AuthConfig } from './auth.js';
import { emptyHeader, headerMismatch, lengthRuleViolation, nonIntegerQuery } from './contract-rules.js';
import { editionRefusal, outsideEdition } from './editions.js';
import type { ErrorReply } from './error-replies.js';
import { exampleAnswer, rawContent, type Shaper } from './examples.js';
import type { HttpOperation } from './operations.js';
import { codeOf, type Reply } from './reply.js';
import { parseBody, type RequestTarget } from './request.js';
import { pathParameters, type Router } from './routes.js';
import { engineHeaders, preferences, UNKNOWN_ROUTE, type Engine } from './validation.js';

/**
 * An emulator's answer: a success (200 unless said; no body for the operations the vendor
 * documents none for; a string body is sent as the text of the operation's one media
 * type, a certificate's PEM), or the documented error (a named example of the spec) that
 * replaces it, with the status used when the contract gives none (400 unless said) and
 * where in the request the fault is (the body unless said).
 */
export type Answer = { status?: number; body?: Record<string, unknown> | string } | { error: string; reason: string; where?: string[]; status?: number };

/** A request the contract accepted, as the emulator gets it. */
export interface EmulatedRequest {
  operation: HttpOperation;
  projectId: string;
  /** The path parameters, decoded (`topic_urn`, `subscription_urn`). */
  path: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** The request's headers, as received (`X-SMN-RESOURCEID-TYPE` of the resource tag operations). */
  headers: IncomingHttpHeaders;
}

export interface ApiContext {
  contract: SmnContract;
  /** The contract's compiled validators. */
  responses: SmnResponses;
  route: Router;
  auth: AuthConfig;
  engine: Engine;
  errorReply: ErrorReply;
  /**
   * The emulator's answer, or undefined for an operation it keeps no state for; absent
   * when stateless. Without an emulator's answer, the contract's example is the answer.
   */
  emulate?: (request: EmulatedRequest) => Answer | undefined | Promise<Answer | undefined>;
  /** How an operation's example is shaped by the query, by operation id (stateless answers). */
  shapes: ReadonlyMap<string, Shaper>;
  /** The edition whose stricter rules are hard (`--edition`); none: what either edition allows is accepted. */
  edition?: Edition;
}

/** The reply to an API request whose body has been read. */
export async function answerApi(api: ApiContext, req: IncomingMessage, target: RequestTarget, bodyText: string): Promise<Reply> {
  const { contract, errorReply, emulate } = api;
  const route = api.route(req.method ?? 'GET', target.pathname);
  // An operation only the other edition documents is no route of this edition's service.
  if (!route || outsideEdition(contract, route.contractOperation, api.edition)) return errorReply(UNKNOWN_ROUTE, 404);
  // An operation whose security lists an empty requirement needs no credential (the API
  // forms of a message's links: the vendor's pages list no request header for them).
  const anonymous = route.operation.security?.some((requirement) => requirement.length === 0) ?? false;
  const refused = anonymous ? undefined : authenticate(req, bodyText, api.auth);
  if (refused) return errorReply(refused.error, 401, [{ path: ['header'], message: refused.reason }]);
  const parameters = pathParameters(route, target.pathname);
  // A path parameter whose percent-encoding is broken cannot be read: it is invalid.
  const broken = [...parameters].find(([, value]) => value === undefined)?.[0];
  if (broken !== undefined) {
    const error = contract.parameterError(route.contractOperation.operationId, 'path', broken);
    if (error) return errorReply(error, 400, [{ path: ['path', broken], message: 'broken percent-encoding' }]);
  }
  const loose = nonIntegerQuery(route.contractOperation, target.query) ?? emptyHeader(api.responses, route.contractOperation, req.headers);
  if (loose) {
    const error = contract.parameterError(route.contractOperation.operationId, loose.path![0]!, loose.path![1]!);
    if (error) return errorReply(error, 400, [loose]);
  }
  const parsed = parseBody(req.headers['content-type'], bodyText);
  const decision = await api.engine.decide({
    operation: route.operation,
    contractOperation: route.contractOperation,
    pathname: target.pathname,
    search: target.search,
    query: target.query,
    headers: engineHeaders(req.headers, contract, parsed.body !== undefined),
    prefer: preferences(req.headers.prefer),
    body: parsed,
    bodyText,
  });
  if (decision.error) return errorReply(decision.error, decision.status, decision.violations);
  const tooLong = lengthRuleViolation(contract, route.contractOperation, target.query, parsed.body) ?? editionRefusal(contract, route.contractOperation, api.edition, target.query, parameters, parsed.body);
  if (tooLong) return errorReply(tooLong.error, 400, [tooLong.violation]);
  const mismatch = headerMismatch(contract, req.headers, parameters);
  if (mismatch) return errorReply(mismatch.rule.error, 403, [mismatch.violation]);
  // A Prefer header asks for a documented answer by name or status: serve Prism's.
  const preferred = req.headers.prefer !== undefined;
  const example = (reason?: string): Reply => {
    const shape = route.operation.iid === undefined ? undefined : api.shapes.get(route.operation.iid);
    const { status, body } = exampleAnswer(route.operation, decision.status, decision.body, target.query, preferred, shape);
    return { status, body, errorCode: codeOf(body), reason, raw: rawContent(route.operation, status, body) };
  };
  if (!emulate || decision.status < 200 || decision.status > 299 || preferred) return example(preferred ? 'Prefer' : undefined);
  const path = Object.fromEntries([...parameters].map(([name, value]) => [name, value ?? '']));
  const answered = emulate({ operation: route.operation, projectId: path.project_id ?? '', path, query: target.query, body: parsed.body, headers: req.headers });
  const emulated = answered instanceof Promise ? await answered : answered;
  if (!emulated) return example();
  if ('error' in emulated) return errorReply(emulated.error, emulated.status ?? 400, [{ path: emulated.where ?? ['body'], message: emulated.reason }]);
  const status = emulated.status ?? 200;
  return { status, body: emulated.body, raw: rawContent(route.operation, status, emulated.body) };
}
