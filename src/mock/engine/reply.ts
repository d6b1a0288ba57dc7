// Writing the mock's answers. Every header value passes through `printable`, so no
// input echoed into one (a violation message, a path) can make writeHead throw; and an
// answer that cannot be written closes the connection rather than the process.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { printable } from '../../net/text.js';
import type { Violation } from './violations.js';

export interface Reply {
  status: number;
  body: unknown;
  /** The error code answered (`SMN.0015`, `APIGW.0301`), for the log line and the request record. */
  errorCode?: string;
  /** Why, in a few words, for the log line and the request record. */
  reason?: string;
  /** Prism's diagnostics, sent in the `sl-violations` header. */
  violations?: Violation[];
  /** An inspection endpoint's answer: indented JSON, no request id. */
  admin?: boolean;
  /** A body that is not JSON (the signing certificate), sent as it is. */
  raw?: { contentType: string; text: string };
  /** Headers of this answer beyond the usual ones (Retry-After, Connection: close). */
  headers?: Record<string, string>;
}

/**
 * What the mock says it is in every API answer (RFC 9110 Server): conformance reads it
 * where the contract records a kit choice that relaxes a vendor rule for the mock alone
 * (loopback endpoints, `x-private-endpoints`): a deployment that does the same fails.
 */
export const SERVER_HEADER = 'smn-kit mock';

/** 32 hexadecimal characters, as SMN's request ids. */
export const newRequestId = (): string => randomUUID().replaceAll('-', '');

const SL_VIOLATIONS_MAX = 2000;

/** The error code a body carries (SMN's `code` or the gateway's `error_code`), if any. */
export function codeOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { code, error_code: gateway } = body as { code?: unknown; error_code?: unknown };
  if (typeof code === 'string') return code;
  return typeof gateway === 'string' ? gateway : undefined;
}

export function writeReply(res: ServerResponse, requestId: string, reply: Reply): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  let text: string;
  const headers: Record<string, string | number> = { ...reply.headers, 'Content-Type': 'application/json;charset=UTF-8' };
  if (reply.raw) {
    text = reply.raw.text;
    headers['Content-Type'] = reply.raw.contentType;
    // An API answer that is not JSON (a certificate download) is still the gateway's: it carries the request id.
    if (!reply.admin) Object.assign(headers, { 'X-Request-Id': requestId, Server: SERVER_HEADER });
  } else if (reply.admin) {
    text = reply.body === undefined ? '' : `${JSON.stringify(reply.body, null, 2)}\n`;
  } else {
    // Every body that has a request_id gets this request's, never the example's.
    const body =
      reply.body && typeof reply.body === 'object' && 'request_id' in reply.body ? { ...reply.body, request_id: requestId } : reply.body;
    text = body === undefined ? '' : JSON.stringify(body);
    headers['X-Request-Id'] = requestId;
    headers.Server = SERVER_HEADER;
    if (reply.violations?.length) {
      // Prism's own header for what was wrong, so a person sees the rule behind the code.
      const described = JSON.stringify(reply.violations.map((v) => ({ location: v.path ?? [], code: v.code, message: v.message })));
      headers['sl-violations'] = printable(described, SL_VIOLATIONS_MAX);
    }
  }
  headers['Content-Length'] = Buffer.byteLength(text);
  res.writeHead(reply.status, headers);
  res.end(text);
}

/**
 * An answer written straight to a socket, for requests Node refuses before they become
 * requests (a malformed request line, headers too large, a timeout, CONNECT): the
 * gateway's JSON body, then the connection closes.
 */
export function writeRawReply(socket: Duplex, status: number, body: object): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const requestId = newRequestId();
  const text = JSON.stringify('request_id' in body ? { ...body, request_id: requestId } : body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Content-Type: application/json;charset=UTF-8\r\n' +
      `Content-Length: ${Buffer.byteLength(text)}\r\n` +
      `X-Request-Id: ${requestId}\r\n` +
      'Connection: close\r\n\r\n' +
      text,
  );
}
