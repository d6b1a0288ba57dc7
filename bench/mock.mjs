// npm run bench: our mock against `prism mock` on the same spec, same machine, same run.
//
// For each server: time from spawn to the first 200 answer (median of 3 starts), then autocannon with 10
// connections cycling through the three operations, then the process's peak memory
// (VmHWM). Prints the figures and the ratios ours/baseline. Not a test: machines are
// noisy, so nothing here asserts a timing.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const root = fileURLToPath(new URL('..', import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const project = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
const auth = { 'x-auth-token': 'bench-token' };
const requests = [
  { method: 'GET', path: `/v2/${project}/notifications/sms/callback`, headers: auth },
  { method: 'GET', path: `/v2/${project}/notifications/subscriptions?offset=0&limit=100`, headers: auth },
  {
    method: 'PUT',
    path: `/v2/${project}/notifications/sms/callback`,
    headers: { ...auth, 'content-type': 'application/json;charset=UTF-8' },
    body: JSON.stringify({ callback: [{ event_type: 'sms_fail_event', topic_urn: `urn:smn:regionId:${project}:test_fail` }] }),
  },
];

const prism = ['node_modules/@stoplight/prism-cli/dist/index.js', 'mock', 'spec/smn.openapi.yaml'];
const ours = (...flags) => (port) => ['dist/cli.js', 'mock', '--port', String(port), ...flags];
const theirs = (...flags) => (port) => [...prism, '--port', String(port), ...flags];

// The mock remembers Prism's verdict for a repeated request; the "unique" row sends
// every request with a new query parameter, so each one goes through Prism.
let nonce = 0;
const unique = requests.map((request) => ({
  ...request,
  setupRequest: (req) => ({ ...req, path: `${request.path}${request.path.includes('?') ? '&' : '?'}nonce=${nonce++}` }),
}));
const listSubscriptions = [requests[1]];

// Each scenario: ours first, then the baselines its ratios are against.
const scenarios = [
  {
    title: 'the three operations (GET, GET, PUT), mock as `npm start` runs it vs prism mock',
    servers: [
      { name: 'smn-kit mock', args: ours() },
      { name: 'smn-kit --stateless', args: ours('--stateless') },
      { name: 'smn-kit, unique reqs', args: ours('--stateless'), requests: unique },
      { name: 'prism mock', args: theirs() },
      { name: 'prism mock -v error', args: theirs('-v', 'error') },
    ],
  },
  {
    title: 'ListSubscriptions only: the emulator (12 seed subscriptions) vs prism mock',
    servers: [
      { name: 'smn-kit emulator', args: ours(), requests: listSubscriptions },
      { name: 'prism mock', args: theirs(), requests: listSubscriptions },
    ],
  },
];

const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

async function firstAnswer(url, started) {
  for (;;) {
    try {
      const response = await fetch(url, { headers: auth });
      if (response.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const peakMemoryMiB = (pid) => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
  return Number(line.replace(/\D+/g, '')) / 1024;
};

/** Spawns the server and resolves once it answers: the child, its base URL and the time it took. */
async function start(server) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, server.args(port), { cwd: root, stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  try {
    const startupMs = await Promise.race([
      firstAnswer(`${base}${requests[0].path}`, started),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`${server.name} gave no answer in 60 s`)), 60_000)),
    ]);
    return { child, base, startupMs };
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
}

const STARTS = 3;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function measure(server) {
  // Startup is one short sample and noisy: the median of a few starts.
  const startups = [];
  for (let i = 1; i < STARTS; i++) {
    const { child, startupMs } = await start(server);
    startups.push(startupMs);
    child.kill('SIGTERM');
  }
  const { child, base, startupMs } = await start(server);
  startups.push(startupMs);
  try {
    const result = await autocannon({ url: base, connections: 10, duration: seconds, requests: server.requests ?? requests });
    const non2xx = result.non2xx + result.errors;
    return { name: server.name, rps: result.requests.average, p99: result.latency.p99, memory: peakMemoryMiB(child.pid), startupMs: median(startups), non2xx };
  } finally {
    child.kill('SIGTERM');
  }
}

const fmt = (n, digits = 0) => n.toFixed(digits).padStart(9);
for (const scenario of scenarios) {
  const results = [];
  for (const server of scenario.servers) {
    process.stderr.write(`measuring ${server.name} (${seconds} s)...\n`);
    results.push(await measure(server));
  }
  console.log(`\n${scenario.title}`);
  console.log(`${'server'.padEnd(22)}${'req/s'.padStart(9)}${'p99 ms'.padStart(9)}${'peak MiB'.padStart(9)}${'start ms'.padStart(9)}${'non-2xx'.padStart(9)}`);
  for (const r of results) console.log(`${r.name.padEnd(22)}${fmt(r.rps)}${fmt(r.p99, 1)}${fmt(r.memory, 1)}${fmt(r.startupMs)}${fmt(r.non2xx)}`);
  const mine = results.filter((r) => r.name.startsWith('smn-kit'));
  const baselines = results.filter((r) => !r.name.startsWith('smn-kit'));
  for (const b of baselines) {
    for (const o of mine) {
      console.log(
        `${o.name} vs ${b.name}: req/s x${(o.rps / b.rps).toFixed(2)}  p99 x${(o.p99 / Math.max(b.p99, 0.001)).toFixed(2)}  ` +
          `memory x${(o.memory / b.memory).toFixed(2)}  startup x${(o.startupMs / b.startupMs).toFixed(2)}`,
      );
    }
  }
}
console.log('\n(req/s above 1 is better; p99, memory and startup below 1 are better)');
