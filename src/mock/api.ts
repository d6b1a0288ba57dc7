// The answer to an API request (anything outside /_mock/ and /smn/), one step after
// the other, each able to end it: route against the contract's operations (404 gateway
// body otherwise) -> authenticate (401) -> path parameters that cannot be decoded and
// what Prism lets through (400) -> the engine validates the request against the
// contract, and a violation becomes the SMN error the spec names for it -> X-Project-Id
// (403) -> the answer: the state (stateful) or the contract's example Prism would
// choose, shaped by the query (stateless). Lengths the vendor counts in bytes are
// checked once the engine has accepted the request (it counts characters).
//
// The engines see only what the contract declares (engineHeaders), never a credential:
// those are checked here, first, by the mode the mock runs in.
import type { IncomingMessage } from 'node:http';
import type { SmnContract } from '../contract/smn.js';
import type { SmnResponses } from '../contract/smn-responses.js';
import { exampleAnswer, rawContent, stateAnswer } from './answers.js';
import { authenticate, type AuthConfig } from './auth.js';
import { emptyHeader, headerMismatch, lengthRuleViolation, nonIntegerQuery } from './contract-rules.js';
import type { ErrorReply } from './error-replies.js';
import type { Notifier } from './notifier.js';
import { codeOf, type Reply } from './reply.js';
import { parseBody, type RequestTarget } from './request.js';
import { pathParameters, type Router } from './routes.js';
import { StateLimitError, type EmulatorState } from './state.js';
import { engineHeaders, preferences, UNKNOWN_ROUTE, type Engine } from './validation.js';

export interface ApiContext {
  contract: SmnContract;
  /** The contract's compiled validators. */
  responses: SmnResponses;
  route: Router;
  auth: AuthConfig;
  engine: Engine;
  errorReply: ErrorReply;
  /** Undefined when stateless: every answer is then the contract's example. */
  state?: EmulatorState;
  notifier: Notifier;
  /** Refuse bindings to topics the emulator does not know. */
  strictTopics: boolean;
  /** New subscriptions are confirmed at once. */
  autoConfirm: boolean;
}

/** The reply to an API request whose body has been read. */
export async function answerApi(api: ApiContext, req: IncomingMessage, target: RequestTarget, bodyText: string): Promise<Reply> {
  const { contract, errorReply, state } = api;
  const route = api.route(req.method ?? 'GET', target.pathname);
  if (!route) return errorReply(UNKNOWN_ROUTE, 404);
  const refused = authenticate(req, bodyText, api.auth);
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
  const tooLong = lengthRuleViolation(contract, route.contractOperation, target.query, parsed.body);
  if (tooLong) return errorReply(tooLong.error, 400, [tooLong.violation]);
  const mismatch = headerMismatch(contract, req.headers, parameters);
  if (mismatch) return errorReply(mismatch.rule.error, 403, [mismatch.violation]);
  // A Prefer header asks for a documented answer by name or status: serve Prism's.
  const preferred = req.headers.prefer !== undefined;
  if (!state || decision.status !== 200 || preferred) {
    const { status, body } = exampleAnswer(route.operation, decision.status, decision.body, target.query, preferred);
    return { status, body, errorCode: codeOf(body), reason: preferred ? 'Prefer' : undefined, raw: rawContent(route.operation, status, body) };
  }
  const path = Object.fromEntries([...parameters].map(([name, value]) => [name, value ?? '']));
  try {
    const emulated = await stateAnswer(state, contract, {
      operation: route.operation,
      responses: api.responses,
      projectId: path.project_id ?? '',
      path,
      query: target.query,
      body: parsed.body,
      strictTopics: api.strictTopics,
      notifier: api.notifier,
      autoConfirm: api.autoConfirm,
    });
    if ('error' in emulated) return errorReply(emulated.error, 400, [{ path: emulated.where ?? ['body'], message: emulated.reason }]);
    const status = emulated.status ?? 200;
    return { status, body: emulated.body, raw: rawContent(route.operation, status, emulated.body) };
  } catch (error) {
    if (error instanceof StateLimitError) return errorReply(error.code, 403, [{ message: error.message }]);
    throw error;
  }
}
