// A request body read up to a limit, as the mock and the receiver both read theirs:
// memory stays bounded whatever a client sends or announces. A server that reads many
// bodies at once also bounds their sum (BodyBudget): each body within --max-body is not
// enough when 2,000 connections each send most of one and then wait.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The body, or how many bytes it had when it passed the limit (or announced it would). */
export type BodyRead = { bytes: Buffer } | { tooLarge: number };
/** A BodyRead, or how many bytes the body had when the server's budget ran out. */
export type BudgetedBodyRead = BodyRead | { busy: number };

/**
 * The bytes of request bodies a server holds at once, across its requests. A request's
 * bytes are held from their arrival until its answer is done (or its connection closes).
 */
export class BodyBudget {
  private used = 0;
  constructor(readonly limit: number) {}

  /** Bytes held now. */
  get inUse(): number {
    return this.used;
  }

  /** What `read` asks before keeping each chunk of the body answered by `res`: false when it does not fit. */
  holder(res: ServerResponse): (bytes: number) => boolean {
    let held = 0;
    res.once('close', () => {
      this.used -= held;
      held = 0;
    });
    return (bytes) => {
      if (this.used + bytes > this.limit) return false;
      this.used += bytes;
      held += bytes;
      return true;
    };
  }
}

function read(req: IncomingMessage, limit: number, hold?: (bytes: number) => boolean): Promise<BudgetedBodyRead> {
  return new Promise((resolve, reject) => {
    const announced = Number(req.headers['content-length'] ?? 0);
    if (announced > limit) {
      req.resume();
      resolve({ tooLarge: announced });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused: BudgetedBodyRead | undefined;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (refused) return;
      if (size > limit) refused = { tooLarge: size };
      else if (hold && !hold(chunk.length)) refused = { busy: size };
      else return void chunks.push(chunk);
      chunks.length = 0;
      resolve(refused);
    });
    req.on('end', () => resolve(refused ?? { bytes: Buffer.concat(chunks) }));
    req.on('error', reject);
  });
}

/**
 * Resolves with the body, or as soon as it is known to pass `limit` bytes with its size
 * so far; the rest is then read and dropped, so that the client can read the 413.
 */
export const readBody = (req: IncomingMessage, limit: number): Promise<BodyRead> => read(req, limit) as Promise<BodyRead>;

/**
 * The body as UTF-8 text, or why there is none (see readBody); with `hold` (a
 * BodyBudget's holder), `busy` once the server holds too many bytes of bodies.
 */
export async function readBodyText(req: IncomingMessage, limit: number, hold?: (bytes: number) => boolean): Promise<{ text: string } | { tooLarge: number } | { busy: number }> {
  const body = await read(req, limit, hold);
  return 'bytes' in body ? { text: body.bytes.toString('utf8') } : body;
}
