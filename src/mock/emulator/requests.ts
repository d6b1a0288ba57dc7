// The requests the emulator received, for GET /_mock/requests: the last 1,000, as
// request-log.ts records them (path made printable, credentials masked).

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

const REQUEST_LOG_SIZE = 1000;

export class RequestLog {
  private readonly entries: RecordedRequest[] = [];

  record(request: RecordedRequest): void {
    this.entries.push(request);
    if (this.entries.length > REQUEST_LOG_SIZE) this.entries.shift();
  }

  /** Oldest first. */
  list(): RecordedRequest[] {
    return [...this.entries];
  }

  clear(): void {
    this.entries.length = 0;
  }
}
