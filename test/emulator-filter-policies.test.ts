// The emulator's subscription filter policies and PublishMessage's `message_attributes`
// (issue 20, Build 3), over real sockets with real http receivers: the three batch
// operations (Huawei Cloud API reference, "Creating/Updating/Deleting Message Filter
// Policies"), the policies listed in the subscriptions' `filter_polices`, gone with their
// subscription or topic, kept by --state-file, and the routing of a publication as Huawei
// Cloud's user guide describes it ("Using a Subscription Filtering Policy", smn_ug_a9005,
// whose subscriptions A and B and scenarios the tests replay). Every answer is also
// judged against the contract.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { smnResponses } from '../src/contract/smn-responses.js';
import type { MockOptions, RunningMock } from '../src/mock/server.js';
import { deliveryProblems } from './support/admin-schema.js';
import { startTestMock } from './support/mocks.js';

const project = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
const headers = { 'X-Auth-Token': 't', 'Content-Type': 'application/json' };
const topicsPath = `/v2/${project}/notifications/topics`;
const policesPath = `/v2/${project}/notifications/subscriptions/filter_polices`;
const subscriptionsPath = `/v2/${project}/notifications/subscriptions`;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const emulator = (options: MockOptions = {}): Promise<RunningMock> => startTestMock({ autoConfirm: true, ...options });

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** Calls an operation; the answer must obey the contract for that operation and status. */
async function call(mock: RunningMock, method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${mock.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const answer = { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  const operation = smnResponses().find(method, path.split('?')[0]!);
  expect(operation, `${method} ${path} is an operation of the contract`).toBeDefined();
  expect(smnResponses().validate(operation!.operationId, answer.status, answer.body), `${method} ${path} ${answer.status}`).toEqual([]);
  return answer;
}

/** One http server; each subscription gets a path of its own, and what arrived is kept by path. */
async function receiver(): Promise<{ url: string; messages: (path: string) => string[]; clear: () => void }> {
  const received: { path: string; body: Record<string, string> }[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(text) as Record<string, string> });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    messages: (path) => received.filter((r) => r.path === path && r.body.type === 'Notification').map((r) => r.body.message!),
    clear: () => void received.splice(0),
  };
}

const outbox = async (mock: RunningMock) => ((await (await fetch(`${mock.url}/_mock/outbox`)).json()) as { messages: Record<string, string>[] }).messages;

const createTopic = async (mock: RunningMock, name: string) => String((await call(mock, 'POST', topicsPath, { name, display_name: '' })).body.topic_urn);
const subscribe = async (mock: RunningMock, topicUrn: string, protocol: string, endpoint: string) => {
  const answer = await call(mock, 'POST', `${topicsPath}/${topicUrn}/subscriptions`, { protocol, endpoint });
  expect(answer.status).toBe(201);
  return String(answer.body.subscription_urn);
};

// The user guide's two subscriptions: A on Sunday and Wednesday, morning or afternoon;
// B on Monday to Wednesday, at night or late at night.
const POLICIES_A = [
  { name: 'week', string_equals: ['sunday', 'wednesday'] },
  { name: 'time', string_equals: ['morning', 'afternoon'] },
];
const POLICIES_B = [
  { name: 'week', string_equals: ['monday', 'tuesday', 'wednesday'] },
  { name: 'time', string_equals: ['night', 'midnight'] },
];

/** A topic with the guide's A and B (http), C (http, no policies) and D (sms, no policies). */
async function guideTopic(options: MockOptions = {}) {
  const mock = await emulator(options);
  const http = await receiver();
  const urn = await createTopic(mock, 'week');
  const a = await subscribe(mock, urn, 'http', `${http.url}/a`);
  const b = await subscribe(mock, urn, 'http', `${http.url}/b`);
  const c = await subscribe(mock, urn, 'http', `${http.url}/c`);
  const d = await subscribe(mock, urn, 'sms', '+8613800000000');
  const set = await call(mock, 'POST', policesPath, {
    polices: [
      { subscription_urn: a, filter_polices: POLICIES_A },
      { subscription_urn: b, filter_polices: POLICIES_B },
    ],
  });
  expect(set.status).toBe(200);
  await fetch(`${mock.url}/_mock/outbox`, { method: 'DELETE' });
  let sent = 0;
  /** Publishes a numbered message; answers who received it, of a, b, c (http) and d (sms). */
  const publish = async (message_attributes?: unknown[]): Promise<string[]> => {
    const message = `m${++sent}`;
    expect((await call(mock, 'POST', `${topicsPath}/${urn}/publish`, { message, ...(message_attributes ? { message_attributes } : {}) })).status).toBe(200);
    const sms = (await outbox(mock)).some((m) => m.message === message);
    return [...['a', 'b', 'c'].filter((who) => http.messages(`/${who}`).includes(message)), ...(sms ? ['d'] : [])];
  };
  return { mock, urn, a, b, c, d, publish };
}

describe('the filter policy operations', () => {
  it('BatchCreateSubscriptionsFilterPolices answers one result per subscription in order; the subscriptions list them in filter_polices; an unknown one is its item\'s SMN.0013, the others set all the same', async () => {
    const mock = await emulator();
    const urn = await createTopic(mock, 'alarms');
    const one = await subscribe(mock, urn, 'sms', '+8613800000001');
    const two = await subscribe(mock, urn, 'sms', '+8613800000002');
    const unknown = `${urn}:${'0'.repeat(32)}`;
    const answer = await call(mock, 'POST', policesPath, {
      polices: [
        { subscription_urn: unknown, filter_polices: [{ name: 'alarm', string_equals: ['os'] }] },
        { subscription_urn: two, filter_polices: [{ name: 'alarm', string_equals: ['os', 'process'] }, { name: 'severity', string_equals: ['major'] }] },
      ],
    });
    expect(answer).toMatchObject({
      status: 200,
      body: {
        batch_result: [
          { subscription_urn: unknown, code: 'SMN.0013', message: 'Subscription resource not found.' },
          { subscription_urn: two, code: '200', message: 'success' },
        ],
      },
    });
    const listed = (await call(mock, 'GET', `${subscriptionsPath}?limit=100`)).body.subscriptions as { subscription_urn: string; filter_polices?: unknown }[];
    expect(listed.find((s) => s.subscription_urn === two)!.filter_polices).toEqual([
      { name: 'alarm', string_equals: ['os', 'process'] },
      { name: 'severity', string_equals: ['major'] },
    ]);
    expect(listed.find((s) => s.subscription_urn === one)!.filter_polices).toBeUndefined();
    const byTopic = (await call(mock, 'GET', `${topicsPath}/${urn}/subscriptions`)).body.subscriptions as { subscription_urn: string; filter_polices?: unknown }[];
    expect(byTopic.find((s) => s.subscription_urn === two)!.filter_polices).toHaveLength(2);
  });

  it('BatchUpdate replaces the policies; BatchDelete (DELETE .../subscriptions/filter_polices, never CancelSubscription) removes them, the subscription kept', async () => {
    const mock = await emulator();
    const urn = await createTopic(mock, 'alarms');
    const one = await subscribe(mock, urn, 'sms', '+8613800000001');
    const two = await subscribe(mock, urn, 'email', 'ops@example.com');
    await call(mock, 'POST', policesPath, { polices: [{ subscription_urn: one, filter_polices: [{ name: 'alarm', string_equals: ['os'] }] }] });
    // A subscription without policies gets them from an update too.
    const updated = await call(mock, 'PUT', policesPath, {
      polices: [
        { subscription_urn: one, filter_polices: [{ name: 'color', string_equals: ['blue'] }] },
        { subscription_urn: two, filter_polices: [{ name: 'color', string_equals: ['red'] }] },
      ],
    });
    expect(updated.body.batch_result).toEqual([
      { subscription_urn: one, code: '200', message: 'success' },
      { subscription_urn: two, code: '200', message: 'success' },
    ]);
    const policies = async () => Object.fromEntries(((await call(mock, 'GET', `${topicsPath}/${urn}/subscriptions`)).body.subscriptions as { subscription_urn: string; filter_polices?: unknown }[]).map((s) => [s.subscription_urn, s.filter_polices]));
    expect(await policies()).toEqual({ [one]: [{ name: 'color', string_equals: ['blue'] }], [two]: [{ name: 'color', string_equals: ['red'] }] });

    const unknown = `${urn}:${'f'.repeat(32)}`;
    const removed = await call(mock, 'DELETE', policesPath, { subscription_urns: [one, unknown] });
    expect(removed).toMatchObject({ status: 200, body: { batch_result: [{ subscription_urn: one, code: '200' }, { subscription_urn: unknown, code: 'SMN.0013' }] } });
    expect(await policies()).toEqual({ [one]: undefined, [two]: [{ name: 'color', string_equals: ['red'] }] });
    // Removing from a subscription without policies: nothing to remove, done.
    expect((await call(mock, 'DELETE', policesPath, { subscription_urns: [one] })).body.batch_result).toEqual([{ subscription_urn: one, code: '200', message: 'success' }]);
  });

  it.each([
    ['a policy name twice ("The policy name must be unique")', [{ name: 'week', string_equals: ['a'] }, { name: 'week', string_equals: ['b'] }], 'SMN.0099'],
    ['six policies (at most 5)', ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => ({ name, string_equals: ['x'] })), 'SMN.0099'],
    ['no policy (at least 1)', [], 'SMN.0099'],
    ['a name starting with smn_', [{ name: 'smn_week', string_equals: ['x'] }], 'SMN.0099'],
    ['a name with __', [{ name: 'we__ek', string_equals: ['x'] }], 'SMN.0099'],
    ['eleven values (at most 10)', [{ name: 'week', string_equals: Array.from({ length: 11 }, (_, i) => `v${i}`) }], 'SMN.0099'],
    ['a value twice', [{ name: 'week', string_equals: ['x', 'x'] }], 'SMN.0099'],
    ['a value of 33 characters', [{ name: 'week', string_equals: ['x'.repeat(33)] }], 'SMN.0099'],
  ])('%s: 400 %s, nothing set', async (_what, filter_polices, code) => {
    const mock = await emulator();
    const urn = await createTopic(mock, 'alarms');
    const one = await subscribe(mock, urn, 'sms', '+8613800000001');
    for (const method of ['POST', 'PUT']) {
      expect(await call(mock, method, policesPath, { polices: [{ subscription_urn: one, filter_polices }] })).toMatchObject({ status: 400, body: { code } });
    }
    expect(((await call(mock, 'GET', `${topicsPath}/${urn}/subscriptions`)).body.subscriptions as { filter_polices?: unknown }[])[0]!.filter_polices).toBeUndefined();
  });

  it('takes 1 to 100 subscriptions ("Array Length: 1 - 100"); a malformed subscription URN is 400 SMN.0014', async () => {
    const mock = await emulator();
    const urn = await createTopic(mock, 'alarms');
    const many = Array.from({ length: 101 }, (_, i) => `${urn}:${i.toString(16).padStart(32, '0')}`);
    const item = (subscription_urn: string) => ({ subscription_urn, filter_polices: [{ name: 'a', string_equals: ['b'] }] });
    expect(await call(mock, 'POST', policesPath, { polices: many.map(item) })).toMatchObject({ status: 400, body: { code: 'SMN.0099' } });
    expect(await call(mock, 'POST', policesPath, { polices: [] })).toMatchObject({ status: 400, body: { code: 'SMN.0099' } });
    expect(await call(mock, 'DELETE', policesPath, { subscription_urns: many })).toMatchObject({ status: 400, body: { code: 'SMN.0099' } });
    expect(await call(mock, 'DELETE', policesPath, { subscription_urns: [] })).toMatchObject({ status: 400, body: { code: 'SMN.0099' } });
    expect((await call(mock, 'POST', policesPath, { polices: many.slice(0, 100).map(item) })).body.batch_result).toHaveLength(100);
    expect(await call(mock, 'POST', policesPath, { polices: [item('urn:smn:nope')] })).toMatchObject({ status: 400, body: { code: 'SMN.0014' } });
    expect(await call(mock, 'DELETE', policesPath, { subscription_urns: ['urn:smn:nope'] })).toMatchObject({ status: 400, body: { code: 'SMN.0014' } });
  });

  it('a subscription of another project is not this project\'s: its item is SMN.0013', async () => {
    const mock = await emulator();
    const urn = await createTopic(mock, 'alarms');
    const one = await subscribe(mock, urn, 'sms', '+8613800000001');
    const other = await call(mock, 'POST', `/v2/0123456789abcdef0123456789abcdef/notifications/subscriptions/filter_polices`, { polices: [{ subscription_urn: one, filter_polices: [{ name: 'a', string_equals: ['b'] }] }] });
    expect(other.body.batch_result).toEqual([{ subscription_urn: one, code: 'SMN.0013', message: 'Subscription resource not found.' }]);
  });
});

describe('PublishMessage with message_attributes, as the user guide describes the matching', () => {
  it('a publication without attributes reaches every subscription, with policies or not ("If you have set a filtering policy and message attributes ...")', async () => {
    const { publish } = await guideTopic();
    expect(await publish()).toEqual(['a', 'b', 'c', 'd']);
    expect(await publish([])).toEqual(['a', 'b', 'c', 'd']);
  });

  it('scenario 1: only week=sunday given ("only week is specified, and time is not specified"): A, not B; subscriptions without policies receive every publication', async () => {
    const { publish } = await guideTopic();
    // As the guide writes it: a STRING attribute with its value in a list.
    expect(await publish([{ name: 'week', type: 'STRING', value: ['sunday'] }])).toEqual(['a', 'c', 'd']);
    // As the SDK model writes it: one text.
    expect(await publish([{ name: 'week', type: 'STRING', value: 'sunday' }])).toEqual(['a', 'c', 'd']);
  });

  it('scenario 2: week=sunday and time=night reach neither A nor B, each policy given an attribute must match', async () => {
    const { publish } = await guideTopic();
    expect(await publish([
      { name: 'week', type: 'STRING', value: ['sunday'] },
      { name: 'time', type: 'STRING', value: ['night'] },
    ])).toEqual(['c', 'd']);
  });

  it('week=monday and time=night reach B; week=wednesday reaches both; an attribute no policy names excludes nobody', async () => {
    const { publish } = await guideTopic();
    expect(await publish([
      { name: 'week', type: 'STRING', value: 'monday' },
      { name: 'time', type: 'STRING', value: 'night' },
    ])).toEqual(['b', 'c', 'd']);
    expect(await publish([{ name: 'week', type: 'STRING', value: 'wednesday' }])).toEqual(['a', 'b', 'c', 'd']);
    expect(await publish([{ name: 'color', type: 'STRING', value: 'red' }])).toEqual(['a', 'b', 'c', 'd']);
    expect(await publish([{ name: 'week', type: 'STRING', value: 'friday' }])).toEqual(['c', 'd']);
  });

  it('/_mock/deliveries says why a subscriber got nothing: each one left out is a skipped record naming its filter policy or the PROTOCOL attribute', async () => {
    const { mock, a, b, publish } = await guideTopic();
    await fetch(`${mock.url}/_mock/deliveries`, { method: 'DELETE' });
    expect(await publish([{ name: 'week', type: 'STRING', value: 'monday' }])).toEqual(['b', 'c', 'd']);
    const deliveries = ((await (await fetch(`${mock.url}/_mock/deliveries`)).json()) as { deliveries: Record<string, unknown>[] }).deliveries;
    const ofA = deliveries.filter((d) => d.subscription_urn === a);
    expect(ofA).toEqual([
      expect.objectContaining({
        type: 'Notification',
        outcome: 'skipped',
        skipped: "left out by the publication's message_attributes: its filter policy week (string_equals sunday, wednesday) matches none of the publication's values (monday)",
      }),
    ]);
    expect(deliveries.find((d) => d.subscription_urn === b)).toMatchObject({ outcome: 'delivered', status: 200 });
    // Every record is of the contract's Delivery shape.
    for (const record of deliveries) expect(deliveryProblems(record)).toEqual([]);
  });

  it('a STRING_ARRAY attribute matches when one of its values does', async () => {
    const { publish } = await guideTopic();
    expect(await publish([{ name: 'week', type: 'STRING_ARRAY', value: ['friday', 'sunday'] }])).toEqual(['a', 'c', 'd']);
    expect(await publish([{ name: 'week', type: 'STRING_ARRAY', value: ['monday', 'sunday'] }])).toEqual(['a', 'b', 'c', 'd']);
    expect(await publish([
      { name: 'week', type: 'STRING_ARRAY', value: ['monday', 'sunday'] },
      { name: 'time', type: 'STRING_ARRAY', value: ['morning', 'noon'] },
    ])).toEqual(['a', 'c', 'd']);
  });

  it('a PROTOCOL attribute limits the publication to the subscriptions of the protocols it lists (the kit\'s reading)', async () => {
    const { publish } = await guideTopic();
    expect(await publish([{ name: 'channel', type: 'PROTOCOL', value: ['sms'] }])).toEqual(['d']);
    expect(await publish([{ name: 'channel', type: 'PROTOCOL', value: ['sms', 'http'] }])).toEqual(['a', 'b', 'c', 'd']);
    expect(await publish([
      { name: 'channel', type: 'PROTOCOL', value: ['http'] },
      { name: 'week', type: 'STRING', value: 'sunday' },
    ])).toEqual(['a', 'c']);
  });

  it('after BatchDelete, the subscription receives every publication again; after BatchUpdate, by its new policies', async () => {
    const { mock, a, b, publish } = await guideTopic();
    const friday = [{ name: 'week', type: 'STRING', value: 'friday' }];
    expect(await publish(friday)).toEqual(['c', 'd']);
    await call(mock, 'DELETE', policesPath, { subscription_urns: [a] });
    expect(await publish(friday)).toEqual(['a', 'c', 'd']);
    await call(mock, 'PUT', policesPath, { polices: [{ subscription_urn: b, filter_polices: [{ name: 'week', string_equals: ['friday'] }] }] });
    expect(await publish(friday)).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('the policies go with their subscription, and stay across a restart', () => {
  const policed = async (mock: RunningMock) => {
    const state = (await (await fetch(`${mock.url}/_mock/state`)).json()) as { projects: Record<string, { subscription_filter_polices?: { subscription_urn: string }[] }> };
    return (state.projects[project]?.subscription_filter_polices ?? []).map((p) => p.subscription_urn);
  };

  it('CancelSubscription drops the subscription\'s policies; DeleteTopic drops those of its subscriptions; another topic\'s stay', async () => {
    const { mock, urn, a, b } = await guideTopic();
    const other = await createTopic(mock, 'other');
    const e = await subscribe(mock, other, 'sms', '+8613800000009');
    await call(mock, 'POST', policesPath, { polices: [{ subscription_urn: e, filter_polices: [{ name: 'x', string_equals: ['y'] }] }] });
    expect((await policed(mock)).sort()).toEqual([a, b, e].sort());
    expect((await call(mock, 'DELETE', `${subscriptionsPath}/${a}`)).status).toBe(200);
    expect((await policed(mock)).sort()).toEqual([b, e].sort());
    expect((await call(mock, 'DELETE', `${topicsPath}/${urn}`)).status).toBe(200);
    expect(await policed(mock)).toEqual([e]);
    // A subscription made again on a new topic of that name starts without policies.
    const again = await createTopic(mock, 'week');
    const fresh = await subscribe(mock, again, 'sms', '+8613800000000');
    expect(((await call(mock, 'GET', `${topicsPath}/${again}/subscriptions`)).body.subscriptions as { subscription_urn: string; filter_polices?: unknown }[]).find((s) => s.subscription_urn === fresh)!.filter_polices).toBeUndefined();
  });

  it('--state-file keeps the policies, and the routing by them, across a restart; dropped ones stay dropped', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smn-policies-')), 'state.json');
    const { mock, urn, a, b, c } = await guideTopic({ stateFile: file });
    await call(mock, 'DELETE', `${subscriptionsPath}/${c}`);
    await call(mock, 'PUT', policesPath, { polices: [{ subscription_urn: b, filter_polices: [{ name: 'week', string_equals: ['friday'] }] }] });
    await mock.close();

    const second = await emulator({ stateFile: file });
    expect((await policed(second)).sort()).toEqual([a, b].sort());
    const listed = (await call(second, 'GET', `${topicsPath}/${urn}/subscriptions`)).body.subscriptions as { subscription_urn: string; filter_polices?: unknown }[];
    expect(listed.find((s) => s.subscription_urn === a)!.filter_polices).toEqual(POLICIES_A);
    expect(listed.find((s) => s.subscription_urn === b)!.filter_polices).toEqual([{ name: 'week', string_equals: ['friday'] }]);
    // The receiver of the first run is gone: the deliveries say who was sent the message.
    await fetch(`${second.url}/_mock/deliveries`, { method: 'DELETE' });
    await call(second, 'POST', `${topicsPath}/${urn}/publish`, { message: 'after', message_attributes: [{ name: 'week', type: 'STRING', value: 'friday' }] });
    const deliveries = ((await (await fetch(`${second.url}/_mock/deliveries`)).json()) as { deliveries: { subscription_urn: string; type: string; skipped?: string }[] }).deliveries;
    const notifications = deliveries.filter((d) => d.type === 'Notification');
    expect(notifications.filter((d) => d.skipped === undefined).map((d) => d.subscription_urn)).toEqual([b]);
    // A, left out by its policies, is recorded as not sent.
    expect(notifications.filter((d) => d.skipped !== undefined).map((d) => d.subscription_urn)).toEqual([a]);
  });
});
