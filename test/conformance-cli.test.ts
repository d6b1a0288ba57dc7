// `smn-kit conformance` as CI runs it: against the mock and against a faulty SMN, its
// exit codes, its reports, what it does when the target is gone or misbehaves, and the
// secrets it never shows. The command line runs in this process (main, its output
// captured); one run goes through the built CLI in a child process, as CI starts it.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyRequestSignature } from '../src/auth/aksk.js';
import { processIo, type OptionValues } from '../src/commands/command.js';
import { conformanceCommand } from '../src/commands/conformance.js';
import { optionsFromEnvironment, resolveOptions } from '../src/conformance/options.js';
import { RequestFailed, TargetClient } from '../src/conformance/target.js';
import { startMock, type RunningMock } from '../src/mock/server.js';
import { FAULTY_OPERATIONS, startFaultyServer } from './faulty-smn.js';
import { checks, checksFor } from '../src/conformance/checks.js';
import { bindEveryEvent } from './support/bind.js';
import { EMULATED_OPERATIONS, EMULATOR_GAPS, isKitChoiceWarning } from './support/emulated.js';

/** How many checks a run against the faulty SMN makes: every check of the operations it routes. */
const CHECKS = FAULTY_OPERATIONS.reduce((n, id) => n + checksFor(id).length, 0);
/** The summary line of a run, its figures by name. */
const summaryOf = (stdout: string): { total: number; pass: number; fail: number; error: number; warn: number; skip: number } => {
  const found = /^(\d+) checks: (\d+) pass, (\d+) fail, (\d+) error, (\d+) warn, (\d+) skip$/m.exec(stdout);
  if (!found) throw new Error(`no summary line in ${stdout}`);
  const [total, pass, fail, error, warn, skip] = found.slice(1).map(Number) as [number, number, number, number, number, number];
  return { total, pass, fail, error, warn, skip };
};
import { runCommand } from './support/command.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const token = 'secret-token-2f8e1c';

/** The environment of a run: PATH and `env`, none of the SMN_ settings of the machine running the tests. */
const environment = (env: Record<string, string>): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? '', ...env });

/** `smn-kit conformance ...args` in this process. */
async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { status, stdout, stderr } = await runCommand(conformanceCommand, args, environment(env));
  return { code: status, stdout, stderr };
}

/** The built `smn-kit conformance ...args` in a child process. */
function runBuilt(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'conformance', ...args], { env: environment(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The command in-process, for what it decides before any check runs: resolves with the error line it would print. */
async function refusal(values: OptionValues): Promise<string> {
  try {
    await conformanceCommand.run(values, [], { ...processIo(), env: environment({}) });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the command did not refuse');
}

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

let mock: RunningMock;
const dir = mkdtempSync(join(tmpdir(), 'smn-kit-conformance-'));
const tokenFile = join(dir, 'token');
writeFileSync(tokenFile, `${token}\n`);
beforeAll(async () => {
  // The emulator, with callbacks bound so that event_type_filter has something to filter, read as
  // Open Telekom Cloud reads what the editions read differently (conformance --edition otc).
  mock = await startMock({ port: 0, edition: 'otc' });
  await bindEveryEvent(mock.url, token);
});
afterAll(() => mock.close());

describe('smn-kit conformance', () => {
  it('passes against the mock, writes included, with the token from a file, and writes JSON and JUnit reports (the built CLI)', async () => {
    const json = join(dir, 'mock.json');
    const junit = join(dir, 'mock.xml');
    // The operations the emulator keeps state for, and the checks but those that wait for its fidelity work (support/emulated.ts).
    const selected = ['--operations', EMULATED_OPERATIONS.join(','), '--checks', checks.map((c) => c.name).filter((name) => !EMULATOR_GAPS.some((gap) => gap.endsWith(` ${name}`))).join(',')];
    const result = await runBuilt(['--target', mock.url, '--allow-writes', '--edition', 'otc', '--token-file', tokenFile, '--json', json, '--junit', junit, ...selected]);
    expect(result.code, result.stdout).toBe(0);
    const summary = summaryOf(result.stdout);
    expect(summary).toMatchObject({ fail: 0, error: 0 });
    expect(summary.pass + summary.skip + summary.warn).toBe(summary.total);
    // What is skipped says why: what the account must already have (a confirmation token, a KMS
    // key...), an operation Open Telekom Cloud does not document and the mock of that edition does not route.
    expect(result.stdout.split('\n').filter((line) => /^\s+SKIP /.test(line) && !/not run: |does not route|needs no credential|to make an absent one from|only one edition/.test(line))).toEqual([]);
    expect(result.stdout).toContain('PASS UpdateSmsEvent bindings_restored');
    const report = JSON.parse(readFileSync(json, 'utf8')) as { target: string; results: { status: string; message: string }[]; summary: Record<string, number> };
    expect(report.target).toBe(mock.url);
    expect(report.summary).toEqual({ pass: summary.pass, fail: 0, error: 0, warn: summary.warn, skip: summary.skip });
    // A warning is only the kit's own choice for its mock (loopback endpoints).
    expect(report.results.filter((r) => r.status === 'warn').every(isKitChoiceWarning)).toBe(true);
    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(summary.total);
    expect(xml).toContain(`<testsuite name="ListSubscriptions" tests="${checksFor('ListSubscriptions').length}" failures="0" errors="0"`);
    expect(`${result.stdout}${readFileSync(json, 'utf8')}${xml}`).not.toContain(token);
  });

  it('reports a request never answered as an error and a broken one as a failure, runs the rest, writes the reports, exits 1', async () => {
    // Settings from the environment and a file, the AK short: nothing of it or of the SK may show.
    // Once written to, this target's ListSmsEvent answers 503: the bindings cannot be verified.
    const faulty = await startFaultyServer(['hangs-on-limit-101', 'overlapping-pages', 'reads-fail-after-write']);
    const skFile = join(dir, 'sk');
    writeFileSync(skFile, 'sk-secret-71c0');
    try {
      const json = join(dir, 'faulty.json');
      const junit = join(dir, 'faulty.xml');
      const result = await run(['--sk-file', skFile, '--json', json, '--junit', junit, '--operations', FAULTY_OPERATIONS.join(',')], { SMN_TARGET: faulty.url, SMN_AK: 'AK7Q2ZX', SMN_TIMEOUT: '300', SMN_ALLOW_WRITES: '1', SMN_EDITION: 'otc' });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(/^smn-kit conformance: .+ \(project \w+, AK\/SK \(AK \*\*\*\), writes allowed, edition otc; only operations [\w, ]+\)$/m);
      expect(result.stdout).toMatch(
        /ERROR ListSubscriptions negative_data_rejection\n\s+GET \/v2\/\w+\/notifications\/subscriptions\?limit=101: no answer from http:\/\/127\.0\.0\.1:\d+ within 300 ms \(--timeout\)\n\s+reproduce: curl -sS -i -X GET '.+\?limit=101' .*-H 'Authorization: \*\*\*'/,
      );
      expect(result.stdout).toMatch(/FAIL ListSubscriptions pagination\n\s+offset=\d+&limit=1: pages overlap: .+\n\s+reproduce: curl -sS -i -X GET 'http:\/\/127\.0\.0\.1:\d+\/v2\/.+\/notifications\/subscriptions\?offset=\d+&limit=1' /);
      expect(result.stdout).toMatch(/ERROR UpdateSmsEvent bindings_restored\n.+ Put them back with PUT \/v2\/\w+\/notifications\/sms\/callback and the body \{"callback":\[.+\n\s+restore: curl -sS -i -X PUT /);
      // limit=101 hangs on every list: ListTopics and ListSubscriptionsByTopic meet it too.
      expect(result.stdout).toMatch(/ERROR ListTopics negative_data_rejection\n\s+GET \/v2\/\w+\/notifications\/topics\?limit=101: no answer/);
      expect(result.stdout).toMatch(new RegExp(`^${CHECKS} checks: ${CHECKS - 6} pass, 1 fail, 5 error, 0 warn, 0 skip\\nsmn-kit conformance: THE CALLBACK BINDINGS MAY NOT BE AS BEFORE THE RUN: put them back with the request given under UpdateSmsEvent bindings_restored$`, 'm'));
      const report = JSON.parse(readFileSync(json, 'utf8')) as { results: { check: string; status: string; reproducer: string | null }[]; summary: Record<string, number> };
      expect(report.summary).toEqual({ pass: CHECKS - 6, fail: 1, error: 5, warn: 0, skip: 0 });
      expect(report.results.find((r) => r.check === 'pagination')).toMatchObject({ status: 'fail', reproducer: expect.stringContaining('curl') });
      const xml = readFileSync(junit, 'utf8');
      expect(xml).toContain(`<testsuite name="ListSubscriptions" tests="${checksFor('ListSubscriptions').length}" failures="1" errors="1"`);
      expect(xml).toMatch(/<testcase classname="ListSubscriptions" name="negative_data_rejection" time="[\d.]+">\n\s+<error message="GET /);
      expect(xml).toMatch(/<testcase classname="ListSubscriptions" name="pagination" time="[\d.]+">\n\s+<failure message="offset=/);
      expect(`${result.stdout}${readFileSync(json, 'utf8')}${xml}`).not.toMatch(/AK7Q|sk-secret/);
    } finally {
      await faulty.close();
    }
  });

  it('ends with a line saying the run left resources of its own when the target will not delete them, each with its DELETE', async () => {
    const faulty = await startFaultyServer('delete-fails');
    try {
      const result = await run([], { SMN_TARGET: faulty.url, SMN_AUTH_TOKEN: 'tok-left-9d2', SMN_ALLOW_WRITES: '1' });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/ERROR CancelSubscription resources_cleaned\n\s+the run could not delete \d+ of its own resources; delete them with: urn:smn:\S+_main_1 \(DeleteTopic answered 500\): curl -sS -i -X DELETE '[^']+\/topics\/urn:smn:[^']+_main_1' -H 'X-Auth-Token: \*\*\*'/);
      expect(result.stdout.trimEnd().split('\n').at(-1)).toBe(
        'smn-kit conformance: THE RUN LEFT TOPICS OR SUBSCRIPTIONS OF ITS OWN ON THE TARGET: delete them with the requests given under CancelSubscription resources_cleaned',
      );
      expect(result.stdout).not.toContain('tok-left-9d2');
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

  it('gives up on a target silent from the start after --timeout, in one line, exit 2', async () => {
    const silent = createServer(() => undefined);
    const url = await listen(silent);
    try {
      expect(await refusal({ target: url, timeout: '300' })).toBe(`no answer from ${url} within 300 ms (--timeout)`);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('refuses a usage error with one line on stderr and exit 2', async () => {
    const result = await run(['--target', 'http://127.0.0.1:4010/v2']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('smn-kit: --target is the base URL, without /v2: use http://127.0.0.1:4010 (smn-kit adds /v2/{project_id}/... itself)\n');
  });

  it.each([
    [{ target: 'ftp://x' }, /^--target must be an http\(s\) URL, got "ftp:\/\/x"$/],
    [{ target: 'http://x', token: 't', ak: 'a', sk: 's' }, /^give either --token or --ak\/--sk, not both$/],
    [{ target: 'http://x', ak: 'a' }, /^--ak and --sk go together/],
    [{ target: 'http://x', rate: '0' }, /^--rate must be a positive number/],
    [{ target: 'http://x', timeout: 'soon' }, /^--timeout must be a positive whole number of milliseconds, got "soon"$/],
    [{ target: 'http://x', 'max-body': '64k' }, /^--max-body must be a positive whole number of bytes, got "64k"$/],
    [{ target: 'http://x', token: 't', 'token-file': tokenFile }, /^give the token once: --token or --token-file, not both$/],
    [{ target: 'http://x', 'token-file': join(dir, 'missing') }, /^--token-file .+missing: cannot be read \(ENOENT\)$/],
    [{ target: 'http://x/v2/' }, /^--target is the base URL, without \/v2: use http:\/\/x \(/],
    [{}, /--target \(or SMN_TARGET\) is required/],
  ])('refuses %j before sending anything', async (values, message) => {
    expect(await refusal(values)).toMatch(message);
  });

  it('names a wrong option as it was given: the environment variable, the file flag', async () => {
    expect(await run([], { SMN_TARGET: 'http://127.0.0.1:1', SMN_RATE: '0' })).toMatchObject({
      code: 2,
      stderr: 'smn-kit: SMN_RATE must be a positive number of requests per second, got "0"\n',
    });
    expect(await refusal({ target: 'http://x', token: 'tok-1234', ak: 'AK1234', 'sk-file': tokenFile })).toBe('give either --token or --ak/--sk-file, not both');
  });

  it('names the options by their fields in the library, and by their environment variables in the vitest suite', () => {
    expect(() => resolveOptions({ target: 'http://x', rate: 0 })).toThrow(/^rate must be a positive number of requests per second, got "0"$/);
    expect(() => resolveOptions({ target: 'http://u:p@x' })).toThrow(/^target must not carry credentials \(http:\/\/\*\*\*@x\): give a token with token, or an access key with ak and sk$/);
    expect(() => optionsFromEnvironment({ SMN_TARGET: 'http://x', SMN_AK: 'AK1234' })).toThrow(/^SMN_AK and SMN_SK go together: give both or neither$/);
    expect(() => optionsFromEnvironment({})).toThrow(/^SMN_TARGET is required/);
  });

  it('never shows a password given in --target, nor a token that is not a valid option', async () => {
    const line = await refusal({ target: 'http://admin:Hunter2-pass@127.0.0.1:1' });
    expect(line).toBe('--target must not carry credentials (http://***@127.0.0.1:1): give a token with SMN_AUTH_TOKEN or --token-file, or an access key with --ak and SMN_SK or --sk-file');
    expect(await refusal({ target: 'ftp://u:Hunter2-pass@x' })).not.toContain('Hunter2');
    expect(await refusal({ target: 'http://x', token: 'tok-Hunter2-pass', ak: 'a', sk: 's' })).not.toContain('Hunter2');
  });

  it('says in one line that the target is not the base URL when every route gets the gateway\'s 404', async () => {
    expect(await refusal({ target: `${mock.url}/smn`, token })).toBe(
      `every route of ${mock.url}/smn answers 404 APIGW.0101 (no such API): --target is the base URL, without /v2 or any other path (${mock.url}?)`,
    );
  });

  it('says in --help that the environment or a file is the safe way to give secrets', () => {
    expect(conformanceCommand.usage).toMatch(/--token T .*visible to anyone who lists processes: prefer SMN_AUTH_TOKEN or --token-file/);
    expect(conformanceCommand.usage).toMatch(/--sk SK .*prefer SMN_SK or --sk-file/);
    expect(conformanceCommand.usage).toMatch(/Exit status: 0 no check failed or errored .*; 1 a check\nfailed or errored; 2 usage error/);
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
      server.closeAllConnections();
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
      server.closeAllConnections();
      server.close();
    }
  });

  it('stops reading an endless answer at --max-body and says so, with memory bounded', async () => {
    let sent = 0;
    const server = createServer((_req, res) => {
      // Chunked, no Content-Length: only counting the bytes can stop it.
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = (): void => {
        while (!res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      pump();
    });
    const url = await listen(server);
    try {
      const client = new TargetClient(resolveOptions({ target: url, maxBodyBytes: 1_000_000 }));
      const failure = await client.send({ method: 'GET', path: '/v2/p/notifications/subscriptions' }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(RequestFailed);
      expect(failure).toMatchObject({ kind: 'too-large', message: 'the answer (200) has a body of more than 1000000 bytes, over the limit (--max-body)' });
      // The server stops soon after: the connection was closed, not drained.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(sent).toBeLessThan(20_000_000);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
