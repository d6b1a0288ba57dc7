// The round trip of issue 5: `smn-kit fire` at `smn-kit listen`. listen runs with the
// key, --expect N and a --json report (in this process, as the command line runs it);
// fire sends every event of both products in every encoding (all verdicts valid), then
// every tamper kind for every event (each flagged with its rule). The matrix is sent
// with planFire + runFire, the code the fire command runs, to spare a run per case; one
// case goes from the fire binary to the listen binary, each in its own process.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { subhookContract } from '../src/subhook/contract.js';
import { planFire, type FireOptions } from '../src/fire/plan.js';
import { runFire } from '../src/fire/run.js';
import { listenCommand } from '../src/commands/listen.js';
import { cleanEnv, serveInProcess } from './support/command.js';
import { SUBHOOK_ENCODINGS } from '../src/notify/subhook-push.js';
import { TAMPER_KINDS, TAMPER_RULES } from '../src/fire/tamper.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const KEY = 'fire-listen-key-94be17';
const products = [...subhookContract().keys()];
const eventsOf = (product: string): string[] => [...(subhookContract().get(product)?.events.keys() ?? [])];
// Big matrices, and child processes that load every command; give loaded machines room.
const TIMEOUT = 120_000;

interface ListenReport {
  received: number;
  deliveries: { n: number; method: string; status: string; product?: string; event?: string; problems: { rule: string; pointer: string }[] }[];
  summary: { pass: number; fail: number };
}

interface Listening {
  url: string;
  /** Resolves when listen exits (after --expect deliveries): its exit code, output and report. */
  done: Promise<{ code: number | null; stdout: string; report: ListenReport }>;
}

const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

const listenArgs = (expected: number, json: string): string[] => ['--port', '0', '--key', KEY, '--expect', String(expected), '--timeout', '110', '--json', json];
const reportFile = (): string => join(mkdtempSync(join(tmpdir(), 'smn-kit-fire-listen-')), 'report.json');

/** Starts `smn-kit listen` in this process on a free port and resolves once it prints its URL. */
async function startListen(expected: number): Promise<Listening> {
  const json = reportFile();
  const listening = await serveInProcess(listenCommand, listenArgs(expected, json), { ...cleanEnv, SUBHOOK_KEY: '' });
  const done = listening.done.then(({ status, stdout }) => ({ code: status, stdout, report: JSON.parse(readFileSync(json, 'utf8')) as ListenReport }));
  return { url: listening.url, done };
}

/** Starts the built `smn-kit listen` on a free port and resolves once it prints its URL. */
function startBuiltListen(expected: number): Promise<Listening> {
  const json = reportFile();
  const args = [cli, 'listen', ...listenArgs(expected, json)];
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, SUBHOOK_KEY: '' } });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const done = exited.then((code) => ({ code, stdout, report: JSON.parse(readFileSync(json, 'utf8')) as ListenReport }));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /on (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url) resolve({ url, done });
    });
    void exited.then((code) => reject(new Error(`smn-kit listen exited with ${code} before listening: ${stderr}`)));
  });
}

async function fireAt(url: string, options: Omit<FireOptions, 'to' | 'key'>): Promise<string[]> {
  const lines: string[] = [];
  await runFire(planFire({ ...options, key: KEY, to: new URL(`${url}/subhook`) }), { out: (line) => lines.push(line) });
  return lines;
}

describe('fire -> smn-kit listen', () => {
  it(
    'every event of both products in every encoding: only valid verdicts',
    async () => {
      const sent = products.flatMap((product) => SUBHOOK_ENCODINGS.flatMap((encoding) => eventsOf(product).map((event) => ({ product, encoding, event }))));
      const listen = await startListen(sent.length);
      for (const product of products) {
        for (const encoding of SUBHOOK_ENCODINGS) await fireAt(listen.url, { event: 'all', product, encoding });
      }
      const { code, report } = await listen.done;
      expect(report.received).toBe(sent.length);
      expect(report.deliveries.map((d) => ({ event: d.event, problems: d.problems }))).toEqual(sent.map(({ event }) => ({ event, problems: [] })));
      expect(report.deliveries.map((d) => d.method)).toEqual(sent.map(({ encoding }) => (encoding === 'get' ? 'GET' : 'POST')));
      expect(report.summary).toMatchObject({ pass: sent.length, fail: 0 });
      expect(code).toBe(0);
    },
    TIMEOUT,
  );

  it(
    'every tamper kind, for every event of both products: each flagged with its rule',
    async () => {
      const cases = TAMPER_KINDS.flatMap((kind) => products.flatMap((product) => eventsOf(product).map((event) => ({ kind, product, event }))));
      // reused-token sends the valid original first.
      const expected = cases.length + cases.filter((c) => c.kind === 'reused-token').length;
      const listen = await startListen(expected);
      for (const kind of TAMPER_KINDS) {
        for (const product of products) await fireAt(listen.url, { event: 'all', product, tamper: kind });
      }
      const { code, report } = await listen.done;
      expect(report.received).toBe(expected);
      const deliveries = [...report.deliveries];
      for (const { kind, event } of cases) {
        if (kind === 'reused-token') expect(deliveries.shift(), `the original of ${event}`).toMatchObject({ status: 'pass', event });
        const delivery = deliveries.shift();
        expect(delivery?.status, `${kind} ${event}`).toBe('fail');
        expect(delivery?.problems.map((p) => p.rule), `${kind} ${event}`).toContain(TAMPER_RULES[kind]);
      }
      expect(code).toBe(1);
    },
    TIMEOUT,
  );

  it(
    'from the fire binary to the listen binary',
    async () => {
      const events = eventsOf('sms');
      const listen = await startBuiltListen(events.length);
      const fire = spawn(process.execPath, [cli, 'fire', 'all', '--key', KEY, '--to', `${listen.url}/subhook`], { cwd: root });
      children.push(fire);
      let stdout = '';
      fire.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const fired = await new Promise<number | null>((resolve) => fire.on('close', resolve));
      const { code, stdout: listened, report } = await listen.done;
      expect(fired).toBe(0);
      expect(stdout).toContain(`${events.length} deliveries in`);
      expect(report.deliveries.map((d) => [d.event, d.status])).toEqual(events.map((event) => [event, 'pass']));
      expect(listened).toContain(`${events.length} deliveries: ${events.length} valid, 0 invalid`);
      expect(code).toBe(0);
    },
    TIMEOUT,
  );
});
