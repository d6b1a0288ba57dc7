// SUBHOOK fields -> the HTTP request a receiver gets, in each form the vendor console
// offers: POST form-urlencoded (the default: what the vendor's receiver examples read),
// POST JSON (numbers stay numbers), POST multipart, or GET with the fields in the query.
// Used by `smn-kit fire` and by `smn-kit conformance --receiver`.
import type { HttpDelivery } from '../net/deliver.js';
import type { Random } from '../generate/random.js';

export const SUBHOOK_ENCODINGS = ['form', 'json', 'multipart', 'get'] as const;
export type SubhookEncoding = (typeof SUBHOOK_ENCODINGS)[number];
export const DEFAULT_ENCODING: SubhookEncoding = 'form';

const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

// A field name inside a quoted Content-Disposition parameter, escaped as browsers do.
const dispositionName = (name: string): string => name.replaceAll('"', '%22').replaceAll('\r', '%0D').replaceAll('\n', '%0A');

function multipartBody(fields: Record<string, unknown>, boundary: string): string {
  let body = '';
  for (const [name, value] of Object.entries(fields)) {
    body += `--${boundary}\r\nContent-Disposition: form-data; name="${dispositionName(name)}"\r\n\r\n${text(value)}\r\n`;
  }
  return `${body}--${boundary}--\r\n`;
}

/**
 * The request that delivers `fields` to `url` in `encoding`. Form, multipart and GET
 * carry every value as a string; GET adds the fields to the query the URL already has.
 * `random` chooses the multipart boundary, so a seeded run sends the same bytes;
 * `userAgent` names the sender.
 */
export function encodeSubhookDelivery(url: URL, fields: Record<string, unknown>, encoding: SubhookEncoding, random: Random, userAgent: string): HttpDelivery {
  const headers: Record<string, string> = { 'user-agent': userAgent };
  const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
  switch (encoding) {
    case 'form':
      headers['content-type'] = 'application/x-www-form-urlencoded';
      return { method: 'POST', url, headers, body: new URLSearchParams(entries.map(([name, value]): [string, string] => [name, text(value)])).toString() };
    case 'json':
      headers['content-type'] = 'application/json';
      return { method: 'POST', url, headers, body: JSON.stringify(Object.fromEntries(entries)) };
    case 'multipart': {
      const boundary = `smn-kit-${random.hex(24)}`;
      headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
      return { method: 'POST', url, headers, body: multipartBody(Object.fromEntries(entries), boundary) };
    }
    case 'get': {
      const target = new URL(url);
      for (const [name, value] of entries) target.searchParams.append(name, text(value));
      return { method: 'GET', url: target, headers };
    }
  }
}
