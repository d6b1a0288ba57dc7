// The media type of a Content-Type header, read by the maintained `content-type` parser
// (RFC 9110 syntax, as Prism reads it): the one place the kit parses media types.
import { parse } from 'content-type';

export interface MediaType {
  /** Lower-case `type/subtype`, such as `application/json`. */
  type: string;
  /** Parameters by lower-case name (`charset`, `boundary`), quoted values unquoted. */
  parameters: Record<string, string>;
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const TYPE_ONLY = new RegExp(`^\\s*(${TOKEN}/${TOKEN})\\s*(?:;|$)`);

/**
 * The media type of a Content-Type header, or undefined when it names none. A header
 * whose type is clear but whose parameters are broken (`application/json;`,
 * `application/json; charset`) gives the type without parameters: senders write such
 * headers, the type is what the rules are about, and refusing them would fail
 * deliveries and servers that do nothing wrong by the vendors' documents.
 */
export function parseMediaType(header: string): MediaType | undefined {
  try {
    return parse(header);
  } catch {
    const type = TYPE_ONLY.exec(header)?.[1];
    return type === undefined ? undefined : { type: type.toLowerCase(), parameters: {} };
  }
}
