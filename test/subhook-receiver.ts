// A SUBHOOK receiver written from the vendor's documents (and the kit's reference notes
// on them, /work/shared/reference/subhook.md), not from the kit's code, as a team would
// write theirs: it reads the push as the vendor sends it (POST form, JSON or multipart,
// or GET), checks signature = md5(token + key) in constant time, keeps a 5-minute window
// for timestamps and remembers the tokens it accepted, refuses what it cannot read with a
// 4xx, and answers 200. With a fault it has one common bug, for the receiver checks of
// `smn-kit conformance` to find.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type SubhookReceiverFault =
  | 'accepts-everything'
  | 'refuses-everything'
  /** Dies when a multipart push arrives: the connection drops, and nothing answers after. */
  | 'crashes-on-multipart'
  | 'no-signature-check'
  | 'accepts-stale-timestamps'
  /** Knows each event's fields from the vendor's tables, and fails (500) on any other. */
  | '5xx-on-newer-field'
  /** Stops answering after its 5th delivery (and never closes the connection). */
  | 'hangs'
  /** Enforces its body limit by closing the connection (no 413): a choice, not a bug. */
  | 'closes-on-large-body'
  /** Refuses (400) a field seed 004's table does not list for the event: a reading of that document, not a bug. */
  | 'seed-004-fields-only';

// The fields of each domestic SMS event in the vendor's table (seed 004) and event pages.
const DOCUMENTED: Record<string, string[]> = {
  request: ['events', 'address', 'app', 'send_id', 'content', 'tag', 'timestamp', 'token', 'signature'],
  delivered: ['events', 'address', 'app', 'send_id', 'operator', 'location', 'tag', 'timestamp', 'token', 'signature'],
  dropped: ['events', 'address', 'app', 'send_id', 'report', 'tag', 'timestamp', 'token', 'signature'],
  sending: ['events', 'address', 'app', 'send_id', 'tag', 'timestamp', 'token', 'signature'],
  mo: ['events', 'address', 'app', 'content', 'timestamp', 'token', 'signature'],
  // The event page and its sample (spelled `unknown` there) add `tag` to the table's fields.
  unkown: ['events', 'address', 'app', 'send_id', 'tag', 'timestamp', 'token', 'signature'],
  template_accept: ['events', 'template_id', 'timestamp', 'token', 'signature'],
  template_reject: ['events', 'reason', 'template_id', 'timestamp', 'token', 'signature'],
};

// The fields of each domestic SMS event in seed 004's table alone (its event page adds
// content to request, operator and location to delivered, tag to unkown).
const SEED_004: Record<string, string[]> = {
  ...DOCUMENTED,
  request: ['events', 'address', 'app', 'send_id', 'tag', 'timestamp', 'token', 'signature'],
  delivered: ['events', 'address', 'app', 'send_id', 'tag', 'timestamp', 'token', 'signature'],
  unkown: ['events', 'address', 'app', 'send_id', 'timestamp', 'token', 'signature'],
};

const WINDOW_SECONDS = 300;
const LIMIT = 64 * 1024;

export interface RunningReceiver {
  url: string;
  /** How many requests arrived. */
  received(): number;
  close(): Promise<void>;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readLimited(request: IncomingMessage, close: boolean): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > LIMIT && close) request.socket.destroy();
    if (size > LIMIT) throw new Refusal(413, 'too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function fieldsOf(request: IncomingMessage, body: Buffer): Promise<Record<string, unknown>> {
  if (request.method === 'GET') return Object.fromEntries(new URL(request.url ?? '/', 'http://x').searchParams);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new Refusal(400, 'not UTF-8');
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      return parsed as Record<string, unknown>;
    } catch {
      throw new Refusal(400, 'bad JSON');
    }
  }
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(text));
  if (type === 'multipart/form-data') {
    try {
      const form = await new Response(new Uint8Array(body), { headers: { 'content-type': request.headers['content-type']! } }).formData();
      return Object.fromEntries([...form.entries()].map(([name, value]) => [name, String(value)]));
    } catch {
      throw new Refusal(400, 'bad multipart');
    }
  }
  throw new Refusal(415, 'unsupported content type');
}

/** A request form SUBMAIL's console can be set to: POST form, JSON or multipart, or GET. */
export type SubhookForm = 'form' | 'json' | 'multipart' | 'get';

const FORM_OF: Record<string, SubhookForm> = { 'application/x-www-form-urlencoded': 'form', 'application/json': 'json', 'multipart/form-data': 'multipart' };

/**
 * Starts the receiver. `takes`: the request forms it reads, as its SUBMAIL console is set
 * (default every one); another is refused as a receiver set so would: 405 for the wrong
 * method, 415 for another content type.
 */
export async function startSubhookReceiver(key: string, fault?: SubhookReceiverFault, takes?: readonly SubhookForm[], app?: string): Promise<RunningReceiver> {
  const seen = new Set<string>();
  let count = 0;
  let server: Server;
  const handle = async (request: IncomingMessage): Promise<number> => {
    const body = await readLimited(request, fault === 'closes-on-large-body');
    if (takes) {
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const form = request.method === 'GET' ? 'get' : FORM_OF[type];
      if (request.method === 'GET' ? !takes.includes('get') : takes.every((taken) => taken === 'get')) throw new Refusal(405, 'method not allowed');
      if (form === undefined || !takes.includes(form)) throw new Refusal(415, 'not the request form this receiver is set to');
    }
    if (fault === 'accepts-everything') return 200;
    if (fault === 'refuses-everything') return 400;
    if (fault === 'crashes-on-multipart' && /multipart/i.test(request.headers['content-type'] ?? '')) {
      server.close();
      server.closeAllConnections();
      return -1;
    }
    const fields = await fieldsOf(request, body);
    const { events, token, signature, timestamp } = fields;
    if (typeof events !== 'string' || typeof token !== 'string' || typeof signature !== 'string') throw new Refusal(400, 'missing fields');
    if (fault === 'seed-004-fields-only') {
      const unlisted = Object.keys(fields).find((field) => !(SEED_004[events] ?? []).includes(field));
      if (unlisted) throw new Refusal(400, `${events} carries ${unlisted}, which seed 004 does not list`);
    }
    if (fault === '5xx-on-newer-field') {
      const unknown = Object.keys(fields).find((field) => !(DOCUMENTED[events] ?? []).includes(field));
      if (unknown) throw new Error(`unexpected field ${unknown}`);
    }
    if (fault !== 'no-signature-check') {
      const expected = Buffer.from(createHash('md5').update(token + key).digest('hex'));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Refusal(403, 'bad signature');
    }
    if (timestamp !== undefined && fault !== 'accepts-stale-timestamps') {
      const seconds = Number(timestamp);
      if (!Number.isFinite(seconds) || Math.abs(Date.now() / 1000 - seconds) > WINDOW_SECONDS) throw new Refusal(400, 'stale');
    }
    // `app`: it takes pushes of its own SUBMAIL app only (the template events carry none).
    if (app !== undefined && fields.app !== undefined && String(fields.app) !== app) throw new Refusal(403, 'not our app');
    if (seen.has(token)) throw new Refusal(409, 'token seen before');
    seen.add(token);
    return 200;
  };
  server = createServer((request, response) => {
    count++;
    if (fault === 'hangs' && count > 5) return;
    handle(request).then(
      (status) => void (status > 0 && response.writeHead(status).end('ok')),
      (error: unknown) => void response.writeHead(error instanceof Refusal ? error.status : 500).end(error instanceof Error ? error.message : 'error'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/subhook`,
    received: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        if (!server.listening) resolve();
      }),
  };
}
