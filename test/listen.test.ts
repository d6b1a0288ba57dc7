// `smn-kit listen` as a sender meets it: the built CLI in a child process, real HTTP
// deliveries over a real socket in every form SUBHOOK uses, the lines it prints, the
// --out file it writes before answering (which `smn-kit validate` must accept), its
// reports and exit codes.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { signSubhook } from '../src/subhook/signature.js';
import { cli, serve, type Serving } from './support/serve.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const KEY = 'test-subhook-key-0123456789abcdef';
const work = mkdtempSync(join(tmpdir(), 'smn-kit-listen-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const { SUBHOOK_KEY: _unset, ...environment } = process.env;

/** Starts `smn-kit listen` on a free port and resolves once it prints its URL. */
const listen = (...args: string[]): Promise<Serving> => serve(['listen', '--port', '0', ...args], environment);

/** A fresh, signed domestic `delivered` event, every value a string as a form carries it. */
function event(overrides: Record<string, string> = {}): Record<string, string> {
  const token = randomBytes(16).toString('hex');
  return {
    events: 'delivered',
    address: '13800138000',
    send_id: '093c0a7df143c087d6cba9cdf0cf3738',
    tag: 'order-42',
    app: '10001',
    timestamp: String(Math.floor(Date.now() / 1000)),
    token,
    signature: signSubhook(token, KEY),
    ...overrides,
  };
}

const form = (url: string, fields: Record<string, string>) =>
  fetch(`${url}/subhook`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

const records = (path: string): Record<string, any>[] =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, any>)
    : [];

describe('smn-kit listen --help', () => {
  it('explains every option with its default, the exit codes, and gives an example', () => {
    const result = spawnSync(process.execPath, [cli, 'listen', '--help'], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(0);
    for (const option of ['--port', '--host', '--product', '--key', '--out', '--expect', '--timeout', '--status', '--delay', '--max-body', '--tolerance', '--json', '--junit']) {
      expect(result.stdout).toContain(option);
    }
    expect(result.stdout).toContain('default 8787');
    expect(result.stdout).toContain('default 127.0.0.1');
    expect(result.stdout).toContain('default 200');
    expect(result.stdout).toContain('Example:');
  });
});

describe('smn-kit listen', () => {
  it('judges every delivery, records it before answering, and its --out file is accepted by validate', async () => {
    const out = join(work, 'deliveries.jsonl');
    const json = join(work, 'listen.json');
    const listening = await listen('--key', KEY, '--out', out, '--json', json, '--expect', '6', '--timeout', '20');
    const valid = event();
    const deliveries: [string, () => Promise<Response>][] = [
      ['form', () => form(listening.url, valid)],
      ['replay', () => form(listening.url, valid)],
      ['json, bad signature', () => fetch(`${listening.url}/subhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event({ signature: 'f'.repeat(32) })) })],
      ['get', () => {
        const { send_id: _sendId, tag: _tag, ...reply } = event({ events: 'mo', content: 'hi' });
        return fetch(`${listening.url}/subhook?${new URLSearchParams(reply)}`);
      }],
      ['multipart, stale', () => {
        const body = new FormData();
        for (const [name, value] of Object.entries(event({ timestamp: String(Math.floor(Date.now() / 1000) - 3600) }))) body.append(name, value);
        return fetch(`${listening.url}/subhook`, { method: 'POST', body });
      }],
      ['xml', () => fetch(`${listening.url}/subhook`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<events>delivered</events>' })],
    ];
    for (const [index, [name, send]] of deliveries.entries()) {
      const response = await send();
      expect(response.status, name).toBe(200);
      // Answered, so it must be on file already.
      expect(records(out), name).toHaveLength(index + 1);
    }
    expect(await listening.exited).toBe(1);

    const lines = listening.stdout().trim().split('\n');
    expect(lines.slice(1, 7)).toEqual([
      '#1 POST /subhook sms delivered: valid -> 200',
      expect.stringMatching(/^#2 POST \/subhook sms delivered: invalid: replayed-token \/token: .* -> 200$/),
      expect.stringMatching(/^#3 POST \/subhook sms delivered: invalid: bad-signature \/signature: .*received "ffff\.\.\." \(32 characters\) -> 200$/),
      '#4 GET /subhook sms mo: valid -> 200',
      expect.stringMatching(/^#5 POST \/subhook sms delivered: invalid: stale-timestamp \/timestamp: expected within 300 s .*\(3600 s in the past\) -> 200$/),
      expect.stringMatching(/^#6 POST \/subhook \(no event\): invalid: unsupported-content-type header Content-Type: .* received text\/xml -> 200$/),
    ]);
    expect(lines[7]).toBe('smn-kit listen: 6 deliveries: 2 valid, 4 invalid');

    const recorded = records(out);
    expect(recorded.map((r) => [r.n, r.method, r.verdict.status, r.answer.status])).toEqual([
      [1, 'POST', 'pass', 200],
      [2, 'POST', 'fail', 200],
      [3, 'POST', 'fail', 200],
      [4, 'GET', 'pass', 200],
      [5, 'POST', 'fail', 200],
      [6, 'POST', 'fail', 200],
    ]);
    expect(recorded[0]?.body).toBe(new URLSearchParams(valid).toString());
    expect(recorded[5]?.body).toBe('<events>delivered</events>');

    // Printed lines and the report never show a token, a signature or the key; the --out file is the raw capture.
    const report = readFileSync(json, 'utf8');
    for (const text of [listening.stdout(), report]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(valid.token);
      expect(text).not.toContain(valid.signature);
    }
    expect(JSON.parse(report)).toMatchObject({ expected: 6, received: 6, summary: { pass: 2, fail: 4, warn: 0, skip: 0 } });

    const validated = spawnSync(process.execPath, [cli, 'validate', out, '--key', KEY], { cwd: root, encoding: 'utf8', env: environment });
    expect(validated.status).toBe(1);
    expect(validated.stdout).toContain('smn-kit validate: 6 items in 1 file: 2 valid (0 with warnings), 4 invalid, 0 skipped');
    for (const [line, rule] of [[2, 'replayed-token'], [3, 'bad-signature'], [5, 'stale-timestamp'], [6, 'unsupported-content-type']] as const) {
      expect(validated.stdout).toMatch(new RegExp(`^invalid ${out.replaceAll('.', '\\.')}:${line} .*${rule}`, 'm'));
    }
  });

  it('answers 413 past --max-body, records the delivery without its body, and counts it', async () => {
    const out = join(work, 'large.jsonl');
    const listening = await listen('--max-body', '1024', '--out', out, '--expect', '1', '--timeout', '20');
    const response = await fetch(`${listening.url}/subhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...event(), content: 'x'.repeat(50_000) }) });
    expect(response.status).toBe(413);
    expect(await listening.exited).toBe(1);
    const [record] = records(out);
    expect(record).toMatchObject({ body: null, bodyOmitted: expect.stringContaining('over the 1024-byte limit'), answer: { status: 413 } });
    expect(record?.verdict.problems).toEqual([expect.objectContaining({ rule: 'body-too-large', where: 'body' })]);
    const validated = spawnSync(process.execPath, [cli, 'validate', out], { cwd: root, encoding: 'utf8', env: environment });
    expect(validated.status).toBe(1);
    expect(validated.stdout).toMatch(/:1 .*body-too-large/);
  });

  it('answers --status after --delay, and exits 0 once --expect valid deliveries arrived', async () => {
    const listening = await listen('--status', '503', '--delay', '400', '--expect', '2', '--tolerance', '0');
    for (let i = 0; i < 2; i++) {
      const started = Date.now();
      const response = await form(listening.url, { ...event(), timestamp: '1415014855' });
      expect(response.status).toBe(503);
      expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    }
    expect(await listening.exited).toBe(0);
    expect(listening.stdout()).toContain('smn-kit listen: 2 deliveries: 2 valid, 0 invalid');
  });

  it('exits 1 when fewer than --expect arrived before --timeout, and says so in JUnit', async () => {
    const junit = join(work, 'listen.xml');
    const listening = await listen('--expect', '3', '--timeout', '1', '--junit', junit);
    expect((await form(listening.url, event())).status).toBe(200);
    expect(await listening.exited).toBe(1);
    expect(listening.stdout()).toContain('smn-kit listen: 1 delivery: 1 valid, 0 invalid; 2 of the 3 expected never arrived');
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testcase classname="smn-kit listen" name="#1 POST \/subhook sms delivered"[^>]*\/>/);
    expect(xml).toMatch(/name="3 deliveries expected"[^>]*>\s*<failure message="1 of 3 deliveries arrived before the timeout">/);
  });

  it('stops on SIGTERM with exit 0 when nothing invalid arrived', async () => {
    const listening = await listen();
    listening.child.kill('SIGTERM');
    expect(await listening.exited).toBe(0);
    expect(listening.stdout()).toContain('smn-kit listen: 0 deliveries: 0 valid, 0 invalid');
  });

  it('says clearly that the port is taken, and exits 2', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const result = spawnSync(process.execPath, [cli, 'listen', '--port', String(port)], { cwd: root, encoding: 'utf8', env: environment });
      expect(result.status).toBe(2);
      expect(result.stderr).toBe(`smn-kit: port ${port} on 127.0.0.1 is already in use; stop what holds it or choose another with --port\n`);
    } finally {
      holder.close();
    }
  });

  it.each([
    [['--status', '99'], /--status must be an integer from 200 to 599, got "99"/],
    [['--product', 'mms'], /--product must be auto, sms, intersms, got "mms"/],
    [['--out', '/nonexistent/dir/out.jsonl'], /--out \/nonexistent\/dir\/out\.jsonl: cannot be written \(ENOENT\)/],
    [['extra'], /listen takes no PATH, got "extra"/],
  ])('refuses %j with one line and exit 2', (args, message) => {
    const result = spawnSync(process.execPath, [cli, 'listen', ...args], { cwd: root, encoding: 'utf8', env: environment });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
