// The client a conformance run talks to the target with: credentials (token or AK/SK
// signature), a bound on requests per second, a timeout, every exchange kept for the
// report, and a `curl` reproducer for any of them with secrets replaced by `***`.
import { signRequest } from '../auth/aksk.js';
import type { ConformanceOptions } from './options.js';

export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface ReceivedResponse {
  status: number;
  headers: Record<string, string>;
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

/** The target did not answer: refused, unknown host, TLS failure or timeout. */
export class TargetUnreachable extends Error {
  override readonly name = 'TargetUnreachable';
}

const SECRET_HEADERS = new Set(['x-auth-token', 'authorization', 'x-security-token']);

function describeFailure(error: unknown, url: string, timeoutMs: number): string {
  const failure = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError') return `no answer from ${url} within ${timeoutMs} ms (--timeout)`;
  const code = failure.cause?.code;
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'unknown host',
    EAI_AGAIN: 'host name lookup failed',
    ECONNRESET: 'connection reset',
    EHOSTUNREACH: 'host unreachable',
    ETIMEDOUT: 'connection timed out',
  };
  if (code && reasons[code]) return `cannot reach ${url}: ${reasons[code]} (${code})`;
  if (code && /CERT|SSL|TLS|SELF_SIGNED|VERIFY/.test(code)) return `TLS failure talking to ${url}: ${failure.cause?.message ?? code} (${code})`;
  return `cannot reach ${url}: ${failure.cause?.message ?? failure.message ?? String(error)}`;
}

export class TargetClient {
  private nextSlot = 0;

  constructor(readonly options: ConformanceOptions) {}

  /** `/v2/{project_id}/...` with this run's project id. */
  path(template: string): string {
    return template.replace('{project_id}', encodeURIComponent(this.options.projectId));
  }

  async send(spec: RequestSpec): Promise<Exchange> {
    await this.waitForSlot();
    const url = `${this.options.target}${spec.path}${spec.query ? `?${spec.query}` : ''}`;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (spec.body !== undefined) headers['Content-Type'] = spec.contentType ?? 'application/json;charset=UTF-8';
    if (spec.auth !== false) Object.assign(headers, this.credentials(spec.method, url, headers, spec.body));
    const request: SentRequest = { method: spec.method, url, headers, body: spec.body };
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { method: spec.method, headers, body: spec.body, signal: AbortSignal.timeout(this.options.timeoutMs), redirect: 'manual' });
      text = await response.text();
    } catch (error) {
      throw new TargetUnreachable(describeFailure(error, this.options.target, this.options.timeoutMs));
    }
    const received: ReceivedResponse = { status: response.status, headers: Object.fromEntries(response.headers.entries()), text };
    try {
      if (text.trim() !== '') received.json = JSON.parse(text);
    } catch {
      // not JSON: the checks say so
    }
    return { request, response: received };
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

/** A `curl` command that sends the same request, secrets replaced by `***`. */
export function reproducer(request: SentRequest): string {
  const parts = ['curl -sS -i', `-X ${request.method}`, shellQuote(request.url)];
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.toLowerCase() === 'accept') continue;
    parts.push(`-H ${shellQuote(`${name}: ${SECRET_HEADERS.has(name.toLowerCase()) ? '***' : value}`)}`);
  }
  if (request.body !== undefined) parts.push(`--data-raw ${shellQuote(request.body)}`);
  return parts.join(' ');
}
