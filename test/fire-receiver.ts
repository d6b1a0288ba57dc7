// The receiver the fire tests send to: a real node:http server that decodes and judges
// each delivery with smn-kit's SUBHOOK library (decode, validate with the key, then the
// replay guard with a 300 s window), as a careful user's receiver would, and answers
// 204 when valid, 422 with the problems otherwise. Each test takes a bucket of its own
// (a path prefix with its own replay guard), so tests can run at the same time.
//   /<bucket>/judge/<product>  judge as that product
//   /<bucket>/status/<code>    answer that status without judging
//   /<bucket>/<anything else>  answer 204 without judging
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSubhookReplayGuard, decodeSubhookDelivery, validateSubhookEvent, type SubhookProblem, type SubhookReplayGuard } from '../src/subhook/index.js';

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** When the request arrived (ms). */
  at: number;
  /** The decoded fields, for judged deliveries that decode. */
  fields?: Record<string, unknown>;
  problems: SubhookProblem[];
  status: number;
}

export interface Bucket {
  /** The receiver URL of `path` (`judge/sms`, `status/503`...) in this bucket. */
  url(path: string): string;
  received: Received[];
}

export interface JudgingReceiver {
  origin: string;
  bucket(): Bucket;
  close(): Promise<void>;
}

export async function startJudgingReceiver(key: string): Promise<JudgingReceiver> {
  const buckets = new Map<string, { received: Received[]; guard: SubhookReplayGuard }>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    const at = Date.now();
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const [, name = '', route = '', argument = ''] = new URL(request.url ?? '/', 'http://receiver').pathname.split('/');
      const bucket = buckets.get(name);
      const record = (status: number, fields: Record<string, unknown> | undefined, problems: SubhookProblem[]): void => {
        bucket?.received.push({ method: request.method ?? '', url: request.url ?? '/', headers: request.headers, body, at, fields, problems, status });
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(problems));
      };
      if (!bucket || route !== 'judge') return record(route === 'status' ? Number(argument) : 204, undefined, []);
      decodeSubhookDelivery({ method: request.method ?? '', url: request.url ?? '/', headers: request.headers, body }).then(
        (fields) => {
          const verdict = validateSubhookEvent(fields, { product: argument, key });
          // The guard comes last, as the library advises, so forged deliveries do not fill its memory.
          const problems = verdict.valid ? bucket.guard.check(fields) : verdict.problems;
          record(problems.length > 0 ? 422 : 204, fields, problems);
        },
        (error: unknown) => record(400, undefined, [{ rule: 'schema', pointer: '', expected: 'a decodable delivery', received: String(error) }]),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let next = 0;
  return {
    origin,
    bucket() {
      const name = `b${++next}`;
      const state = { received: [] as Received[], guard: createSubhookReplayGuard({ toleranceSeconds: 300 }) };
      buckets.set(name, state);
      return { url: (path) => `${origin}/${name}/${path}`, received: state.received };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
