// node bench/publish.mjs: notifications delivered per second through the emulator's
// PublishMessage, against a bare loop of HTTP POSTs of the same notifications straight
// to the same receiver, in the same run on the same machine.
//
// The emulator (`smn-kit mock --auto-confirm`, as npm start runs it) and a bare
// node:http receiver that counts what it receives run as child processes. Two topics
// are made through the API, one with 1 http subscription to the receiver and one with
// BENCH_FAN_OUT (10). Then BENCH_CONCURRENCY clients at once (over kept-alive sockets):
//   publish      PublishMessage with a new message each time: the request validated
//                against the contract, the topic and its subscribers read, a signed
//                SMN Notification made and POSTed to each confirmed subscriber; the
//                emulator answers once they are delivered
//   bare loop    the POST of a notification of the same size to the receiver, nothing else
// Prints notifications delivered per second (counted by the receiver, the best of
// BENCH_ROUNDS rounds of BENCH_NOTIFICATIONS, after a warm-up) and the ratios. One
// publication costs one RSA-2048 signature (shared by all its subscribers: what SMN
// signs is the same for each) and one validation, so the more subscribers, the closer
// to the bare loop. Not a test: machines are noisy, so nothing here asserts a timing.
// Build first (npm run build).
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startListening } from './processes.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const notifications = Number(process.env.BENCH_NOTIFICATIONS ?? 1500);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const fanOut = Number(process.env.BENCH_FAN_OUT ?? 10);
const project = 'f96188c7ccaf4ffba0c9aa149ab2bd57';

// A receiver that reads the body, answers 200 and counts; GET /count says how many.
const receiver = `
  import { createServer } from 'node:http';
  let count = 0;
  const server = createServer((req, res) => {
    if (req.method === 'GET') return res.end(String(count));
    req.resume();
    req.on('end', () => { count++; res.writeHead(200).end(); });
  });
  server.keepAliveTimeout = 30000;
  server.listen(0, '127.0.0.1', () => console.log('on http://127.0.0.1:' + server.address().port));
`;

const children = [];
const start = (name, args) => startListening(children, name, args, { cwd: root });

const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
function send(method, url, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body ?? ''), ...headers } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs `one(i)` `count` times, `concurrency` at a time. */
async function inParallel(count, one) {
  let next = 0;
  const worker = async () => {
    while (next < count) await one(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

const received = async (receiverUrl) => Number((await send('GET', `${receiverUrl}/count`)).text);

/** Delivered notifications per second, as the receiver counts them; `run(n)` sends n requests of `perRequest` notifications each. */
async function measure(receiverUrl, count, run) {
  const requests = Math.ceil(count / run.perRequest);
  const before = await received(receiverUrl);
  const started = performance.now();
  await run(requests);
  const seconds = (performance.now() - started) / 1000;
  const delivered = (await received(receiverUrl)) - before;
  if (delivered !== requests * run.perRequest) throw new Error(`${run.label}: ${delivered} delivered, ${requests * run.perRequest} expected`);
  return delivered / seconds;
}

async function best(receiverUrl, run) {
  await measure(receiverUrl, Math.min(200, notifications), run);
  let top = 0;
  for (let round = 0; round < rounds; round++) top = Math.max(top, await measure(receiverUrl, notifications, run));
  return top;
}

try {
  const mockUrl = await start('smn-kit mock', ['dist/cli.js', 'mock', '--port', '0', '--quiet', '--auto-confirm']);
  const receiverUrl = await start('receiver', ['--input-type=module', '-e', receiver]);
  const token = { 'X-Auth-Token': 'bench' };
  /** A topic with `subscribers` http subscriptions to the receiver, and a run that publishes to it. */
  const topicOf = async (name, subscribers) => {
    const topic = JSON.parse((await send('POST', `${mockUrl}/v2/${project}/notifications/topics`, JSON.stringify({ name, display_name: name }), token)).text).topic_urn;
    for (let i = 0; i < subscribers; i++) {
      const added = await send('POST', `${mockUrl}/v2/${project}/notifications/topics/${topic}/subscriptions`, JSON.stringify({ protocol: 'http', endpoint: `${receiverUrl}/smn/${name}/${i}` }), token);
      if (added.status !== 201) throw new Error(`AddSubscription answered ${added.status}: ${added.text}`);
    }
    const publishUrl = `${mockUrl}/v2/${project}/notifications/topics/${topic}/publish`;
    const run = async (count) =>
      inParallel(count, async () => {
        const answer = await send('POST', publishUrl, JSON.stringify({ subject: 'bench', message: `order ${randomBytes(8).toString('hex')} has shipped` }), token);
        if (answer.status !== 200) throw new Error(`PublishMessage answered ${answer.status}: ${answer.text}`);
      });
    return Object.assign(run, { label: `publish to ${subscribers}`, perRequest: subscribers, topic });
  };
  const single = await topicOf('bench_single', 1);
  const fanned = await topicOf('bench_fan_out', fanOut);
  const topic = single.topic;
  // A notification of the size the emulator sends (a signed envelope with its links), new each time.
  const envelope = () =>
    JSON.stringify({
      type: 'Notification',
      signature: randomBytes(256).toString('base64'),
      signature_version: 'v1',
      topic_urn: topic,
      message_id: randomBytes(16).toString('hex'),
      message: `order ${randomBytes(8).toString('hex')} has shipped`,
      subject: 'bench',
      unsubscribe_url: `${mockUrl}/smn/subscription/unsubscribe?project_id=${project}&subscription_urn=${encodeURIComponent(`${topic}:${randomBytes(16).toString('hex')}`)}&token=${randomBytes(32).toString('hex')}`,
      signing_cert_url: `${mockUrl}/smn/SMN_cn-north-4_${randomBytes(16).toString('hex')}.pem`,
      timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  const bare = async (count) =>
    inParallel(count, async () => {
      const answer = await send('POST', `${receiverUrl}/smn/bare`, envelope());
      if (answer.status !== 200) throw new Error(`receiver answered ${answer.status}`);
    });
  Object.assign(bare, { label: 'bare loop', perRequest: 1 });

  const viaSingle = await best(receiverUrl, single);
  const viaFanned = await best(receiverUrl, fanned);
  const viaBare = await best(receiverUrl, bare);
  const row = (name, rate) => console.log(`  ${name.padEnd(48)} ${Math.round(rate).toString().padStart(6)} notifications/s`);
  console.log(`PublishMessage -> delivered notifications: ${notifications} notifications per round, ${concurrency} requests at a time, kept-alive sockets; best of ${rounds} rounds`);
  row('publish, topic with 1 http subscriber', viaSingle);
  row(`publish, topic with ${fanOut} http subscribers`, viaFanned);
  row('bare POST loop to the receiver', viaBare);
  console.log(`  publish / bare loop, 1 subscriber:   ${(viaSingle / viaBare).toFixed(2)}`);
  console.log(`  publish / bare loop, ${String(fanOut).padEnd(2)} subscribers: ${(viaFanned / viaBare).toFixed(2)} (target: at least 0.50)`);
} finally {
  agent.destroy();
  for (const child of children) child.kill('SIGTERM');
}
