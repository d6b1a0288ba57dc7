// Sending exact bytes to a server and reading its first final answer, for requests that
// no well-behaved client (fetch, curl) would send: absolute-form targets, bytes that are
// not UTF-8, malformed request lines, oversized headers.
import { connect } from 'node:net';

export interface RawAnswer {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

/** Splits a response (1xx interim answers skipped); undefined when no complete head arrived. */
export function parseRawResponse(data: Buffer): RawAnswer | undefined {
  let rest = data;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end === -1) return undefined;
    const lines = rest.subarray(0, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1]);
    if (!status) return undefined;
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const afterHead = rest.subarray(end + 4);
    if (status < 200) {
      rest = afterHead;
      continue;
    }
    const length = Number(headers['content-length'] ?? afterHead.length);
    return { status, headers, body: afterHead.subarray(0, length).toString('utf8') };
  }
}

/**
 * Writes `request` to the server at `url` (its host and port), half-closes, and resolves
 * with the answer once the server closes the connection or `timeoutMs` passes; undefined
 * when no answer came.
 */
export function rawExchange(url: string, request: string | Buffer, timeoutMs = 5000): Promise<RawAnswer | undefined> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname.replace(/^\[|\]$/g, ''));
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(parseRawResponse(Buffer.concat(chunks)));
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // Answers to `Connection: close` requests end with the connection; stop as soon as
      // the first final answer is whole, whatever the server does next.
      const answer = parseRawResponse(Buffer.concat(chunks));
      if (answer && Buffer.byteLength(answer.body) >= Number(answer.headers['content-length'] ?? 0)) done();
    });
    socket.on('end', done);
    socket.on('close', done);
    socket.on('error', done);
    socket.end(request);
  });
}

/** An HTTP/1.1 request with `Connection: close`, its Content-Length computed from the body. */
export function rawRequest(method: string, target: string, headers: Record<string, string>, body: string | Buffer = ''): Buffer {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const head = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  if (bytes.length > 0 || method === 'PUT' || method === 'POST') head.push(`Content-Length: ${bytes.length}`);
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), bytes]);
}
