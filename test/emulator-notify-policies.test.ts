// The emulator's notify policies (CreateNotifyPolicy, ShowNotifyPolicy, UpdateNotifyPolicy,
// DeleteNotifyPolicy) over a real socket, as Huawei Cloud's pages describe them
// ("Creating a Notification Policy": `protocol` "Only the voice notification policies are
// supported", `polling` of `order` and `subscription_urns`; "Querying a Notification
// Policy": each round's subscriptions with `endpoint`, `remark`, `status`). Every answer
// is judged against the contract; --state-file keeps the policy.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MockOptions, RunningMock } from '../src/mock/server.js';
import { startTestMock } from './support/mocks.js';
import { call, createTopic, mockState, PROJECT, topicPath } from './support/smn-client.js';

const emulator = (options: MockOptions = {}): Promise<RunningMock> => startTestMock({ ...options });

const policyPath = (urn: string) => `${topicPath(urn)}/notify-policy`;

/** A topic with two voice-notification subscriptions. */
async function topicWithCallees(url: string, name = 'oncall') {
  const { urn } = await createTopic(url, name);
  const subscribe = async (endpoint: string, remark: string) =>
    String((await call(url, 'POST', `${topicPath(urn)}/subscriptions`, { protocol: 'callnotify', endpoint, remark })).body!.subscription_urn);
  return { urn, first: await subscribe('+8613800000001', 'first on call'), second: await subscribe('+8613800000002', 'second on call') };
}

describe('notify policies', () => {
  it('CreateNotifyPolicy sets the rounds; ShowNotifyPolicy lists them by order with each subscription as it is; a topic without one shows only its request id', async () => {
    const mock = await emulator();
    const { urn, first, second } = await topicWithCallees(mock.url);
    expect(Object.keys((await call(mock.url, 'GET', policyPath(urn))).body!)).toEqual(['request_id']);
    const created = await call(mock.url, 'POST', policyPath(urn), {
      protocol: 'callnotify',
      polling: [
        { order: 2, subscription_urns: [second] },
        { order: 1, subscription_urns: [first] },
      ],
    });
    expect(created).toMatchObject({ status: 201, body: { id: expect.stringMatching(/^[0-9a-f]{32}$/) } });
    expect((await call(mock.url, 'GET', policyPath(urn))).body).toMatchObject({
      id: created.body!.id,
      protocol: 'callnotify',
      polling: [
        { order: 1, subscriptions: [{ subscription_urn: first, endpoint: '+8613800000001', remark: 'first on call', status: 0 }] },
        { order: 2, subscriptions: [{ subscription_urn: second, endpoint: '+8613800000002', remark: 'second on call', status: 0 }] },
      ],
    });
    // A subscription cancelled since is left out of its round.
    await call(mock.url, 'DELETE', `/v2/${PROJECT}/notifications/subscriptions/${second}`);
    expect(((await call(mock.url, 'GET', policyPath(urn))).body!.polling as unknown[])[1]).toEqual({ order: 2, subscriptions: [] });
  });

  it('a subscription URN that is not a subscription of the topic is 404 SMN.0013; a protocol other than callnotify is 400 SMN.0099', async () => {
    const mock = await emulator();
    const { urn, first } = await topicWithCallees(mock.url);
    const other = await topicWithCallees(mock.url, 'elsewhere');
    const set = (polling: unknown, protocol = 'callnotify') => call(mock.url, 'POST', policyPath(urn), { protocol, polling });
    expect(await set([{ order: 1, subscription_urns: [first, other.first] }])).toMatchObject({ status: 404, body: { code: 'SMN.0013' } });
    expect(await set([{ order: 1, subscription_urns: [`${urn}:${'0'.repeat(32)}`] }])).toMatchObject({ status: 404, body: { code: 'SMN.0013' } });
    expect(await set([{ order: 1, subscription_urns: [first] }], 'sms')).toMatchObject({ status: 400, body: { code: 'SMN.0099' } });
    expect(Object.keys((await call(mock.url, 'GET', policyPath(urn))).body!)).toEqual(['request_id']);
  });

  it('a topic has one policy: creating another replaces its rounds and keeps its id; UpdateNotifyPolicy replaces the whole policy it names', async () => {
    const mock = await emulator();
    const { urn, first, second } = await topicWithCallees(mock.url);
    const id = String((await call(mock.url, 'POST', policyPath(urn), { protocol: 'callnotify', polling: [{ order: 1, subscription_urns: [first] }] })).body!.id);
    expect((await call(mock.url, 'POST', policyPath(urn), { protocol: 'callnotify', polling: [{ order: 1, subscription_urns: [second] }] })).body!.id).toBe(id);
    expect((await call(mock.url, 'GET', policyPath(urn))).body!.polling).toMatchObject([{ order: 1, subscriptions: [{ subscription_urn: second }] }]);
    const updated = await call(mock.url, 'PUT', `${policyPath(urn)}/${id}`, { protocol: 'callnotify', polling: [{ order: 1, subscription_urns: [first, second] }] });
    expect(updated.status).toBe(200);
    expect(Object.keys(updated.body!)).toEqual(['request_id']);
    expect((await call(mock.url, 'GET', policyPath(urn))).body).toMatchObject({ id, polling: [{ order: 1, subscriptions: [{ subscription_urn: first }, { subscription_urn: second }] }] });
  });

  it('UpdateNotifyPolicy and DeleteNotifyPolicy of an id that is not the topic policy are 404; DeleteNotifyPolicy removes it', async () => {
    const mock = await emulator();
    const { urn, first } = await topicWithCallees(mock.url);
    const body = { protocol: 'callnotify', polling: [{ order: 1, subscription_urns: [first] }] };
    expect(await call(mock.url, 'PUT', `${policyPath(urn)}/d7e8f9a0b1c24d3e8f4a5b6c7d8e9f0a`, body)).toMatchObject({ status: 404, body: { code: 'SMN.0099' } });
    const id = String((await call(mock.url, 'POST', policyPath(urn), body)).body!.id);
    expect(await call(mock.url, 'DELETE', `${policyPath(urn)}/d7e8f9a0b1c24d3e8f4a5b6c7d8e9f0a`)).toMatchObject({ status: 404, body: { code: 'SMN.0099' } });
    expect((await call(mock.url, 'DELETE', `${policyPath(urn)}/${id}`)).status).toBe(200);
    expect(Object.keys((await call(mock.url, 'GET', policyPath(urn))).body!)).toEqual(['request_id']);
    expect((await call(mock.url, 'DELETE', `${policyPath(urn)}/${id}`)).status).toBe(404);
  });

  it('a topic the project does not have is 404 SMN.0006; the policy goes with its topic', async () => {
    const mock = await emulator();
    const missing = `urn:smn:cn-north-4:${PROJECT}:nothing_here`;
    const body = { protocol: 'callnotify', polling: [{ order: 1, subscription_urns: [`${missing}:${'0'.repeat(32)}`] }] };
    for (const [method, path, sent] of [
      ['POST', policyPath(missing), body],
      ['GET', policyPath(missing), undefined],
      ['PUT', `${policyPath(missing)}/x`, body],
      ['DELETE', `${policyPath(missing)}/x`, undefined],
    ] as const) {
      expect(await call(mock.url, method, path, sent), `${method} ${path}`).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
    }
    const { urn, first } = await topicWithCallees(mock.url);
    await call(mock.url, 'POST', policyPath(urn), { protocol: 'callnotify', polling: [{ order: 1, subscription_urns: [first] }] });
    await call(mock.url, 'DELETE', topicPath(urn));
    expect((await mockState(mock.url)).projects[PROJECT]!.notify_policies).toBeUndefined();
  });

  it('--state-file: a restart keeps the policy and its rounds', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'smn-notify-')), 'state.json');
    const first = await emulator({ stateFile });
    const { urn, first: a, second: b } = await topicWithCallees(first.url);
    await call(first.url, 'POST', policyPath(urn), { protocol: 'callnotify', polling: [{ order: 1, subscription_urns: [b] }, { order: 2, subscription_urns: [a] }] });
    const before = (await call(first.url, 'GET', policyPath(urn))).body;
    await first.close();
    const second = await emulator({ stateFile });
    expect({ ...(await call(second.url, 'GET', policyPath(urn))).body, request_id: '' }).toEqual({ ...before, request_id: '' });
  });
});
