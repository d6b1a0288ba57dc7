// node bench/fire.mjs: deliveries per second of `smn-kit fire` into `smn-kit listen`,
// against a bare loop of signed POSTs, in the same run on the same machine.
//
// listen and a bare node:http receiver run as child processes. Each sender sends
// BENCH_DELIVERIES form-encoded `request` events one at a time over a kept-alive
// socket, as fire does:
//   fire          planFire + runFire from dist/ (what `smn-kit fire request --count N`
//                 runs, without the process start): each event made from the schemas,
//                 validated, signed, encoded, sent, and its line written (to nothing)
//   bare loop     the same fields with a new token and md5 signature per POST, nothing else
// Prints deliveries per second (the best of BENCH_ROUNDS rounds, after a warm-up) and
// the ratios: fire / bare loop into listen is what fire costs a sender; the bare loop
// into listen / into the bare receiver is what listen costs. Not a test: machines are
// noisy, so nothing here asserts a timing. Build first (npm run build).
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { planFire } from '../dist/fire/plan.js';
import { runFire } from '../dist/fire/run.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const deliveries = Number(process.env.BENCH_DELIVERIES ?? 2000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const KEY = 'bench-subhook-key';

// A receiver that reads the body and answers 204, in a process of its own like listen.
const bareReceiver = `
  import { createServer } from 'node:http';
  const server = createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(204).end()); });
  server.listen(0, '127.0.0.1', () => console.log('on http://127.0.0.1:' + server.address().port));
`;

const children = [];
function start(name, args) {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, SUBHOOK_KEY: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let seen = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      // Keep draining: listen writes a line per delivery.
      if (seen === null) return;
      seen += chunk;
      const url = /on (http:\/\/\S+)/.exec(seen)?.[1];
      if (url) {
        seen = null;
        resolve(url);
      }
    });
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code} before listening: ${stderr}`)));
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
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

async function bareLoop(url, count) {
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const token = randomBytes(16).toString('hex');
    const signature = createHash('md5').update(token + KEY).digest('hex');
    const fields = { events: 'request', address: '13812345678', app: '10001', send_id: randomBytes(16).toString('hex'), tag: 'bench', timestamp: String(Math.floor(Date.now() / 1000)), token, signature };
    const status = await post(url, new URLSearchParams(fields).toString());
    if (status < 200 || status > 299) throw new Error(`bare loop: answer ${status}`);
  }
  return count / ((performance.now() - started) / 1000);
}

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
  const listenUrl = `${await start('smn-kit listen', ['dist/cli.js', 'listen', '--port', '0', '--key', KEY])}/subhook`;
  const bareUrl = `${await start('bare receiver', ['--input-type=module', '-e', bareReceiver])}/subhook`;
  const rows = [
    ['fire -> smn-kit listen', await best(fire, listenUrl)],
    ['bare signed POST loop -> smn-kit listen', await best(bareLoop, listenUrl)],
    ['fire -> bare node:http receiver', await best(fire, bareUrl)],
    ['bare signed POST loop -> bare node:http receiver', await best(bareLoop, bareUrl)],
  ];
  const [fireListen, bareListen, fireBare, bareBare] = rows.map(([, rate]) => rate);
  console.log(`smn-kit fire: ${deliveries} form-encoded request events per round, one at a time, kept-alive socket; best of ${rounds} rounds`);
  for (const [name, rate] of rows) console.log(`  ${name.padEnd(48)} ${Math.round(rate).toString().padStart(6)} deliveries/s`);
  console.log(`  fire / bare loop, into listen:          ${(fireListen / bareListen).toFixed(2)}`);
  console.log(`  fire / bare loop, into a bare receiver: ${(fireBare / bareBare).toFixed(2)}`);
  console.log(`  listen / bare receiver, bare loop:      ${(bareListen / bareBare).toFixed(2)}`);
} finally {
  agent.destroy();
  for (const child of children) child.kill('SIGTERM');
}
