// node bench/notify.mjs: signed notifications per second the emulator delivers to a
// receiver, against a bare loop of RSA signatures of the same size in the same run.
//
// The emulator (startMock from dist/, as `smn-kit mock` runs it) has BENCH_SUBSCRIBERS
// confirmed http subscribers of one topic, all pointing at a bare node:http receiver in
// a child process; each POST /_mock/sms/events publishes one SMS callback event, which
// the emulator signs (RSA-2048, SHA-256) and POSTs to every subscriber. The baseline
// signs the same signing strings with crypto.sign in a loop and does nothing else: it is
// what signing alone allows, so the ratio says what everything else costs (target: at
// least 0.5). Prints notifications per second, the best of BENCH_ROUNDS rounds of
// BENCH_SECONDS, and writes bench/results/notify.json. Not a test: machines are noisy,
// nothing here asserts a timing. Build first (npm run build).
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { startMock } from '../dist/mock/server.js';
import { smnSigningString } from '../dist/notification/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const subscribers = Number(process.env.BENCH_SUBSCRIBERS ?? 20);
const project = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
const topic = `urn:smn:cn-north-4:${project}:bench`;

const receiverSource = `
  import { createServer } from 'node:http';
  const server = createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(200).end()); });
  server.keepAliveTimeout = 30000;
  server.listen(0, '127.0.0.1', () => console.log('on http://127.0.0.1:' + server.address().port));
`;
const receiver = spawn(process.execPath, ['--input-type=module', '-e', receiverSource], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
const receiverUrl = await new Promise((resolve) => {
  let seen = '';
  receiver.stdout.on('data', (chunk) => {
    seen += chunk;
    const url = /on (http:\/\/\S+)/.exec(seen)?.[1];
    if (url) resolve(url);
  });
});

const mock = await startMock({ port: 0, seedSubscriptions: [] });
await fetch(`${mock.url}/v2/${project}/notifications/sms/callback`, {
  method: 'PUT',
  headers: { 'X-Auth-Token': 'bench', 'Content-Type': 'application/json' },
  body: JSON.stringify({ callback: [{ event_type: 'sms_fail_event', topic_urn: topic }] }),
});
for (let i = 0; i < subscribers; i++) {
  mock.state.addSubscription(project, {
    topic_urn: topic,
    protocol: 'http',
    subscription_urn: `${topic}:${randomBytes(16).toString('hex')}`,
    owner: project,
    endpoint: `${receiverUrl}/smn/${i}`,
    remark: '',
    status: 1,
  });
}
mock.certificateUrl(); // the signing key is made on first use: not inside a round

async function emulatorRound() {
  let delivered = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    const response = await fetch(`${mock.url}/_mock/sms/events`, { method: 'POST', body: '{"event_type":"sms_fail_event"}' });
    const { deliveries } = await response.json();
    delivered += deliveries.filter((d) => d.status === 200).length;
  }
  return delivered / ((performance.now() - started) / 1000);
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const sample = {
  type: 'Notification',
  topic_urn: topic,
  message_id: randomBytes(16).toString('hex'),
  message: JSON.stringify({ event_type: 'sms_fail_event', message_id: randomBytes(16).toString('hex'), status: 0, status_desc: 'UNDELIV', mobile: '134****8888' }),
  subject: 'sms_fail_event',
  timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
};
function bareRound() {
  let signed = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    sign('sha256', Buffer.from(smnSigningString({ ...sample, message_id: randomBytes(16).toString('hex') }), 'utf8'), privateKey);
    signed++;
  }
  return signed / ((performance.now() - started) / 1000);
}

await emulatorRound(); // warm-up
let emulator = 0;
let bare = 0;
for (let i = 0; i < rounds; i++) {
  emulator = Math.max(emulator, await emulatorRound());
  bare = Math.max(bare, bareRound());
}
await mock.close();
receiver.kill();

const ratio = emulator / bare;
console.log(`signed notifications delivered by the emulator: ${emulator.toFixed(0)}/s (${subscribers} subscribers per event)`);
console.log(`bare loop of RSA-2048 SHA-256 signatures:        ${bare.toFixed(0)}/s`);
console.log(`ratio: ${ratio.toFixed(2)} of the bare signing rate (target >= 0.50)`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/notify.json', import.meta.url), `${JSON.stringify({ at: new Date().toISOString(), seconds, rounds, subscribers, emulatorPerSecond: emulator, bareSignaturesPerSecond: bare, ratio }, null, 2)}\n`);
