// The receiver behind `smn-kit listen`, for SUBHOOK pushes and SMN notifications. A
// delivery flows one way: received (body read up to the limit) -> told apart (the
// X-SMN-* headers or a notification body make it SMN) -> decoded -> validated ->
// signature -> replay guard (SUBHOOK tokens) or redelivery (SMN message ids) -> verdict
// -> recorded -> answered with the chosen status
// after the chosen delay -> (--confirm, a SubscriptionConfirmation that verified)
// subscribe_url visited. Recording comes before answering: a sender that got its answer
// can forget the event, so what it sent must already be on file. Deliveries that arrive
// together (read in the same turn of the event loop) are recorded together, in one
// write, and each is answered once that write has returned: fewer writes, the same promise.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOn } from '../net/listen.js';
import { readBody, type BodyRead } from '../net/body.js';
import { deliver, DeliveryError, printableUrl } from '../net/deliver.js';
import { JsonInputError, parseJson } from '../net/json.js';
import { createSubhookReplayGuard, DEFAULT_REPLAY_CAPACITY } from '../subhook/replay.js';
import { hasSmnNotificationHeader, judgeSmnNotificationDelivery, looksLikeSmnNotification, type SmnCertificateSource } from '../judge/smn-notification.js';
import { judgeSubhookDelivery } from '../judge/subhook.js';
import { verdictOf, type Problem, type Verdict } from '../judge/verdict.js';
import type { SmnHosts } from './hosts.js';
import { bodyForRecord, type DeliveryRecord, type Recorder } from '../judge/record.js';

export const DEFAULT_LISTEN_HOST = '127.0.0.1';
export const DEFAULT_LISTEN_PORT = 8787;
/** SUBHOOK pushes are a few hundred bytes; anything near this is not one. */
export const DEFAULT_LISTEN_MAX_BODY = 64 * 1024;
/** Standard Webhooks' window for timestamps, in seconds. */
export const DEFAULT_TOLERANCE_SECONDS = 300;
/** How long --confirm waits for the answer to its GET of subscribe_url. */
export const CONFIRM_TIMEOUT_MS = 10_000;

/** What came of visiting a SubscriptionConfirmation's subscribe_url (--confirm). */
export type Confirmation =
  | { url: string; status: number; ms: number }
  | { url: string; error: string }
  | { skipped: string };

export interface ListenOptions {
  host?: string;
  port?: number;
  /** SUBHOOK product; undefined to detect it per delivery. */
  product?: string;
  /** SUBHOOK secret; signatures are checked when given. */
  key?: string;
  /** Where every delivery is recorded before it is answered. */
  recorder?: Recorder;
  /** Status of the answer to a delivery that fits the body limit (default 200). */
  status?: number;
  /**
   * Answer 400 to an invalid delivery, as a receiver that checks its deliveries does;
   * a delivery whose signature cannot be checked (no key, no certificate, a certificate
   * URL on a host not trusted) is invalid then: such a receiver refuses what it cannot verify.
   */
  refuseInvalid?: boolean;
  /** What the kit adds beyond the vendor's documents fails instead of warning. */
  strict?: boolean;
  /** Milliseconds to wait before answering (default 0). */
  delayMs?: number;
  maxBodyBytes?: number;
  /** Timestamps further than this from the clock are refused; 0 turns the check off. */
  toleranceSeconds?: number;
  /** Called once a delivery is recorded, before it is answered. */
  onDelivery?: (record: DeliveryRecord) => void;
  /** Called once the answer is sent. */
  onAnswered?: (record: DeliveryRecord) => void;
  /** Called when a delivery cannot be recorded (it is then answered 500, so the sender retries). */
  onRecordError?: (error: Error, record: DeliveryRecord) => void;
  /** SMN notifications: where signing certificates come from; without it, signatures are not checked. */
  smnCertificates?: SmnCertificateSource;
  /** Why SMN signatures are not checked when there is no certificate source, for the verdicts. */
  smnNoCertificate?: string;
  /** What would have given a SUBHOOK key, for the verdict of a push refused for want of one. */
  subhookNoKey?: string;
  /** Confirm subscriptions: GET the subscribe_url of a SubscriptionConfirmation that verified, on these hosts only. */
  confirm?: SmnHosts;
  /** Called once a confirmation is done (or not made, and why). */
  onConfirmation?: (record: DeliveryRecord, confirmation: Confirmation) => void;
}

/** What a delivery was judged to be. `redeliveryOf`: an SMN message accepted before, sent again (judged then). */
interface Judged {
  verdict: Verdict;
  notification?: Record<string, unknown>;
  redeliveryOf?: number;
}

/** What the problem of an unverified delivery says made it one, with --refuse-invalid. */
const REFUSES_UNVERIFIED = 'a receiver that refuses what it cannot verify';

export interface RunningListener {
  url: string;
  /** Stops accepting, lets answers in progress finish, then resolves. */
  close(): Promise<void>;
}

const tooLargeProblem = (limit: number, bytes: number): Problem => ({
  rule: 'body-too-large',
  pointer: '',
  where: 'body',
  expected: `at most ${limit} bytes`,
  received: `${bytes} bytes (not kept)`,
});

/**
 * Whether a request is an SMN notification: an X-SMN-* header says so, or its JSON
 * body is a notification's (a type of the contract, or signing_cert_url and topic_urn).
 */
function isSmnNotification(req: IncomingMessage, bytes?: Buffer): boolean {
  if (hasSmnNotificationHeader(req.headers)) return true;
  if (!bytes || !/json/i.test(req.headers['content-type'] ?? '')) return false;
  try {
    return looksLikeSmnNotification(parseJson(bytes.toString('utf8')));
  } catch (error) {
    if (error instanceof JsonInputError) return false;
    throw error;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function startListener(options: ListenOptions = {}): Promise<RunningListener> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_LISTEN_MAX_BODY;
  const answerStatus = options.status ?? 200;
  const delayMs = options.delayMs ?? 0;
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  // The guard only sees deliveries that passed every other check (the signature too,
  // with a key), so forged requests cannot push real tokens out of its memory.
  const guard = createSubhookReplayGuard({ toleranceSeconds: tolerance > 0 ? tolerance : undefined });
  // SMN notifications' message ids, by the delivery that brought them, remembered once
  // one passed every other check and is answered 2xx. The same id again is SMN
  // redelivering (it retries after a 5xx or no answer within 5 s, and an answer can be
  // lost on the way): answered as before, and judged once, not as a new message.
  const messageIds = new Map<string, number>();
  const acceptsValid = answerStatus >= 200 && answerStatus < 300;
  let sequence = 0;
  const confirming = new Set<Promise<void>>();
  // The records waiting for the next write, each with the delivery waiting on it.
  let waiting: { record: DeliveryRecord; done: (error?: Error) => void }[] = [];
  const writeWaiting = (): void => {
    const batch = waiting;
    waiting = [];
    try {
      options.recorder?.appendAll(batch.map((entry) => entry.record));
    } catch (error) {
      for (const entry of batch) entry.done(error as Error);
      return;
    }
    for (const entry of batch) entry.done();
  };
  const recorded = (record: DeliveryRecord): Promise<void> =>
    new Promise((resolve, reject) => {
      if (waiting.length === 0) setImmediate(writeWaiting);
      waiting.push({ record, done: (error) => (error ? reject(error) : resolve()) });
    });

  /** The delivery that first brought this message id, or undefined (and the id is remembered when the answer will be 2xx). */
  function firstDelivery(notification: Record<string, unknown>, n: number): number | undefined {
    const id = notification.message_id as string;
    const first = messageIds.get(id);
    if (first !== undefined) return first;
    if (!acceptsValid) return undefined;
    messageIds.set(id, n);
    if (messageIds.size > DEFAULT_REPLAY_CAPACITY) messageIds.delete(messageIds.keys().next().value as string);
    return undefined;
  }

  async function judgeSmn(req: IncomingMessage, bytes: Buffer, n: number): Promise<Judged> {
    const judged = await judgeSmnNotificationDelivery(
      { method: req.method ?? '', headers: req.headers, body: bytes },
      {
        certificates: options.smnCertificates,
        noCertificate: options.smnNoCertificate,
        strict: options.strict,
        toleranceSeconds: tolerance,
        requireSignature: options.refuseInvalid,
        requiredBy: REFUSES_UNVERIFIED,
      },
    );
    if (!judged.notification) return judged;
    const redeliveryOf = firstDelivery(judged.notification, n);
    return redeliveryOf === undefined ? judged : { ...judged, redeliveryOf };
  }

  async function judge(req: IncomingMessage, body: BodyRead, n: number): Promise<Judged> {
    if ('tooLarge' in body) {
      const smn = isSmnNotification(req);
      return { verdict: verdictOf({ kind: smn ? 'smn-notification' : 'subhook', product: smn ? undefined : options.product, problems: [tooLargeProblem(maxBodyBytes, body.tooLarge)] }) };
    }
    if (isSmnNotification(req, body.bytes)) return judgeSmn(req, body.bytes, n);
    return { verdict: await judgeSubhook(req, body.bytes) };
  }

  async function judgeSubhook(req: IncomingMessage, bytes: Buffer): Promise<Verdict> {
    const { verdict, fields } = await judgeSubhookDelivery(
      { method: req.method ?? '', url: req.url ?? '/', headers: req.headers, body: bytes },
      { product: options.product, key: options.key, strict: options.strict, requireSignature: options.refuseInvalid, requiredBy: REFUSES_UNVERIFIED, noKey: options.subhookNoKey },
    );
    if (verdict.status === 'fail' || !fields) return verdict;
    const reception = guard.check(fields);
    return reception.length === 0 ? verdict : verdictOf({ ...verdict, problems: reception });
  }

  /** Visits subscribe_url after the answer, for a SubscriptionConfirmation that verified. */
  async function confirm(record: DeliveryRecord, notification: Record<string, unknown> | undefined): Promise<void> {
    const hosts = options.confirm;
    if (!hosts || record.verdict.event !== 'SubscriptionConfirmation') return;
    const report = (confirmation: Confirmation): void => options.onConfirmation?.(record, confirmation);
    if (!notification) return report({ skipped: 'the SubscriptionConfirmation is invalid' });
    if (record.verdict.signature !== 'checked') return report({ skipped: `its signature was not checked (${record.verdict.note ?? 'no certificate'})` });
    const refused = hosts.refusal(notification.subscribe_url);
    if (refused !== undefined) return report({ skipped: `subscribe_url not visited: ${refused}` });
    const url = new URL(notification.subscribe_url as string);
    try {
      const answer = await deliver({ method: 'GET', url, headers: { 'user-agent': 'smn-kit listen --confirm' } }, { timeoutMs: CONFIRM_TIMEOUT_MS });
      report({ url: printableUrl(url), status: answer.status, ms: answer.ms });
    } catch (error) {
      if (!(error instanceof DeliveryError)) throw error;
      report({ url: printableUrl(url), error: error.reason });
    }
  }

  function recordOf(req: IncomingMessage, n: number, receivedAt: string, body: BodyRead, { verdict, redeliveryOf }: Judged, status: number): DeliveryRecord {
    const kept = 'bytes' in body ? bodyForRecord(body.bytes) : { body: null };
    return {
      n,
      receivedAt,
      remoteAddress: req.socket.remoteAddress,
      method: req.method ?? '',
      url: req.url ?? '/',
      headers: req.headers,
      ...kept,
      bodyBytes: 'bytes' in body ? body.bytes.length : body.tooLarge,
      ...('tooLarge' in body ? { bodyOmitted: `${body.tooLarge} bytes, over the ${maxBodyBytes}-byte limit` } : {}),
      verdict: {
        status: verdict.status,
        kind: verdict.kind,
        product: verdict.product,
        event: verdict.event,
        smsEvent: verdict.smsEvent,
        problems: verdict.problems,
        warnings: verdict.warnings,
        signature: verdict.signature,
        note: verdict.note,
      },
      answer: { status, delayMs: 'tooLarge' in body ? 0 : delayMs },
      ...(redeliveryOf === undefined ? {} : { redeliveryOf }),
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const n = ++sequence;
    const receivedAt = new Date().toISOString();
    const body = await readBody(req, maxBodyBytes);
    const judged = await judge(req, body, n);
    const { verdict, notification } = judged;
    const status = 'tooLarge' in body ? 413 : options.refuseInvalid && verdict.status === 'fail' ? 400 : answerStatus;
    const record = recordOf(req, n, receivedAt, body, judged, status);
    try {
      if (options.recorder) await recorded(record);
    } catch (error) {
      options.onRecordError?.(error as Error, record);
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('delivery not recorded\n');
      return;
    }
    options.onDelivery?.(record);
    res.on('finish', () => {
      // Before onAnswered, which may stop the receiver: closing waits for confirmations in flight.
      // A redelivered confirmation was acted on when it first came.
      if (options.confirm && record.verdict.event === 'SubscriptionConfirmation' && judged.redeliveryOf === undefined) {
        const confirmed = confirm(record, notification)
          .catch((error: unknown) => void process.stderr.write(`smn-kit listen: unexpected error confirming delivery #${record.n}: ${(error as Error).message}\n`))
          .finally(() => confirming.delete(confirmed));
        confirming.add(confirmed);
      }
      options.onAnswered?.(record);
    });
    if ('tooLarge' in body) {
      res.writeHead(413, { connection: 'close', 'content-type': 'text/plain; charset=utf-8' }).end('payload too large\n');
    } else {
      if (record.answer.delayMs > 0) await sleep(record.answer.delayMs);
      res.writeHead(status).end();
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Nothing in the flow throws for a bad delivery; this is a bug, and the sender should retry.
      process.stderr.write(`smn-kit listen: unexpected error on a delivery: ${(error as Error).message}\n`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  const url = await listenOn(server, options.port ?? DEFAULT_LISTEN_PORT, options.host ?? DEFAULT_LISTEN_HOST);
  return {
    url,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await Promise.all([...confirming]);
    },
  };
}
