// The client a conformance run talks to the target with: credentials (token or AK/SK
// signature), a bound on requests per second, a timeout and a size cap on each answer,
// every exchange kept for the report, and a `curl` reproducer for any of them with
// secrets replaced by `***`. A request that gets no usable answer is a RequestFailed
// (the check it belongs to reports it); it never ends the run.
import { signRequest } from '../auth/aksk.js';
import { OutgoingError, send, type OutgoingAnswer } from '../net/outgoing.js';
import { isSecretHeader, MASK } from '../net/secrets.js';
import type { ConformanceOptions } from './options.js';
import { secretMasker, type Mask } from './secrets.js';

export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface ReceivedResponse {
  status: number;
  headers: Record<string, string>;
  /** The body, secrets of the run replaced by `***` (a target may echo them). */
  text: string;
  /** The parsed body, when it is JSON. */
  json?: unknown;
}

export interface Exchange {
  request: SentRequest;
  response: ReceivedResponse;
}

export interface RequestSpec {
  method: string;
  path: string;
  /** Raw query string without `?`, sent as given (so `limit=abc` stays what it is). */
  query?: string;
  body?: string;
  contentType?: string;
  /** Send credentials (default true). */
  auth?: boolean;
}

/**
 * Why a request got no usable answer: `unreachable` (refused, reset, unknown host, TLS,
 * timeout: no answer at all), `cut-off` (the connection closed inside the body),
 * `too-large` (a body over --max-body: a verdict on the target, not the network).
 */
export type FailureKind = 'unreachable' | 'cut-off' | 'too-large';

export class RequestFailed extends Error {
  override readonly name = 'RequestFailed';
  constructor(
    message: string,
    readonly kind: FailureKind,
    readonly request: SentRequest,
  ) {
    super(message);
  }
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ETIMEDOUT: 'connection timed out',
};

/** One sentence for a request that got no answer; `code` is the network error's code, or its message. */
function describeFailure(code: string | undefined, url: string): string {
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER') return `${url} does not answer TLS: its port seems to serve plain HTTP; try --target ${url.replace(/^https:/, 'http:')}`;
  if (code && NETWORK_REASONS[code]) return `cannot reach ${url}: ${NETWORK_REASONS[code]} (${code})`;
  if (code && /CERT|SSL|TLS|SELF_SIGNED|VERIFY/.test(code)) return `TLS failure talking to ${url} (${code})`;
  return `cannot reach ${url}: ${code ?? 'no answer'}`;
}

type RawAnswer = OutgoingAnswer;

export class TargetClient {
  private nextSlot = 0;
  /** Replaces this run's secrets with `***` in any text. */
  readonly mask: Mask;

  constructor(readonly options: ConformanceOptions) {
    this.mask = secretMasker([options.token, options.sk, options.ak]);
  }

  private readonly watchers: { sending?: (request: SentRequest) => void; answered?: (exchange: Exchange) => void }[] = [];

  /**
   * Calls `sending` with every request before it goes out (it may change the target even
   * when no answer comes) and `answered` with every exchange that got an answer: the
   * sandbox learns what the run created, the bindings what each read said.
   */
  watch(watcher: { sending?: (request: SentRequest) => void; answered?: (exchange: Exchange) => void }): void {
    this.watchers.push(watcher);
  }

  /**
   * `/v2/{project_id}/...` with this run's project id and the other path parameters
   * given. A URN goes in as it is, colons unencoded, as the official SDKs send it.
   */
  path(template: string, parameters: Record<string, string> = {}, options: { encodeColons?: boolean } = {}): string {
    return template.replace(/\{([^}]+)\}/g, (whole, name: string) => {
      if (name === 'project_id') return encodeURIComponent(this.options.projectId);
      const value = parameters[name];
      if (value === undefined) return whole;
      return options.encodeColons ? encodeURIComponent(value) : encodeURIComponent(value).replaceAll('%3A', ':');
    });
  }

  /** Sends one request; rejects with RequestFailed when no usable answer comes. */
  async send(spec: RequestSpec): Promise<Exchange> {
    await this.waitForSlot();
    const url = `${this.options.target}${spec.path}${spec.query ? `?${spec.query}` : ''}`;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (spec.body !== undefined) headers['Content-Type'] = spec.contentType ?? 'application/json;charset=UTF-8';
    if (spec.auth !== false) Object.assign(headers, this.credentials(spec.method, url, headers, spec.body));
    const request: SentRequest = { method: spec.method, url, headers, body: spec.body };
    const failed = (message: string, kind: FailureKind): RequestFailed => new RequestFailed(this.mask(message), kind, request);
    for (const watcher of this.watchers) watcher.sending?.(request);

    const answer = await this.exchange(new URL(url), request, failed);
    const text = this.mask(answer.body.toString('utf8'));
    const received: ReceivedResponse = {
      status: answer.status,
      headers: Object.fromEntries(Object.entries(answer.headers).map(([name, value]) => [name, this.mask(Array.isArray(value) ? value.join(', ') : String(value))])),
      text,
    };
    try {
      if (text.trim() !== '') received.json = JSON.parse(text);
    } catch {
      // not JSON: the checks say so
    }
    const exchange = { request, response: received };
    for (const watcher of this.watchers) watcher.answered?.(exchange);
    return exchange;
  }

  /**
   * One request on the wire (send, src/net/outgoing.ts): the timeout bounds the whole
   * exchange, a body that trickles in included, and reading stops, connection closed, at
   * the first byte over --max-body.
   */
  private async exchange(url: URL, request: SentRequest, failed: (message: string, kind: FailureKind) => RequestFailed): Promise<RawAnswer> {
    const { target, timeoutMs, maxBodyBytes } = this.options;
    try {
      return await send({ method: request.method, url, headers: request.headers, body: request.body, deadlineMs: timeoutMs, maxBodyBytes });
    } catch (error) {
      if (!(error instanceof OutgoingError)) throw error;
      const { status, received, declared, code } = error.detail;
      const answer = `the answer (${status})`;
      switch (error.kind) {
        case 'too-large':
          throw failed(
            declared !== undefined
              ? `${answer} declares a body of ${declared} bytes (Content-Length), over the ${maxBodyBytes}-byte limit (--max-body)`
              : `${answer} has a body of more than ${maxBodyBytes} bytes, over the limit (--max-body)`,
            'too-large',
          );
        case 'deadline':
          throw failed(status === undefined ? `no answer from ${target} within ${timeoutMs} ms (--timeout)` : `${answer} was not complete within ${timeoutMs} ms (--timeout): ${received} bytes of body received`, 'unreachable');
        case 'broken':
          if (status !== undefined) throw failed(`${answer} was cut off after ${received} bytes of body: the connection closed before the body ended`, 'cut-off');
          throw failed(describeFailure(code, target), 'unreachable');
        default:
          throw failed(describeFailure(code, target), 'unreachable');
      }
    }
  }

  private credentials(method: string, url: string, headers: Record<string, string>, body: string | undefined): Record<string, string> {
    const { token, ak, sk, projectId } = this.options;
    if (token) return { 'X-Auth-Token': token };
    if (ak && sk) {
      const signed = { ...headers, 'X-Project-Id': projectId };
      return { 'X-Project-Id': projectId, ...signRequest({ method, url, headers: signed, body }, { ak, sk }) };
    }
    // No credentials configured: a mock that checks presence only still needs one.
    return { 'X-Auth-Token': 'smn-kit-conformance' };
  }

  private async waitForSlot(): Promise<void> {
    if (!this.options.rate) return;
    const interval = 1000 / this.options.rate;
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + interval;
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
  }
}

const shellQuote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

/** A `curl` command that sends the same request, credential headers replaced by `***`. */
export function reproducer(request: SentRequest): string {
  const parts = ['curl -sS -i', `-X ${request.method}`, shellQuote(request.url)];
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.toLowerCase() === 'accept') continue;
    parts.push(`-H ${shellQuote(`${name}: ${isSecretHeader(name) ? MASK : value}`)}`);
  }
  if (request.body !== undefined) parts.push(`--data-raw ${shellQuote(request.body)}`);
  return parts.join(' ');
}
