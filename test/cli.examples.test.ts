// The examples of `smn-kit --help`, `smn-kit mock --help` and `smn-kit conformance --help`
// run as shown and give the result they imply, as test/listen.examples.test.ts does for
// validate, listen and fire: each Example line runs as a shell would run it (the command
// line in this process, curl lines sent with fetch), in an empty folder of its own. The
// mock they talk to listens on a free port instead of 4010: the port is the only change,
// except in the one line that is a template for Huawei Cloud itself (below).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conformanceCommand } from '../src/commands/conformance.js';
import { overview } from '../src/commands/main.js';
import { mockCommand } from '../src/commands/mock.js';
import { DEFAULT_PORT, DEFAULT_PROJECT_ID } from '../src/mock/server.js';
import { cleanEnv, listening, type Running } from './support/command.js';
import { curl, environmentOf, examplesOf, runExample, simpleCommand, startExample, type Example } from './support/examples.js';

/** The operations of the first session (README): the rate-limited run below checks these. */
// The examples' working directory: a state file or a report they write lands here.
const work = mkdtempSync(join(tmpdir(), 'smn-kit-cli-examples-'));
const cwd = process.cwd();
beforeAll(() => process.chdir(work));
afterAll(() => {
  process.chdir(cwd);
  rmSync(work, { recursive: true, force: true });
});

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** The line with the mock's port in place of the default one. */
const onPort = (command: string, port: number): string => command.replace(`--port ${DEFAULT_PORT}`, `--port ${port}`).replaceAll(`127.0.0.1:${DEFAULT_PORT}`, `127.0.0.1:${port}`);

const isMock = (example: Example): boolean => simpleCommand(example.command).argv.slice(0, 2).join(' ') === 'smn-kit mock' && !example.command.includes('--help');

/** Starts a `smn-kit mock` example on `port`: it must serve the contract there, on loopback. */
async function startMockExample(example: Example, port: number): Promise<Running & { url: string }> {
  const mock = await listening(startExample(onPort(example.command, port), cleanEnv), example.line);
  expect(mock.url, example.line).toBe(`http://127.0.0.1:${port}`);
  expect(mock.stdout()).toMatch(/^smn-kit mock: serving \S*spec\/smn\.openapi\.yaml on /);
  return mock;
}

async function stopped(mock: Running, example: Example): Promise<void> {
  mock.stop();
  const ended = await mock.done;
  expect(ended.status, `${example.line}\n${ended.stderr}`).toBe(0);
  expect(ended.stderr).toBe('');
}

const callback = `/v2/${DEFAULT_PROJECT_ID}/notifications/sms/callback`;

describe('the examples of smn-kit --help', () => {
  it('each runs as shown: the mock serves on the port it names, and mock --help explains the mock', async () => {
    const examples = examplesOf(overview());
    expect(examples.map((e) => e.line)).toEqual(['smn-kit mock --port 4010', 'smn-kit mock --help']);
    for (const example of examples) {
      if (isMock(example)) {
        const mock = await startMockExample(example, await freePort());
        const answer = await fetch(`${mock.url}${callback}`, { headers: { 'X-Auth-Token': 'any' } });
        expect(answer.status).toBe(200);
        expect(await answer.json()).toMatchObject({ callback: [] });
        await stopped(mock, example);
        continue;
      }
      const ran = await runExample(example.command, cleanEnv);
      expect(ran.status, example.line).toBe(example.exit);
      expect(ran.stdout).toBe(`${mockCommand.usage}\n`);
    }
  });
});

describe('the examples of smn-kit mock --help, then conformance --help against that mock', () => {
  it('the mock keeps its state in the file; the PUT binds, the GET reads it back; conformance passes, the JUnit report written', async () => {
    const mockExamples = examplesOf(mockCommand.usage);
    const conformanceExamples = examplesOf(conformanceCommand.usage);
    expect(mockExamples).toHaveLength(3);
    expect(conformanceExamples).toHaveLength(2);
    const port = await freePort();
    const [start, put, get] = mockExamples.map((example) => ({ ...example, command: onPort(example.command, port) }));
    const mock = await startMockExample(mockExamples[0]!, port);
    try {
      // The PUT stores the binding its body names, in the state file named by the first line.
      const bound = await curl(put!.command);
      expect(bound.status, put!.line).toBe(200);
      const binding = { event_type: 'sms_fail_event', topic_urn: `urn:smn:cn-north-4:${DEFAULT_PROJECT_ID}:test_fail` };
      expect(JSON.parse(bound.body)).toMatchObject({ request_id: expect.any(String) });
      const stateFile = /--state-file (\S+)/.exec(start!.command)![1]!;
      expect(existsSync(join(work, stateFile)), stateFile).toBe(true);
      expect(readFileSync(join(work, stateFile), 'utf8') + (existsSync(join(work, `${stateFile}.journal`)) ? readFileSync(join(work, `${stateFile}.journal`), 'utf8') : '')).toContain(binding.topic_urn);
      // The GET reads it back.
      const read = await curl(get!.command);
      expect(read.status, get!.line).toBe(200);
      expect(JSON.parse(read.body)).toMatchObject({ callback: [binding] });

      const [ci, cloud] = conformanceExamples;
      // The first: CI against the mock of the examples above.
      const passed = await runExample(onPort(ci!.command, port), cleanEnv);
      expect(passed.status, `${ci!.line}\n${passed.stdout}${passed.stderr}`).toBe(ci!.exit);
      expect(passed.stdout).toMatch(/^smn-kit conformance: http:\/\/127\.0\.0\.1:\d+ \(project \w+, no credentials given, writes allowed; only operations ListSmsEvent, UpdateSmsEvent, ListSubscriptions\)$/m);
      expect(passed.stdout).toMatch(/^(\d+) checks: \1 pass, 0 fail, 0 error, 0 warn, 0 skip$/m);
      const junit = /--junit (\S+)/.exec(ci!.command)![1]!;
      expect(readFileSync(join(work, junit), 'utf8')).toMatch(/<testsuites name="smn-kit conformance http:\/\/127\.0\.0\.1:\d+"[^>]* failures="0" errors="0"/);
      // The run put the bindings back as they were.
      expect(JSON.parse((await curl(get!.command)).body)).toMatchObject({ callback: [binding] });

      // The second is a template for Huawei Cloud: `...` stands for a token and a project id,
      // and the endpoint is the real one. Filled in with a token, the mock's project and the
      // mock's URL, it runs read-only (no --allow-writes) at --rate 5 and passes.
      const placeholders = { 'SMN_AUTH_TOKEN=...': 'SMN_AUTH_TOKEN=any', 'https://smn.cn-north-4.myhuaweicloud.com': `http://127.0.0.1:${port}`, '--project-id 0123...': `--project-id ${DEFAULT_PROJECT_ID}` };
      let filled = cloud!.command;
      for (const [placeholder, value] of Object.entries(placeholders)) {
        expect(filled, cloud!.line).toContain(placeholder);
        filled = filled.replace(placeholder, value);
      }
      // A part of the API, as a deployment that implements only some operations is checked: a
      // rate-limited run of the whole API would take minutes (two reads and a write, skipped).
      filled = `${filled} --operations ListSmsEvent,UpdateSmsEvent,ListTopics`;
      const started = performance.now();
      const readOnly = await runExample(filled, cleanEnv);
      expect(readOnly.status, `${cloud!.line}\n${readOnly.stdout}${readOnly.stderr}`).toBe(cloud!.exit);
      expect(readOnly.stdout).toMatch(/\(project \w+, token, writes off; only operations [\w, ]+\)/);
      // Passes: no failure, no error. A warning may come (the mock has no topics of this project, so ListTopics'
      // paging and order cannot be judged), and the writes are skipped.
      const summary = /^(\d+) checks: (\d+) pass, 0 fail, 0 error, (\d+) warn, (\d+) skip$/m.exec(readOnly.stdout);
      expect(summary, readOnly.stdout).not.toBeNull();
      expect(Number(summary![4])).toBeGreaterThan(0);
      expect(readOnly.stdout.match(/^\s*WARN .*$/gm) ?? []).toEqual(Array(Number(summary![3])).fill(expect.stringMatching(/WARN (ListTopics|ListSubscriptionsByTopic) (pagination|topics_newest_first)|WARN \w+ edition_rules/)));
      expect(readOnly.stdout).toMatch(/^  SKIP \d+ checks of UpdateSmsEvent: writes are off/m);
      // At 5 requests a second, its two dozen requests or more take seconds.
      expect(performance.now() - started).toBeGreaterThan(3000);
      expect(JSON.parse((await curl(get!.command)).body)).toMatchObject({ callback: [binding] });
    } finally {
      await stopped(mock, mockExamples[0]!);
    }
  }, 60_000);
});
