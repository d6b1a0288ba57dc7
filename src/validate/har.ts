// A .har file -> its exchanges (`log.entries`), each with its pointer, to be judged as
// SMN traffic (smn.ts). The file is one JSON document, read whole.
import type { Item } from './item.js';
import { readJsonDocument } from './json-document.js';
import type { HarEntry } from './smn.js';

/** The exchanges of a HAR file (`log.entries`), each with its pointer. */
export async function* readHar(source: string): AsyncGenerator<Item[]> {
  const document = await readJsonDocument(source);
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
