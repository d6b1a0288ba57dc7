// The mock SMN: a node:http server in front of Prism running in this process, with
// the emulator's state behind it (unless stateless).
//
// One request flows one way: read the body (413 past the limit) -> inspection
// endpoints under /_mock/ -> route against the contract's operations (404 gateway body
// otherwise) -> authenticate (401) -> Prism validates the request against the contract
// -> a violation becomes the SMN error the spec names for it -> X-Project-Id (403) ->
// the answer: the state (stateful) or Prism's example shaped by the query (stateless)
// -> request id -> reply, log line, request record.
//
// Prism sees only what the contract declares: the declared headers, and a placeholder
// for credentials (checked before, by the mode the mock runs in), so no secret reaches
// it. Its verdict depends on nothing else, which is what makes the memo below correct.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createLogger } from '@stoplight/prism-core';
import { createInstance, getHttpOperationsFromSpec, type IHttpConfig, type IHttpRequest } from '@stoplight/prism-http';
import { loadSmnContract, type SmnContract } from '../contract/smn.js';
import { smnResponses } from '../contract/smn-responses.js';
import { listenOn } from '../net/listen.js';
import { ADMIN_PREFIX, handleAdmin, type AdminContext } from './admin.js';
import { exampleAnswer, stateAnswer } from './answers.js';
import { authenticate, type AuthConfig } from './auth.js';
import { publishSmsEvent } from './publish.js';
import { loadSeedSubscriptions } from './seed.js';
import { EmulatorState, type Subscription } from './state.js';
import { chooseError, type Violation } from './violations.js';

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
}

export interface RunningMock {
  /** Base URL, e.g. `http://127.0.0.1:4010`. */
  url: string;
  server: Server;
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
const UNKNOWN_ROUTE = 'api_not_found';
const PAYLOAD_TOO_LARGE = 'entity_too_large';
const PERMISSION_DENIED = 'SMN.0001';
const INTERNAL_ERROR = 'SMN.0018';
const MEMO_ENTRIES = 1000;
const MEMO_MAX_BODY = 4096;

type PrismOperation = Awaited<ReturnType<typeof getHttpOperationsFromSpec>>[number];

interface Route {
  operation: PrismOperation;
  method: string;
}

/** What Prism decided for one request, as far as the reply depends on it. */
interface Verdict {
  status: number;
  body: unknown;
  /** The documented error chosen, when the request broke a rule. */
  error?: string;
  violations: Violation[];
}

interface Reply {
  status: number;
  body: unknown;
  /** Shown in the log line: the error code, when there is one. */
  note?: string;
  violations?: Violation[];
}

export async function startMock(options: MockOptions = {}): Promise<RunningMock> {
  // The kit's own contract is read in its JSON form, which Prism takes as is too (faster
  // to start than parsing the YAML twice); another spec is read from its file.
  const contract = loadSmnContract(options.specPath);
  const operations = await getHttpOperationsFromSpec(options.specPath ?? structuredClone(contract.document));
  const state = options.stateless ? undefined : new EmulatorState(options.seedSubscriptions ?? loadSeedSubscriptions(), options.stateFile);
  const handler = createHandler(contract, operations, { ...options, state });
  const server = createServer(handler);
  server.keepAliveTimeout = 30_000;
  const url = await listenOn(server, options.port ?? DEFAULT_PORT, options.host ?? DEFAULT_HOST);
  return {
    url,
    server,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The request handler, usable with any node:http server. */
export function createHandler(
  contract: SmnContract,
  operations: PrismOperation[],
  options: Pick<MockOptions, 'maxBodyBytes' | 'log' | 'strictTopics' | 'auth'> & { state?: EmulatorState } = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const { log, state } = options;
  const auth: AuthConfig = options.auth ?? { mode: 'presence' };
  // Routing is the contract's (exact paths, as Prism routes them: `/callback/` is
  // another route, 404 at the gateway); Prism then gets the one operation it matched.
  const contractOperations = smnResponses(contract);
  const prismOperations = new Map(operations.map((operation) => [operation.iid, operation]));
  const routeOf = (method: string, path: string): Route | undefined => {
    const operation = prismOperations.get(contractOperations.find(method, path)?.operationId ?? '');
    return operation && { operation, method: operation.method.toLowerCase() };
  };
  const prism = createInstance(prismConfig(), { logger: createLogger('smn-kit', { level: 'silent' }) });
  const memo = new Map<string, Verdict>();
  const admin: AdminContext | undefined = state && {
    state,
    defaultProject: DEFAULT_PROJECT_ID,
    publishSmsEvent: (projectId, event) => publishSmsEvent(state, projectId, event),
  };

  const errorReply = (name: string, fallbackStatus: number, violations?: Violation[]): Reply => {
    const documented = contract.errors.get(name);
    if (!documented) throw new Error(`the contract has no error example named ${name}`);
    const body = documented.body;
    return {
      status: documented.status ?? fallbackStatus,
      body: { ...body },
      note: 'code' in body ? body.code : body.error_code,
      violations,
    };
  };

  async function decide(req: IncomingMessage, route: Route, url: URL, bodyText: string, parsed: ParsedBody): Promise<Verdict> {
    const headers = headersForPrism(req, contract, parsed.body !== undefined);
    const prefer = preferences(req.headers.prefer);
    const key =
      bodyText.length <= MEMO_MAX_BODY
        ? `${route.method} ${url.pathname}?${url.search}\n${JSON.stringify(headers)}\n${prefer.code ?? ''} ${prefer.example ?? ''}\n${bodyText}`
        : undefined;
    const remembered = key === undefined ? undefined : memo.get(key);
    if (remembered) return remembered;

    const config = { ...prismConfig(), mock: { dynamic: false, code: prefer.code, exampleKey: prefer.example } };
    const input = { method: route.method as IHttpRequest['method'], url: { path: url.pathname, query: queryOf(url) }, headers, body: parsed.body };
    const result = await prism.request(input, [route.operation], config as IHttpConfig)();
    let verdict: Verdict;
    if (result._tag === 'Left') {
      // Prism could not answer: a route it does not resolve (which the gateway answers
      // with 404), or a `Prefer: code=` naming a status the operation lacks.
      const unrouted = /NO_(PATH|METHOD)_MATCHED/.test(result.left.name);
      verdict = {
        status: unrouted ? 404 : 500,
        body: undefined,
        error: unrouted ? UNKNOWN_ROUTE : INTERNAL_ERROR,
        violations: [{ message: `Prism: ${result.left.message}` }],
      };
    } else {
      const violations = result.right.validations.input as Violation[];
      // An unreadable body reached Prism as no body; say why before Prism's "required".
      if (parsed.problem && route.operation.request?.body) violations.unshift({ path: ['body'], message: parsed.problem });
      const choice = chooseError(contract, violations, parsed.body);
      verdict = choice
        ? { status: 400, body: undefined, error: choice.error, violations: [choice.violation] }
        : { status: result.right.output.statusCode, body: result.right.output.body, violations: [] };
    }
    if (key !== undefined) {
      if (memo.size >= MEMO_ENTRIES) memo.delete(memo.keys().next().value as string);
      memo.set(key, verdict);
    }
    return verdict;
  }

  async function answer(req: IncomingMessage, url: URL, bodyText: string): Promise<Reply> {
    const route = routeOf(req.method ?? 'GET', url.pathname);
    if (!route) return errorReply(UNKNOWN_ROUTE, 404);
    const refused = authenticate(req, bodyText, auth);
    if (refused) return errorReply(refused.error, 401, [{ path: ['header'], message: refused.reason }]);
    const parsed = parseBody(req.headers['content-type'], bodyText);
    const verdict = await decide(req, route, url, bodyText, parsed);
    if (verdict.error) return errorReply(verdict.error, verdict.status, verdict.violations);
    const projectHeader = req.headers['x-project-id'];
    const projectId = decodeURIComponent(url.pathname.split('/')[2] ?? '');
    if (typeof projectHeader === 'string' && projectHeader !== projectId) {
      return errorReply(PERMISSION_DENIED, 403, [
        { path: ['header', 'x-project-id'], message: `X-Project-Id ${projectHeader} differs from the project id of the path, ${projectId}` },
      ]);
    }
    // A Prefer header asks for a documented answer by name or status: serve Prism's.
    const preferred = req.headers.prefer !== undefined;
    if (!state || verdict.status !== 200 || preferred) {
      return { status: verdict.status, body: exampleAnswer(route.operation, verdict.body, url.searchParams) };
    }
    const emulated = stateAnswer(state, contract, { operation: route.operation, projectId, query: url.searchParams, body: parsed.body, strictTopics: Boolean(options.strictTopics) });
    if ('error' in emulated) return errorReply(emulated.error, 400, [{ path: ['body'], message: emulated.reason }]);
    return { status: 200, body: emulated.body };
  }

  return (req, res) => {
    const started = performance.now();
    const requestId = randomUUID().replaceAll('-', '');
    const url = new URL(req.url ?? '/', 'http://mock');
    const finish = (reply: Reply): void => {
      send(res, requestId, reply);
      const ms = Math.round((performance.now() - started) * 10) / 10;
      if (log) log(`${req.method} ${req.url} ${reply.status}${reply.note ? ` ${reply.note}` : ''} ${ms.toFixed(1)}ms`);
      state?.record({ time: new Date().toISOString(), method: req.method ?? 'GET', path: req.url ?? '/', status: reply.status, ms, code: reply.note, headers: redacted(req, contract) });
    };
    readBody(req, maxBodyBytes).then(
      (bodyText) => {
        if (bodyText === undefined) return finish(errorReply(PAYLOAD_TOO_LARGE, 413));
        if (admin && url.pathname.startsWith(ADMIN_PREFIX)) {
          handleAdmin(req.method ?? 'GET', url, bodyText, admin).then(
            (reply) => sendAdmin(res, reply),
            (error: unknown) => sendAdmin(res, { status: 500, body: { error: `smn-kit: ${String(error)}` } }),
          );
          return;
        }
        answer(req, url, bodyText).then(finish, (error: unknown) => {
          finish({ ...errorReply(INTERNAL_ERROR, 500), violations: [{ message: `smn-kit: ${String(error)}` }] });
        });
      },
      () => res.destroy(),
    );
  };
}

function prismConfig() {
  return {
    mock: { dynamic: false },
    validateRequest: true,
    validateResponse: false,
    checkSecurity: true,
    errors: false,
    upstreamProxy: undefined,
    isProxy: false as const,
  };
}

/**
 * Resolves with the body text, or with undefined as soon as the body is known to pass
 * `limit` bytes; the rest is then read and dropped, so the client can read the 413.
 */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      req.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > limit) return; // answered already; the rest is drained
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
      } else {
        chunks.length = 0;
        resolve(undefined);
      }
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

interface ParsedBody {
  body?: unknown;
  problem?: string;
}

function parseBody(contentType: string | undefined, text: string): ParsedBody {
  if (text.trim() === '') return {};
  if (contentType && !JSON_MEDIA_TYPE.test(contentType)) {
    return { problem: `Content-Type ${contentType} is not application/json` };
  }
  try {
    return { body: JSON.parse(text) as unknown };
  } catch (error) {
    return { problem: `the body is not JSON: ${(error as Error).message}` };
  }
}

function headersForPrism(req: IncomingMessage, contract: SmnContract, hasBody: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of contract.requestHeaders) {
    const value = req.headers[name];
    if (typeof value !== 'string' || value === '' || contract.credentialHeaders.includes(name)) continue;
    headers[name] = value;
  }
  // Credentials were checked already, by the mode the mock runs in.
  const scheme = contract.credentialHeaders[0];
  if (scheme) headers[scheme] = '***';
  if (hasBody) headers['content-type'] = 'application/json';
  return headers;
}

/** The request headers for the request log, credentials replaced by `***`. */
function redacted(req: IncomingMessage, contract: SmnContract): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = contract.credentialHeaders.includes(name) || name === 'x-security-token' ? '***' : String(value);
  }
  return headers;
}

function queryOf(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? values[0]! : values;
  }
  return query;
}

/** `Prefer: code=500, example=nothing_bound`, as Prism's own server reads it. */
function preferences(header: string | string[] | undefined): { code?: number; example?: string } {
  const found: { code?: number; example?: string } = {};
  for (const part of String(header ?? '').split(/[,;]/)) {
    const [name, value] = part.split('=').map((s) => s.trim().replace(/^"|"$/g, ''));
    if (name === 'code' && value && /^\d{3}$/.test(value)) found.code = Number(value);
    if (name === 'example' && value) found.example = value;
  }
  return found;
}

function send(res: ServerResponse, requestId: string, reply: Reply): void {
  // Every body that has a request_id gets this request's, never the example's.
  const body =
    reply.body && typeof reply.body === 'object' && 'request_id' in reply.body
      ? { ...reply.body, request_id: requestId }
      : reply.body;
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json;charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
    'X-Request-Id': requestId,
  };
  if (reply.violations?.length) {
    // Prism's own header for what was wrong, so a person sees the rule behind the code.
    headers['sl-violations'] = JSON.stringify(
      reply.violations.map((v) => ({ location: v.path ?? [], code: v.code, message: v.message })),
    ).slice(0, 8000);
  }
  res.writeHead(reply.status, headers);
  res.end(text);
}

function sendAdmin(res: ServerResponse, reply: { status: number; body?: unknown }): void {
  const text = reply.body === undefined ? '' : `${JSON.stringify(reply.body, null, 2)}\n`;
  res.writeHead(reply.status, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
