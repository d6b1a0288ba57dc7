// Where things are in the text of a JSON document, by line: JSON.parse gives values, not
// positions, so the lines of a top-level array's elements are found by one pass over the
// text (a tokenizer of just enough JSON: strings, nesting and commas).

/** The line (from 1) of `offset` in `text`. */
export const lineAt = (text: string, offset: number): number => {
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

/**
 * The line each of the `count` elements of the top-level array in `text` starts on
 * (`text` parses as that array). Lines are counted once, from one element to the next.
 */
export function arrayElementLines(text: string, count: number): number[] {
  const offsets = arrayElementOffsets(text);
  const lines: number[] = [];
  let line = 1;
  let from = 0;
  for (let index = 0; index < count; index++) {
    const offset = offsets[index] ?? from;
    for (let i = text.indexOf('\n', from); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
    from = offset;
    lines.push(line);
  }
  return lines;
}
