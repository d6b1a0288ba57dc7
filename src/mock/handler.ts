// The mock's request handler: one pipeline per request, one way.
//
//   read the target and the body (400 or 413 when they cannot be read)
//   -> the links of notifications, under /smn/ (links.ts)
//   -> the inspection endpoints, under /_mock/ (admin.ts, behind authorizeAdmin)
//   -> the API (api.ts: route, authenticate, validate, answer)
//   -> reply with a request id (reply.ts), log line and request record (request-log.ts).
//
// Whatever happens on the way, the client gets a JSON answer with a documented status:
// every failure of the pipeline becomes SMN.0018 here, requests Node refuses before
// they are requests get the gateway's body (error-replies.ts), and header values are
// made printable where they are written (reply.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { SmnContract } from '../contract/smn.js';
import { smnResponses } from '../contract/smn-responses.js';
import { ADMIN_PREFIX, handleAdmin, type AdminContext } from './admin.js';
import { answerApi, type ApiContext } from './api.js';
import { authorizeAdmin, type AdminAccess, type AuthConfig } from './auth.js';
import { errorReplies, PAYLOAD_TOO_LARGE } from './error-replies.js';
import { LINKS_PREFIX, LinkHandler } from './links.js';
import { Notifier } from './notifier.js';
import type { HttpOperation } from './operations.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_PROJECT_ID, type MockOptions } from './options.js';
import { publishSmsEvent } from './publish.js';
import { newRequestId, writeReply, type Reply } from './reply.js';
import { readBodyText } from '../net/body.js';
import { parseTarget, type RequestTarget } from './request.js';
import { requestLogger } from './request-log.js';
import { needPrism } from './prism-package.js';
import { routerOf } from './routes.js';
import { generateSigningIdentity, type SigningIdentity } from './signing.js';
import type { EmulatorState } from './state.js';
import { BAD_REQUEST, createFastEngine, INTERNAL_ERROR, type Engine } from './validation.js';

export type HandlerOptions = Pick<MockOptions, 'maxBodyBytes' | 'log' | 'strictTopics' | 'auth' | 'adminToken' | 'deliverTo' | 'autoConfirm' | 'engine' | 'specPath'> & {
  /** The Prism engine, when loaded already. */
  prismEngine?: Engine;
  state?: EmulatorState;
  /** The mock listens beyond loopback: /_mock/ then needs credentials. */
  exposed?: boolean;
  /** The signing identity, made on first use. */
  signingIdentity?: () => SigningIdentity;
  /** The base URL of the links in notifications (the mock's own). */
  baseUrl?: () => string;
};

/**
 * The Prism engine over the contract (importing Prism costs about a second: only when
 * asked for). `what` needs it, for the message when Prism is not installed.
 */
export async function loadPrismEngine(contract: SmnContract, specPath: string | undefined, what: string): Promise<Engine> {
  needPrism(what);
  const { createPrismEngine } = await import('./prism-engine.js');
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
  const notifier = new Notifier({ identity, baseUrl: options.baseUrl ?? (() => 'http://127.0.0.1'), policy: options.deliverTo ?? 'loopback' });
  const errorReply = errorReplies(contract);
  const api: ApiContext = {
    contract,
    responses,
    route: routerOf(responses, operations),
    auth,
    engine,
    errorReply,
    state,
    notifier,
    strictTopics: Boolean(options.strictTopics),
    autoConfirm: Boolean(options.autoConfirm),
  };
  const links = state && new LinkHandler(state, notifier, () => identity().certificatePem);
  const admin: AdminContext | undefined = state && {
    state,
    responses,
    defaultProject: DEFAULT_PROJECT_ID,
    notifier,
    autoConfirm: Boolean(options.autoConfirm),
    publishSmsEvent: (projectId, event) => publishSmsEvent(state, notifier, responses, projectId, event),
  };
  const logRequest = requestLogger(options.log, state);

  async function handle(req: IncomingMessage, target: RequestTarget | undefined): Promise<Reply> {
    if (!target) return errorReply(BAD_REQUEST, 400, [{ message: 'the request target is neither /path nor http://host/path' }]);
    const bodyText = await readBodyText(req, maxBodyBytes);
    if (bodyText === undefined) return errorReply(PAYLOAD_TOO_LARGE, 413, [{ message: `the body is larger than ${maxBodyBytes} bytes` }]);
    if (links && target.pathname.startsWith(LINKS_PREFIX)) {
      const reply = await links.handle(req.method ?? 'GET', target);
      if (reply) return { body: undefined, ...reply, admin: true };
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
    handle(req, parseTarget(req.url)).then(finish, (error: unknown) => {
      // A request the client broke off (its body never ended) needs no answer.
      if (req.destroyed && !req.complete) {
        res.destroy();
        return;
      }
      finish({ ...errorReply(INTERNAL_ERROR, 500), reason: `smn-kit: ${error instanceof Error ? error.message : String(error)}` });
    });
  };
}
