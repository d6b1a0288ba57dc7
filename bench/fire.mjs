// node bench/fire.mjs: deliveries per second of `smn-kit fire` into `smn-kit listen`,
// against a bare loop of signed POSTs, in the same run on the same machine.
//
// listen (recording to an --out file, as it is run to keep what it receives) and a bare
// node:http receiver run as child processes. Each sender sends BENCH_DELIVERIES
// form-encoded `request` events one at a time over a kept-alive socket, as fire does,
// and the bare loop also with BENCH_CONCURRENCY (default 16) in flight, as a busy sender:
//   fire          planFire + runFire from dist/ (what `smn-kit fire request --count N`
//                 runs, without the process start): each event made from the schemas,
//                 validated, signed, encoded, sent, and its line written (to nothing)
//   bare loop     the same fields with a new token and md5 signature per POST, nothing else
// Prints deliveries per second (the best of BENCH_ROUNDS rounds, after a warm-up) and
// the ratios: fire / bare loop into listen is what fire costs a sender; the bare loop
// into listen / into the bare receiver is what listen costs (issue 14: >= 0.8). Figures
// also go to bench/results/. Not a test: machines are noisy, so nothing here asserts a
// timing. Build first (npm run build).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { planFire } from '../dist/fire/plan.js';
import { runFire } from '../dist/fire/run.js';
import { writeResults } from './results.mjs';
import { startListening } from './processes.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const deliveries = Number(process.env.BENCH_DELIVERIES ?? 2000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const KEY = 'bench-subhook-key';
const work = mkdtempSync(join(tmpdir(), 'smn-kit-bench-'));
const outFile = join(work, 'deliveries.jsonl');

// A receiver that reads the body and answers 204, in a process of its own like listen.
const bareReceiver = `
  import { createServer } from 'node:http';
  const server = createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(204).end()); });
  server.listen(0, '127.0.0.1', () => console.log('on http://127.0.0.1:' + server.address().port));
`;

const children = [];
const start = (name, args) => startListening(children, name, args, { cwd: root, env: { ...process.env, SUBHOOK_KEY: '' } });

let agent = new Agent({ keepAlive: true, maxSockets: 1 });
function post(url, body) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `count` signed deliveries, `inFlight` at a time, each with its own token and send_id. */
async function bareLoop(url, count, inFlight = 1) {
  const started = performance.now();
  let next = 0;
  const sender = async () => {
    while (next < count) {
      next++;
      const token = randomBytes(16).toString('hex');
      const signature = createHash('md5').update(token + KEY).digest('hex');
      const fields = { events: 'request', address: '13812345678', app: '10001', send_id: randomBytes(16).toString('hex'), tag: 'bench', timestamp: String(Math.floor(Date.now() / 1000)), token, signature };
      const status = await post(url, new URLSearchParams(fields).toString());
      if (status < 200 || status > 299) throw new Error(`bare loop: answer ${status}`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, sender));
  return count / ((performance.now() - started) / 1000);
}
const concurrentLoop = async (url, count) => {
  agent.destroy();
  agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    return await bareLoop(url, count, concurrency);
  } finally {
    agent.destroy();
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
  }
};

async function fire(url, count) {
  const plan = planFire({ to: new URL(url), event: 'request', count, key: KEY });
  const result = await runFire(plan, { out: () => {} });
  if (result.unexpected > 0) throw new Error(`fire: ${result.unexpected} answers not 2xx`);
  return result.sent / result.seconds;
}

async function best(measure, url) {
  await measure(url, Math.min(200, deliveries));
  let top = 0;
  for (let round = 0; round < rounds; round++) top = Math.max(top, await measure(url, deliveries));
  return top;
}

try {
  const listenUrl = `${await start('smn-kit listen', ['dist/cli.js', 'listen', '--port', '0', '--key', KEY, '--out', outFile])}/subhook`;
  const bareUrl = `${await start('bare receiver', ['--input-type=module', '-e', bareReceiver])}/subhook`;
  const rows = [
    ['fire -> smn-kit listen', await best(fire, listenUrl)],
    ['bare signed POST loop -> smn-kit listen', await best(bareLoop, listenUrl)],
    ['fire -> bare node:http receiver', await best(fire, bareUrl)],
    ['bare signed POST loop -> bare node:http receiver', await best(bareLoop, bareUrl)],
    [`the same, ${concurrency} in flight -> smn-kit listen`, await best(concurrentLoop, listenUrl)],
    [`the same, ${concurrency} in flight -> bare receiver`, await best(concurrentLoop, bareUrl)],
  ];
  const [fireListen, bareListen, fireBare, bareBare, manyListen, manyBare] = rows.map(([, rate]) => rate);
  const recorded = readFileSync(outFile, 'utf8').split('\n').filter(Boolean).length;
  console.log(`smn-kit fire: ${deliveries} form-encoded request events per round, kept-alive sockets; best of ${rounds} rounds; listen records to --out`);
  for (const [name, rate] of rows) console.log(`  ${name.padEnd(48)} ${Math.round(rate).toString().padStart(6)} deliveries/s`);
  const ratios = {
    fireOverBareLoopIntoListen: fireListen / bareListen,
    fireOverBareLoopIntoBare: fireBare / bareBare,
    listenOverBareOneAtATime: bareListen / bareBare,
    listenOverBareConcurrent: manyListen / manyBare,
  };
  console.log(`  fire / bare loop, into listen:          ${ratios.fireOverBareLoopIntoListen.toFixed(2)}`);
  console.log(`  fire / bare loop, into a bare receiver: ${ratios.fireOverBareLoopIntoBare.toFixed(2)}`);
  console.log(`  listen / bare receiver, one at a time:  ${ratios.listenOverBareOneAtATime.toFixed(2)}   (issue 14: >= 0.8)`);
  console.log(`  listen / bare receiver, ${String(concurrency).padEnd(2)} in flight: ${ratios.listenOverBareConcurrent.toFixed(2)}   (issue 14: >= 0.8)`);
  console.log(`  deliveries recorded to --out: ${recorded}`);
  writeResults('fire', { deliveries, rounds, concurrency, rates: Object.fromEntries(rows.map(([name, rate]) => [name, Math.round(rate)])), ratios, recorded });
} finally {
  agent.destroy();
  for (const child of children) child.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
