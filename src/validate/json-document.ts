// A .json file -> its items: the payload it holds, or each element of the array it holds,
// each with its line. The file is one JSON document, read whole.
import { readFile } from 'node:fs/promises';
import type { Item } from './item.js';
import { arrayElementLines, lineAt } from './json-array.js';

/** A JSON file's text (without a BOM) and value, or the item that says where it stops parsing. */
export async function readJsonDocument(source: string): Promise<{ text: string; value: unknown } | { problem: Item }> {
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
  const document = await readJsonDocument(source);
  if ('problem' in document) {
    yield [document.problem];
    return;
  }
  const { text, value } = document;
  if (!Array.isArray(value)) {
    yield [{ source, line: lineAt(text, text.search(/\S/)), value }];
    return;
  }
  const lines = arrayElementLines(text, value.length);
  yield value.map((element, index): Item => ({ source, line: lines[index], value: element }));
}
