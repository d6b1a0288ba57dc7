// npm run bench: our mock against `prism mock` and a bare node:http server, same spec,
// same machine, same run.
//
// For each server: time from spawn to the first 200 answer (median of 3 starts), then
// autocannon with 10 connections, then the process's peak memory (VmHWM). First every
// request unique (a new query parameter each: what real clients send), then the same
// requests repeated, then ListSubscriptions alone. The servers of a scenario run side by
// side and are measured in turn, BENCH_ROUNDS rounds (default 3) of BENCH_SECONDS / rounds
// each, the best round kept: a machine shared with other work then slows them alike.
// Prints the figures, the ratios to the baselines and the issue-14 targets, and writes
// them to bench/results/. Not a test: machines are noisy, so nothing here asserts a
// timing. Build first.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { writeResults } from './results.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 6);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
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
const ours = (...flags) => ({ command: process.execPath, args: (port) => ['dist/cli.js', 'mock', '--port', String(port), ...flags] });
const theirs = (...flags) => ({ command: process.execPath, args: (port) => [...prism, '--port', String(port), ...flags] });
// The least a server can do with these requests: read the body, answer a little JSON.
const bareServer = `
  import { createServer } from 'node:http';
  createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"request_id":"0"}')); })
    .listen(Number(process.argv.at(-1)), '127.0.0.1');
`;
const bare = { command: process.execPath, args: (port) => ['--input-type=module', '-e', bareServer, String(port)] };
// npx as a project that installed the kit runs it: node_modules/.bin/smn-kit links to the
// CLI (in this repository npx takes a slower path, meant for running a package's own bin).
const consumer = mkdtempSync(join(tmpdir(), 'smn-kit-bench-npx-'));
writeFileSync(join(consumer, 'package.json'), '{"name":"consumer","version":"1.0.0","private":true}\n');
mkdirSync(join(consumer, 'node_modules/.bin'), { recursive: true });
symlinkSync(root, join(consumer, 'node_modules/smn-kit'));
symlinkSync('../smn-kit/dist/cli.js', join(consumer, 'node_modules/.bin/smn-kit'));
// npm makes a bin executable when it installs a package; tsc does not.
chmodSync(join(root, 'dist/cli.js'), 0o755);
const viaNpx = { command: 'npx', cwd: consumer, args: (port) => ['smn-kit', 'mock', '--port', String(port)] };

// Every request with a new query parameter: nothing a server could remember helps.
let nonce = 0;
const unique = (list) =>
  list.map((request) => ({ ...request, setupRequest: (req) => ({ ...req, path: `${request.path}${request.path.includes('?') ? '&' : '?'}nonce=${nonce++}` }) }));
const listSubscriptions = [requests[1]];

// Each scenario: ours first, then the baselines its ratios are against.
const scenarios = [
  {
    key: 'unique',
    title: 'every request unique, the three operations (GET, GET, PUT)',
    requests: unique(requests),
    servers: [
      { name: 'smn-kit mock', ...ours() },
      { name: 'smn-kit --stateless', ...ours('--stateless') },
      { name: 'smn-kit --engine prism', ...ours('--engine', 'prism') },
      { name: 'prism mock', ...theirs() },
      { name: 'prism mock -v error', ...theirs('-v', 'error') },
      { name: 'bare node:http', ...bare },
    ],
  },
  {
    key: 'repeated',
    title: 'the same three requests repeated',
    requests,
    servers: [
      { name: 'smn-kit mock', ...ours() },
      { name: 'smn-kit --stateless', ...ours('--stateless') },
      { name: 'prism mock -v error', ...theirs('-v', 'error') },
      { name: 'bare node:http', ...bare },
    ],
  },
  {
    key: 'listSubscriptions',
    title: 'ListSubscriptions only, unique: the emulator (12 seed subscriptions) vs prism mock',
    requests: unique(listSubscriptions),
    servers: [
      { name: 'smn-kit mock', ...ours() },
      { name: 'prism mock -v error', ...theirs('-v', 'error') },
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
    await new Promise((resolve) => setTimeout(resolve, 5));
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
  // npx starts npm, which starts the CLI: its own process group, so that stopping it stops both.
  const child = spawn(server.command, server.args(port), { cwd: server.cwd ?? root, stdio: 'ignore', detached: server.command === 'npx' });
  const base = `http://127.0.0.1:${port}`;
  try {
    const startupMs = await Promise.race([
      firstAnswer(`${base}${requests[0].path}`, started),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`${server.name} gave no answer in 60 s`)), 60_000)),
    ]);
    return { child, base, startupMs };
  } catch (error) {
    stop(child, server);
    throw error;
  }
}

function stop(child, server) {
  try {
    if (server.command === 'npx') process.kill(-child.pid, 'SIGTERM');
    else child.kill('SIGTERM');
  } catch (error) {
    if (error.code !== 'ESRCH') throw error; // already gone
  }
  return new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
}

const STARTS = 3;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function startupOf(server) {
  const startups = [];
  for (let i = 0; i < STARTS; i++) {
    const { child, startupMs } = await start(server);
    startups.push(startupMs);
    await stop(child, server);
  }
  return median(startups);
}

/** The scenario's servers measured in turn, round after round; for each, its best round. */
async function measureScenario(scenario) {
  const startups = new Map();
  for (let i = 0; i < STARTS; i++) {
    for (const server of scenario.servers) {
      const { child, startupMs } = await start(server);
      startups.set(server.name, [...(startups.get(server.name) ?? []), startupMs]);
      await stop(child, server);
    }
  }
  const running = [];
  for (const server of scenario.servers) running.push({ server, ...(await start(server)) });
  const best = new Map();
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const { server, base } of running) {
        process.stderr.write(`${scenario.key}: round ${round}/${rounds}, ${server.name}...\n`);
        const result = await autocannon({ url: base, connections: 10, duration: Math.max(1, Math.round(seconds / rounds)), requests: scenario.requests });
        const measured = { rps: Math.round(result.requests.average), p99: result.latency.p99, non2xx: result.non2xx + result.errors, load: loadavg()[0] };
        const top = best.get(server.name);
        if (!top || measured.rps > top.rps) best.set(server.name, { ...measured, non2xx: (top?.non2xx ?? 0) + measured.non2xx });
        else top.non2xx += measured.non2xx;
      }
    }
    return running.map(({ server, child }) => ({
      name: server.name,
      ...best.get(server.name),
      memoryMiB: Math.round(peakMemoryMiB(child.pid) * 10) / 10,
      startupMs: Math.round(median(startups.get(server.name))),
    }));
  } finally {
    for (const { server, child } of running) await stop(child, server);
  }
}

const fmt = (n, digits = 0) => n.toFixed(digits).padStart(9);
const figures = { seconds, rounds, scenarios: {} };
for (const scenario of scenarios) {
  const results = await measureScenario(scenario);
  figures.scenarios[scenario.key] = { title: scenario.title, results };
  console.log(`\n${scenario.title} (best of ${rounds} rounds)`);
  console.log(`${'server'.padEnd(24)}${'req/s'.padStart(9)}${'p99 ms'.padStart(9)}${'peak MiB'.padStart(9)}${'start ms'.padStart(9)}${'non-2xx'.padStart(9)}${'load'.padStart(9)}`);
  for (const r of results) console.log(`${r.name.padEnd(24)}${fmt(r.rps)}${fmt(r.p99, 1)}${fmt(r.memoryMiB, 1)}${fmt(r.startupMs)}${fmt(r.non2xx)}${fmt(r.load, 1)}`);
  const mine = results.filter((r) => r.name.startsWith('smn-kit'));
  for (const b of results.filter((r) => !r.name.startsWith('smn-kit'))) {
    for (const o of mine) {
      console.log(`${o.name} vs ${b.name}: req/s x${(o.rps / b.rps).toFixed(2)}  p99 x${(o.p99 / Math.max(b.p99, 0.001)).toFixed(2)}  memory x${(o.memoryMiB / b.memoryMiB).toFixed(2)}  startup x${(o.startupMs / b.startupMs).toFixed(2)}`);
    }
  }
}

process.stderr.write('startup: npx smn-kit mock...\n');
figures.npxStartupMs = Math.round(await startupOf({ name: 'npx smn-kit mock', ...viaNpx }));
// What npx itself takes: the same npx running the kit's quickest command.
const npxAlone = [];
for (let i = 0; i < STARTS; i++) {
  const started = performance.now();
  spawnSync('npx', ['smn-kit', '--version'], { cwd: consumer, stdio: 'ignore' });
  npxAlone.push(performance.now() - started);
}
figures.npxVersionMs = Math.round(median(npxAlone));
rmSync(consumer, { recursive: true, force: true });
console.log(`\nnpx smn-kit mock: first answer ${figures.npxStartupMs} ms after spawn (median of ${STARTS}); npx smn-kit --version, npx's own start: ${figures.npxVersionMs} ms`);

// The targets of issue 14, each from figures of this run.
const row = (key, name) => figures.scenarios[key].results.find((r) => r.name === name);
const mockUnique = row('unique', 'smn-kit mock');
const statelessUnique = row('unique', 'smn-kit --stateless');
const prismUnique = row('unique', 'prism mock -v error');
const bareUnique = row('unique', 'bare node:http');
const ours_ = figures.scenarios.unique.results.filter((r) => r.name.startsWith('smn-kit') && !r.name.includes('prism'));
const targets = [
  ['mock, unique requests: req/s / prism mock -v error', mockUnique.rps / prismUnique.rps, '>= 5', (v) => v >= 5],
  ['  stateless, unique: req/s / prism mock -v error', statelessUnique.rps / prismUnique.rps, '>= 5', (v) => v >= 5],
  ['mock, unique requests: p99 ms', mockUnique.p99, '<= 5', (v) => v <= 5],
  ['mock, unique requests: req/s / bare node:http', mockUnique.rps / bareUnique.rps, '>= 0.4 (moonshot)', (v) => v >= 0.4],
  ['  stateless, unique: req/s / bare node:http', statelessUnique.rps / bareUnique.rps, '>= 0.4 (moonshot)', (v) => v >= 0.4],
  ['first answer after spawn, ms (node dist/cli.js mock)', mockUnique.startupMs, '<= 500', (v) => v <= 500],
  ['first answer after spawn, ms (npx smn-kit mock)', figures.npxStartupMs, '<= 500', (v) => v <= 500],
  ['  the same less npx\'s own start (npx smn-kit --version), ms', figures.npxStartupMs - figures.npxVersionMs, '<= 500', (v) => v <= 500],
  ['  the same for a bare node:http server, ms', bareUnique.startupMs, 'baseline', () => true],
  ['peak RSS of the mock under the benchmark, MiB', Math.max(...ours_.map((r) => r.memoryMiB)), '<= 100', (v) => v <= 100],
];
figures.targets = targets.map(([name, value, target, met]) => ({ name: name.trim(), value: Math.round(value * 100) / 100, target, met: met(value) }));
console.log('\nissue 14 targets, from this run:');
for (const t of figures.targets) console.log(`  ${t.name.padEnd(56)} ${String(t.value).padStart(8)}  ${t.target.padEnd(18)} ${t.met ? 'met' : 'MISSED'}`);
console.log('\n(req/s above 1 is better; p99, memory and startup below 1 are better)');
writeResults('mock', figures);
