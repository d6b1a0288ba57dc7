// An SMN http(s) endpoint, on node:http alone, typed by the contract (smn-kit-contract):
// verify each message's signature with SMN's certificate before acting on it, confirm a
// subscription by a GET of its subscribe_url, and read the SMS callback event a
// Notification carries.
//
//   npm install smn-kit-contract && npm install -D typescript @types/node
//   SMN_CERTIFICATE=smn-signing-cert.pem PORT=9000 node smn-receiver.js   (compiled by tsc)
//   npx smn-kit fire sms_fail_event --to http://127.0.0.1:9000/smn
//     (signed with the kit's test-only key: SMN_CERTIFICATE=node_modules/smn-kit-contract/fixtures/smn/test-only-certificate.pem)
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { verifySmnNotification } from 'smn-kit-contract';
import type { SmnNotification, SmsCallbackMessage } from 'smn-kit-contract/types';

// SMN's signing certificate: the file at the notifications' signing_cert_url, downloaded
// once from an SMN host over https (never fetch a signing_cert_url whose host you have not checked).
const certificatePem = readFileSync(process.env.SMN_CERTIFICATE ?? 'smn-signing-cert.pem', 'utf8');
const MAX_BODY_BYTES = 64 * 1024;

async function textOf(request: IncomingMessage): Promise<string | undefined> {
  let text = '';
  for await (const chunk of request as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    if (text.length > MAX_BODY_BYTES) return undefined;
  }
  return text;
}

const server = createServer(async (request, response) => {
  const text = await textOf(request);
  if (text === undefined) {
    response.writeHead(413).end();
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined; // not JSON: the verdict says so
  }
  const verdict = verifySmnNotification<SmnNotification>(body, { certificatePem, headers: request.headers, toleranceSeconds: 900 });
  if (!verdict.valid) {
    console.log(`refused: ${verdict.problems.map((p) => `${p.rule} ${p.pointer}`).join(', ')}`);
    response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify(verdict.problems));
    return;
  }
  const notification = verdict.payload; // typed by its `type`
  if (notification.type === 'SubscriptionConfirmation') {
    const confirmed = await fetch(notification.subscribe_url);
    console.log(`subscription confirmed: ${confirmed.status}`);
  } else if (notification.type === 'Notification') {
    // For an SMS callback topic, `message` is the JSON text of the event.
    const event = JSON.parse(notification.message) as SmsCallbackMessage;
    console.log(`${event.event_type} for ${event.mobile}`);
  } else {
    console.log(`unsubscribed from ${notification.topic_urn}`);
  }
  response.writeHead(200).end();
});

server.listen(Number(process.env.PORT ?? 9000), '127.0.0.1', () => {
  const address = server.address();
  console.log(`SMN endpoint on http://127.0.0.1:${typeof address === 'object' && address ? address.port : ''}/smn`);
});
