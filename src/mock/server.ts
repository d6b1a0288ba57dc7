// The mock SMN: a node:http server in front of Prism running in this process.
//
// One request flows one way: read the body (413 past the limit) -> route against the
// contract's operations (404 gateway body otherwise) -> parse JSON -> Prism validates
// and picks the example -> a violation becomes the SMN error the spec names for it ->
// the example is shaped by the request (filter, page) -> request id -> reply and log.
//
// Prism sees only what the contract declares: the declared headers, and placeholders
// for credentials, so no secret reaches it. Its answer depends on nothing else, which
// is what makes the memo below correct.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createLogger } from '@stoplight/prism-core';
import { createInstance, getHttpOperationsFromSpec, type IHttpConfig, type IHttpRequest } from '@stoplight/prism-http';
import { loadSmnContract, smnSpecPath, type SmnContract } from '../contract/smn.js';
import { chooseError, type Violation } from './violations.js';
import { shapeExample } from './shaping.js';

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
}

export interface RunningMock {
  /** Base URL, e.g. `http://127.0.0.1:4010`. */
  url: string;
  server: Server;
  /** Stops accepting requests, ends open connections and resolves when closed. */
  close(): Promise<void>;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 4010;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
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
  pattern: RegExp;
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
  const specPath = options.specPath ?? smnSpecPath;
  const contract = loadSmnContract(specPath);
  const operations = await getHttpOperationsFromSpec(specPath);
  const handler = createHandler(contract, operations, options);
  const server = createServer(handler);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, options.host ?? DEFAULT_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
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
  options: Pick<MockOptions, 'maxBodyBytes' | 'log'> = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = options.log;
  const routes = operations.map(toRoute);
  const prism = createInstance(prismConfig(), { logger: createLogger('smn-kit', { level: 'silent' }) });
  const memo = new Map<string, Verdict>();

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

  async function decide(req: IncomingMessage, route: Route, url: URL, bodyText: string): Promise<Verdict> {
    const parsed = parseBody(req.headers['content-type'], bodyText);
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

  async function answer(req: IncomingMessage, bodyText: string): Promise<Reply> {
    const url = new URL(req.url ?? '/', 'http://mock');
    const method = (req.method ?? 'GET').toLowerCase();
    const route = routes.find((r) => r.method === method && r.pattern.test(url.pathname));
    if (!route) return errorReply(UNKNOWN_ROUTE, 404);
    const verdict = await decide(req, route, url, bodyText);
    if (verdict.error) return errorReply(verdict.error, verdict.status, verdict.violations);
    const projectHeader = req.headers['x-project-id'];
    const projectId = decodeURIComponent(url.pathname.split('/')[2] ?? '');
    if (typeof projectHeader === 'string' && projectHeader !== projectId) {
      return errorReply(PERMISSION_DENIED, 403, [
        { path: ['header', 'x-project-id'], message: `X-Project-Id ${projectHeader} differs from the project id of the path, ${projectId}` },
      ]);
    }
    return { status: verdict.status, body: shapeExample(route.operation, verdict.body, url.searchParams) };
  }

  return (req, res) => {
    const started = performance.now();
    const requestId = randomUUID().replaceAll('-', '');
    const finish = (reply: Reply): void => {
      send(res, requestId, reply);
      if (log) {
        const ms = (performance.now() - started).toFixed(1);
        log(`${req.method} ${req.url} ${reply.status}${reply.note ? ` ${reply.note}` : ''} ${ms}ms`);
      }
    };
    readBody(req, maxBodyBytes).then(
      (bodyText) => {
        if (bodyText === undefined) return finish(errorReply(PAYLOAD_TOO_LARGE, 413));
        answer(req, bodyText).then(finish, (error: unknown) => {
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

function toRoute(operation: PrismOperation): Route {
  const source = operation.path
    .split('/')
    .map((segment) => (/^\{.+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  // Exact paths, as Prism routes them: `/callback/` is another route (404 at the gateway).
  return { operation, method: operation.method.toLowerCase(), pattern: new RegExp(`^${source}$`) };
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
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (chunks.length > 0) {
        chunks.length = 0;
        resolve(undefined);
      }
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

function parseBody(contentType: string | undefined, text: string): { body?: unknown; problem?: string } {
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
    if (typeof value !== 'string' || value === '') continue;
    headers[name] = contract.credentialHeaders.includes(name) ? '***' : value;
  }
  if (hasBody) headers['content-type'] = 'application/json';
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
