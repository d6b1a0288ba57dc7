// Text that came from outside, made safe to print in a log line or an HTTP header:
// control and non-ASCII characters escaped (a header must be Latin-1 without controls,
// a terminal must not receive escape sequences), and the length bounded.

/** `text` with every character outside printable ASCII escaped as `\uXXXX`, cut to `max` characters. */
export function printable(text: string, max = 200): string {
   
  const escaped = text.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > max ? `${escaped.slice(0, max - 3)}...` : escaped;
}
