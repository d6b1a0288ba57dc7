// Where the benchmarks keep their figures: bench/results/<name>-<time>.json (ignored by
// git), one file per run, with the machine's load while it ran, so that runs can be compared.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('./results/', import.meta.url));

/** The machine as a run saw it: cores, Node, the load average at the start. */
export const machine = { node: process.version, cores: cpus().length, loadAtStart: loadavg().map((n) => Math.round(n * 100) / 100) };

export function writeResults(name, figures) {
  mkdirSync(dir, { recursive: true });
  const at = new Date().toISOString();
  const file = `${dir}${name}-${at.replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, `${JSON.stringify({ bench: name, at, machine: { ...machine, loadAtEnd: loadavg().map((n) => Math.round(n * 100) / 100) }, ...figures }, null, 2)}\n`);
  console.log(`figures written to ${file.slice(file.indexOf('bench/'))}`);
}
