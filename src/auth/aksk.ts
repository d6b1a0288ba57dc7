// AK/SK request signing (SDK-HMAC-SHA256), as the Huawei Cloud SDKs sign SMN requests.
// The conformance client signs with it; the mock verifies with it.
import { createHash, createHmac } from 'node:crypto';
import { constantTimeEqual } from '../contract/constant-time.js';

export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';
/** The header by which a client declares the body's SHA-256 (or UNSIGNED-PAYLOAD) rather than have it computed. */
const CONTENT_SHA256 = 'x-sdk-content-sha256';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export interface SignableRequest {
  method: string;
  /** Absolute URL, or path with query; a WHATWG `URL` fits `{ href }` (declared so, the types need neither the DOM's nor Node's). */
  url: string | { readonly href: string };
  /** Header names in any case; `host` is taken from the URL when absent. */
  headers: Record<string, string | string[] | undefined>;
  body?: string | Uint8Array | undefined;
}

export interface Credentials {
  ak: string;
  sk: string;
}

const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** RFC 3986 encoding: everything but the unreserved set `A-Z a-z 0-9 - _ . ~`. */
const encode = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const decode = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/** `20261124T093000Z` for a date. */
export const sdkDate = (date: Date): string => date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

function lowerCaseHeaders(request: SignableRequest, url: URL): Map<string, string> {
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers.set(name.toLowerCase(), (Array.isArray(value) ? value.join(',') : value).trim());
  }
  if (!headers.has('host') && url.host) headers.set('host', url.host);
  return headers;
}

/** The canonical request the signature covers. */
export function canonicalRequest(request: SignableRequest, signedHeaders: string[]): string {
  const url = new URL(typeof request.url === 'string' ? request.url : request.url.href, 'http://signing.invalid');
  const headers = lowerCaseHeaders(request, url);
  // Each segment is encoded from its decoded form, so a raw `:` and a `%3A` sign alike.
  const path = url.pathname.split('/').map((segment) => encode(decode(segment))).join('/');
  const canonicalUri = path.endsWith('/') ? path : `${path}/`;
  const query = [...url.searchParams.entries()]
    .map(([key, value]) => [encode(key), encode(value)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const names = [...signedHeaders].map((h) => h.toLowerCase()).sort();
  const canonicalHeaders = names.map((name) => `${name}:${headers.get(name) ?? ''}\n`).join('');
  // A client may sign a declared payload hash (or UNSIGNED-PAYLOAD, as the SDKs do for a
  // Content-Type other than plain application/json) instead of the body; a declared hash
  // that is not signed counts for nothing, or anyone could swap the body and keep the hash.
  const declared = names.includes(CONTENT_SHA256) ? headers.get(CONTENT_SHA256) : undefined;
  const payloadHash = declared ?? sha256Hex(request.body ?? '');
  return [request.method.toUpperCase(), canonicalUri, query, canonicalHeaders, names.join(';'), payloadHash].join('\n');
}

function signature(request: SignableRequest, signedHeaders: string[], date: string, sk: string): string {
  const stringToSign = `${SIGNING_ALGORITHM}\n${date}\n${sha256Hex(canonicalRequest(request, signedHeaders))}`;
  return createHmac('sha256', sk).update(stringToSign).digest('hex');
}

/**
 * The headers that sign `request`: `X-Sdk-Date` and `Authorization`. Signs every header
 * given plus `host` and `x-sdk-date`, as the SDKs do.
 */
export function signRequest(request: SignableRequest, credentials: Credentials, now: Date = new Date()): Record<string, string> {
  const date = sdkDate(now);
  const withDate: SignableRequest = { ...request, headers: { ...request.headers, 'X-Sdk-Date': date } };
  const url = new URL(typeof request.url === 'string' ? request.url : request.url.href, 'http://signing.invalid');
  const signedHeaders = [...lowerCaseHeaders(withDate, url).keys()].filter((name) => name !== 'authorization').sort();
  const value = signature(withDate, signedHeaders, date, credentials.sk);
  return {
    'X-Sdk-Date': date,
    Authorization: `${SIGNING_ALGORITHM} Access=${credentials.ak}, SignedHeaders=${signedHeaders.join(';')}, Signature=${value}`,
  };
}

export interface ParsedAuthorization {
  access: string;
  signedHeaders: string[];
  signature: string;
}

/** Reads an `SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...` header. */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
  if (!header?.startsWith(`${SIGNING_ALGORITHM} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(SIGNING_ALGORITHM.length + 1).split(',')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const access = fields.get('Access');
  const signedHeaders = fields.get('SignedHeaders');
  const value = fields.get('Signature');
  if (!access || !signedHeaders || !value) return undefined;
  return { access, signedHeaders: signedHeaders.split(';'), signature: value };
}

export type Verification = { ok: true; access: string } | { ok: false; reason: string };

/** Checks the signature of a request against the secret key of its access key. */
export function verifyRequestSignature(request: SignableRequest, secretOf: (ak: string) => string | undefined): Verification {
  const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const parsed = parseAuthorization(typeof headers.authorization === 'string' ? headers.authorization : undefined);
  if (!parsed) return { ok: false, reason: `Authorization is not "${SIGNING_ALGORITHM} Access=..., SignedHeaders=..., Signature=..."` };
  const date = headers['x-sdk-date'];
  if (typeof date !== 'string' || !/^\d{8}T\d{6}Z$/.test(date)) return { ok: false, reason: 'X-Sdk-Date is missing or not YYYYMMDDTHHMMSSZ' };
  if (!parsed.signedHeaders.includes('x-sdk-date')) return { ok: false, reason: 'SignedHeaders does not include x-sdk-date' };
  const sk = secretOf(parsed.access);
  if (sk === undefined) return { ok: false, reason: 'unknown access key' };
  if (!constantTimeEqual(signature(request, parsed.signedHeaders, date, sk), parsed.signature.toLowerCase())) {
    return { ok: false, reason: 'signature does not match' };
  }
  // A signed hash vouches for the body only if it is the body's: a captured request sent
  // again with another body must not pass on the first body's hash.
  const declared = parsed.signedHeaders.some((name) => name.toLowerCase() === CONTENT_SHA256) ? headers[CONTENT_SHA256] : undefined;
  if (typeof declared === 'string' && declared !== UNSIGNED_PAYLOAD && declared.trim().toLowerCase() !== sha256Hex(request.body ?? '')) {
    return { ok: false, reason: 'X-Sdk-Content-Sha256 is not the SHA-256 of the body' };
  }
  return { ok: true, access: parsed.access };
}
