// The paths `validate` is given -> the files to judge, each with its format (told by its
// extension). Reading them is the readers' job: json-lines.ts, json-document.ts, har.ts.
import { access, readdir, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { extname, join } from 'node:path';

export type Format = 'json' | 'jsonl' | 'har';

const FORMAT_OF_EXTENSION: Record<string, Format> = { '.json': 'json', '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.har': 'har' };
export const EXTENSIONS = Object.keys(FORMAT_OF_EXTENSION);

export interface SourceFile {
  /** A file's path, or STDIN. */
  path: string;
  format: Format;
}

/**
 * The largest .json or .har file read: those are one JSON document, read whole (a
 * string of a file's size, then the values it holds, several times that), and V8's
 * strings end near 512 MiB. JSON Lines files are streamed and have no such bound.
 */
export const MAX_DOCUMENT_BYTES = 256 * 1024 * 1024;
/** The path that stands for standard input, read as JSON Lines (what `listen --out` writes, `jq -c` prints). */
export const STDIN = '-';
/** How items read from standard input are located in lines and reports (`stdin:3`). */
export const STDIN_SOURCE = 'stdin';

/** What is wrong with a path: not there, not readable, a folder without a file to judge, a file of no known format, a document too large to read whole, standard input named twice. */
export type SourceErrorCode = 'missing-path' | 'unreadable-path' | 'no-source-files' | 'unknown-format' | 'document-too-large' | 'stdin-twice';

/** A path that is not there or cannot be read: the user's to fix, before anything is judged. */
export class SourceError extends Error {
  override readonly name = 'SourceError';
  constructor(
    message: string,
    readonly code: SourceErrorCode,
  ) {
    super(message);
  }
}

export const formatOf = (path: string): Format | undefined => FORMAT_OF_EXTENSION[extname(path).toLowerCase()];

async function readable(path: string): Promise<void> {
  try {
    await access(path, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw code === 'ENOENT' ? new SourceError(`${path}: no such file or folder`, 'missing-path') : new SourceError(`${path}: cannot be read (${code ?? 'error'})`, 'unreadable-path');
  }
}

/** A file of the format, refused before anything is judged when it is one document too large to read whole. */
async function source(path: string, format: Format): Promise<SourceFile> {
  if (format !== 'jsonl') {
    const { size } = await stat(path);
    if (size > MAX_DOCUMENT_BYTES) {
      const mib = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MiB`;
      throw new SourceError(
        `${path}: ${mib(size)} is more than validate reads of one ${format === 'har' ? 'HAR' : 'JSON'} document (${mib(MAX_DOCUMENT_BYTES)}); split it, or write its items one per line to a .jsonl file, which is streamed`,
        'document-too-large',
      );
    }
  }
  return { path, format };
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
      found.push(await source(path, format));
    }
  }
}

/**
 * The files the paths name: files as given (by extension), folders walked in name order
 * for the files whose extension is known, others under them left alone, `-` standard
 * input as JSON Lines. Every file is checked readable before the first is judged, so a
 * bad path stops nothing half done.
 */
export async function listSourceFiles(paths: string[]): Promise<SourceFile[]> {
  const found: SourceFile[] = [];
  for (const path of paths) {
    if (path === STDIN) {
      if (found.some((file) => file.path === STDIN)) throw new SourceError('- (standard input) can be read only once; give it once', 'stdin-twice');
      found.push({ path, format: 'jsonl' });
      continue;
    }
    await readable(path);
    if ((await stat(path)).isDirectory()) {
      const before = found.length;
      await filesUnder(path, found);
      if (found.length === before) throw new SourceError(`${path}: no ${EXTENSIONS.join(', ')} file in this folder`, 'no-source-files');
      continue;
    }
    const format = formatOf(path);
    if (!format) throw new SourceError(`${path}: cannot tell its format from its name; use ${EXTENSIONS.join(', ')}`, 'unknown-format');
    found.push(await source(path, format));
  }
  return found;
}
