// What the mock reads from a request before judging it: the request target (path and
// query) and the body as JSON (net/body.ts reads it up to a limit). None of these throws on any
// input: a target that cannot be read is `undefined`, a body that cannot be read says why.
import { parseMediaType } from '../../contract/media-type.js';
import { JsonInputError, parseJson } from '../../net/json.js';

export interface RequestTarget {
  /** The path as sent (not decoded, not normalised), e.g. `/v2/p/notifications/subscriptions`. */
  pathname: string;
  /** `?` and the query as sent, or ''. */
  search: string;
  query: URLSearchParams;
}

// absolute-form (`GET http://host:4010/v2/...`), which HTTP/1.1 servers must accept.
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

/**
 * The path and query of a request target in origin-form (`/path?query`) or
 * absolute-form (`http://host/path?query`); undefined for anything else (`*`,
 * `host:port`, garbage). Read by hand rather than with `new URL`, which throws on
 * targets such as `http://a:99999/` and would resolve `//host/path` to another host.
 */
export function parseTarget(raw: string | undefined): RequestTarget | undefined {
  if (raw === undefined) return undefined;
  const absolute = ABSOLUTE_FORM.exec(raw);
  let rest = absolute ? raw.slice(absolute[0].length) || '/' : raw;
  if (!rest.startsWith('/')) return undefined;
  const hash = rest.indexOf('#');
  if (hash !== -1) rest = rest.slice(0, hash);
  const question = rest.indexOf('?');
  const pathname = question === -1 ? rest : rest.slice(0, question);
  const search = question === -1 ? '' : rest.slice(question);
  return { pathname, search, query: new URLSearchParams(search) };
}

/** A percent-encoded path segment decoded, or undefined when its encoding is broken (`abc%`). */
export function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json$/;

export interface ParsedBody {
  body?: unknown;
  /** Why the body could not be read, in words that never repeat it. */
  problem?: string;
}

/** The API request body as JSON: none when empty, a problem when it is not JSON (or too deep). */
export function parseBody(contentType: string | undefined, text: string): ParsedBody {
  if (text.trim() === '') return {};
  if (!contentType) return { problem: 'the body has no Content-Type; send it as application/json' };
  if (!JSON_MEDIA_TYPE.test(parseMediaType(contentType)?.type ?? '')) {
    return { problem: `Content-Type ${contentType.slice(0, 80)} is not application/json` };
  }
  try {
    return { body: parseJson(text) };
  } catch (error) {
    if (error instanceof JsonInputError) return { problem: `the body is ${error.message}` };
    throw error;
  }
}
