// The media type of a Content-Type header, read by the maintained `content-type` parser
// (RFC 9110 syntax, as Prism reads it): the one place the kit parses media types.
import { parse } from 'content-type';

export interface MediaType {
  /** Lower-case `type/subtype`, such as `application/json`. */
  type: string;
  /** Parameters by lower-case name (`charset`, `boundary`), quoted values unquoted. */
  parameters: Record<string, string>;
}

/** The media type of a Content-Type header, or undefined when the header does not parse as one. */
export function parseMediaType(header: string): MediaType | undefined {
  try {
    return parse(header);
  } catch {
    return undefined;
  }
}
