// `smn-kit listen` as a sender meets it: real HTTP deliveries over a real socket in every
// form SUBHOOK uses, the lines it prints, the --out file it writes before answering
// (which `smn-kit validate` must accept), its reports and exit codes. The command runs
// in this process (its code, its option parsing, its output); a few tests run the built
// CLI for what only a process shows: signals, exit codes, the process list.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listenCommand } from '../src/commands/listen.js';
import { validateCommand } from '../src/commands/validate.js';
import { signSubhook } from '../src/subhook/signature.js';
import { cleanEnv, runCommand, serveInProcess } from './support/command.js';
import { serve } from './support/serve.js';

const KEY = 'test-subhook-key-0123456789abcdef';
const work = mkdtempSync(join(tmpdir(), 'smn-kit-listen-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const keyFile = join(work, 'subhook.key');
writeFileSync(keyFile, `${KEY}\n`);

/** Starts `smn-kit listen` in this process on a free port, once it prints its URL. */
const listen = (...args: string[]) => serveInProcess(listenCommand, ['--port', '0', ...args]);

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
    const usage = listenCommand.usage;
    for (const option of Object.keys(listenCommand.options)) expect(usage).toContain(`--${option}`);
    for (const fact of ['default 8787', 'default 127.0.0.1', 'default 200', 'Exit status', '\nExample:\n  smn-kit listen']) expect(usage).toContain(fact);
  });

  it('says that the key file or the environment keeps the key out of the process list', () => {
    expect(listenCommand.usage).toMatch(/--key-file FILE[^\n]*\n.*SUBHOOK_KEY environment variable,\n\s+keeps the key out of the process list/);
  });
});

describe('smn-kit listen', () => {
  it('judges every delivery, records it before answering, and its --out file is accepted by validate', async () => {
    const out = join(work, 'deliveries.jsonl');
    const json = join(work, 'listen.json');
    const listening = await listen('--key-file', keyFile, '--out', out, '--json', json, '--expect', '6', '--timeout', '20');
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
    const ran = await listening.done;
    expect(ran.status).toBe(1);

    const lines = ran.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^smn-kit listen: receiving SUBHOOK deliveries and SMN notifications on http:\/\/127\.0\.0\.1:\d+ \(product per event, signatures checked, SMN signatures checked with the certificate at signing_cert_url, fetched from the vendor's SMN hosts and loopback only, recording to /);
    expect(lines.slice(1, 7)).toEqual([
      '#1 POST /subhook sms delivered: valid -> 200',
      expect.stringMatching(/^#2 POST \/subhook sms delivered: invalid: replayed-token \/token: .* -> 200$/),
      expect.stringMatching(/^#3 POST \/subhook sms delivered: invalid: bad-signature \/signature: .*received "ffff\.\.\." \(32 characters\) -> 200$/),
      '#4 GET /subhook sms mo: valid -> 200',
      expect.stringMatching(/^#5 POST \/subhook sms delivered: invalid: stale-timestamp \/timestamp: expected within 300 s .*\(360[01] s in the past\) -> 200$/),
      expect.stringMatching(/^#6 POST \/subhook \(no event\): invalid: unsupported-content-type header Content-Type: .* received text\/xml -> 200$/),
    ]);
    expect(lines[7]).toBe('smn-kit listen: 6 deliveries: 2 valid, 4 invalid');

    const recorded = records(out);
    expect(recorded.map((r) => [r.n, r.method, r.verdict.status, r.verdict.signature, r.answer.status])).toEqual([
      [1, 'POST', 'pass', 'checked', 200],
      [2, 'POST', 'fail', 'checked', 200],
      [3, 'POST', 'fail', 'checked', 200],
      [4, 'GET', 'pass', 'checked', 200],
      [5, 'POST', 'fail', 'checked', 200],
      [6, 'POST', 'fail', undefined, 200],
    ]);
    expect(recorded[0]?.body).toBe(new URLSearchParams(valid).toString());
    expect(recorded[5]?.body).toBe('<events>delivered</events>');

    // Printed lines and the report never show a token, a signature or the key; the --out file is the raw capture, without the key.
    const report = readFileSync(json, 'utf8');
    for (const text of [ran.stdout, ran.stderr, report, readFileSync(out, 'utf8')]) expect(text).not.toContain(KEY);
    for (const text of [ran.stdout, report]) {
      expect(text).not.toContain(valid.token);
      expect(text).not.toContain(valid.signature);
    }
    expect(JSON.parse(report)).toMatchObject({
      expected: 6,
      received: 6,
      deliveries: [{ n: 1, method: 'POST', path: '/subhook', status: 'pass', product: 'sms', event: 'delivered', problems: [], signature: 'checked', answer: 200 }, {}, {}, {}, {}, {}],
      summary: { pass: 2, fail: 4, warn: 0, skip: 0 },
      signatures: { keyGiven: true, checked: 5, notChecked: 0 },
    });

    const validated = await runCommand(validateCommand, [out, '--key-file', keyFile]);
    expect(validated.status).toBe(1);
    expect(validated.stdout).toContain('smn-kit validate: 6 items in 1 file: 2 valid (0 with warnings), 4 invalid, 0 skipped');
    for (const [line, rule] of [[2, 'replayed-token'], [3, 'bad-signature'], [5, 'stale-timestamp'], [6, 'unsupported-content-type']] as const) {
      expect(validated.stdout).toMatch(new RegExp(`^invalid ${out.replaceAll('.', '\\.')}:${line} .*${rule}`, 'm'));
    }
  });

  it('records deliveries that arrive together, each on file before its sender gets the answer', async () => {
    const out = join(work, 'together.jsonl');
    const listening = await listen('--key-file', keyFile, '--out', out);
    // 48 senders at once, each checking the file the moment its answer arrives.
    const sendIds = Array.from({ length: 48 }, () => randomBytes(16).toString('hex'));
    const onFileWhenAnswered = await Promise.all(
      sendIds.map(async (sendId) => {
        const answer = await form(listening.url, event({ send_id: sendId }));
        const onFile = readFileSync(out, 'utf8').includes(`send_id=${sendId}`);
        return `${answer.status} ${onFile ? 'on file' : 'NOT on file'}`;
      }),
    );
    listening.stop();
    const ran = await listening.done;
    expect(onFileWhenAnswered).toEqual(sendIds.map(() => '200 on file'));
    // Every line whole and once, in the order the deliveries were numbered.
    const lines = records(out);
    expect(lines.map((line) => line.n)).toEqual(sendIds.map((_, i) => i + 1));
    expect(new Set(lines.map((line) => new URLSearchParams(line.body as string).get('send_id')))).toEqual(new Set(sendIds));
    expect(lines.every((line) => line.verdict.status === 'pass')).toBe(true);
    expect(ran.stdout.split('\n').filter((line) => / -> 200$/.test(line))).toHaveLength(48);
    expect(ran.stdout).toContain('smn-kit listen: 48 deliveries: 48 valid, 0 invalid');
  });

  it('answers 500 to every delivery its write failed to record (a full disk), so that each sender retries', async () => {
    // /dev/full takes the file open and refuses every write with ENOSPC.
    const listening = await listen('--key-file', keyFile, '--out', '/dev/full');
    const statuses = await Promise.all(Array.from({ length: 12 }, async () => (await form(listening.url, event())).status));
    listening.stop();
    const ran = await listening.done;
    expect(statuses).toEqual(Array.from({ length: 12 }, () => 500));
    expect(ran.stderr.match(/could not be recorded to \/dev\/full \(ENOSPC[^)]*\); answered 500 so the sender retries/g)).toHaveLength(12);
  });

  it('without a key, says on its first line and in its summary that signatures were not checked', async () => {
    const json = join(work, 'unchecked.json');
    const listening = await listen('--expect', '2', '--json', json);
    expect(listening.stdout()).toContain('signatures not checked (no key: give --key-file, SUBHOOK_KEY or --key)');
    // A forged signature passes unnoticed without a key: which is why the summary must say so.
    expect((await form(listening.url, event({ signature: 'f'.repeat(32) }))).status).toBe(200);
    expect((await form(listening.url, event())).status).toBe(200);
    const ran = await listening.done;
    expect(ran.status).toBe(0);
    expect(ran.stdout).toContain('smn-kit listen: 2 deliveries: 2 valid, 0 invalid; signatures not checked (no key given): 2 deliveries carry one\n');
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ signatures: { keyGiven: false, checked: 0, notChecked: 2 }, deliveries: [{ signature: 'not-checked' }, { signature: 'not-checked' }] });
  });

  it('answers 413 past --max-body, records the delivery without its body, and counts it', async () => {
    const out = join(work, 'large.jsonl');
    const listening = await listen('--max-body', '1024', '--out', out, '--expect', '1', '--timeout', '20');
    const response = await fetch(`${listening.url}/subhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...event(), content: 'x'.repeat(50_000) }) });
    expect(response.status).toBe(413);
    expect((await listening.done).status).toBe(1);
    const [record] = records(out);
    expect(record).toMatchObject({ body: null, bodyOmitted: expect.stringContaining('over the 1024-byte limit'), answer: { status: 413 } });
    expect(record?.verdict.problems).toEqual([expect.objectContaining({ rule: 'body-too-large', where: 'body' })]);
    const validated = await runCommand(validateCommand, [out]);
    expect(validated.status).toBe(1);
    expect(validated.stdout).toMatch(/:1 .*body-too-large/);
  });

  it('answers --status after --delay, and exits 0 once --expect valid deliveries arrived', async () => {
    const listening = await listen('--key-file', keyFile, '--status', '503', '--delay', '400', '--expect', '2', '--tolerance', '0');
    await Promise.all(
      [0, 1].map(async () => {
        const started = Date.now();
        const response = await form(listening.url, { ...event(), timestamp: '1415014855' });
        expect(response.status).toBe(503);
        expect(Date.now() - started).toBeGreaterThanOrEqual(380);
      }),
    );
    const ran = await listening.done;
    expect(ran.status).toBe(0);
    expect(ran.stdout).toContain('smn-kit listen: 2 deliveries: 2 valid, 0 invalid\n');
  });

  it('exits 1 when fewer than --expect arrived before --timeout, and says so in JUnit', async () => {
    const junit = join(work, 'listen.xml');
    const listening = await listen('--key-file', keyFile, '--expect', '3', '--timeout', '1', '--junit', junit);
    expect((await form(listening.url, event())).status).toBe(200);
    expect((await form(listening.url, event({ signature: 'f'.repeat(32) }))).status).toBe(200);
    const ran = await listening.done;
    expect(ran.status).toBe(1);
    expect(ran.stdout).toContain('smn-kit listen: 2 deliveries: 1 valid, 1 invalid; 1 of the 3 expected never arrived\n');
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="smn-kit listen" tests="3" failures="2" errors="0" skipped="0">\n {2}<testsuite name="smn-kit listen" tests="3" failures="2"/);
    expect(xml).toMatch(/<testcase classname="smn-kit listen" name="#1 POST \/subhook sms delivered"[^>]*\/>/);
    expect(xml).toMatch(/name="#2 POST \/subhook sms delivered"[^>]*>\s*<failure message="bad-signature \/signature: /);
    expect(xml).toMatch(/name="3 deliveries expected"[^>]*>\s*<failure message="2 of 3 deliveries arrived before the timeout">/);
    expect(xml).not.toContain(KEY);
  });

  it.each([
    [['--status', '99'], /--status must be an integer from 200 to 599, got "99"/],
    [['--product', 'mms'], /--product must be auto, sms, intersms, got "mms"/],
    [['--out', '/nonexistent/dir/out.jsonl'], /--out \/nonexistent\/dir\/out\.jsonl: cannot be written \(ENOENT\)/],
    [['--key-file', '/nonexistent/subhook.key'], /--key-file \/nonexistent\/subhook\.key: cannot be read \(ENOENT\)/],
    [['--key-file', keyFile, '--key', KEY], /give the SUBHOOK secret once: --key or --key-file, not both/],
    [['extra'], /listen takes no PATH, got "extra"/],
  ])('refuses %j with one line and exit 2, never quoting the key', async (args, message) => {
    const ran = await runCommand(listenCommand, ['--port', '0', ...args]);
    expect(ran.status).toBe(2);
    expect(ran.stderr).toMatch(message);
    expect(ran.stderr.trim().split('\n')).toHaveLength(1);
    expect(ran.stderr + ran.stdout).not.toContain(KEY);
  });

  it.each([
    ['empty', '\n', /--key-file \S+ is empty/],
    ['more than one line', `${KEY}\nSUBHOOK_KEY=${KEY}\n`, /--key-file \S+ has more than one line/],
  ])('refuses a key file that is %s, without quoting it', async (name, text, message) => {
    const path = join(work, `${name.replaceAll(' ', '-')}.key`);
    writeFileSync(path, text);
    const ran = await runCommand(listenCommand, ['--port', '0', '--key-file', path]);
    expect(ran.status).toBe(2);
    expect(ran.stderr).toMatch(message);
    expect(ran.stderr).not.toContain(KEY);
  });
});

describe('smn-kit listen, the built CLI', () => {
  const environment = cleanEnv;

  it('takes the key from --key-file, which keeps it out of the process list, and stops on SIGTERM', async () => {
    const listening = await serve(['listen', '--port', '0', '--key-file', keyFile], environment);
    const cmdline = `/proc/${listening.child.pid}/cmdline`;
    if (existsSync(cmdline)) {
      expect(readFileSync(cmdline, 'utf8')).toContain(keyFile);
      expect(readFileSync(cmdline, 'utf8')).not.toContain(KEY);
    }
    // The key was read: a signature made with another key is refused.
    const token = randomBytes(16).toString('hex');
    expect((await form(listening.url, event({ token, signature: signSubhook(token, 'another-key') }))).status).toBe(200);
    listening.child.kill('SIGTERM');
    expect(await listening.exited).toBe(1);
    expect(listening.stdout()).toMatch(/#1 POST \/subhook sms delivered: invalid: bad-signature/);
    expect(listening.stdout()).toContain('smn-kit listen: 1 delivery: 0 valid, 1 invalid\n');
    expect(listening.stdout() + listening.stderr()).not.toContain(KEY);
  });
});

describe('smn-kit listen, its port', () => {
  const environment = cleanEnv;

  it('says clearly that the port is taken, and exits 2', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const result = await runCommand(listenCommand, ['--port', String(port)], environment);
      expect(result.status).toBe(2);
      expect(result.stderr).toBe(`smn-kit: port ${port} on 127.0.0.1 is already in use; stop what holds it or choose another with --port\n`);
    } finally {
      holder.close();
    }
  });
});
