// The requests the emulator received, for GET /_mock/requests: the last 1,000, as
// request-log.ts records them. What arrived is kept as it came (the target, the headers
// Node parsed) and made safe when read: the path printable and bounded, every
// credential-bearing header and query value masked (net/secrets.ts). Masking costs more
// than the rest of a request's way through the mock, and the record is read rarely.
import { maskHeaders, maskQuery } from '../../net/secrets.js';
import { printable } from '../../net/text.js';

export interface RecordedRequest {
  time: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  /** The error code answered, if any. */
  code?: string;
  /** Why, in a few words, when the answer is an error. */
  reason?: string;
  /** Request headers, credentials replaced by `***`. */
  headers: Record<string, string>;
}

/** A request as it arrived, with its answer; `at` in milliseconds since the epoch. */
export interface ArrivedRequest {
  at: number;
  method: string;
  /** The request target as sent. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  status: number;
  ms: number;
  code?: string;
  reason?: string;
}

const REQUEST_LOG_SIZE = 1000;
/** Characters of a target kept: more than the record shows (300), so that a query parameter's name is read whole before it is masked. */
const TARGET_KEPT = 2048;

/** What GET /_mock/requests shows of a request that arrived. */
export function shownRequest({ at, method, url, headers, status, ms, code, reason }: ArrivedRequest): RecordedRequest {
  return { time: new Date(at).toISOString(), method, path: printable(maskQuery(url), 300), status, ms, code, reason, headers: maskHeaders(headers) };
}

export class RequestLog {
  private readonly entries: ArrivedRequest[] = [];

  record(request: ArrivedRequest): void {
    this.entries.push(request.url.length > TARGET_KEPT ? { ...request, url: request.url.slice(0, TARGET_KEPT) } : request);
    if (this.entries.length > REQUEST_LOG_SIZE) this.entries.shift();
  }

  /** Oldest first, made safe to show. */
  list(): RecordedRequest[] {
    return this.entries.map(shownRequest);
  }

  clear(): void {
    this.entries.length = 0;
  }
}
