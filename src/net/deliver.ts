// One HTTP request to a receiver and its answer's status and time. Sockets are kept
// alive between deliveries, as a sender pushing many events does. Errors say whether
// the receiver could not be reached at all (a set-up problem: wrong URL, nothing
// listening) or was reached and then failed to answer (a finding about the receiver).
// The request is send's (outgoing.ts): a deadline for the whole exchange, a cap on the
// answer's body, the socket destroyed when either is passed or the caller stops.
import { OutgoingError, send } from './outgoing.js';

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
  /** The answer's body, when asked for (`keepAnswer`). */
  body?: Buffer;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
/** A receiver's answer is read only to reuse the socket; a longer one is no answer. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

export interface DeliverOptions {
  /** Milliseconds for the whole exchange, body included (default DEFAULT_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Stops the delivery at once (a DeliveryError whose reason is `stopped`). */
  signal?: AbortSignal;
  /** Keep the answer's body (at most MAX_ANSWER_BYTES) in `body`; by default it is read and dropped. */
  keepAnswer?: boolean;
}

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

function once(delivery: HttpDelivery, timeoutMs: number, options: DeliverOptions): Promise<DeliveryAnswer> {
  const keepBody = options.keepAnswer === true;
  return send({ ...delivery, deadlineMs: timeoutMs, maxBodyBytes: MAX_ANSWER_BYTES, keepBody, signal: options.signal }).then(({ status, ms, body }) => (keepBody ? { status, ms, body } : { status, ms }));
}

/**
 * Sends `delivery` and resolves with the status and time of the answer, whatever the
 * status. Rejects with a DeliveryError when there is no answer. A kept-alive socket
 * that the receiver closed meanwhile is retried once on a new one.
 */
export async function deliver(delivery: HttpDelivery, options: DeliverOptions = {}): Promise<DeliveryAnswer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  try {
    return await once(delivery, timeoutMs, options).catch((error: unknown) => {
      // A kept-alive socket the receiver closed as the request went out fails before any
      // answer (ECONNRESET, EPIPE, a hang-up): the request never reached it, so sending it
      // again on a new connection is safe.
      const closedMeanwhile = error instanceof OutgoingError && error.detail.reused && error.detail.status === undefined && error.kind === 'broken';
      if (closedMeanwhile) return once(delivery, timeoutMs, options);
      throw error;
    });
  } catch (error) {
    if (!(error instanceof OutgoingError)) throw error;
    const reason = error.kind === 'broken' && error.detail.status === undefined ? (error.detail.code ?? 'closed') : error.message;
    throw new DeliveryError(error.detail.connected ? 'no-answer' : 'unreachable', printableUrl(delivery.url), reason);
  }
}
