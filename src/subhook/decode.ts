// A received HTTP request -> the SUBHOOK fields it carries, for every form the vendor
// console offers: POST with a form-urlencoded, JSON or multipart body, or GET with a
// query string. Decoding only reads; it neither coerces nor validates (validate.ts does).
// Errors never quote the body: it carries the token and its signature.
import { parseMediaType } from '../contract/media-type.js';

/** A received request, as a node:http handler or a fetch-style handler sees it. */
export interface SubhookDelivery {
  method: string;
  /** The request target (`/hook?events=...`) or an absolute URL. */
  url: string;
  /** Node's `request.headers`, any name-to-value object, or a fetch `Headers`. */
  headers: Record<string, string | string[] | undefined> | { get(name: string): string | null };
  /** The raw body; ignored for GET. */
  body?: string | Uint8Array | null | undefined;
}

/** The fields of a delivery: strings for form, multipart and GET, JSON values for JSON. */
export type SubhookFields = Record<string, unknown>;

export type SubhookDeliveryRule = 'unsupported-method' | 'unsupported-content-type' | 'malformed-body' | 'duplicate-field';

/** A request that is not a decodable SUBHOOK delivery; the message says where and why. */
export class SubhookDeliveryError extends Error {
  override readonly name = 'SubhookDeliveryError';
  constructor(
    readonly rule: SubhookDeliveryRule,
    /** Where the problem is: `method`, `header Content-Type`, `body` or `query`. */
    readonly where: string,
    readonly expected: string,
    readonly received: string,
  ) {
    super(`${where}: expected ${expected}, received ${received} (${rule})`);
  }
}

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const MULTIPART = 'multipart/form-data';
const SUPPORTED = `${FORM}, ${JSON_TYPE} or ${MULTIPART}`;
// Only used to give undici's multipart parser and URL parsing an absolute URL.
const PLACEHOLDER_ORIGIN = 'http://receiver.invalid';

function headerValue(headers: SubhookDelivery['headers'], name: string): string | undefined {
  if (typeof headers.get === 'function') return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(', ') : value;
  }
  return undefined;
}

function bodyBytes(body: SubhookDelivery['body']): Uint8Array {
  if (body === undefined || body === null) return new Uint8Array();
  return typeof body === 'string' ? new TextEncoder().encode(body) : body;
}

function utf8Text(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SubhookDeliveryError('malformed-body', 'body', 'UTF-8 text', `${bytes.length} bytes that are not valid UTF-8`);
  }
}

function collect(entries: Iterable<[string, unknown]>, where: string): SubhookFields {
  const all = [...entries];
  const seen = new Set<string>();
  for (const [name] of all) {
    if (seen.has(name)) throw new SubhookDeliveryError('duplicate-field', where, 'each field once', `field "${name}" more than once`);
    seen.add(name);
  }
  // fromEntries defines own properties, so a field named __proto__ stays a plain field.
  return Object.fromEntries(all);
}

function decodeJson(bytes: Uint8Array): SubhookFields {
  if (bytes.length === 0) throw new SubhookDeliveryError('malformed-body', 'body', 'a JSON object', 'an empty body');
  let value: unknown;
  try {
    value = JSON.parse(utf8Text(bytes));
  } catch (error) {
    if (error instanceof SubhookDeliveryError) throw error;
    // JSON.parse's message quotes the body, so it is not passed on.
    throw new SubhookDeliveryError('malformed-body', 'body', 'a JSON object', `${bytes.length} bytes that do not parse as JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SubhookDeliveryError('malformed-body', 'body', 'a JSON object', Array.isArray(value) ? 'a JSON array' : `a JSON ${value === null ? 'null' : typeof value}`);
  }
  return value as SubhookFields;
}

async function decodeMultipart(bytes: Uint8Array, contentType: string): Promise<SubhookFields> {
  if (!parseMediaType(contentType)?.parameters.boundary) {
    throw new SubhookDeliveryError('malformed-body', 'header Content-Type', `${MULTIPART} with a boundary parameter`, 'no boundary');
  }
  let form: FormData;
  try {
    form = await new Request(PLACEHOLDER_ORIGIN, { method: 'POST', headers: { 'content-type': contentType }, body: bytes }).formData();
  } catch {
    throw new SubhookDeliveryError('malformed-body', 'body', `a ${MULTIPART} body matching its boundary`, `${bytes.length} bytes that do not parse as multipart`);
  }
  const entries: [string, unknown][] = [];
  for (const [name, value] of form.entries()) {
    if (typeof value !== 'string') {
      throw new SubhookDeliveryError('malformed-body', 'body', 'text fields only', `a file upload in part "${name}"`);
    }
    entries.push([name, value]);
  }
  return collect(entries, 'body');
}

/**
 * The fields of a SUBHOOK delivery. Throws a `SubhookDeliveryError` naming the rule for a
 * method other than POST or GET, a POST body of another content type, a charset other
 * than UTF-8, a body that does not parse, or a field given twice.
 * A POST's query string belongs to the receiver's own URL and is ignored; a GET's query
 * string is the delivery, so parameters of the receiver's own show up as fields.
 */
export async function decodeSubhookDelivery(delivery: SubhookDelivery): Promise<SubhookFields> {
  const method = delivery.method.toUpperCase();
  if (method === 'GET') {
    let url: URL;
    try {
      url = new URL(delivery.url, PLACEHOLDER_ORIGIN);
    } catch {
      throw new SubhookDeliveryError('malformed-body', 'query', 'a request target with a query string', 'a URL that does not parse');
    }
    return collect(url.searchParams, 'query');
  }
  if (method !== 'POST') {
    throw new SubhookDeliveryError('unsupported-method', 'method', 'POST or GET', method);
  }
  const contentType = headerValue(delivery.headers, 'content-type');
  if (!contentType) {
    throw new SubhookDeliveryError('unsupported-content-type', 'header Content-Type', SUPPORTED, 'no Content-Type header');
  }
  const mediaType = parseMediaType(contentType);
  if (!mediaType) {
    throw new SubhookDeliveryError('unsupported-content-type', 'header Content-Type', SUPPORTED, 'a Content-Type that does not parse as a media type');
  }
  const { type, parameters } = mediaType;
  const charset = parameters.charset?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new SubhookDeliveryError('unsupported-content-type', 'header Content-Type', 'charset=utf-8 or no charset', `charset=${charset}`);
  }
  const bytes = bodyBytes(delivery.body);
  switch (type) {
    case FORM:
      return collect(new URLSearchParams(utf8Text(bytes)), 'body');
    case JSON_TYPE:
      return decodeJson(bytes);
    case MULTIPART:
      return decodeMultipart(bytes, contentType);
    default:
      throw new SubhookDeliveryError('unsupported-content-type', 'header Content-Type', SUPPORTED, type);
  }
}
