// JSON from outside (a request body, a state file): parsed only when its nesting stays
// within a bound, so that no input can overflow the stack later, in JSON.stringify or a
// validator walking it. The error never repeats the input: messages built from it end
// up in logs and headers.

/** Deeper than any SMN or SUBHOOK payload; far below what overflows the stack. */
export const MAX_JSON_DEPTH = 64;

export class JsonInputError extends Error {
  override readonly name = 'JsonInputError';
}

/** The nesting depth of `text` read as JSON (strings skipped), stopping as soon as it passes `limit`. */
function depthWithin(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return false;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return true;
}

/**
 * `JSON.parse`, refusing nesting deeper than `maxDepth`. Throws a JsonInputError whose
 * message says what is wrong and where, never what the input holds.
 */
export function parseJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (!depthWithin(text, maxDepth)) throw new JsonInputError(`JSON nested deeper than ${maxDepth} levels`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    // V8's message quotes the input ("Unexpected token 中, ..."): keep only the position.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new JsonInputError(position === undefined ? 'not valid JSON' : `not valid JSON (at character ${position})`);
  }
}
