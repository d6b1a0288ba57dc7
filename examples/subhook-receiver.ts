// A SUBHOOK receiver for SUBMAIL's domestic SMS pushes, on node:http alone, typed by the
// contract (smn-kit-contract): decode the push in whatever form it comes (form, JSON,
// multipart, GET), check it against the contract and its signature, refuse a replayed
// token or a stale timestamp, then act on the event, typed by its `events` field.
//
//   npm install smn-kit-contract && npm install -D typescript @types/node
//   SUBHOOK_KEY=your-subhook-secret PORT=8787 node subhook-receiver.js   (compiled by tsc)
//   npx smn-kit fire all --to http://127.0.0.1:8787/subhook             (every event, signed)
import { createServer, type IncomingMessage } from 'node:http';
import { createSubhookReplayGuard, decodeSubhookDelivery, SubhookDeliveryError, validateSubhookEvent } from 'smn-kit-contract';
import type { SmsSubhookEvent } from 'smn-kit-contract/types';

const key = process.env.SUBHOOK_KEY;
if (!key) throw new Error('set SUBHOOK_KEY to the SUBHOOK secret of your SUBMAIL app');
const MAX_BODY_BYTES = 64 * 1024;
const replay = createSubhookReplayGuard({ toleranceSeconds: 300 });

/** The raw body, or undefined when it is larger than a push can be. */
async function bodyOf(request: IncomingMessage): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** What your service does with a push that passed every check. */
function handle(event: SmsSubhookEvent): string {
  switch (event.events) {
    case 'delivered':
      return `message ${event.send_id} delivered to ${event.address}`;
    case 'dropped':
      return `message ${event.send_id} dropped`;
    default:
      return `${event.events} event`;
  }
}

const server = createServer(async (request, response) => {
  const body = await bodyOf(request);
  if (body === undefined) {
    response.writeHead(413).end();
    return;
  }
  try {
    const fields = await decodeSubhookDelivery({ method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, body });
    const verdict = validateSubhookEvent<SmsSubhookEvent>(fields, { product: 'sms', key });
    // Each problem says which rule broke, where (a JSON pointer), what was expected and received.
    const problems = verdict.valid ? replay.check(fields) : verdict.problems;
    if (!verdict.valid || problems.length > 0) {
      console.log(`refused: ${problems.map((p) => `${p.rule} ${p.pointer}`).join(', ')}`);
      response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ problems }));
      return;
    }
    console.log(handle(verdict.payload));
    response.writeHead(200).end();
  } catch (error) {
    // A request that is no SUBHOOK delivery at all: a method, a Content-Type or a body it cannot be.
    if (!(error instanceof SubhookDeliveryError)) throw error;
    console.log(`refused: ${error.rule} (${error.where})`);
    response.writeHead(400).end();
  }
});

server.listen(Number(process.env.PORT ?? 8787), '127.0.0.1', () => {
  const address = server.address();
  console.log(`SUBHOOK receiver on http://127.0.0.1:${typeof address === 'object' && address ? address.port : ''}/subhook`);
});
