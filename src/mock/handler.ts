// The mock's request handler: one pipeline per request, one way.
//
//   read the target and the body (400 or 413 when they cannot be read)
//   -> the links of notifications, under /smn/ (delivery/links.ts)
//   -> the inspection endpoints, under /_mock/ (admin/, behind authorizeAdmin)
//   -> the API (engine/api.ts: route, authenticate, validate, answer: the emulator's
//      answer, emulator/answers.ts, or the contract's example)
//   -> reply with a request id (engine/reply.ts), log line and request record (request-log.ts).
//
// The folders: engine/ is what any contract needs (routing, validation by the fast or
// the Prism engine, Prism's answer choice, contract rules, replies and errors) and knows
// nothing of SMN's resources; emulator/ is the state, a core and one module per resource
// family (emulator/registry.ts says how to add one); delivery/ is what the emulator
// sends and the links in it; admin/ is the /_mock/ endpoints.
//
// Whatever happens on the way, the client gets a JSON answer with a documented status:
// every failure of the pipeline becomes SMN.0018 here, requests Node refuses before
// they are requests get the gateway's body (engine/error-replies.ts), and header values
// are made printable where they are written (engine/reply.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { SmnContract } from '../contract/smn.js';
import { smnResponses } from '../contract/smn-responses.js';
import { ADMIN_PREFIX, handleAdmin, type AdminContext } from './admin/endpoints.js';
import { answerApi, type ApiContext } from './engine/api.js';
import { stateAnswer } from './emulator/answers.js';
import { EXAMPLE_SHAPES } from './emulator/registry.js';
import { authorizeAdmin, type AdminAccess, type AuthConfig } from './engine/auth.js';
import { deliveryPolicy } from './delivery/policy.js';
import { busyReply, errorReplies, PAYLOAD_TOO_LARGE } from './engine/error-replies.js';
import { LINKS_PREFIX, LinkHandler } from './delivery/links.js';
import { Notifier } from './delivery/notifier.js';
import type { HttpOperation } from './engine/operations.js';
import { bodyBudgetBytes, DEFAULT_MAX_BODY_BYTES, DEFAULT_PROJECT_ID, type MockOptions } from './options.js';
import { newRequestId, writeReply, type Reply } from './engine/reply.js';
import { BodyBudget, readBodyText } from '../net/body.js';
import { parseTarget, type RequestTarget } from './engine/request.js';
import { requestLogger } from './request-log.js';
import { needPrism } from './engine/prism-package.js';
import { routerOf } from './engine/routes.js';
import { generateSigningIdentity, type SigningIdentity } from './delivery/signing.js';
import type { EmulatorState } from './emulator/state.js';
import { BAD_REQUEST, createFastEngine, INTERNAL_ERROR, type Engine } from './engine/validation.js';

export type HandlerOptions = Pick<MockOptions, 'maxBodyBytes' | 'log' | 'strictTopics' | 'auth' | 'adminToken' | 'deliverTo' | 'autoConfirm' | 'deliverySchedule' | 'engine' | 'specPath' | 'edition'> & {
  /** The Prism engine, when loaded already. */
  prismEngine?: Engine;
  state?: EmulatorState;
  /** The mock listens beyond loopback: /_mock/ then needs credentials. */
  exposed?: boolean;
  /** The signing identity, made on first use. */
  signingIdentity?: () => SigningIdentity;
  /** The base URL of the links in notifications (the mock's own). */
  baseUrl?: () => string;
  /** Ends the notifications in flight and the waiting retries (the server closing). */
  signal?: AbortSignal;
};

/**
 * The Prism engine over the contract (importing Prism costs about a second: only when
 * asked for). `what` needs it, for the message when Prism is not installed.
 */
export async function loadPrismEngine(contract: SmnContract, specPath: string | undefined, what: string): Promise<Engine> {
  needPrism(what);
  const { createPrismEngine } = await import('./engine/prism-engine.js');
  return createPrismEngine(contract, specPath);
}

/** The request handler, usable with any node:http server; `operations` as `httpOperationsOf` (or Prism) makes them. */
export function createHandler(
  contract: SmnContract,
  operations: HttpOperation[],
  options: HandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const { state } = options;
  const auth: AuthConfig = options.auth ?? { mode: 'presence' };
  const adminAccess: AdminAccess = options.adminToken
    ? { mode: 'token', token: options.adminToken }
    : options.exposed
      ? { mode: 'api', auth }
      : { mode: 'open' };
  const responses = smnResponses(contract);
  let prismLoading: Promise<Engine> | undefined = options.prismEngine && Promise.resolve(options.prismEngine);
  const prismEngine = (): Promise<Engine> => (prismLoading ??= loadPrismEngine(contract, options.specPath, 'a request the fast engine hands to Prism (a parameter style other than form and simple, or an answer Prism generates from a schema)'));
  const engine: Engine = options.engine === 'prism' ? { name: 'prism', decide: async (input) => (await prismEngine()).decide(input) } : createFastEngine(contract, prismEngine);
  const identity = options.signingIdentity ?? (() => generateSigningIdentity());
  const policy = deliveryPolicy(options.deliverTo, Boolean(options.exposed), auth.mode === 'token' || auth.mode === 'aksk');
  const notifier = new Notifier({
    identity,
    baseUrl: options.baseUrl ?? (() => 'http://127.0.0.1'),
    policy,
    schedule: options.deliverySchedule,
    subscription: state && ((projectId, urn) => state.findSubscription(projectId, urn)),
    signal: options.signal,
  });
  const errorReply = errorReplies(contract);
  const strictTopics = Boolean(options.strictTopics);
  const autoConfirm = Boolean(options.autoConfirm);
  const api: ApiContext = {
    contract,
    responses,
    route: routerOf(responses, operations),
    auth,
    engine,
    errorReply,
    shapes: EXAMPLE_SHAPES,
    edition: options.edition,
    // Every field named: a spread of the request here cost a fifth of the mock's throughput
    // (V8 copies a spread object through a slow generic path on this call site).
    emulate:
      state &&
      ((request) =>
        stateAnswer(state, {
          operation: request.operation,
          projectId: request.projectId,
          path: request.path,
          query: request.query,
          body: request.body,
          headers: request.headers,
          contract,
          responses,
          notifier,
          strictTopics,
          autoConfirm,
          edition: options.edition,
        })),
  };
  const links = state && new LinkHandler(state, notifier, () => identity().certificatePem);
  const admin: AdminContext | undefined = state && {
    state,
    responses,
    defaultProject: DEFAULT_PROJECT_ID,
    notifier,
    autoConfirm,
  };
  const logRequest = requestLogger(options.log, state);

  const budget = new BodyBudget(bodyBudgetBytes(maxBodyBytes));

  async function handle(req: IncomingMessage, res: ServerResponse, target: RequestTarget | undefined): Promise<Reply> {
    if (!target) return errorReply(BAD_REQUEST, 400, [{ message: 'the request target is neither /path nor http://host/path' }]);
    const body = await readBodyText(req, maxBodyBytes, budget.holder(res));
    if ('tooLarge' in body) return errorReply(PAYLOAD_TOO_LARGE, 413, [{ message: `the body is larger than ${maxBodyBytes} bytes` }]);
    if ('busy' in body) return busyReply(budget.limit);
    const bodyText = body.text;
    if (links && target.pathname.startsWith(LINKS_PREFIX)) {
      const reply = await links.handle(req.method ?? 'GET', target);
      // The certificate is also the API's DownloadHttpCert (GET /smn/{certificate_id}):
      // answered as the API answers, with its X-Request-Id, and recorded; the other links are the emulator's own.
      if (reply) return { body: undefined, ...reply, admin: reply.raw === undefined };
    }
    if (admin && target.pathname.startsWith(ADMIN_PREFIX)) {
      const denied = authorizeAdmin(req, bodyText, adminAccess);
      if (denied) return { status: 401, body: { error: denied }, admin: true, reason: denied };
      const reply = await handleAdmin(req.method ?? 'GET', target, bodyText, admin);
      return { body: undefined, ...reply, admin: true };
    }
    return answerApi(api, req, target, bodyText);
  }

  return (req, res) => {
    const started = performance.now();
    const requestId = newRequestId();
    const finish = (reply: Reply): void => {
      try {
        writeReply(res, requestId, reply);
      } catch {
        res.destroy();
      }
      logRequest(req, reply, started);
    };
    handle(req, res, parseTarget(req.url)).then(finish, (error: unknown) => {
      // A request the client broke off (its body never ended) needs no answer.
      if (req.destroyed && !req.complete) {
        res.destroy();
        return;
      }
      finish({ ...errorReply(INTERNAL_ERROR, 500), reason: `smn-kit: ${error instanceof Error ? error.message : String(error)}` });
    });
  };
}
