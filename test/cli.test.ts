// `smn-kit` as a user runs it: its output, its exit codes, and the mock it starts
// answering over a real socket. The command line runs in this process (main, with its
// output captured); the built CLI runs in a child process for what only a process shows:
// its exit code and output, SIGTERM and SIGINT.
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mockCommand } from '../src/commands/mock.js';
import { UsageError } from '../src/commands/command.js';
import { commandError, ENDINGS } from '../src/commands/errors.js';
import { FireError } from '../src/fire/errors.js';
import { SmnHostsError } from '../src/listen/hosts.js';
import { SourceError } from '../src/validate/sources.js';
import { runCli, serveInProcess } from './support/command.js';
import { cli, serve, type Serving } from './support/serve.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const callbackPath = '/v2/f96188c7ccaf4ffba0c9aa149ab2bd57/notifications/sms/callback';

/** `smn-kit ...args` in this process. */
const run = (...args: string[]) => runCli(args, process.env);

/** The built CLI in a child process. */
const runBuilt = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 20_000 });

/** Starts the built `smn-kit mock` and resolves once it prints its URL. */
const startBuilt = (...args: string[]): Promise<Serving> => serve(['mock', ...args]);

/** Starts `smn-kit mock` in this process and resolves once it prints its URL. */
const startMockCli = (...args: string[]) => serveInProcess(mockCommand, args, process.env);

const waitFor = async (condition: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
};

describe('smn-kit --help and --version', () => {
  it('lists the commands with an example', async () => {
    const result = await run('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: smn-kit <command>');
    expect(result.stdout).toMatch(/^\s+mock\s+Run the mock SMN/m);
    // listen takes both kinds of delivery, and says so where a user first looks.
    expect(result.stdout).toMatch(/^\s+listen\s+Receive SUBHOOK deliveries and SMN notifications/m);
    expect(result.stdout).toContain('Example:');
  });

  it('explains the mock command, its defaults and an example', async () => {
    for (const args of [['mock', '--help'], ['help', 'mock']]) {
      const result = await run(...args);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('Usage: smn-kit mock');
      expect(result.stdout).toContain('default 127.0.0.1');
      expect(result.stdout).toContain('default 4010');
      expect(result.stdout).toContain('Example:');
    }
  });

  it('prints the package version', async () => {
    expect((await run('--version')).stdout.trim()).toBe(version);
  });

  it.each([
    [['launch'], /unknown command "launch"/],
    [['mock', '--port', 'abc'], /--port must be an integer from 0 to 65535, got "abc"/],
    [['mock', '--port', '70000'], /--port must be an integer/],
    [['mock', '--colour'], /^smn-kit: unknown option --colour; run smn-kit mock --help$/m],
    [['mock', '--auth', 'bogus'], /--auth must be one of none, presence, token, aksk, got "bogus"/],
    [['mock', '--auth', 'token'], /--auth token needs --token T/],
    [['mock', '--auth', 'aksk', '--ak', 'AK'], /--auth aksk needs --ak AK and --sk SK/],
    [['mock', '--token', 't'], /--token is only used with --auth token/],
    [['mock', '--stateless', '--state-file', 'x.json'], /--stateless keeps no state/],
    [['mock', '--seed-subscriptions', 'many'], /--seed-subscriptions must be an integer from 0 to 100000, got "many"/],
    [['mock', '--seed', 'x'], /--seed only applies to --seed-subscriptions N/],
    [['mock', '--subscriptions', '/nonexistent/subs.json'], /cannot read the subscriptions seed \/nonexistent\/subs\.json/],
    [['mock', '5000'], /^smn-kit: mock takes no arguments, got "5000"; did you mean --port 5000\?$/m],
    [['mock', '--signing-key', 'k.pem'], /--signing-key and --signing-cert go together/],
    [['mock', '--https-port', 'x'], /--https-port must be an integer from 0 to 65535/],
    [['conformance', 'http://127.0.0.1:4010'], /^smn-kit: conformance takes no arguments, got "http:\/\/127\.0\.0\.1:4010"; did you mean --target http:\/\/127\.0\.0\.1:4010\?$/m],
  ])('refuses %j with one line and exit 2', async (args, message) => {
    const result = await run(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('options it does not know, and values it misses (issue 10)', () => {
  it.each([
    [['mock', '--prot', '4010'], 'unknown option --prot; did you mean --port?'],
    [['mock', '--colour'], 'unknown option --colour; run smn-kit mock --help'],
    [['mock', '-p', '4010'], 'unknown option -p; run smn-kit mock --help'],
    [['mock', '--allow', 'example.com'], 'unknown option --allow; did you mean --allow-hosts?'],
    [['mock', '--state', 'x.json'], 'unknown option --state; run smn-kit mock --help'],
    [['listen', '--key-fle', 'subhook.key'], 'unknown option --key-fle; did you mean --key-file?'],
    [['validate', 'x.jsonl', '--requre-signature'], 'unknown option --requre-signature; did you mean --require-signature?'],
    [['conformance', '--allow-write'], 'unknown option --allow-write; did you mean --allow-writes?'],
    [['fire', 'request', '--tamper'], '--tamper needs a value; run smn-kit fire --help'],
    [['mock', '--port'], '--port needs a value; run smn-kit mock --help'],
    [['mock', '--port', '--quiet'], '--port needs a value before --quiet; run smn-kit mock --help'],
    [['fire', 'request', '--seed', '-1'], '--seed -1: a value that starts with "-" is written --seed=-1'],
    [['mock', '--quiet=yes'], '--quiet takes no value, got "yes"; write --quiet alone'],
    [['listen', '--help=1'], '--help takes no value, got "1"; write --help alone'],
    [['--verison'], 'unknown option --verison; did you mean --version?'],
    [['mok'], 'unknown command "mok"; did you mean mock? run smn-kit --help for the list'],
  ])('%j: one line, exit 2', async (args, line) => {
    const result = await run(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`smn-kit: ${line}\n`);
    expect(result.stdout).toBe('');
  });
});

describe('how a command ends for each error code (src/commands/errors.ts)', () => {
  const ending = (error: Error) => {
    const ended = commandError(error);
    return ended instanceof UsageError ? { line: ended.message, status: ended.status } : ended;
  };

  it('the hint follows the code, whatever the message says', () => {
    expect(ending(new FireError('no key to sign with', 'key-required'))).toEqual({ line: 'no key to sign with; put it in a file for --key-file, set SUBHOOK_KEY, or pass --key K', status: 2 });
    // The words of the missing-key message, under another code, get no hint.
    const words = '--key is required for SUBHOOK events: the SUBHOOK secret signs each one (signature = md5(token + key))';
    expect(ending(new FireError(words, 'invalid-options'))).toEqual({ line: words, status: 2 });
  });

  it('names the option a message cannot name, and ends every code of the table with its status', () => {
    expect(ending(new SmnHostsError('"a..b" is not a host name'))).toEqual({ line: '--smn-cert-host: "a..b" is not a host name', status: 2 });
    expect(ending(new SourceError('x.txt: cannot tell its format from its name', 'unknown-format'))).toEqual({ line: 'x.txt: cannot tell its format from its name', status: 2 });
    for (const [code, { status }] of Object.entries(ENDINGS)) expect(ending(Object.assign(new Error('m'), { code }))).toMatchObject({ status });
  });

  it('leaves an error without a code of the table as it is: main reports it as unexpected, exit 1', async () => {
    const system = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    expect(commandError(system)).toBe(system);
    const plain = new Error('a bug');
    expect(commandError(plain)).toBe(plain);
  });
});

describe('smn-kit mock, the built CLI', () => {
  it('prints its URL, logs one line per request and exits 0 on SIGTERM', async () => {
    const started = await startBuilt('--port', '0');
    expect(started.stdout()).toMatch(/^smn-kit mock: serving spec\/smn\.openapi\.yaml on http:\/\/127\.0\.0\.1:\d+/);
    const response = await fetch(`${started.url}${callbackPath}?event_type=sms_fail_event`, { headers: { 'X-Auth-Token': 'secret-token-value' } });
    expect(response.status).toBe(200);
    await fetch(`${started.url}/v2/x/notifications/subscriptions?limit=0`, { headers: { 'X-Auth-Token': 'secret-token-value' } });
    await waitFor(() => started.stdout().includes('SMN.0015'), 'the log line of the second request');
    const lines = started.stdout().trim().split('\n');
    expect(lines[1]).toMatch(new RegExp(`^GET ${callbackPath}\\?event_type=sms_fail_event 200 \\d+\\.\\dms$`));
    // The code and, in a few words, why (issue 10: the reason was only in a header).
    expect(lines[2]).toMatch(/^GET \/v2\/x\/notifications\/subscriptions\?limit=0 400 SMN\.0015 \(query\.limit: .*must be >= 1\) \d+\.\dms$/);
    expect(started.stdout()).not.toContain('secret-token-value');
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
  });

  it('exits 0 on SIGINT too, with keep-alive connections open', async () => {
    const started = await startBuilt('--port', '0', '--quiet');
    await fetch(`${started.url}${callbackPath}`, { headers: { 'X-Auth-Token': 't', Connection: 'keep-alive' } });
    started.child.kill('SIGINT');
    expect(await started.exited).toBe(0);
  });

  it('refuses an unknown option with one line on stderr and exit 2', () => {
    const result = runBuilt('listen', '--prot', '8787');
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('smn-kit: unknown option --prot; did you mean --port?\n');
    expect(result.stdout).toBe('');
  });
});

describe('smn-kit mock', () => {
  it('logs nothing per request with --quiet, and exits 0 when stopped', async () => {
    // The same two requests with and without --quiet. The output is read once the command
    // has ended: the mock writes every line it logged before it ends, so a line logged at
    // any time before the stop is in it (no waiting on a timer, which could end too soon).
    const linesOf = async (...flags: string[]) => {
      const started = await startMockCli('--port', '0', ...flags);
      await fetch(`${started.url}${callbackPath}`, { headers: { 'X-Auth-Token': 't' } });
      await fetch(`${started.url}/nowhere`);
      started.stop();
      const ended = await started.done;
      return { status: ended.status, lines: ended.stdout.trim().split('\n') };
    };
    const serving = expect.stringMatching(/^smn-kit mock: serving /);
    expect(await linesOf()).toEqual({ status: 0, lines: [serving, expect.stringMatching(/^GET \/v2\/\w+\/notifications\/sms\/callback 200 /), expect.stringMatching(/^GET \/nowhere \d{3} /)] });
    expect(await linesOf('--quiet')).toEqual({ status: 0, lines: [serving] });
  });

  it('says clearly that the port is taken, and exits 2', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const result = await run('mock', '--port', String(port));
      expect(result.status).toBe(2);
      expect(result.stderr).toBe(`smn-kit: port ${port} on 127.0.0.1 is already in use; stop what holds it or choose another with --port\n`);
    } finally {
      holder.close();
    }
  });

  it('refuses a state file it did not write, leaving it untouched, exit 2', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smn-cli-')), 'state.json');
    writeFileSync(file, '[1, 2, 3]');
    const result = await run('mock', '--port', '0', '--state-file', file);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`smn-kit: the state file ${file} is not one smn-kit wrote: (top): expected a value of type object, received [1,2,3]; move it away or choose another file\n`);
    expect(readFileSync(file, 'utf8')).toBe('[1, 2, 3]');
  });

  it('serves generated subscriptions with --seed-subscriptions, and says it is stateful', async () => {
    const started = await startMockCli('--port', '0', '--quiet', '--seed-subscriptions', '30', '--seed', 'cli');
    expect(started.stdout()).toContain('(stateful, 30 seed subscriptions, auth presence;');
    const response = await fetch(`${started.url}/v2/f96188c7ccaf4ffba0c9aa149ab2bd57/notifications/subscriptions?limit=5`, { headers: { 'X-Auth-Token': 't' } });
    const body = (await response.json()) as { subscription_count: number; subscriptions: unknown[] };
    expect(body.subscription_count).toBe(30);
    expect(body.subscriptions).toHaveLength(5);
  });

  it('honours --max-body', async () => {
    const started = await startMockCli('--port', '0', '--quiet', '--max-body', '100');
    const response = await fetch(`${started.url}${callbackPath}`, {
      method: 'PUT',
      headers: { 'X-Auth-Token': 't', 'Content-Type': 'application/json' },
      body: JSON.stringify({ callback: [{ event_type: 'sms_fail_event', topic_urn: `urn:smn:r:${'a'.repeat(32)}:${'n'.repeat(80)}` }] }),
    });
    expect(response.status).toBe(413);
  });
});
