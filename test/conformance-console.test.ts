// What `smn-kit conformance` shows and writes (issue 22's console, issue 19 item 16):
// skips grouped by reason, a progress line only on a terminal, part of the suite by
// --checks and --operations, an operation the target does not route as one verdict,
// reports written also when the run cannot start, and a TLS mismatch as one line.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { conformanceCommand } from '../src/commands/conformance.js';
import { main } from '../src/commands/main.js';
import { mockCommand } from '../src/commands/mock.js';
import { checks } from '../src/conformance/checks.js';
import { smnResponses } from '../src/contract/smn-responses.js';
import { FAULTY_OPERATIONS, startFaultyServer } from './faulty-smn.js';
import { runCommand, serveInProcess } from './support/command.js';
import { startSlowPeer } from './support/slow-peer.js';

const work = mkdtempSync(join(tmpdir(), 'smn-kit-conformance-console-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
/** No SMN_ setting and no CI of the machine running the tests. */
const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? '', ...extra });
const conformance = (args: string[], extra: Record<string, string> = {}) => runCommand(conformanceCommand, args, env(extra));
const mock = () => serveInProcess(mockCommand, ['--port', '0', '--quiet'], env());

describe('the console', () => {
  it('without --allow-writes: one SKIP line per reason (was: 62 bare SKIP lines), verdicts as they come', async () => {
    const target = await mock();
    // The operations the emulator keeps state for (the others answer the contract's examples).
    const ran = await conformance(['--target', target.url]);
    expect(ran.status).toBe(0);
    const skipLines = ran.stdout.split('\n').filter((line) => /^\s+SKIP /.test(line));
    // One line per reason, each naming how many checks of which operations it skipped.
    const groups = skipLines.map((line) => /^ {2}SKIP (\d+) checks? of ([\w, ]+): (.+)$/.exec(line));
    expect(groups.every(Boolean), skipLines.join('\n')).toBe(true);
    expect(new Set(groups.map((g) => g![3])).size).toBe(groups.length);
    expect(skipLines[0]).toMatch(/^ {2}SKIP \d+ checks of UpdateSmsEvent, .*CreateTopic, .*: writes are off, and this operation changes the target; run with --allow-writes to check it$/);
    expect(skipLines).toContain("  SKIP 71 checks of ListTopicDetails, ListSubscriptionsByTopic, ListTopicMessageStatistics, ListTopicAttributes, ListResourceTags, ListLogtank, ShowKmsKey, ShowNotifyPolicy, ShowHttpDetectResult: no topic to read: ListTopics answered 200 with no topic; run with --allow-writes to use one of the run's own");
    // The counts add up to the summary's skips: no skip is left out of the groups.
    const skipped = groups.reduce((n, g) => n + Number(g![1]), 0);
    expect(ran.stdout).toMatch(new RegExp(`^\\d+ checks: \\d+ pass, 0 fail, 0 error, \\d+ warn, ${skipped} skip$`, 'm'));
    expect(ran.stderr).toBe('');
  });

  /** `smn-kit conformance ...` with stderr a terminal (or not), in this process. */
  async function onTerminal(args: string[], extra: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
    const stdout = new PassThrough();
    const stderr = Object.assign(new PassThrough(), { isTTY: true });
    let out = '';
    let err = '';
    stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    await main(['conformance', ...args], { stdout, stderr, env: env(extra) });
    return { stdout: out, stderr: err };
  }

  it('draws a progress line on a terminal, [n/total] and the check running, cleared at the end; none in CI or when stderr is not a terminal', async () => {
    const target = await mock();
    const args = ['--target', target.url, '--operations', 'ListTopics'];
    const terminal = await onTerminal(args, {});
    const total = checks.filter((check) => !check.operations || check.operations.includes('ListTopics')).length;
    expect(terminal.stderr).toContain(`\r\x1b[K  [1/${total}] ListTopics status_code_conformance`);
    expect(terminal.stderr).toContain(`[${total}/${total}] ListTopics topics_newest_first`);
    expect(terminal.stderr.endsWith('\r\x1b[K')).toBe(true);
    expect(terminal.stdout).not.toContain('\x1b');
    expect((await onTerminal(args, { CI: 'true' })).stderr).toBe('');
    expect((await conformance(args)).stderr).toBe('');
  });
});

describe('part of the suite', () => {
  it('--checks and --operations run just those, named in the first line', async () => {
    const target = await mock();
    const ran = await conformance(['--target', target.url, '--operations', 'ListSubscriptions,ListTopics', '--checks', 'pagination,status_code_conformance']);
    expect(ran.status).toBe(0);
    const verdicts = ran.stdout.match(/^\s+(PASS|WARN) \S+ \S+$/gm)!.map((line) => line.trim().split(' ').slice(1).join(' '));
    expect(verdicts).toEqual(['ListSubscriptions status_code_conformance', 'ListSubscriptions pagination', 'ListTopics status_code_conformance', 'ListTopics pagination']);
    expect(ran.stdout).toMatch(/writes off; only operations ListSubscriptions, ListTopics; checks pagination, status_code_conformance\)$/m);
    expect(ran.stdout).toMatch(/^4 checks: /m);
  });

  it('with --allow-writes, the kit\'s promises run whatever --checks says: bindings_restored and resources_cleaned', async () => {
    const faulty = await startFaultyServer();
    servers.push(faulty);
    const before = faulty.bindings();
    const ran = await conformance(['--target', faulty.url, '--allow-writes', '--checks', 'negative_data_rejection', '--operations', 'UpdateSmsEvent,CreateTopic']);
    expect(ran.status).toBe(0);
    expect(ran.stdout.match(/^\s+PASS .+$/gm)).toEqual([
      '  PASS UpdateSmsEvent negative_data_rejection',
      '  PASS UpdateSmsEvent bindings_restored',
      '  PASS CreateTopic negative_data_rejection',
      '  PASS CancelSubscription resources_cleaned',
    ]);
    expect(faulty.bindings()).toEqual(before);
    expect(faulty.topics()).toEqual([]);
  });

  it.each([
    [['--checks', 'paginaton'], /^smn-kit: --checks: unknown check "paginaton"; did you mean pagination\? the checks: status_code_conformance, .*resources_cleaned\n$/],
    [['--operations', 'ListTopic'], /^smn-kit: --operations: unknown operation "ListTopic"; did you mean ListTopics\? the operations: ListSmsEvent, .*\n$/],
    [['--checks', 'nothing_like_it'], /^smn-kit: --checks: unknown check "nothing_like_it"; the checks: /],
  ])('%j: one line with a did-you-mean, exit 2, nothing sent', async (args, line) => {
    const faulty = await startFaultyServer();
    servers.push(faulty);
    const ran = await conformance(['--target', faulty.url, ...args]);
    expect(ran.status).toBe(2);
    expect(ran.stderr).toMatch(line);
    expect(faulty.requests()).toBe(0);
  });
});

describe('an operation the target does not route', () => {
  it('is one failure with the way out (--operations), its other checks one skip line, not a page of failures; left out, the run passes', async () => {
    // A deployment of the SMS callbacks without the topic operations (issue 20).
    const faulty = await startFaultyServer(undefined, { smsOnly: true });
    servers.push(faulty);
    // The operations a deployment of the whole topic API would name, as the faulty SMN's run does.
    const all = await conformance(['--target', faulty.url, '--allow-writes', '--operations', FAULTY_OPERATIONS.join(',')]);
    expect(all.status).toBe(1);
    // One failure per operation not routed, each saying so; where it was found depends on the first check that reached it.
    const failures = [...all.stdout.matchAll(/^\s+(FAIL|ERROR) (\w+) \w+\n\s+(.+)$/gm)].map((m) => [m[2], m[3]!.startsWith(`the target does not route ${m[2]} (`)]);
    // ListSubscriptionsByTopic and UpdateSubscription need a topic of the run's first: they are skipped for that (below).
    const unrouted = ['ListTopics', 'CreateTopic', 'ListTopicDetails', 'UpdateTopic', 'DeleteTopic', 'AddSubscription', 'PublishMessage', 'CancelSubscription'];
    expect(failures).toEqual(unrouted.map((op) => [op, true]));
    expect(all.stdout).toMatch(/^\s+SKIP 9 checks of ListTopics: not run: the target does not route ListTopics$/m);
    expect(all.stdout).toMatch(new RegExp(`^\\d+ checks: \\d+ pass, ${unrouted.length} fail, 0 error, 0 warn, \\d+ skip$`, 'm'));
    expect(all.stdout).toMatch(
      /FAIL CreateTopic status_code_conformance\n\s+the target does not route CreateTopic \(POST \/v2\/\{project_id\}\/notifications\/topics\): POST \/v2\/\w+\/notifications\/topics got 404 APIGW\.0101 \(no such API\), with the URN's colons raw and percent-encoded; its remaining 10 check\(s\) are not run\. If the deployment does not implement CreateTopic, leave it out with --operations/,
    );
    expect(all.stdout).toMatch(/^\s+SKIP \d+ checks of [\w, ]+: the target does not route CreateTopic, and this needs a topic of the run's own$/m);
    const implemented = smnResponses().operations.map((op) => op.operationId).filter((id) => ['ListSmsEvent', 'UpdateSmsEvent', 'ListSubscriptions'].includes(id));
    const part = await conformance(['--target', faulty.url, '--allow-writes', '--operations', implemented.join(',')]);
    expect(part.status, part.stdout).toBe(0);
    expect(part.stdout).toMatch(/PASS UpdateSmsEvent bindings_restored/);
  });
});

describe('reports are always written', () => {
  it('a target whose first answer drips: exit 2 with one line, and --json and --junit say why (before: no report at all)', async () => {
    const slow = await startSlowPeer('drip');
    servers.push(slow);
    const json = join(work, 'drip.json');
    const junit = join(work, 'drip.xml');
    const started = performance.now();
    const ran = await conformance(['--target', slow.url, '--timeout', '400', '--json', json, '--junit', junit]);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(ran.status).toBe(2);
    const reason = `the answer (200) was not complete within 400 ms (--timeout): `;
    expect(ran.stderr).toMatch(new RegExp(`^smn-kit: ${reason.replace(/[()]/g, '\\$&')}\\d+ bytes of body received\\n$`));
    const report = JSON.parse(readFileSync(json, 'utf8')) as { error: string; results: unknown[]; summary: Record<string, number> };
    expect(report.error).toContain(reason);
    expect(report.results).toEqual([]);
    expect(readFileSync(junit, 'utf8')).toMatch(/<testcase classname="smn-kit conformance" name="target" time="0(\.0+)?">\n\s+<error message="the answer \(200\) was not complete within 400 ms/);
  });
});

describe('https:// against a plain http port', () => {
  it('one line with a hint, exit 2 (was a multi-line OpenSSL error)', async () => {
    const target = await mock();
    const https = target.url.replace(/^http:/, 'https:');
    const ran = await conformance(['--target', https]);
    expect(ran.status).toBe(2);
    expect(ran.stderr).toBe(`smn-kit: ${https} does not answer TLS: its port seems to serve plain HTTP; try --target ${target.url}\n`);
  });
});

