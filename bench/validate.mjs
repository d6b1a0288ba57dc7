// `smn-kit validate` on a generated JSON Lines file of SUBHOOK events, against bare
// loops of the compiled Ajv validators over the same lines, in the same run:
//   - the CLI as users run it (`node dist/cli.js validate FILE`, a child process whose
//     peak memory is read from /proc/PID/status, VmHWM);
//   - the same command without the rest of the CLI loaded (dist/commands/validate.js
//     run directly), to show what the CLI's other imports cost;
//   - bare Ajv over objects parsed beforehand (validation only: the ceiling);
//   - bare read + JSON.parse + Ajv (the least work that does the same job);
//   - bare read + JSON.parse alone, no validation: no loop that parses each line can be
//     faster, so it bounds the ratio to "Ajv over parsed objects" that any validate reaches.
// Targets: issue 4, at least 50% of the bare loop; issue 14, with worker threads on the
// other cores, at least 1.5x the one-core bare read + parse + Ajv loop; peak RSS under
// 200 MB. The CLI also runs with SMN_KIT_VALIDATE_WORKERS=0 (one thread), for the gain.
// Figures also go to bench/results/. Not a test: machines are noisy, so nothing here
// asserts. BENCH_EVENTS changes the line count.
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { availableParallelism, loadavg } from 'node:os';
import { subhookContract } from '../dist/subhook/contract.js';
import { writeResults } from './results.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const events = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const work = mkdtempSync(join(tmpdir(), 'smn-kit-bench-'));
const file = join(work, 'events.jsonl');

/**
 * The valid domestic samples, each line with its own token and timestamp, half with every
 * value a string as form deliveries carry them. Domestic only: the bare loop then knows
 * each event's validator, and validate's product detection finds it first too.
 */
async function generate() {
  const dir = join(root, 'fixtures/subhook/sms/valid');
  const samples = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')));
  const out = createWriteStream(file);
  let buffer = '';
  for (let i = 0; i < events; i++) {
    const sample = samples[i % samples.length];
    const event = { ...sample, timestamp: 1415014855 + i, token: String(i).padStart(32, '0') };
    const line = i % 2 ? Object.fromEntries(Object.entries(event).map(([k, v]) => [k, String(v)])) : event;
    buffer += `${JSON.stringify(line)}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise((resolve) => out.once('drain', resolve));
      buffer = '';
    }
  }
  await new Promise((resolve) => out.end(buffer, resolve));
}

/** Runs a node process to its end, sampling its peak RSS (VmHWM) while it lives. */
function measure(args, env = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    let peakKb = 0;
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const sample = () => {
      try {
        const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
        peakKb = Math.max(peakKb, kb);
      } catch {
        // The process is gone; its last sample stands.
      }
    };
    const timer = setInterval(sample, 20);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) reject(new Error(`exit ${code}: ${stderr || stdout}`));
      else resolve({ seconds, peakMb: peakKb / 1024, stdout });
    });
    // VmHWM only grows, so sampling just before exit is not needed: a late sample reads the peak so far.
    child.stdout.once('data', sample);
  });
}

/** The compiled validator of each domestic event, as the library compiles them from spec/. */
function validators() {
  const events = subhookContract().get('sms').events;
  return (fields) => events.get(fields.events).validate(fields);
}

/** Bare Ajv over parsed objects: lines parsed a batch at a time outside the clock, validation timed. */
async function bareValidationOnly(valid) {
  let seconds = 0;
  let ok = 0;
  let batch = [];
  const timeBatch = () => {
    const started = process.hrtime.bigint();
    for (const fields of batch) if (valid(fields)) ok++;
    seconds += Number(process.hrtime.bigint() - started) / 1e9;
    batch = [];
  };
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    batch.push(JSON.parse(line));
    if (batch.length === 50_000) timeBatch();
  }
  timeBatch();
  return { seconds, ok };
}

/** Bare read + parse + Ajv: the same job with nothing around it. */
async function bareReadParseValidate(valid) {
  const started = process.hrtime.bigint();
  let ok = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) if (valid(JSON.parse(line))) ok++;
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, ok };
}

/** Bare read + parse, no validation: the part of every loop above that no validator can shorten. */
async function bareReadParse() {
  const started = process.hrtime.bigint();
  let objects = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) if (JSON.parse(line) !== null) objects++;
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, objects };
}

const rate = (seconds) => Math.round(events / seconds);
const format = (n) => n.toLocaleString('en');

try {
  await generate();
  console.log(`${format(events)} SUBHOOK events, ${(statSync(file).size / 1e6).toFixed(0)} MB of JSON Lines, node ${process.version}`);
  const cli = await measure(['dist/cli.js', 'validate', file]);
  if (!cli.stdout.includes(`${events} items in 1 file: ${events} valid`)) throw new Error(`unexpected verdicts: ${cli.stdout}`);
  const oneThread = await measure(['dist/cli.js', 'validate', file], { SMN_KIT_VALIDATE_WORKERS: '0' });
  if (!oneThread.stdout.includes(`${events} items in 1 file: ${events} valid`)) throw new Error(`unexpected verdicts: ${oneThread.stdout}`);
  const direct = await measure([
    '--input-type=module',
    '-e',
    `import { validateCommand } from './dist/commands/validate.js'; process.exitCode = await validateCommand.run({}, [${JSON.stringify(file)}]);`,
  ]);
  const valid = validators();
  const onlyAjv = await bareValidationOnly(valid);
  const fullLoop = await bareReadParseValidate(valid);
  const onlyParse = await bareReadParse();
  if (onlyAjv.ok !== events || fullLoop.ok !== events || onlyParse.objects !== events) throw new Error('the bare loops found invalid events');

  // The summary line gives the time spent validating, without the process start and imports.
  const ownSeconds = (run) => Number(/\(([\d.]+) s\)/.exec(run.stdout)?.[1]);
  const rows = [
    [`smn-kit validate (node dist/cli.js), wall clock`, cli.seconds, `${cli.peakMb.toFixed(0)} MB peak RSS; files over 32 MB: ${Math.min(availableParallelism() - 1, 3)} worker thread(s)`],
    ['  the same, its validation time only', ownSeconds(cli), 'from its summary line'],
    ['  the same in one thread, wall clock', oneThread.seconds, `${oneThread.peakMb.toFixed(0)} MB peak RSS (SMN_KIT_VALIDATE_WORKERS=0)`],
    ['validate command alone (no other CLI imports)', direct.seconds, `${direct.peakMb.toFixed(0)} MB peak RSS`],
    ['  the same, its validation time only', ownSeconds(direct), 'from its summary line'],
    ['bare loop: read + JSON.parse + Ajv', fullLoop.seconds, 'in this process'],
    ['bare loop: Ajv over parsed objects', onlyAjv.seconds, 'validation time only'],
    ['bare loop: read + JSON.parse, no validation', onlyParse.seconds, 'bounds any loop that parses each line'],
  ];
  for (const [name, seconds, note] of rows) console.log(`${name.padEnd(48)} ${format(rate(seconds)).padStart(11)} events/s  ${note}`);
  const ratio = (a, b) => `${((100 * rate(a)) / rate(b)).toFixed(1)}%`;
  console.log(`ratio to bare read + parse + Ajv: CLI ${ratio(cli.seconds, fullLoop.seconds)} wall clock, ${ratio(ownSeconds(cli), fullLoop.seconds)} validating; command alone ${ratio(direct.seconds, fullLoop.seconds)} / ${ratio(ownSeconds(direct), fullLoop.seconds)}`);
  console.log(`ratio to bare Ajv only:           CLI ${ratio(cli.seconds, onlyAjv.seconds)} wall clock, ${ratio(ownSeconds(cli), onlyAjv.seconds)} validating; command alone ${ratio(direct.seconds, onlyAjv.seconds)} / ${ratio(ownSeconds(direct), onlyAjv.seconds)}`);
  const speedup = fullLoop.seconds / cli.seconds;
  console.log(`issue 14: the CLI (wall clock, process start included) / the one-core bare read + parse + Ajv loop: x${speedup.toFixed(2)} (target >= 1.5: ${speedup >= 1.5 ? 'met' : 'MISSED'}); over the CLI in one thread: x${(oneThread.seconds / cli.seconds).toFixed(2)}`);
  console.log(`target: >= 50% of the bare loop, peak RSS < 200 MB; peak RSS ${cli.peakMb < 200 ? 'met' : 'missed'} by the CLI, ${direct.peakMb < 200 ? 'met' : 'missed'} by the command alone; load average ${loadavg()[0].toFixed(1)}`);
  writeResults('validate', {
    events,
    rates: Object.fromEntries(rows.map(([name, seconds]) => [name.trim(), rate(seconds)])),
    peakMb: { cli: Math.round(cli.peakMb), oneThread: Math.round(oneThread.peakMb), commandAlone: Math.round(direct.peakMb) },
    targets: [
      { name: 'CLI / one-core bare read + parse + Ajv loop', value: Math.round(speedup * 100) / 100, target: '>= 1.5', met: speedup >= 1.5 },
      { name: 'CLI peak RSS, MB', value: Math.round(cli.peakMb), target: '< 200', met: cli.peakMb < 200 },
    ],
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}
