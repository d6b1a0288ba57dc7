// The mock SMN: a node:http server that validates each request against the contract as
// Prism does (validation.ts: validators compiled from the contract, or Prism itself with
// the `prism` engine), with the emulator's state behind it (unless stateless).
//
// One request flows one way: read the target and the body (400 or 413 when they cannot
// be read) -> inspection endpoints under /_mock/ -> route against the contract's
// operations (404 gateway body otherwise) -> authenticate (401) -> the engine validates
// the request against the contract -> a violation becomes the SMN error the spec names
// for it -> X-Project-Id (403) -> the answer: the state (stateful) or the contract's
// example Prism would choose, shaped by the query (stateless) -> request id -> reply,
// log line, request record.
//
// Whatever happens on the way, the client gets a JSON answer with a documented status:
// every failure of the pipeline becomes SMN.0018 in `finish`, requests Node refuses
// before they are requests get the gateway's body (`clientError`), and header values
// are made printable where they are written (reply.ts).
//
// The engines see only what the contract declares: the declared headers, and a
// placeholder for credentials (checked before, by the mode the mock runs in), so no
// secret reaches them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { performance } from 'node:perf_hooks';
import { loadSmnContractFile, type SmnContract } from '../contract/smn.js';
import { smnResponses, type SmnOperation, type SmnResponses } from '../contract/smn-responses.js';
import { listenOn } from '../net/listen.js';
import { maskHeaders } from '../net/secrets.js';
import { printable } from '../net/text.js';
import { ADMIN_PREFIX, handleAdmin, type AdminContext } from './admin.js';
import { exampleAnswer, stateAnswer } from './answers.js';
import { authenticate, authorizeAdmin, type AdminAccess, type AuthConfig } from './auth.js';
import { isLoopbackHost, type DeliveryPolicy } from './delivery-policy.js';
import { LINKS_PREFIX, LinkHandler } from './links.js';
import { Notifier } from './notifier.js';
import { httpOperationsOf, type HttpOperation } from './operations.js';
import { publishSmsEvent } from './publish.js';
import { codeOf, newRequestId, writeRawReply, writeReply, type Reply } from './reply.js';
import { decodeSegment, parseBody, parseTarget, type RequestTarget } from './request.js';
import { readBodyText } from '../net/body.js';
import { loadSeedSubscriptions } from './seed.js';
import { generateSigningIdentity, restoreSigningIdentity, type SigningIdentity } from './signing.js';
import { EmulatorState, StateLimitError, type Subscription } from './state.js';
import { BAD_REQUEST, createFastEngine, engineHeaders, INTERNAL_ERROR, preferences, UNKNOWN_ROUTE, type Engine, type EngineName } from './validation.js';
import type { Violation } from './violations.js';

export interface MockOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 4010; 0 picks a free one). */
  port?: number;
  /** Largest request body accepted, in bytes (default 1 MiB); larger ones get 413. */
  maxBodyBytes?: number;
  /** Where the per-request log lines go; default: nowhere. */
  log?: (line: string) => void;
  /** The OpenAPI file to serve (default: the kit's `spec/smn.openapi.yaml`). */
  specPath?: string;
  /** Pure Prism answers: the contract's examples, no state, no /_mock/ endpoints. */
  stateless?: boolean;
  /** The subscriptions each project starts with (stateful; default fixtures/smn/subscriptions.json). */
  seedSubscriptions?: Subscription[];
  /** Load the state from this file at start and save it after each change. */
  stateFile?: string;
  /** Refuse bindings to topics the emulator does not know (SMN.0141/0143/0145). */
  strictTopics?: boolean;
  /** Default: presence (a token or an Authorization header must be there). */
  auth?: AuthConfig;
  /**
   * Who may use /_mock/: with a token, requests carrying it; otherwise anyone when the
   * mock listens on loopback, and requests the API would accept when it does not.
   */
  adminToken?: string;
  /** Where published notifications may go (default: loopback hosts only). */
  deliverTo?: DeliveryPolicy;
  /** New subscriptions are confirmed at once, without a SubscriptionConfirmation. */
  autoConfirm?: boolean;
  /** The key and certificate notifications are signed with; default one made on first use (kept in the state file). */
  signing?: SigningIdentity;
  /** Also serve HTTPS on this port (0: a free one), with the signing certificate; links and certificate URLs then use it. */
  httpsPort?: number;
  /** Who validates requests: `fast` (default; validators compiled from the contract, as Prism validates) or `prism` (Prism itself, every request). */
  engine?: EngineName;
}

export interface RunningMock {
  /** Base URL, e.g. `http://127.0.0.1:4010`. */
  url: string;
  /** The HTTPS base URL, with `httpsPort`. */
  httpsUrl?: string;
  server: Server;
  /** The certificate of the signing identity (also the HTTPS certificate), once there is one. */
  certificatePem(): string | undefined;
  /** Where the mock serves that certificate (the `signing_cert_url` of its notifications); made on first call when there is none yet. */
  certificateUrl(): string;
  /** The emulator's state; undefined when stateless. */
  state?: EmulatorState;
  /** Stops accepting requests, ends open connections and resolves when closed. */
  close(): Promise<void>;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 4010;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** The project admin requests mean when they name none: the documents' example id. */
export const DEFAULT_PROJECT_ID = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
const PAYLOAD_TOO_LARGE = 'entity_too_large';
const HEADERS_TOO_LARGE = 'headers_too_large';
const REQUEST_TIMEOUT = 'request_timeout';

interface Route {
  /** The operation as the engines and the answers take it (Prism's shape). */
  operation: HttpOperation;
  /** The same operation as the contract's validators know it (its parameters dereferenced). */
  contractOperation: SmnOperation;
  /** The path template's segments (`{project_id}` marks a parameter). */
  segments: string[];
}

export async function startMock(options: MockOptions = {}): Promise<RunningMock> {
  // The kit's own contract is read in its JSON form (no YAML parser to load), and shared
  // with the rest of the kit (seed, state checks), so that it is compiled once.
  const contract = options.specPath ? await loadSmnContractFile(options.specPath) : smnResponses().contract;
  const operations = httpOperationsOf(contract);
  // The Prism engine is loaded before the first request when it decides them all.
  const prismEngine = options.engine === 'prism' ? await loadPrismEngine(contract, options.specPath) : undefined;
  const state = options.stateless ? undefined : new EmulatorState(options.seedSubscriptions ?? loadSeedSubscriptions(), options.stateFile);
  const host = options.host ?? DEFAULT_HOST;
  // The signing identity: the user's, the state file's, or one made on first use (making
  // a key takes a while, and most runs never send a notification) and then kept.
  let identity = options.signing ?? (state?.storedSigningIdentity() && restoreSigningIdentity(state.storedSigningIdentity()!));
  const signingIdentity = (): SigningIdentity => {
    if (!identity) {
      identity = generateSigningIdentity();
      state?.keepSigningIdentity(identity.stored());
    }
    return identity;
  };
  let base = '';
  const handler = createHandler(contract, operations, { ...options, state, exposed: !isLoopbackHost(host), signingIdentity, baseUrl: () => base, prismEngine });
  const server = createServer(handler);
  server.keepAliveTimeout = 30_000;
  answerClientErrors(server, contract);
  const url = await listenOn(server, options.port ?? DEFAULT_PORT, host);
  let secure: Server | undefined;
  let httpsUrl: string | undefined;
  if (options.httpsPort !== undefined) {
    const { privateKey, certificatePem } = signingIdentity();
    secure = createHttpsServer({ key: privateKey.export({ type: 'pkcs8', format: 'pem' }), cert: certificatePem }, handler);
    secure.keepAliveTimeout = 30_000;
    answerClientErrors(secure, contract);
    try {
      httpsUrl = (await listenOn(secure, options.httpsPort, host)).replace(/^http:/, 'https:');
    } catch (error) {
      server.close();
      throw error;
    }
  }
  base = httpsUrl ?? url;
  const closeServer = (which: Server): Promise<void> =>
    new Promise<void>((resolve) => {
      which.close(() => resolve());
      which.closeAllConnections();
    });
  return {
    url,
    httpsUrl,
    server,
    state,
    certificatePem: () => identity?.certificatePem,
    certificateUrl: () => `${base}/smn/${signingIdentity().certificateName}`,
    close: async () => {
      await Promise.all([closeServer(server), ...(secure ? [closeServer(secure)] : [])]);
    },
  };
}

/**
 * Requests Node's parser refuses never reach the handler; without this, Node answers a
 * bare `400 Bad Request` (or 431, 408) with no body. CONNECT is not an API method.
 */
function answerClientErrors(server: Server, contract: SmnContract): void {
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
}

type HandlerOptions = Pick<MockOptions, 'maxBodyBytes' | 'log' | 'strictTopics' | 'auth' | 'adminToken' | 'deliverTo' | 'autoConfirm' | 'engine' | 'specPath'> & {
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

async function loadPrismEngine(contract: SmnContract, specPath?: string): Promise<Engine> {
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
  const { log, state } = options;
  const auth: AuthConfig = options.auth ?? { mode: 'presence' };
  const adminAccess: AdminAccess = options.adminToken
    ? { mode: 'token', token: options.adminToken }
    : options.exposed
      ? { mode: 'api', auth }
      : { mode: 'open' };
  // Routing is the contract's (exact paths, as Prism routes them: `/callback/` is
  // another route, 404 at the gateway); the engine then gets the one operation matched.
  const contractOperations = smnResponses(contract);
  const routes = new Map<SmnOperation, Route>();
  for (const contractOperation of contractOperations.operations) {
    const operation = operations.find((op) => op.method.toUpperCase() === contractOperation.method && op.path === contractOperation.path);
    if (operation) routes.set(contractOperation, { operation, contractOperation, segments: operation.path.split('/') });
  }
  const routeOf = (method: string, path: string): Route | undefined => {
    const contractOperation = contractOperations.find(method, path);
    return contractOperation && routes.get(contractOperation);
  };
  let prismLoading: Promise<Engine> | undefined = options.prismEngine && Promise.resolve(options.prismEngine);
  const prismEngine = (): Promise<Engine> => (prismLoading ??= loadPrismEngine(contract, options.specPath));
  const engine: Engine = options.engine === 'prism' ? { name: 'prism', decide: async (input) => (await prismEngine()).decide(input) } : createFastEngine(contract, prismEngine);
  const identity = options.signingIdentity ?? (() => generateSigningIdentity());
  const notifier = new Notifier({ identity, baseUrl: options.baseUrl ?? (() => 'http://127.0.0.1'), policy: options.deliverTo ?? 'loopback' });
  const links = state && new LinkHandler(state, notifier, () => identity().certificatePem);
  const admin: AdminContext | undefined = state && {
    state,
    defaultProject: DEFAULT_PROJECT_ID,
    notifier,
    autoConfirm: Boolean(options.autoConfirm),
    publishSmsEvent: (projectId, event) => publishSmsEvent(state, notifier, projectId, event),
  };

  const errorReply = (name: string, fallbackStatus: number, violations?: Violation[]): Reply => {
    const documented = contract.errors.get(name);
    if (!documented) throw new Error(`the contract has no error example named ${name}`);
    return {
      status: documented.status ?? fallbackStatus,
      body: { ...documented.body },
      code: codeOf(documented.body),
      reason: violations?.[0] && reasonOf(violations[0]),
      violations,
    };
  };

  async function answer(req: IncomingMessage, target: RequestTarget, bodyText: string): Promise<Reply> {
    const route = routeOf(req.method ?? 'GET', target.pathname);
    if (!route) return errorReply(UNKNOWN_ROUTE, 404);
    const refused = authenticate(req, bodyText, auth);
    if (refused) return errorReply(refused.error, 401, [{ path: ['header'], message: refused.reason }]);
    // A path parameter whose percent-encoding is broken cannot be read: it is invalid.
    const segments = target.pathname.split('/');
    const broken = route.segments.findIndex((part, i) => part.startsWith('{') && decodeSegment(segments[i] ?? '') === undefined);
    if (broken !== -1) {
      const name = route.segments[broken]!.slice(1, -1);
      const error = contract.parameterErrors.get(`path:${name}`);
      if (error) return errorReply(error, 400, [{ path: ['path', name], message: 'broken percent-encoding' }]);
    }
    // What Prism lets through although the contract refuses it: integers written
    // otherwise (it coerces them) and empty headers (it takes them as absent).
    const loose = nonIntegerQuery(route.contractOperation, target.query) ?? emptyHeader(contractOperations, route.contractOperation, req);
    if (loose) {
      const error = contract.parameterErrors.get(`${loose.path![0]}:${loose.path![1]}`);
      if (error) return errorReply(error, 400, [loose]);
    }
    const parsed = parseBody(req.headers['content-type'], bodyText);
    const verdict = await engine.decide({
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
    if (verdict.error) return errorReply(verdict.error, verdict.status, verdict.violations);
    const pathParameters: Record<string, string> = {};
    route.operation.path.split('/').forEach((part, i) => {
      if (part.startsWith('{')) pathParameters[part.slice(1, -1)] = decodeSegment(segments[i] ?? '') ?? '';
    });
    const projectId = pathParameters.project_id ?? '';
    // Headers that must repeat a path parameter (x-must-equal: X-Project-Id).
    for (const rule of contract.headerEqualities) {
      const given = req.headers[rule.header];
      const at = route.segments.indexOf(`{${rule.parameter}}`);
      const expected = at === -1 ? undefined : decodeSegment(segments[at] ?? '');
      if (typeof given === 'string' && expected !== undefined && given !== expected) {
        return errorReply(rule.error, 403, [{ path: ['header', rule.header], message: `differs from the ${rule.parameter} of the path` }]);
      }
    }
    // A Prefer header asks for a documented answer by name or status: serve Prism's.
    const preferred = req.headers.prefer !== undefined;
    if (!state || verdict.status !== 200 || preferred) {
      const { status, body } = exampleAnswer(route.operation, verdict.status, verdict.body, target.query, preferred);
      return { status, body, code: codeOf(body), reason: preferred ? 'Prefer' : undefined };
    }
    try {
      const emulated = await stateAnswer(state, contract, {
        operation: route.operation,
        projectId,
        path: pathParameters,
        query: target.query,
        body: parsed.body,
        strictTopics: Boolean(options.strictTopics),
        notifier,
        autoConfirm: Boolean(options.autoConfirm),
      });
      if ('error' in emulated) return errorReply(emulated.error, 400, [{ path: emulated.where ?? ['body'], message: emulated.reason }]);
      return { status: emulated.status ?? 200, body: emulated.body };
    } catch (error) {
      if (error instanceof StateLimitError) return errorReply(error.code, 403, [{ message: error.message }]);
      throw error;
    }
  }

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
    return answer(req, target, bodyText);
  }

  return (req, res) => {
    const started = performance.now();
    const requestId = newRequestId();
    const target = parseTarget(req.url);
    const finish = (reply: Reply): void => {
      try {
        writeReply(res, requestId, reply);
      } catch {
        res.destroy();
      }
      if (!log && !(state && !reply.admin)) return;
      const ms = Math.round((performance.now() - started) * 10) / 10;
      const shownPath = printable(req.url ?? '', 300);
      const code = reply.code ?? codeOf(reply.body);
      if (log) log(`${req.method} ${shownPath} ${reply.status}${code ? ` ${code}` : ''}${reply.reason ? ` (${printable(reply.reason, 120)})` : ''} ${ms.toFixed(1)}ms`);
      if (state && !reply.admin) {
        state.record({ time: new Date().toISOString(), method: req.method ?? 'GET', path: shownPath, status: reply.status, ms, code, reason: reply.reason, headers: maskHeaders(req.headers) });
      }
    };
    handle(req, target).then(finish, (error: unknown) => {
      // A request the client broke off (its body never ended) needs no answer.
      if (req.destroyed && !req.complete) {
        res.destroy();
        return;
      }
      finish({ ...errorReply(INTERNAL_ERROR, 500), reason: `smn-kit: ${error instanceof Error ? error.message : String(error)}` });
    });
  };
}

/**
 * A query value of an integer parameter that is not written as one (`1e1`, `+5`, `01`,
 * `100.0`, ``): Prism coerces such text to a number, the contract says integer.
 */
function nonIntegerQuery(operation: SmnOperation, query: URLSearchParams): Violation | undefined {
  for (const parameter of operation.parameters) {
    if (parameter.in !== 'query' || parameter.schema.type !== 'integer') continue;
    for (const value of query.getAll(parameter.name)) {
      if (!/^-?(0|[1-9][0-9]*)$/.test(value)) return { path: ['query', parameter.name], code: 'type', message: `must be an integer in decimal digits, got "${value.slice(0, 40)}"` };
    }
  }
  return undefined;
}

/** A declared header sent empty when its schema refuses an empty value (X-Security-Token: minLength 1). */
function emptyHeader(responses: SmnResponses, operation: SmnOperation, req: IncomingMessage): Violation | undefined {
  for (const parameter of operation.parameters) {
    if (parameter.in !== 'header' || req.headers[parameter.name.toLowerCase()] !== '') continue;
    const problem = responses.validateWith(`header ${parameter.name}`, parameter.schema, '')[0];
    if (problem) return { path: ['header', parameter.name.toLowerCase()], code: problem.rule, message: `is empty; expected ${problem.expected}` };
  }
  return undefined;
}

/** A violation in a few words: where, and what. */
function reasonOf(violation: Violation): string {
  const where = (violation.path ?? []).join('.');
  return where ? `${where}: ${violation.message}` : violation.message;
}
