// The `listen --out` file after a crash, and who may read it (issue 19, items 6 and 14).
// A listen killed mid-write (kill -9) leaves a partial last line; the next run must start
// its records on a line of their own, or the first record it appends is glued to the
// partial one and lost to `smn-kit validate`. The file holds raw deliveries, tokens and
// signatures included, so it is readable by its owner only (0600), like a key file.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listenCommand } from '../src/commands/listen.js';
import { validateCommand } from '../src/commands/validate.js';
import { signSubhook } from '../src/subhook/signature.js';
import { cleanEnv, runCommand, serveInProcess } from './support/command.js';

const KEY = 'out-file-test-key';
const env = { ...cleanEnv, SUBHOOK_KEY: KEY };
const work = mkdtempSync(join(tmpdir(), 'smn-kit-listen-out-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** One signed `request` push, as a form, to a listen started with --expect 1. */
async function oneDelivery(out: string): Promise<void> {
  const listening = await serveInProcess(listenCommand, ['--port', '0', '--out', out, '--expect', '1', '--timeout', '20'], env);
  const token = randomBytes(16).toString('hex');
  const fields = { events: 'request', address: '13800138000', app: '10001', send_id: randomBytes(16).toString('hex'), tag: 't', timestamp: String(Math.floor(Date.now() / 1000)), token, signature: signSubhook(token, KEY) };
  const answer = await fetch(`${listening.url}/subhook`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  expect(answer.status).toBe(200);
  expect((await listening.done).status).toBe(0);
}

describe('listen --out', () => {
  it('after a partial last line (a run killed mid-write), the next record starts on a line of its own', async () => {
    const out = join(work, 'partial.jsonl');
    // What kill -9 in the middle of a write leaves: a whole record, then part of one.
    writeFileSync(out, '{"n":1,"method":"POST","url":"/subhook","headers":{},"body":"events=request"}\n{"n":2,"method":"POST","url":"/sub');
    await oneDelivery(out);
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe('{"n":2,"method":"POST","url":"/sub');
    expect(lines[3]).toBe('');
    expect(JSON.parse(lines[2]!)).toMatchObject({ n: 1, method: 'POST', verdict: { status: 'pass', event: 'request' } });
    // validate finds the new record whole and valid; only the partial line is malformed.
    const validated = await runCommand(validateCommand, [out, '--json', join(work, 'partial.json')], env);
    const items = (JSON.parse(readFileSync(join(work, 'partial.json'), 'utf8')) as { items: { status: string }[] }).items;
    expect(items.map((item) => item.status)).toEqual(['fail', 'fail', 'pass']);
    expect(validated.status).toBe(1);
  });

  it('a file that ends with its newline gets nothing added before the next record', async () => {
    const out = join(work, 'whole.jsonl');
    await oneDelivery(out);
    await oneDelivery(out);
    const text = readFileSync(out, 'utf8');
    expect(text.split('\n').map((line) => line.length > 0)).toEqual([true, true, false]);
  });

  it('is written readable by its owner only (0600): it holds raw tokens and signatures', async () => {
    const created = join(work, 'created.jsonl');
    await oneDelivery(created);
    expect(statSync(created).mode & 0o777).toBe(0o600);
    // A file that was there, readable by all, is made private before a token is written to it.
    const existing = join(work, 'existing.jsonl');
    writeFileSync(existing, '');
    chmodSync(existing, 0o644);
    await oneDelivery(existing);
    expect(statSync(existing).mode & 0o777).toBe(0o600);
  });
});
