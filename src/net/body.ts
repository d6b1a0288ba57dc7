// A request body read up to a limit, as the mock and the receiver both read theirs:
// memory stays bounded whatever a client sends or announces.
import type { IncomingMessage } from 'node:http';

/** The body, or how many bytes it had when it passed the limit (or announced it would). */
export type BodyRead = { bytes: Buffer } | { tooLarge: number };

/**
 * Resolves with the body, or as soon as it is known to pass `limit` bytes with its size
 * so far; the rest is then read and dropped, so that the client can read the 413.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const announced = Number(req.headers['content-length'] ?? 0);
    if (announced > limit) {
      req.resume();
      resolve({ tooLarge: announced });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      const before = size;
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (before <= limit) {
        chunks.length = 0;
        resolve({ tooLarge: size });
      }
    });
    req.on('end', () => resolve(size > limit ? { tooLarge: size } : { bytes: Buffer.concat(chunks) }));
    req.on('error', reject);
  });
}

/** The body as UTF-8 text, or undefined when it passes `limit` bytes (see readBody). */
export async function readBodyText(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const read = await readBody(req, limit);
  return 'bytes' in read ? read.bytes.toString('utf8') : undefined;
}
