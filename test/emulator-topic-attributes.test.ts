// The emulator's topic attributes (ListTopicAttributes, UpdateTopicAttribute,
// DeleteTopicAttributeByName, DeleteTopicAttributes) over a real socket, as the vendor's
// pages describe them: the Open Telekom Cloud api-ref "Topic Attribute List", "Updating a
// Topic Policy" (its Tables 1 and 2), "Querying a Topic Policy", "Deleting a Specified
// Topic Policy", "Deleting All Topic Policies", and the error-code table. Every answer is
// judged against the contract; --state-file keeps what was set.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MockOptions, RunningMock } from '../src/mock/server.js';
import { startTestMock } from './support/mocks.js';
import { call, createTopic, mockState, PROJECT, topicPath } from './support/smn-client.js';

const emulator = (options: MockOptions = {}): Promise<RunningMock> => startTestMock({ ...options });

const attributesPath = (urn: string, query = '') => `${topicPath(urn)}/attributes${query}`;
const attributePath = (urn: string, name: string) => `${topicPath(urn)}/attributes/${name}`;

/** The Open Telekom Cloud sample of "Updating a Topic Policy", its {domainID} and {topic_urn} replaced as its note says. */
const samplePolicy = (urn: string) =>
  JSON.stringify({
    Version: '2016-09-07',
    Id: '__default_policy_ID',
    Statement: [
      { Sid: '__user_pub_0', Effect: 'Allow', Principal: { CSP: ['urn:csp:iam::93dc1b4697ac493d9b7d089569f86b32:root'] }, Action: ['SMN:Publish', 'SMN:QueryTopicDetail'], Resource: urn },
      { Sid: '__service_pub_0', Effect: 'Allow', Principal: { Service: ['obs'] }, Action: ['SMN:Publish', 'SMN:QueryTopicDetail'], Resource: urn },
    ],
  });

describe('topic attributes', () => {
  it('a topic has access_policy and introduction, empty strings until set ("Topic Attribute List": default value "Empty string"); name= asks for one', async () => {
    const mock = await emulator();
    const { urn } = await createTopic(mock.url, 'orders');
    expect(await call(mock.url, 'GET', attributesPath(urn))).toMatchObject({ status: 200, body: { attributes: { access_policy: '', introduction: '' } } });
    expect((await call(mock.url, 'GET', attributesPath(urn, '?name=introduction'))).body!.attributes).toEqual({ introduction: '' });
    expect((await call(mock.url, 'GET', attributesPath(urn, '?name=access_policy'))).body!.attributes).toEqual({ access_policy: '' });
    expect(await call(mock.url, 'GET', attributesPath(urn, '?name=color'))).toMatchObject({ status: 400, body: { code: 'SMN.0046' } });
  });

  it("UpdateTopicAttribute keeps the vendor's sample policy as given; ListTopicAttributes answers it with its times (SDK model TopicAttribute)", async () => {
    const mock = await emulator();
    const { urn } = await createTopic(mock.url, 'orders');
    const policy = samplePolicy(urn);
    expect(await call(mock.url, 'PUT', attributePath(urn, 'access_policy'), { value: policy })).toMatchObject({ status: 200, body: { request_id: expect.stringMatching(/^[0-9a-f]{32}$/) } });
    const first = (await call(mock.url, 'GET', attributesPath(urn, '?name=access_policy'))).body!.attributes as Record<string, string>;
    expect(first).toEqual({ access_policy: policy, create_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), update_time: first.create_time });
    const changed = policy.replace('"obs"', '"cts"');
    await call(mock.url, 'PUT', attributePath(urn, 'access_policy'), { value: changed });
    const second = (await call(mock.url, 'GET', attributesPath(urn))).body!.attributes as Record<string, string>;
    expect(second).toMatchObject({ access_policy: changed, create_time: first.create_time, introduction: '' });
  });

  it('an introduction is at most 120 bytes ("the maximum length of value is 120 bytes"); longer is 403 SMN.0047, and nothing changes', async () => {
    const mock = await emulator();
    const { urn } = await createTopic(mock.url, 'orders');
    const euros120 = '€'.repeat(40); // 40 characters, 120 bytes
    expect((await call(mock.url, 'PUT', attributePath(urn, 'introduction'), { value: euros120 })).status).toBe(200);
    expect(await call(mock.url, 'PUT', attributePath(urn, 'introduction'), { value: `${euros120}x` })).toMatchObject({ status: 403, body: { code: 'SMN.0047' } });
    expect((await call(mock.url, 'GET', attributesPath(urn, '?name=introduction'))).body!.attributes).toEqual({ introduction: euros120 });
    // An access policy may be up to 30 KB.
    expect(await call(mock.url, 'PUT', attributePath(urn, 'access_policy'), { value: 'x'.repeat(30 * 1024 + 1) })).toMatchObject({ status: 403, body: { code: 'SMN.0047' } });
  });

  const statement = (urn: string, changes: Record<string, unknown>) => ({ Sid: 's1', Effect: 'Allow', Principal: { Service: ['obs'] }, Action: ['SMN:Publish'], Resource: urn, ...changes });
  const policyWith = (urn: string, top: Record<string, unknown>, statements: Record<string, unknown>[] = [statement(urn, {})]) =>
    JSON.stringify({ Version: '2016-09-07', Id: 'p', Statement: statements, ...top });
  it.each<[string, string, (urn: string) => string]>([
    ['not JSON', 'SMN.0048', () => '{"Version":'],
    ['a JSON array', 'SMN.0048', () => '[]'],
    ['Version other than 2016-09-07 ("Only 2016-09-07 is supported")', 'SMN.0049', (urn) => policyWith(urn, { Version: '2012-10-17' })],
    ['no Id ("Id must be specified")', 'SMN.0050', (urn) => policyWith(urn, { Id: undefined })],
    ['no statement ("A policy must contain at least one statement")', 'SMN.0051', (urn) => policyWith(urn, {}, [])],
    ['two statements with one Sid ("The statement ID must be unique")', 'SMN.0052', (urn) => policyWith(urn, {}, [statement(urn, {}), statement(urn, {})])],
    ['a Resource that is not a topic URN ("You need to enter a topic URN")', 'SMN.0053', (urn) => policyWith(urn, {}, [statement(urn, { Resource: 'arn:aws:sns:x' })])],
    ['both Resource and NotResource ("Either Resource or NotResource")', 'SMN.0053', (urn) => policyWith(urn, {}, [statement(urn, { NotResource: urn })])],
    ['Effect Maybe ("The effect can be Allow or Deny")', 'SMN.0054', (urn) => policyWith(urn, {}, [statement(urn, { Effect: 'Maybe' })])],
    ['an action SMN does not have', 'SMN.0055', (urn) => policyWith(urn, {}, [statement(urn, { Action: ['SMN:CreateTopic'] })])],
    ['no Action nor NotAction', 'SMN.0055', (urn) => policyWith(urn, {}, [statement(urn, { Action: undefined })])],
    ['a CSP user not of the form urn:csp:iam::domainId:root', 'SMN.0056', (urn) => policyWith(urn, {}, [statement(urn, { Principal: { CSP: ['93dc1b4697ac'] } })])],
    ['a Service name not in lower case ("you must specify the cloud service names in lower case")', 'SMN.0056', (urn) => policyWith(urn, {}, [statement(urn, { Principal: { Service: ['OBS'] } })])],
    ['no Principal nor NotPrincipal', 'SMN.0056', (urn) => policyWith(urn, {}, [statement(urn, { Principal: undefined })])],
    ['a Condition that is not an object', 'SMN.0058', (urn) => policyWith(urn, {}, [statement(urn, { Condition: 'always' })])],
  ])('an access policy with %s is 400 %s, and the policy stays', async (_what, code, policy) => {
    const mock = await emulator();
    const { urn } = await createTopic(mock.url, 'orders');
    expect(await call(mock.url, 'PUT', attributePath(urn, 'access_policy'), { value: policy(urn) })).toMatchObject({ status: 400, body: { code } });
    expect((await call(mock.url, 'GET', attributesPath(urn, '?name=access_policy'))).body!.attributes).toEqual({ access_policy: '' });
  });

  it('accepts what the rules allow: wildcard actions ("SMN:Update*", "*"), NotPrincipal, NotAction, NotResource, Deny', async () => {
    const mock = await emulator();
    const { urn } = await createTopic(mock.url, 'orders');
    const value = JSON.stringify({
      Version: '2016-09-07',
      Id: 'p',
      Statement: [
        { Sid: 'a', Effect: 'Allow', Principal: { CSP: ['urn:csp:iam::93dc1b4697ac493d9b7d089569f86b32:root'] }, Action: ['SMN:Update*', 'SMN:Delete*'], Resource: urn },
        { Sid: 'b', Effect: 'Deny', NotPrincipal: { Service: ['obs', 'cts'] }, NotAction: '*', NotResource: [urn] },
      ],
    });
    expect((await call(mock.url, 'PUT', attributePath(urn, 'access_policy'), { value })).status).toBe(200);
  });

  it('DeleteTopicAttributeByName resets one attribute, DeleteTopicAttributes both; deleting one never set succeeds', async () => {
    const mock = await emulator();
    const { urn } = await createTopic(mock.url, 'orders');
    expect((await call(mock.url, 'DELETE', attributePath(urn, 'introduction'))).status).toBe(200);
    await call(mock.url, 'PUT', attributePath(urn, 'access_policy'), { value: samplePolicy(urn) });
    await call(mock.url, 'PUT', attributePath(urn, 'introduction'), { value: 'about orders' });
    expect((await call(mock.url, 'DELETE', attributePath(urn, 'introduction'))).status).toBe(200);
    expect((await call(mock.url, 'GET', attributesPath(urn))).body!.attributes).toMatchObject({ access_policy: samplePolicy(urn), introduction: '' });
    await call(mock.url, 'PUT', attributePath(urn, 'introduction'), { value: 'about orders' });
    expect((await call(mock.url, 'DELETE', attributesPath(urn))).status).toBe(200);
    expect((await call(mock.url, 'GET', attributesPath(urn))).body!.attributes).toEqual({ access_policy: '', introduction: '' });
    expect((await mockState(mock.url)).projects[PROJECT]!.topic_attributes).toBeUndefined();
  });

  it('a topic the project does not have is 404 SMN.0006 for all four operations', async () => {
    const mock = await emulator();
    const urn = `urn:smn:cn-north-4:${PROJECT}:nothing_here`;
    for (const [method, path, body] of [
      ['GET', attributesPath(urn), undefined],
      ['PUT', attributePath(urn, 'introduction'), { value: 'x' }],
      ['DELETE', attributePath(urn, 'introduction'), undefined],
      ['DELETE', attributesPath(urn), undefined],
    ] as const) {
      expect(await call(mock.url, method, path, body), `${method} ${path}`).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
    }
  });

  it('the attributes go with their topic: a topic made again with that name starts empty', async () => {
    const mock = await emulator();
    const { urn } = await createTopic(mock.url, 'orders');
    await call(mock.url, 'PUT', attributePath(urn, 'introduction'), { value: 'about orders' });
    await call(mock.url, 'DELETE', topicPath(urn));
    expect(await call(mock.url, 'GET', attributesPath(urn))).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
    const again = await createTopic(mock.url, 'orders');
    expect((await call(mock.url, 'GET', attributesPath(again.urn))).body!.attributes).toEqual({ access_policy: '', introduction: '' });
  });

  it('--state-file: a restart keeps the attributes set, and forgets those deleted', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'smn-attributes-')), 'state.json');
    const first = await emulator({ stateFile });
    const { urn } = await createTopic(first.url, 'orders');
    const other = await createTopic(first.url, 'invoices');
    await call(first.url, 'PUT', attributePath(urn, 'access_policy'), { value: samplePolicy(urn) });
    await call(first.url, 'PUT', attributePath(urn, 'introduction'), { value: 'about orders' });
    await call(first.url, 'PUT', attributePath(other.urn, 'introduction'), { value: 'about invoices' });
    await call(first.url, 'DELETE', attributesPath(other.urn));
    const before = (await call(first.url, 'GET', attributesPath(urn))).body!.attributes;
    await first.close();
    const second = await emulator({ stateFile });
    expect((await call(second.url, 'GET', attributesPath(urn))).body!.attributes).toEqual(before);
    expect((await call(second.url, 'GET', attributesPath(other.urn))).body!.attributes).toEqual({ access_policy: '', introduction: '' });
  });
});
