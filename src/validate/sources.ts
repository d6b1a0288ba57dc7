// Files -> parsed items, with where each came from (source:line, or a pointer into a HAR).
// JSON Lines are streamed in chunks, so memory stays flat however long the file is;
// .json and .har files are one JSON document each and are read whole.
import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { access, readFile, readdir, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { extname, join } from 'node:path';
import type { HarEntry } from './smn.js';
import { malformedJson, type Problem } from '../judge/verdict.js';

export type Format = 'json' | 'jsonl' | 'har';

const FORMAT_OF_EXTENSION: Record<string, Format> = { '.json': 'json', '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.har': 'har' };
export const EXTENSIONS = Object.keys(FORMAT_OF_EXTENSION);

export interface SourceFile {
  path: string;
  format: Format;
}

/** One thing to judge: a parsed value, a HAR entry, or the problem that kept it from parsing. */
export interface Item {
  source: string;
  line?: number;
  /** JSON pointer of a HAR entry in its file. */
  pointer?: string;
  value?: unknown;
  har?: HarEntry;
  problem?: Problem;
}

/** A path that is not there or cannot be read: the user's to fix, before anything is judged. */
export class SourceError extends Error {
  override readonly name = 'SourceError';
}

export const formatOf = (path: string): Format | undefined => FORMAT_OF_EXTENSION[extname(path).toLowerCase()];

async function readable(path: string): Promise<void> {
  try {
    await access(path, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SourceError(code === 'ENOENT' ? `${path}: no such file or folder` : `${path}: cannot be read (${code ?? 'error'})`);
  }
}

async function filesUnder(folder: string, found: SourceFile[]): Promise<void> {
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) await filesUnder(path, found);
    const format = entry.isFile() ? formatOf(entry.name) : undefined;
    if (format) {
      await readable(path);
      found.push({ path, format });
    }
  }
}

/**
 * The files the paths name: files as given (by extension), folders walked in name order
 * for the files whose extension is known, others under them left alone. Every file is
 * checked readable before the first is judged, so a bad path stops nothing half done.
 */
export async function listSourceFiles(paths: string[]): Promise<SourceFile[]> {
  const found: SourceFile[] = [];
  for (const path of paths) {
    await readable(path);
    if ((await stat(path)).isDirectory()) {
      const before = found.length;
      await filesUnder(path, found);
      if (found.length === before) throw new SourceError(`${path}: no ${EXTENSIONS.join(', ')} file in this folder`);
      continue;
    }
    const format = formatOf(path);
    if (!format) throw new SourceError(`${path}: cannot tell its format from its name; use ${EXTENSIONS.join(', ')}`);
    found.push({ path, format });
  }
  return found;
}

// --- JSON Lines ----------------------------------------------------------------------

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
 * The lines of a JSON Lines file, a block at a time, in order. Memory stays flat: a
 * block is a few chunks, and a line longer than MAX_LINE_BYTES is reported and
 * skipped rather than grown.
 */
export async function* readJsonLineBlocks(source: string): AsyncGenerator<LineBlock> {
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
  for await (const chunk of createReadStream(source, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>) {
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

// --- whole JSON documents ------------------------------------------------------------

const lineAt = (text: string, offset: number): number => {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
};

/** The offsets where the elements of a top-level array start, by one pass over the text. */
function arrayElementOffsets(text: string): number[] {
  const offsets: number[] = [];
  let depth = 0;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t') continue;
    if (depth === 1 && expectElement && c !== ']') {
      offsets.push(i);
      expectElement = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expectElement = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectElement = true;
  }
  return offsets;
}

async function readDocument(source: string): Promise<{ text: string; value: unknown } | { problem: Item }> {
  let text = await readFile(source, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return { text, value: JSON.parse(text) as unknown };
  } catch (error) {
    // Only the position is taken from the message: the rest quotes the text.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    const line = position === undefined ? 1 : lineAt(text, Number(position));
    return { problem: { source, line, problem: { rule: 'malformed-json', pointer: '', expected: 'a JSON document', received: `text that stops parsing as JSON on line ${line}` } } };
  }
}

/** The items of a .json file: the payload it holds, or each element of the array it holds. */
export async function* readJsonFile(source: string): AsyncGenerator<Item[]> {
  const document = await readDocument(source);
  if ('problem' in document) {
    yield [document.problem];
    return;
  }
  const { text, value } = document;
  if (!Array.isArray(value)) {
    yield [{ source, line: lineAt(text, text.search(/\S/)), value }];
    return;
  }
  const offsets = arrayElementOffsets(text);
  let lineNumber = 1;
  let from = 0;
  const items = value.map((element, index): Item => {
    const offset = offsets[index] ?? from;
    for (let i = text.indexOf('\n', from); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) lineNumber++;
    from = offset;
    return { source, line: lineNumber, value: element };
  });
  yield items;
}

/** The exchanges of a HAR file (`log.entries`), each with its pointer. */
export async function* readHar(source: string): AsyncGenerator<Item[]> {
  const document = await readDocument(source);
  if ('problem' in document) {
    yield [document.problem];
    return;
  }
  const entries = (document.value as { log?: { entries?: unknown } } | null)?.log?.entries;
  if (!Array.isArray(entries)) {
    yield [{ source, pointer: '/log/entries', problem: { rule: 'malformed-har', pointer: '/log/entries', expected: 'a HAR 1.2 document with a log.entries array', received: 'no such array' } }];
    return;
  }
  yield entries.map((entry, index): Item => ({ source, pointer: `/log/entries/${index}`, har: entry as HarEntry }));
}

/** The items of a .json or .har file (JSON Lines are read by blocks: readJsonLineBlocks). */
export function readDocumentItems(file: SourceFile): AsyncGenerator<Item[]> {
  return file.format === 'har' ? readHar(file.path) : readJsonFile(file.path);
}
