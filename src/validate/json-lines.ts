// A JSON Lines file -> blocks of whole lines, read in chunks so that memory stays flat
// however long the file is, and the lines of a block -> parsed values. The blocks are
// judged here or in worker threads (blocks.ts).
import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { malformedJson, type Problem } from '../judge/verdict.js';

const NEWLINE = 0x0a;
// Small chunks keep each batch of parsed items short-lived, so the garbage collector
// frees them young instead of promoting them (measured: peak memory follows this size).
const CHUNK_BYTES = 64 << 10;
/** A longer line is reported as such and skipped, rather than grown in memory without end. */
export const MAX_LINE_BYTES = 16 << 20;

/** One line of a JSON Lines file parsed: its value, why it is not JSON, or undefined for a blank line (no item). */
export function parseLine(text: string, first: boolean): { value: unknown } | { problem: Problem } | undefined {
  let clean = text;
  const last = clean.length - 1;
  if (last >= 0 && clean.charCodeAt(last) === 0x0d) clean = clean.slice(0, last);
  if (first && clean.charCodeAt(0) === 0xfeff) clean = clean.slice(1);
  // A line starting with printable ASCII is not blank; only others need trim().
  const c = clean.charCodeAt(0);
  if (!(c > 0x20 && c < 0x7f) && clean.trim() === '') return undefined;
  // JSON.parse inline rather than through parseJson: no wrapper object per line.
  try {
    return { value: JSON.parse(clean) as unknown };
  } catch {
    return { problem: malformedJson(clean) };
  }
}

/**
 * What a JSON Lines file is read as: blocks of whole lines, each judged as a whole, here
 * or in a worker thread; and, in its place, a line too long to keep. A block's parts
 * follow each other in the file with a newline between them; each part is lines
 * separated by newlines.
 */
export type LineBlock = { parts: Buffer[]; first: boolean } | { tooLong: Problem };

/** Blocks are gathered up to about this size: fewer, larger pieces of work for a worker. */
const BLOCK_BYTES = 256 << 10;

/**
 * The lines of a JSON Lines file (a path, or a stream such as standard input), a block
 * at a time, in order. Memory stays flat: a block is a few chunks, and a line longer
 * than MAX_LINE_BYTES is reported and skipped rather than grown.
 */
export async function* readJsonLineBlocks(source: string | NodeJS.ReadableStream): AsyncGenerator<LineBlock> {
  // Bytes of a line that started in an earlier chunk; split only at \n, which never
  // occurs inside a multi-byte UTF-8 character, so decoding whole lines is safe.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  let first = true;
  // The whole lines read since the last block was handed on, to be joined by newlines.
  let parts: Buffer[] = [];
  let partBytes = 0;
  const take = (part: Buffer): void => {
    parts.push(part);
    partBytes += part.length + 1;
  };
  const block = (): LineBlock => {
    const made = { parts, first };
    first = false;
    parts = [];
    partBytes = 0;
    return made;
  };
  const chunks = (typeof source === 'string' ? createReadStream(source, { highWaterMark: CHUNK_BYTES }) : source) as AsyncIterable<Buffer | string>;
  for await (const read of chunks) {
    const chunk = typeof read === 'string' ? Buffer.from(read) : read;
    let start = 0;
    let end = chunk.indexOf(NEWLINE);
    if (end === -1) {
      if (!tooLong) pending.push(chunk);
      pendingBytes += chunk.length;
    } else if (pending.length > 0 || tooLong) {
      // The end of the too-long line: its bytes were dropped, its problem given.
      if (!tooLong) take(Buffer.concat([...pending, chunk.subarray(0, end)]));
      tooLong = false;
      pending = [];
      pendingBytes = 0;
      start = end + 1;
      end = chunk.indexOf(NEWLINE, start);
    }
    if (end !== -1) {
      const lastNewline = chunk.lastIndexOf(NEWLINE);
      take(chunk.subarray(start, lastNewline));
      start = lastNewline + 1;
    }
    if (start > 0 && start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes = chunk.length - start;
    }
    if (!tooLong && pendingBytes > MAX_LINE_BYTES) {
      tooLong = true;
      pending = [];
      if (parts.length > 0) yield block();
      first = false;
      yield { tooLong: { rule: 'line-too-long', pointer: '', expected: `a line of at most ${MAX_LINE_BYTES} bytes`, received: `more than ${MAX_LINE_BYTES} bytes without a newline` } };
    }
    if (partBytes >= BLOCK_BYTES) yield block();
  }
  if (!tooLong && pending.length > 0) take(Buffer.concat(pending));
  if (parts.length > 0) yield block();
}

/** The lines of a block's parts, each with its text and its index in the block; returns how many there are. */
export function forEachLine(parts: Buffer[], onLine: (text: string, index: number) => void): number {
  let index = 0;
  for (const bytes of parts) {
    // An ASCII part decodes the same as latin1, which is quicker than UTF-8.
    const encoding = isAscii(bytes) ? 'latin1' : 'utf8';
    let start = 0;
    for (;;) {
      const end = bytes.indexOf(NEWLINE, start);
      onLine(bytes.toString(encoding, start, end === -1 ? bytes.length : end), index++);
      if (end === -1) break;
      start = end + 1;
    }
  }
  return index;
}

/** A block's parts as one buffer of its own (to move to a worker), newlines between them. */
export function joinParts(parts: Buffer[]): Buffer {
  const joined = Buffer.allocUnsafeSlow(parts.reduce((sum, part) => sum + part.length, parts.length - 1));
  let at = 0;
  parts.forEach((part, i) => {
    if (i > 0) at = joined.writeUInt8(NEWLINE, at);
    at += part.copy(joined, at);
  });
  return joined;
}
