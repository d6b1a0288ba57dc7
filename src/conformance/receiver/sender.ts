// How receiver conformance talks to the receiver under test: one delivery at a time
// through the kit's one outgoing-request primitive (net/deliver.ts), timed, with what
// came back (a status, or no answer and why), and a `curl` command that sends the very
// same bytes and headers again. The run keeps going whatever the receiver does: a
// receiver that stops answering stops the sending (the checks left are errors), one that
// went away makes every later check an error at once.
import { connect } from 'node:net';
import { deliver, DeliveryError, printableUrl, type HttpDelivery } from '../../net/deliver.js';
import type { Mask } from '../secrets.js';

/** Who sends, in every request of a receiver run. */
export const USER_AGENT = 'smn-kit conformance';

/** What came of one delivery. */
export type Answer =
  /**
   * The receiver answered with this status, this long after the request was sent; `said`:
   * the start of a refusal's body (its reason, often), on one printable line.
   */
  | { status: number; ms: number; said?: string }
  /**
   * No answer. `unreachable`: no connection (the receiver is not running); `no-answer`:
   * connected, then nothing in time, or the connection closed (a crash, a hang).
   */
  | {
      failure: 'unreachable' | 'no-answer';
      reason: string;
      ms: number;
      /** The first delivery that found no receiver after others reached it: it went away on this one (a crash?). */
      wentAway?: boolean;
    };

export const answered = (answer: Answer): answer is { status: number; ms: number; said?: string } => 'status' in answer;

/** How much of a refusal's body a verdict quotes. */
const SAID_CHARS = 120;

/** The start of a body as one printable line, or undefined when there is nothing to read. */
function saying(body: Buffer | undefined): string | undefined {
  if (!body || body.length === 0) return undefined;
  const text = body.subarray(0, SAID_CHARS * 4).toString('utf8').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffd]+/gu, ' ').trim();
  if (text === '') return undefined;
  return text.length > SAID_CHARS ? `${text.slice(0, SAID_CHARS)}...` : text;
}
export const is2xx = (answer: Answer): boolean => answered(answer) && answer.status >= 200 && answer.status < 300;
/** A 4xx: the receiver read the delivery and refused it. */
export const is4xx = (answer: Answer): boolean => answered(answer) && answer.status >= 400 && answer.status < 500;

/** How an answer reads in a verdict: `400 in 2.1 ms`, `no answer within 5000 ms`... */
export function describeAnswer(answer: Answer): string {
  if (answered(answer)) return `${answer.status} in ${answer.ms.toFixed(1)} ms${answer.said === undefined ? '' : ` (it said: ${JSON.stringify(answer.said)})`}`;
  if (answer.failure === 'unreachable') return `no connection (${answer.reason})`;
  if (/^timed out/.test(answer.reason)) return `no answer: ${answer.reason}`;
  return `no answer: the connection closed (${answer.reason})`;
}

/** A delivery as sent: the request, what it is in words, and what came of it. */
export interface Sent {
  request: HttpDelivery;
  /** `a valid sms request event, POST form`: for the verdict. */
  what: string;
  answer: Answer;
}

/** The receiver stopped answering: the deliveries left are not sent. */
export class SendingStopped extends Error {
  override readonly name = 'SendingStopped';
}

/** How many deliveries in a row may get no answer before the run stops sending. */
export const NO_ANSWER_LIMIT = 3;

export class ReceiverSender {
  private silentInARow = 0;
  /** Every delivery that got an answer or timed out, for answers_in_time. */
  readonly timed: { what: string; answer: Answer }[] = [];
  /** Whether any delivery reached the receiver. */
  reached = false;
  /** Why the first delivery found nobody to take it (nothing is sent after it). */
  unreachable?: string;
  private stoppedBecause?: string;
  /** Whether the receiver, reached before, could no longer be reached. */
  private gone = false;

  constructor(
    readonly timeoutMs: number,
    private readonly signal?: AbortSignal,
  ) {}

  /** Sends one delivery; throws SendingStopped when the run no longer sends (the receiver went silent, or the user stopped the run). */
  async send(request: HttpDelivery, what: string): Promise<Sent> {
    if (this.signal?.aborted) throw new SendingStopped('not sent: the run was stopped');
    if (this.stoppedBecause) throw new SendingStopped(`not sent: ${this.stoppedBecause}`);
    const started = performance.now();
    let answer: Answer;
    try {
      const got = await deliver(request, { timeoutMs: this.timeoutMs, keepAnswer: true });
      const said = got.status >= 300 ? saying(got.body) : undefined;
      answer = said === undefined ? { status: got.status, ms: got.ms } : { status: got.status, ms: got.ms, said };
    } catch (error) {
      if (!(error instanceof DeliveryError)) throw error;
      answer = { failure: error.kind, reason: error.reason, ms: performance.now() - started };
    }
    if (answered(answer) || answer.failure === 'no-answer') {
      this.reached = true;
      this.timed.push({ what, answer });
    } else if (!this.reached) {
      // Nobody there from the start: a wrong URL, or the receiver not started yet.
      this.unreachable = `cannot reach the receiver at ${printableUrl(request.url)} (${answer.reason})`;
      this.stoppedBecause = this.unreachable;
    } else if (!this.gone) {
      this.gone = true;
      answer.wentAway = true;
    }
    if (answered(answer)) this.silentInARow = 0;
    else if (++this.silentInARow >= NO_ANSWER_LIMIT) this.stoppedBecause ??= `the receiver did not answer the last ${NO_ANSWER_LIMIT} deliveries (the last: ${describeAnswer(answer)})`;
    return { request, what, answer };
  }
}

/**
 * Whether a connection to the receiver can be made (and closed at once, before any
 * request): undefined when it can, else why not (ECONNREFUSED...). No request is sent,
 * so a receiver that counts its deliveries counts none for this.
 */
export function connectionProblem(url: URL, timeoutMs: number): Promise<string | undefined> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (problem: string | undefined): void => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () => done(`no connection within ${timeoutMs} ms`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

// Shell quoting that keeps every byte: plain single quotes for printable ASCII, else
// bash's $'...' with escapes, so a multipart body's CRLFs and invalid UTF-8 survive a paste.
function shellBytes(bytes: Buffer): string {
  const printable = bytes.every((byte) => byte >= 0x20 && byte < 0x7f);
  if (printable) return `'${bytes.toString('latin1').replaceAll("'", `'\\''`)}'`;
  let out = "$'";
  for (const byte of bytes) {
    if (byte === 0x5c) out += '\\\\';
    else if (byte === 0x27) out += "\\'";
    else if (byte === 0x0d) out += '\\r';
    else if (byte === 0x0a) out += '\\n';
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `${out}'`;
}

const quote = (text: string): string => shellBytes(Buffer.from(text, 'utf8'));

/** Bodies this long and made of one repeated byte are piped in rather than written out. */
const PIPED_BODY_BYTES = 4096;

/**
 * A `curl` command that sends the same request: method, URL, every header the kit set
 * (the length is curl's), and the exact body. `hidden` headers show `***` (secrets the
 * user gave); `mask` hides the run's secrets anywhere else.
 */
export function curlOf(request: HttpDelivery, mask: Mask, hidden: ReadonlySet<string> = new Set()): string {
  const parts = ['curl', '-sS', '-i', '-X', request.method, quote(request.url.href)];
  for (const [name, value] of Object.entries(request.headers)) parts.push('-H', quote(`${name}: ${hidden.has(name.toLowerCase()) ? '***' : value}`));
  if (request.body === undefined) return mask(parts.join(' '));
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
  if (body.length >= PIPED_BODY_BYTES && body.every((byte) => byte === body[0])) {
    const byte = shellBytes(body.subarray(0, 1));
    return mask(`head -c ${body.length} /dev/zero | tr '\\0' ${byte} | ${parts.join(' ')} --data-binary @-`);
  }
  parts.push('--data-binary', shellBytes(body));
  return mask(parts.join(' '));
}
