// The examples of `smn-kit listen`, `fire` and `validate` run as shown and give the result
// they imply: each Example line of each command's --help runs as a shell would run it
// (test/support/examples.ts: the command line in this process), in a folder holding what
// a user has (the repository's fixtures, a key file, the --out file of the listen
// example), with only the ports changed to free ones. A line's expected exit status is 0
// unless its comment says `exit N`. The blocks of docs/listen-fire-validate.md for these
// commands must be lines of the helps, so they are run too.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fireCommand } from '../src/commands/fire.js';
import { listenCommand } from '../src/commands/listen.js';
import { validateCommand } from '../src/commands/validate.js';
import { startMock } from '../src/mock/server.js';
import { signSubhook } from '../src/subhook/signature.js';
import { cleanEnv, listening, runCli, serveInProcess, type Running } from './support/command.js';
import { environmentOf as blockEnvironment, examplesOf, runExample, startExample, type Example } from './support/examples.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const KEY_FILE_CONTENT = 'examples-subhook-key-0123456789abcdef';

// A user's folder, the examples' working directory: the fixtures of the clone and a key file.
const work = mkdtempSync(join(tmpdir(), 'smn-kit-examples-'));
symlinkSync(join(root, 'fixtures'), join(work, 'fixtures'));
writeFileSync(join(work, 'subhook.key'), `${KEY_FILE_CONTENT}\n`);
const cwd = process.cwd();
beforeAll(() => process.chdir(work));
afterAll(() => {
  process.chdir(cwd);
  rmSync(work, { recursive: true, force: true });
});

/** The environment of the examples, with the `export` lines of the block applied. */
const environmentOf = (examples: Example[]): NodeJS.ProcessEnv => blockEnvironment(examples, cleanEnv);

/** A valid, signed SUBHOOK push, as SUBMAIL sends one. */
function push(url: string, key: string): Promise<Response> {
  const token = randomBytes(16).toString('hex');
  const fields = { events: 'delivered', address: '13800138000', send_id: '093c0a7df143c087d6cba9cdf0cf3738', tag: 'order-42', app: '10001', timestamp: String(Math.floor(Date.now() / 1000)), token, signature: signSubhook(token, key) };
  return fetch(`${url}/subhook`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
}

const option = (command: string, name: string): string | undefined => new RegExp(`--${name} (\\S+)`).exec(command)?.[1];

const SMN_PROJECT = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
const SMN_TOPIC = `urn:smn:cn-north-4:${SMN_PROJECT}:sms_failures`;

/**
 * What an SMN endpoint for the emulator meets: the emulator subscribes it (a
 * SubscriptionConfirmation, which the example confirms), then publishes an SMS event to
 * it (a Notification). Resolves with the number of deliveries made.
 */
async function emulatorCycle(receiver: Running & { url: string }): Promise<number> {
  const mock = await startMock({ port: 0, seedSubscriptions: [] });
  try {
    const bound = await fetch(`${mock.url}/v2/${SMN_PROJECT}/notifications/sms/callback`, {
      method: 'PUT',
      headers: { 'X-Auth-Token': 't', 'Content-Type': 'application/json' },
      body: JSON.stringify({ callback: [{ event_type: 'sms_fail_event', topic_urn: SMN_TOPIC }] }),
    });
    expect(bound.status).toBe(200);
    await fetch(`${mock.url}/_mock/subscriptions`, { method: 'POST', body: JSON.stringify({ topic_urn: SMN_TOPIC, protocol: 'http', endpoint: `${receiver.url}/smn` }) });
    for (let waited = 0; !receiver.stdout().includes('subscription confirmed'); waited += 10) {
      if (waited > 5000) throw new Error(`the example never confirmed the subscription:\n${receiver.stdout()}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const published = (await (await fetch(`${mock.url}/_mock/sms/events`, { method: 'POST', body: JSON.stringify({ event_type: 'sms_fail_event' }) })).json()) as { deliveries: { status?: number }[] };
    expect(published.deliveries.map((d) => d.status)).toEqual([200]);
    return 2;
  } finally {
    await mock.close();
  }
}

/** Runs a command that ends by itself; checks its exit status and what its summary implies. */
async function runToEnd(example: Example, command: string, env: NodeJS.ProcessEnv): Promise<string> {
  const ran = await runExample(command, env);
  expect(ran.status, `${example.line}\n${ran.stdout}${ran.stderr}`).toBe(example.exit);
  return ran.stdout;
}

const summaryOf = (stdout: string): string => stdout.trim().split('\n').at(-1) ?? '';

describe('the examples of smn-kit listen --help, then validate --help (which reads what listen wrote)', () => {
  it('listen: each example receives, records and exits as it says; validate accepts its --out file', async () => {
    const examples = examplesOf(listenCommand.usage);
    expect(examples.length).toBeGreaterThanOrEqual(2);
    const env = environmentOf(examples);
    const key = readFileSync(join(work, 'subhook.key'), 'utf8').trim();
    for (const example of examples) {
      if (example.command.startsWith('export ')) continue;
      const command = example.command.replace(/--port \d+/, '--port 0');
      if (!command.startsWith('smn-kit listen ')) {
        const stdout = await runToEnd(example, command, env);
        expect(summaryOf(stdout)).toMatch(example.exit === 0 ? /: [1-9]\d* valid .* 0 invalid/ : /[1-9]\d* invalid/);
        continue;
      }
      const receiver = await listening(startExample(command, env), example.line);
      const { url } = receiver;
      let expected = Number(option(command, 'expect') ?? 1);
      const answerStatus = Number(option(command, 'status') ?? 200);
      const delay = Number(option(command, 'delay') ?? 0);
      if (command.includes('--confirm')) {
        // An SMN endpoint for the emulator, as its comment says.
        expected = await emulatorCycle(receiver);
      } else if (command.includes('--smn-cert ')) {
        // An SMN endpoint for smn-kit fire, which signs with the test-only key.
        for (let i = 0; i < expected; i++) expect((await runCli(['fire', 'sms_success_event', '--to', `${url}/smn`])).status, example.line).toBe(0);
      } else {
        for (let i = 0; i < expected; i++) {
          const started = Date.now();
          const answer = await push(url, key);
          expect(answer.status, example.line).toBe(answerStatus);
          expect(Date.now() - started).toBeGreaterThanOrEqual(delay - 20);
        }
      }
      if (option(command, 'expect') === undefined) receiver.stop();
      expect((await receiver.done).status, `${example.line}\n${receiver.stdout()}${receiver.stderr()}`).toBe(example.exit);
      expect(summaryOf(receiver.stdout())).toMatch(new RegExp(`^smn-kit listen: ${expected} deliver(y|ies): ${expected} valid, 0 invalid`));
      const out = option(command, 'out');
      if (out) expect(readFileSync(join(work, out), 'utf8').trim().split('\n')).toHaveLength(expected);
    }
  }, 60_000);

  it('validate: each example gives the exit status and summary it implies', async () => {
    const examples = examplesOf(validateCommand.usage);
    expect(examples.length).toBeGreaterThanOrEqual(2);
    const env = environmentOf(examples);
    const runs = examples
      .filter((example) => !example.command.startsWith('export '))
      .map(async (example) => {
        const stdout = await runToEnd(example, example.command, env);
        expect(summaryOf(stdout)).toMatch(example.exit === 0 ? /: [1-9]\d* valid .* 0 invalid/ : /[1-9]\d* invalid/);
        const junit = option(example.command, 'junit');
        if (junit) expect(readFileSync(join(work, junit), 'utf8')).toContain('<testsuites name="smn-kit validate"');
      });
    await Promise.all(runs);
  }, 60_000);
});

describe('the examples of smn-kit fire --help', () => {
  it('each runs against a listen receiver that checks signatures (8787) and an SMN receiver (9000), with the exit status it implies', async () => {
    const examples = examplesOf(fireCommand.usage);
    expect(examples.length).toBeGreaterThanOrEqual(2);
    const env = environmentOf(examples);
    // What the block's comments ask for: on 8787, smn-kit listen --refuse-invalid with the
    // exported key; on 9000, smn-kit listen with the test-only certificate, refusing bad ones.
    const subhook = await serveInProcess(listenCommand, ['--port', '0', '--refuse-invalid'], env);
    const smn = await serveInProcess(listenCommand, ['--port', '0', '--smn-cert', 'fixtures/smn/test-only-certificate.pem', '--refuse-invalid'], env);
    try {
      const runs = examples
        .filter((example) => !example.command.startsWith('export '))
        .map(async (example) => {
          const command = example.command.replaceAll('http://127.0.0.1:8787', subhook.url).replaceAll('http://127.0.0.1:9000', smn.url);
          const stdout = await runToEnd(example, command, env);
          expect(stdout, example.line).toMatch(/-> \d{3} in/);
        });
      await Promise.all(runs);
    } finally {
      subhook.stop();
      smn.stop();
    }
    // Only the tampered push was refused: every valid one the receiver checked with the exported key passed.
    expect(summaryOf((await subhook.done).stdout)).toMatch(/^smn-kit listen: \d+ deliveries: \d+ valid, 1 invalid$/);
    // Likewise on the SMN receiver: only the tampered notification was refused, the others verified.
    expect(summaryOf((await smn.done).stdout)).toMatch(/^smn-kit listen: \d+ deliveries: \d+ valid, 1 invalid$/);
  }, 60_000);
});

describe('the reference page shows the helps\' examples', () => {
  const page = readFileSync(join(root, 'docs/listen-fire-validate.md'), 'utf8');
  /** The lines of the sh blocks in the section of docs/listen-fire-validate.md about a command. */
  function readmeLines(name: string): string[] {
    const section = page.split(new RegExp(`^## \`smn-kit ${name}\`.*$`, 'm'))[1]?.split(/^#{2,3} /m)[0] ?? '';
    return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) => block[1]!.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#')));
  }

  it.each([
    ['validate', validateCommand.usage],
    ['listen', listenCommand.usage],
    ['fire', fireCommand.usage],
  ])('every command line of docs/listen-fire-validate.md on smn-kit %s is an example of its --help (run above)', (name, usage) => {
    const lines = readmeLines(name);
    expect(lines.length).toBeGreaterThan(0);
    const helped = examplesOf(usage).map((example) => example.line);
    for (const line of lines) expect(helped, line).toContain(line.replace(/^npx smn-kit /, 'smn-kit '));
  });
});

