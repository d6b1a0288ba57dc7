// `smn-kit conformance` as CI runs it: the built CLI against the mock and against a
// faulty SMN, its exit codes, its reports, and what it does when the target is gone.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyRequestSignature } from '../src/auth/aksk.js';
import { resolveOptions } from '../src/conformance/options.js';
import { TargetClient } from '../src/conformance/target.js';
import { startMock, type RunningMock } from '../src/mock/server.js';
import { startFaultyServer } from './faulty-smn.js';
import { bindEveryEvent } from './support/bind.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const token = 'secret-token-2f8e1c';

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'conformance', ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

let mock: RunningMock;
const dir = mkdtempSync(join(tmpdir(), 'smn-kit-conformance-'));
beforeAll(async () => {
  // The emulator, with callbacks bound so that event_type_filter has something to filter.
  mock = await startMock({ port: 0 });
  await bindEveryEvent(mock.url, token);
});
afterAll(() => mock.close());

describe('smn-kit conformance', () => {
  it('passes against the mock, writes included, and writes JSON and JUnit reports', async () => {
    const json = join(dir, 'mock.json');
    const junit = join(dir, 'mock.xml');
    const result = await run(['--target', mock.url, '--allow-writes', '--token', token, '--json', json, '--junit', junit]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^27 checks: 27 pass, 0 fail, 0 warn, 0 skip$/m);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { target: string; results: { status: string }[]; summary: Record<string, number> };
    expect(report.target).toBe(mock.url);
    expect(report.summary).toEqual({ pass: 27, fail: 0, warn: 0, skip: 0 });
    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(27);
    expect(xml).toContain('<testsuite name="ListSubscriptions" tests="9" failures="0"');
    expect(`${result.stdout}${readFileSync(json, 'utf8')}${xml}`).not.toContain(token);
  });

  it('takes its settings from the environment too, and skips writes unless allowed', async () => {
    const result = await run([], { SMN_TARGET: mock.url, SMN_AUTH_TOKEN: token });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^27 checks: 18 pass, 0 fail, 0 warn, 9 skip$/m);
    expect(result.stdout).toContain('SKIP UpdateSmsEvent update_round_trip');
  });

  it('fails against a faulty SMN with exit 1, naming the check and giving a masked reproducer', async () => {
    const faulty = await startFaultyServer('overlapping-pages');
    try {
      const json = join(dir, 'faulty.json');
      const junit = join(dir, 'faulty.xml');
      const result = await run(['--target', faulty.url, '--token', token, '--json', json, '--junit', junit]);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/FAIL ListSubscriptions pagination\n\s+offset=\d+&limit=1: pages overlap: .+\n\s+reproduce: curl -sS -i -X GET 'http:\/\/127\.0\.0\.1:\d+\/v2\/.+\/notifications\/subscriptions\?offset=\d+&limit=1' -H 'X-Auth-Token: \*\*\*'/);
      expect(result.stdout).not.toContain(token);
      const report = JSON.parse(readFileSync(json, 'utf8')) as { results: { check: string; status: string; reproducer: string | null }[]; summary: { fail: number } };
      expect(report.summary.fail).toBe(1);
      expect(report.results.find((r) => r.check === 'pagination')).toMatchObject({ status: 'fail', reproducer: expect.stringContaining('curl') });
      expect(readFileSync(junit, 'utf8')).toMatch(/<testcase classname="ListSubscriptions" name="pagination" time="[\d.]+">\n\s+<failure message="offset=/);
    } finally {
      await faulty.close();
    }
  });

  it('says in one line that the target is unreachable, and exits 2', async () => {
    const closed = createServer();
    const url = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const result = await run(['--target', url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`smn-kit: cannot reach ${url}: connection refused (ECONNREFUSED)\n`);
    expect(result.stdout).toBe('');
  });

  it('gives up on a silent target after --timeout, in one line, exit 2', async () => {
    const silent = createServer(() => undefined);
    const url = await listen(silent);
    try {
      const result = await run(['--target', url, '--timeout', '300']);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`smn-kit: no answer from ${url} within 300 ms (--timeout)\n`);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it.each([
    [['--target', 'ftp://x'], /--target must be an http\(s\) URL, got "ftp:\/\/x"/],
    [['--target', 'http://x', '--token', 't', '--ak', 'a', '--sk', 's'], /give either --token or --ak\/--sk, not both/],
    [['--target', 'http://x', '--ak', 'a'], /--ak and --sk go together/],
    [['--target', 'http://x', '--rate', '0'], /--rate must be a positive number/],
    [['--target', 'http://x', '--timeout', 'soon'], /--timeout must be a positive whole number of milliseconds, got "soon"/],
    [[], /--target \(or SMN_TARGET\) is required/],
  ])('refuses %j with one line and exit 2', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('the conformance client', () => {
  it('signs every request with AK/SK so that a verifier accepts it', async () => {
    const seen: IncomingMessage[] = [];
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push(req);
        bodies.push(body);
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      });
    });
    const url = await listen(server);
    try {
      const client = new TargetClient(resolveOptions({ target: url, ak: 'AKEXAMPLE', sk: 'sk-secret' }));
      await client.send({ method: 'GET', path: '/v2/p/notifications/subscriptions', query: 'offset=0&limit=100' });
      await client.send({ method: 'PUT', path: '/v2/p/notifications/sms/callback', body: '{"callback":[]}' });
      expect(seen).toHaveLength(2);
      seen.forEach((req, i) => {
        const verdict = verifyRequestSignature({ method: req.method!, url: req.url!, headers: req.headers, body: bodies[i] }, (ak) => (ak === 'AKEXAMPLE' ? 'sk-secret' : undefined));
        expect(verdict).toEqual({ ok: true, access: 'AKEXAMPLE' });
        expect(req.headers['x-project-id']).toBe('f96188c7ccaf4ffba0c9aa149ab2bd57');
      });
    } finally {
      server.close();
    }
  });

  it('keeps to --rate requests per second', async () => {
    const server = createServer((_req, res) => res.writeHead(200).end('{}'));
    const url = await listen(server);
    try {
      const client = new TargetClient(resolveOptions({ target: url, rate: 20 }));
      const started = performance.now();
      for (let i = 0; i < 6; i++) await client.send({ method: 'GET', path: '/' });
      // Six requests at 20/s: the sixth starts no earlier than 5 intervals of 50 ms.
      expect(performance.now() - started).toBeGreaterThanOrEqual(240);
    } finally {
      server.close();
    }
  });
});
