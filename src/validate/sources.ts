// Files -> parsed items, with where each came from (source:line, or a pointer into a HAR).
// JSON Lines are streamed in chunks, so memory stays flat however long the file is;
// .json and .har files are one JSON document each and are read whole.
import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { access, readFile, readdir, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { extname, join } from 'node:path';
import type { HarEntry } from './smn.js';
import { malformedJson, type Problem } from './verdict.js';

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

function lineItem(source: string, line: number, text: string): Item | undefined {
  let clean = text;
  const last = clean.length - 1;
  if (last >= 0 && clean.charCodeAt(last) === 0x0d) clean = clean.slice(0, last);
  if (line === 1 && clean.charCodeAt(0) === 0xfeff) clean = clean.slice(1);
  // A line starting with printable ASCII is not blank; only others need trim().
  const c = clean.charCodeAt(0);
  if (!(c > 0x20 && c < 0x7f) && clean.trim() === '') return undefined;
  // JSON.parse inline rather than through parseJson: no wrapper object per line.
  let value: unknown;
  try {
    value = JSON.parse(clean);
  } catch {
    return { source, line, problem: malformedJson(clean) };
  }
  return { source, line, value };
}

/** The items of a JSON Lines file, a chunk's worth at a time. Blank lines are not items. */
export async function* readJsonLines(source: string): AsyncGenerator<Item[]> {
  let line = 0;
  // Bytes of a line that started in an earlier chunk; split only at \n, which never
  // occurs inside a multi-byte UTF-8 character, so decoding whole lines is safe.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  const push = (items: Item[], text: string): void => {
    const item = lineItem(source, ++line, text);
    if (item) items.push(item);
  };
  for await (const chunk of createReadStream(source, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>) {
    const items: Item[] = [];
    let start = 0;
    let end = chunk.indexOf(NEWLINE);
    if (end === -1) {
      if (!tooLong) pending.push(chunk);
      pendingBytes += chunk.length;
    } else if (pending.length > 0 || tooLong) {
      if (tooLong) {
        line++;
        tooLong = false;
      } else push(items, Buffer.concat([...pending, chunk.subarray(0, end)]).toString('utf8'));
      pending = [];
      pendingBytes = 0;
      start = end + 1;
      end = chunk.indexOf(NEWLINE, start);
    }
    if (start > 0 || end !== -1) {
      // An ASCII chunk decodes the same as latin1, which is quicker than UTF-8.
      const encoding = isAscii(chunk) ? 'latin1' : 'utf8';
      while (end !== -1) {
        push(items, chunk.toString(encoding, start, end));
        start = end + 1;
        end = chunk.indexOf(NEWLINE, start);
      }
      if (start < chunk.length) {
        pending.push(chunk.subarray(start));
        pendingBytes = chunk.length - start;
      }
    }
    if (!tooLong && pendingBytes > MAX_LINE_BYTES) {
      tooLong = true;
      pending = [];
      items.push({ source, line: line + 1, problem: { rule: 'line-too-long', pointer: '', expected: `a line of at most ${MAX_LINE_BYTES} bytes`, received: `more than ${MAX_LINE_BYTES} bytes without a newline` } });
    }
    if (items.length > 0) yield items;
  }
  if (tooLong) return;
  if (pending.length > 0) {
    const items: Item[] = [];
    push(items, Buffer.concat(pending).toString('utf8'));
    if (items.length > 0) yield items;
  }
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

export function readSource(file: SourceFile): AsyncGenerator<Item[]> {
  if (file.format === 'jsonl') return readJsonLines(file.path);
  if (file.format === 'har') return readHar(file.path);
  return readJsonFile(file.path);
}
