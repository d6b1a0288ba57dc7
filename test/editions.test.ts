// --edition huawei|otc (issue 20): where the vendor's two editions differ, the contract
// accepts what either allows and `x-editions` keeps each edition's reading. With an
// edition, the mock refuses what that edition refuses and does not route what it does not
// document; conformance fails a target that breaks that edition's reading. Without one,
// the mock accepts what either allows and conformance warns, naming both readings.
// The vendor texts behind each case:
// - time_to_live: Huawei Cloud's SDK model PublishMessageRequestBody, "3600*24" at most;
//   Open Telekom Cloud's api-ref "Publishing Messages", 3600 x 24 x 7 (604,800 s).
// - display_name: Huawei Cloud's parameter table of CreateTopic, 1 to 192 bytes; Open
//   Telekom Cloud's "Creating a Topic": mandatory, "left blank by default".
// - a template's protocol: Open Telekom Cloud's "Creating a Message Template": email,
//   default, sms, http and https; Huawei Cloud's adds functionstage.
// - a tag's resource type: Open Telekom Cloud's resource tag pages, smn_topic only;
//   Huawei Cloud's SDK models, smn_topic, smn_sms, smn_application.
// - ListTopicsWithAssociatedResources: in Huawei Cloud's API reference, not in Open
//   Telekom Cloud's api-ref.
import { afterEach, describe, expect, it } from 'vitest';
import { mockCommand } from '../src/commands/mock.js';
import { conformanceCommand } from '../src/commands/conformance.js';
import type { CheckResult } from '../src/conformance/check.js';
import { runConformance } from '../src/conformance/runner.js';
import { resolveOptions } from '../src/conformance/options.js';
import { smnResponses } from '../src/contract/smn-responses.js';
import { startMock, type RunningMock } from '../src/mock/server.js';
import { FAULTY_OPERATIONS, startFaultyServer, type FaultyServer } from './faulty-smn.js';
import { runCommand, serveInProcess } from './support/command.js';

const PROJECT = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
const token = 'tok-editions-5be1';
const started: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.close()));
});

async function mockOf(edition?: 'huawei' | 'otc'): Promise<RunningMock> {
  const mock = await startMock({ port: 0, edition });
  started.push(mock);
  return mock;
}

async function send(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; code?: string; violations: string }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'X-Auth-Token': token, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json().catch(() => ({}))) as { code?: string; error_code?: string };
  return { status: response.status, code: json.code ?? json.error_code, violations: response.headers.get('sl-violations') ?? '' };
}

const topicOf = async (base: string, name: string): Promise<string> => {
  const response = await fetch(`${base}/v2/${PROJECT}/notifications/topics`, { method: 'POST', headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json' }, body: JSON.stringify({ name, display_name: 'editions' }) });
  return ((await response.json()) as { topic_urn: string }).topic_urn;
};

describe('smn-kit mock --edition', () => {
  it('huawei: a time_to_live over 86,400 s and an empty display name are refused with the fields\' errors; without an edition both are accepted', async () => {
    for (const edition of [undefined, 'huawei'] as const) {
      const { url } = await mockOf(edition);
      const topic = await topicOf(url, 'ttl');
      const published = await send(url, 'POST', `/v2/${PROJECT}/notifications/topics/${topic}/publish`, { message: 'hello', time_to_live: '90000' });
      const blank = await send(url, 'POST', `/v2/${PROJECT}/notifications/topics`, { name: 'blank', display_name: '' });
      if (edition === undefined) {
        expect(published.status).toBe(200);
        expect(blank.status).toBe(201);
      } else {
        expect(published).toMatchObject({ status: 400, code: 'SMN.0099' });
        expect(published.violations).toContain("refused by Huawei Cloud's rule (--edition huawei): At most 86,400 seconds");
        expect(blank).toMatchObject({ status: 400, code: 'SMN.0003' });
      }
      // What both editions allow is accepted either way.
      expect((await send(url, 'POST', `/v2/${PROJECT}/notifications/topics/${topic}/publish`, { message: 'hello', time_to_live: '86400' })).status).toBe(200);
    }
  });

  it('otc: a template protocol and a tag resource type only Huawei Cloud has are refused; an operation only Huawei Cloud documents is not routed', async () => {
    const huawei = await mockOf('huawei');
    const otc = await mockOf('otc');
    const template = { message_template_name: 'fn_template', protocol: 'functionstage', content: 'to {topic_id}' };
    expect((await send(huawei.url, 'POST', `/v2/${PROJECT}/notifications/message_template`, template)).status).toBe(200);
    expect(await send(otc.url, 'POST', `/v2/${PROJECT}/notifications/message_template`, template)).toMatchObject({ status: 400, code: 'SMN.0011' });
    expect((await send(huawei.url, 'GET', `/v2/${PROJECT}/smn_sms/tags`)).status).toBe(200);
    expect(await send(otc.url, 'GET', `/v2/${PROJECT}/smn_sms/tags`)).toMatchObject({ status: 400, code: 'SMN.0099' });
    expect((await send(otc.url, 'GET', `/v2/${PROJECT}/smn_topic/tags`)).status).toBe(200);
    expect((await send(huawei.url, 'GET', `/v2/${PROJECT}/notifications/topics-with-associated-resources`)).status).toBe(200);
    expect(await send(otc.url, 'GET', `/v2/${PROJECT}/notifications/topics-with-associated-resources`)).toMatchObject({ status: 404, code: 'APIGW.0101' });
    // The SMS callback settings, which no current edition documents, stay (the seeds describe them).
    expect((await send(otc.url, 'GET', `/v2/${PROJECT}/notifications/sms/callback`)).status).toBe(200);
  });

  it('says the edition in its first line, and refuses an unknown one in one line, exit 2', async () => {
    const running = await serveInProcess(mockCommand, ['--port', '0', '--quiet', '--edition', 'otc']);
    expect(running.stdout()).toMatch(/^smn-kit mock: serving .+ \(stateful, \d+ seed subscriptions, edition otc, auth presence; Ctrl-C to stop\)$/m);
    running.stop();
    await running.done;
    const refused = await runCommand(mockCommand, ['--port', '0', '--edition', 'aws']);
    expect(refused).toMatchObject({ status: 2, stderr: 'smn-kit: --edition must be one of huawei, otc (Huawei Cloud, Open Telekom Cloud), got "aws"\n' });
  });
});

describe('smn-kit conformance --edition', () => {
  const checkOf = (results: CheckResult[], operation: string, check: string) => results.find((r) => r.operation === operation && r.check === check);
  const run = (server: FaultyServer | RunningMock, edition?: string, operations: readonly string[] = FAULTY_OPERATIONS) =>
    runConformance(resolveOptions({ target: server.url, token, allowWrites: true, edition }), { operations });

  it("huawei: a target that accepts what Huawei Cloud refuses fails edition_rules, naming both readings", async () => {
    // The faulty SMN reads the differences as Open Telekom Cloud does.
    const server = await startFaultyServer();
    started.push(server);
    const results = await run(server, 'huawei');
    expect(checkOf(results, 'PublishMessage', 'edition_rules')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^time_to_live "90000": Huawei Cloud refuses it \(--edition huawei\): expected 400 with code SMN\.0099, received 200; Huawei Cloud refuses it \(At most 86,400 seconds .*\); Open Telekom Cloud allows it \(At most 604,800 seconds .*\)$/),
      reproducer: expect.stringContaining('"time_to_live":"90000"'),
    });
    expect(checkOf(results, 'CreateTopic', 'edition_rules')).toMatchObject({ status: 'fail', message: expect.stringMatching(/^display_name "": Huawei Cloud refuses it \(--edition huawei\): expected 400 with code SMN\.0003, received 201/) });
    // The same target read as Open Telekom Cloud: nothing to say.
    const otc = await run(server, 'otc');
    expect(checkOf(otc, 'PublishMessage', 'edition_rules')).toMatchObject({ status: 'pass', message: 'time_to_live "90000": accepted, as Open Telekom Cloud says' });
  });

  it('otc: a target that refuses what Open Telekom Cloud allows fails; without an edition it is a warning naming both', async () => {
    const server = await startFaultyServer('huawei-ttl');
    started.push(server);
    expect(checkOf(await run(server, 'otc'), 'PublishMessage', 'edition_rules')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^time_to_live "90000": Open Telekom Cloud allows it \(--edition otc\): expected 200, received 400 SMN\.0099; /),
    });
    expect(checkOf(await run(server), 'PublishMessage', 'edition_rules')?.status).toBe('warn');
    expect(checkOf(await run(server, 'huawei'), 'PublishMessage', 'edition_rules')?.status).toBe('pass');
  });

  it('an operation only one edition documents, not routed: a warning naming both without --edition, a skip with the edition that lacks it, a failure with the other', async () => {
    // The mock as Open Telekom Cloud does not route ListTopicsWithAssociatedResources.
    const mock = await mockOf('otc');
    const verdict = async (edition?: string) => checkOf(await run(mock, edition, ['ListTopicsWithAssociatedResources']), 'ListTopicsWithAssociatedResources', 'status_code_conformance');
    const unrouted = /^the target does not route ListTopicsWithAssociatedResources \(GET \/v2\/\{project_id\}\/notifications\/topics-with-associated-resources\): .* \(no such API\), with the URN's colons raw and percent-encoded/;
    expect(await verdict()).toMatchObject({ status: 'warn', message: expect.stringMatching(unrouted) });
    expect((await verdict())?.message).toContain('(Huawei Cloud documents it, Open Telekom Cloud does not; --edition says which the target is)');
    expect(await verdict('otc')).toMatchObject({ status: 'skip', message: expect.stringContaining('(Open Telekom Cloud does not document it: --edition otc)') });
    expect(await verdict('huawei')).toMatchObject({ status: 'fail', message: expect.stringContaining('leave it out with --operations') });
  });

  it('a response value one edition refuses: a warning naming both without --edition, a problem with it', () => {
    // A topic with an empty display name, as Open Telekom Cloud leaves it "blank by default"; Huawei Cloud's table says 1 to 192 bytes.
    const responses = smnResponses();
    const body = { request_id: 'a'.repeat(32), topic_urn: `urn:smn:cn-north-4:${PROJECT}:blank`, name: 'blank', display_name: '', push_policy: 0, enterprise_project_id: '0', topic_id: 'b'.repeat(32), create_time: '2026-01-01T00:00:00Z', update_time: '2026-01-01T00:00:00Z' };
    const either = responses.judge('ListTopicDetails', 200, body);
    expect(either.problems).toEqual([]);
    expect(either.warnings).toEqual([expect.objectContaining({ rule: 'x-editions', pointer: '/display_name', expected: expect.stringMatching(/^what either edition allows: Huawei Cloud refuses it \(Parameter table of CreateTopic and UpdateTopic: 1 to 192 bytes\); Open Telekom Cloud allows it \(Mandatory, at most 192 bytes, left blank by default/) })]);
    expect(responses.judge('ListTopicDetails', 200, body, { edition: 'huawei' }).problems).toEqual([expect.objectContaining({ rule: 'minLength', pointer: '/display_name' })]);
    expect(responses.judge('ListTopicDetails', 200, body, { edition: 'otc' })).toEqual({ problems: [], warnings: [] });
  });

  it('refuses an unknown edition in one line, exit 2, before sending anything', async () => {
    const server = await startFaultyServer();
    started.push(server);
    const refused = await runCommand(conformanceCommand, ['--target', server.url, '--edition', 'Huawei']);
    expect(refused).toMatchObject({ status: 2, stderr: 'smn-kit: --edition must be one of huawei, otc (Huawei Cloud, Open Telekom Cloud), got "Huawei"\n' });
    expect(server.requests()).toBe(0);
  });
});
