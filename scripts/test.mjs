// npm test: the kit's tests (vitest, project kit), the lint (scripts/lint.mjs: tsc, ESLint,
// Spectral) and the generated-types check (npm run generate:check), run side by side.
// Arguments go to vitest: `npm test -- --reporter=json --outputFile.json=report.json`,
// `npm test -- test/mock.test.ts`.
//
// Many test files wait (on child processes, sockets, a browser, a vendor's 5 s timeout) and
// leave a core idle; the checks are computation that can fill those gaps, so they run at a
// lower priority (nice 10) beside vitest instead of before it: they take what vitest leaves
// and never slow it down. vitest's output goes straight to the terminal as it comes; each
// check's output is printed whole once the check has ended and vitest's output is done, so
// that no two outputs are interleaved. The last line sums up every step with its time; the
// exit status is non-zero when any step failed.
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const node = process.execPath;

// The tests run the built CLI (dist/): build it first when a source is newer (fast when fresh).
execFileSync(node, [join(root, 'scripts/build-if-stale.mjs')], { cwd: root, stdio: 'inherit' });

/** `nice` where the system has it (Linux, macOS): the checks and every process they start get the lower priority. */
const niceBin = process.platform === 'win32' ? undefined : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'nice')).find(isExecutable);
function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const steps = [];
let vitestDone = false;

/** Starts a step; `quiet` steps keep their output until it can be printed whole. */
function start(name, args, { quiet = false } = {}) {
  const [command, commandArgs] = quiet && niceBin ? [niceBin, ['-n', '10', node, ...args]] : [node, args];
  const started = performance.now();
  // A check writes into a pipe: it colours its output as it would on this terminal.
  const env = quiet && process.stdout.isTTY && process.env.FORCE_COLOR === undefined ? { ...process.env, FORCE_COLOR: '1' } : process.env;
  const child = spawn(command, commandArgs, { cwd: root, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit', env });
  const step = { name, child, output: '', printed: !quiet, status: undefined, seconds: 0 };
  if (quiet) {
    child.stdout.on('data', (chunk) => (step.output += chunk));
    child.stderr.on('data', (chunk) => (step.output += chunk));
  }
  step.done = new Promise((resolve) => {
    child.on('error', (error) => {
      step.output += `${name} could not start: ${error.message}\n`;
    });
    child.on('close', (code, signal) => {
      step.status = code ?? (signal ? 1 : 0);
      step.seconds = (performance.now() - started) / 1000;
      printWhenDue();
      resolve();
    });
  });
  steps.push(step);
  return step;
}

/** Prints the ended checks' output, each whole, once vitest no longer writes to the terminal. */
function printWhenDue() {
  if (!vitestDone) return;
  for (const step of steps) {
    if (step.printed || step.status === undefined) continue;
    step.printed = true;
    process.stdout.write(`\n── ${step.name}: ${step.status === 0 ? 'passed' : 'FAILED'} in ${step.seconds.toFixed(1)} s\n${step.output}`);
  }
}

const checks = [start('lint', [join(root, 'scripts/lint.mjs')], { quiet: true }), start('generate:check', [join(root, 'scripts/generate.mjs'), '--check'], { quiet: true })];
const vitest = start('vitest', [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'kit', ...process.argv.slice(2)]);

// A signal sent to this process alone (a terminal's Ctrl-C reaches every step by itself) ends the steps too.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    for (const step of steps) if (step.status === undefined) step.child.kill(signal);
    process.exitCode = 128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 }[signal] ?? 0);
  });
}

await vitest.done;
vitestDone = true;
printWhenDue();
await Promise.all(checks.map((check) => check.done));

const failed = steps.filter((step) => step.status !== 0);
console.log(`\nnpm test: ${steps.map((step) => `${step.name} ${step.status === 0 ? 'passed' : 'FAILED'} (${step.seconds.toFixed(1)} s)`).join(', ')}`);
if (failed.length > 0 && !process.exitCode) process.exitCode = failed[0].status || 1;
