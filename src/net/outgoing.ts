// Every HTTP request the kit sends (a delivery, `fire`, a certificate fetch, a
// conformance request) goes through `send`: one deadline for the whole exchange
// (connecting, sending, the head and the whole body), a cap on the answer's body, and
// the socket destroyed as soon as either is passed or the caller stops. Node's
// `request.setTimeout` cannot do this: it fires only on an idle socket, so a peer that
// drips one byte every 200 ms, or streams an endless body, would hold the request (and
// a CPU) for ever.
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';

export interface OutgoingRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Milliseconds for the whole exchange, from sending to the last byte of the answer. */
  deadlineMs: number;
  /** The most bytes of answer body read; an answer that declares or sends more fails. */
  maxBodyBytes: number;
  /** Keep the body's bytes (default); false reads and drops them (the cap and deadline still hold). */
  keepBody?: boolean;
  /** Ends the exchange at once, socket destroyed, when aborted (Ctrl-C, SIGTERM, a server closing). */
  signal?: AbortSignal;
}

export interface OutgoingAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body; empty when it was not kept. */
  body: Buffer;
  /** Milliseconds from sending the request to the end of the answer. */
  ms: number;
  /** Whether it went out on a kept-alive socket. */
  reused: boolean;
}

/**
 * Why a request got no usable answer: `unreachable` (no connection: refused, unknown
 * host, TLS), `broken` (connected, then the connection failed or closed before the
 * answer ended), `deadline`, `too-large` (the body passed the cap), `stopped` (the caller
 * aborted).
 */
export type OutgoingFailure = 'unreachable' | 'broken' | 'deadline' | 'too-large' | 'stopped';

export class OutgoingError extends Error {
  override readonly name = 'OutgoingError';
  constructor(
    readonly kind: OutgoingFailure,
    readonly detail: {
      /** Whether a connection was made (TLS included). */
      connected: boolean;
      /** The answer's status, when its head arrived. */
      status?: number;
      /** Bytes of body received before the failure. */
      received: number;
      /** The Content-Length over the cap, when the answer declared it. */
      declared?: number;
      /** The network error's code (ECONNREFUSED, ECONNRESET, a TLS code...), or its message. */
      code?: string;
      reused: boolean;
      deadlineMs: number;
      maxBodyBytes: number;
    },
  ) {
    super(describeFailure(kind, detail));
  }
}

function describeFailure(kind: OutgoingFailure, d: OutgoingError['detail']): string {
  const answered = d.status === undefined ? '' : `the answer (${d.status}) `;
  switch (kind) {
    case 'unreachable':
      return d.code ?? 'no connection';
    case 'broken':
      return d.status === undefined ? `the connection failed before an answer (${d.code ?? 'closed'})` : `${answered}was cut off after ${d.received} bytes of body`;
    case 'deadline':
      if (!d.connected) return `timed out after ${d.deadlineMs} ms while connecting`;
      return d.status === undefined ? `timed out after ${d.deadlineMs} ms` : `timed out after ${d.deadlineMs} ms: ${answered}was not complete, ${d.received} bytes of body received`;
    case 'too-large':
      return d.declared !== undefined
        ? `${answered}declares a body of ${d.declared} bytes (Content-Length), over the ${d.maxBodyBytes}-byte limit`
        : `${answered}has a body of more than ${d.maxBodyBytes} bytes, over the limit`;
    case 'stopped':
      return 'stopped';
  }
}

/**
 * The error's code, in one line. OpenSSL's "wrong version number" (an https:// URL whose
 * port answers plain HTTP) comes as EPROTO with a multi-line message: it gets a name.
 */
function errorCode(error: NodeJS.ErrnoException): string {
  if (/wrong version number/i.test(error.message)) return 'ERR_SSL_WRONG_VERSION_NUMBER';
  return error.code ?? error.message.split('\n')[0]!;
}

/**
 * Sends `request` and resolves with the whole answer, whatever its status; rejects with
 * an OutgoingError when there is none within the deadline and the cap. Settles once,
 * and leaves nothing running behind it: no timer, no socket.
 */
export function send(request: OutgoingRequest): Promise<OutgoingAnswer> {
  const { url, deadlineMs, maxBodyBytes, signal } = request;
  const keepBody = request.keepBody ?? true;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const headers = { ...request.headers };
    if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
    let connected = false;
    let status: number | undefined;
    let received = 0;
    let settled = false;
    const outgoing = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method: request.method, headers });
    const finish = (): void => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
    };
    const fail = (kind: OutgoingFailure, extra: { code?: string; declared?: number } = {}): void => {
      if (settled) return;
      finish();
      outgoing.destroy();
      reject(new OutgoingError(kind, { connected, status, received, reused: outgoing.reusedSocket, deadlineMs, maxBodyBytes, ...extra }));
    };
    const stop = (): void => fail('stopped');
    const timer = setTimeout(() => fail('deadline'), deadlineMs);

    outgoing.on('socket', (socket) => {
      if (!socket.connecting) connected = true;
      else socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => (connected = true));
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => fail(connected ? 'broken' : 'unreachable', { code: errorCode(error) }));
    outgoing.on('response', (incoming: IncomingMessage) => {
      status = incoming.statusCode ?? 0;
      const declared = Number(incoming.headers['content-length']);
      if (declared > maxBodyBytes) return fail('too-large', { declared });
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBodyBytes) fail('too-large');
        else if (keepBody) chunks.push(chunk);
      });
      incoming.on('end', () => {
        if (settled) return;
        finish();
        resolve({ status: status!, headers: incoming.headers, body: Buffer.concat(chunks), ms: performance.now() - started, reused: outgoing.reusedSocket });
      });
      // Closed before the end of the body ('error' comes first in some versions; both end here).
      incoming.on('error', () => undefined);
      incoming.on('close', () => {
        if (!incoming.complete) fail('broken');
      });
    });
    if (signal?.aborted) return stop();
    signal?.addEventListener('abort', stop, { once: true });
    outgoing.end(request.body);
  });
}
