// One HTTP request to a receiver and its answer's status and time. Sockets are kept
// alive between deliveries, as a sender pushing many events does. Errors say whether
// the receiver could not be reached at all (a set-up problem: wrong URL, nothing
// listening) or was reached and then failed to answer (a finding about the receiver).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';

export interface HttpDelivery {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export interface DeliveryAnswer {
  status: number;
  /** Milliseconds from sending the request to the end of the answer. */
  ms: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/** Why a delivery got no answer. `unreachable`: no connection; `no-answer`: connected, then nothing or a broken answer. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    readonly kind: 'unreachable' | 'no-answer',
    /** The URL without its query and credentials, safe to print. */
    readonly target: string,
    /** What happened, such as `ECONNREFUSED` or `timed out after 10000 ms`. */
    readonly reason: string,
  ) {
    super(kind === 'unreachable' ? `cannot reach ${target} (${reason})` : `${target} did not answer (${reason})`);
  }
}

/** The URL as it may be printed: no user name, password or query (they may hold secrets). */
export const printableUrl = (url: URL): string => `${url.protocol}//${url.host}${url.pathname}`;

interface Attempt {
  answer?: DeliveryAnswer;
  error?: DeliveryError;
  /** Whether the request went out on a kept-alive socket (which the receiver may have closed). */
  reused: boolean;
}

function once(delivery: HttpDelivery, timeoutMs: number): Promise<Attempt> {
  return new Promise((resolve) => {
    const started = performance.now();
    const target = printableUrl(delivery.url);
    const send = delivery.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers = { ...delivery.headers };
    if (delivery.body !== undefined) headers['content-length'] = String(Buffer.byteLength(delivery.body));
    let connected = false;
    let timedOut = false;
    const request = send(delivery.url, { method: delivery.method, headers });
    const fail = (error: NodeJS.ErrnoException): void => {
      const reason = timedOut ? `timed out after ${timeoutMs} ms${connected ? '' : ' while connecting'}` : (error.code ?? error.message);
      resolve({ error: new DeliveryError(connected ? 'no-answer' : 'unreachable', target, reason), reused: request.reusedSocket });
    };
    request.on('socket', (socket) => {
      if (!socket.connecting) connected = true;
      else socket.once(delivery.url.protocol === 'https:' ? 'secureConnect' : 'connect', () => (connected = true));
    });
    request.setTimeout(timeoutMs, () => {
      timedOut = true;
      request.destroy();
    });
    request.on('error', fail);
    request.on('response', (response: IncomingMessage) => {
      response.on('error', fail);
      response.on('end', () => resolve({ answer: { status: response.statusCode ?? 0, ms: performance.now() - started }, reused: request.reusedSocket }));
      // The answer's body is not used, but it must be read for the socket to be reused.
      response.resume();
    });
    request.end(delivery.body);
  });
}

/**
 * Sends `delivery` and resolves with the status and time of the answer, whatever the
 * status. Rejects with a DeliveryError when there is no answer. A kept-alive socket
 * that the receiver closed meanwhile is retried once on a new one.
 */
export async function deliver(delivery: HttpDelivery, options: { timeoutMs?: number } = {}): Promise<DeliveryAnswer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let attempt = await once(delivery, timeoutMs);
  if (attempt.error && attempt.reused && attempt.error.reason === 'ECONNRESET') attempt = await once(delivery, timeoutMs);
  if (!attempt.answer) throw attempt.error ?? new DeliveryError('no-answer', printableUrl(delivery.url), 'unknown');
  return attempt.answer;
}
