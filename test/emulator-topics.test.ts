// The emulator's topics, subscriptions and publishing (issue 15), over real sockets:
// CreateTopic, ListTopics, DeleteTopic, AddSubscription, ListSubscriptionsByTopic,
// CancelSubscription and PublishMessage as the vendor's pages describe them, the
// confirmation flow for every protocol, the outbox of what phones and mailboxes
// received, message_structure and templates, persistence across a restart, the limits,
// and the stateless mock's answers. Every answer is also judged against the contract.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { smnResponses } from '../src/contract/smn-responses.js';
import type { MockOptions, RunningMock } from '../src/mock/server.js';
import { startTestMock } from './support/mocks.js';
import { STATE_LIMITS } from '../src/mock/emulator/state.js';
import { verifySmnNotification } from '../src/notification/index.js';

const project = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
const headers = { 'X-Auth-Token': 't', 'Content-Type': 'application/json' };
const topicsPath = `/v2/${project}/notifications/topics`;
const topicPath = (urn: string) => `${topicsPath}/${urn}`;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const emulator = (options: MockOptions = {}): Promise<RunningMock> => startTestMock({ ...options });

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** Calls an operation; the answer must obey the contract for that operation and status. */
async function call(mock: RunningMock, method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${mock.url}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await response.text();
  const answer = { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  const operation = smnResponses().find(method, path.split('?')[0]!);
  if (operation) expect(smnResponses().validate(operation.operationId, answer.status, answer.body), `${method} ${path} ${answer.status}`).toEqual([]);
  return answer;
}

const createTopic = async (mock: RunningMock, name: string, display_name = '') => String((await call(mock, 'POST', topicsPath, { name, display_name })).body.topic_urn);

interface Delivery {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, string>;
}

async function receiver(): Promise<{ url: string; received: Delivery[] }> {
  const received: Delivery[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(text) as Record<string, string> });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

const outbox = async (mock: RunningMock) => ((await (await fetch(`${mock.url}/_mock/outbox`)).json()) as { messages: Record<string, string>[] }).messages;

describe('topics', () => {
  it('CreateTopic makes a topic (201), and is idempotent: the same name again is 200 with the same URN', async () => {
    const mock = await emulator();
    const created = await call(mock, 'POST', topicsPath, { name: 'orders', display_name: 'Orders' });
    expect(created).toMatchObject({ status: 201, body: { topic_urn: `urn:smn:cn-north-4:${project}:orders` } });
    const again = await call(mock, 'POST', topicsPath, { name: 'orders', display_name: 'Something else' });
    expect(again).toMatchObject({ status: 200, body: { topic_urn: created.body.topic_urn } });
    const { body } = await call(mock, 'GET', topicsPath);
    expect(body).toMatchObject({ topic_count: 1, topics: [{ name: 'orders', display_name: 'Orders', push_policy: 0, enterprise_project_id: '0' }] });
  });

  it.each([
    [{ name: '_orders', display_name: '' }, 'SMN.0002'],
    [{ name: 'o'.repeat(256), display_name: '' }, 'SMN.0002'],
    [{ display_name: 'no name' }, 'SMN.0002'],
    [{ name: 'orders' }, 'SMN.0003'],
    [{ name: 'orders', display_name: 'd'.repeat(193) }, 'SMN.0003'],
    ['{"name": "orders"', 'SMN.0099'],
  ])('CreateTopic %j: 400 %s, nothing made', async (body, code) => {
    const mock = await emulator();
    expect(await call(mock, 'POST', topicsPath, body)).toMatchObject({ status: 400, body: { code } });
    expect((await call(mock, 'GET', topicsPath)).body.topic_count).toBe(0);
  });

  // topic_count: "No matter what you have set for offset and limit in the request, this API always returns the total
  // number of topics in your account" (Open Telekom Cloud api-ref, "Querying Topics"; SDK model ListTopicsResponse):
  // the filters do not change it either.
  it('ListTopics lists newest first, pages, filters as Huawei Cloud documents, and counts the account\'s topics', async () => {
    const mock = await emulator();
    for (const [name, display] of [['alpha', 'Alpha team'], ['beta', 'Beta'], ['gamma', 'alpha again']]) await createTopic(mock, name!, display);
    const names = async (query: string) => {
      const { body } = await call(mock, 'GET', `${topicsPath}?${query}`);
      return { count: body.topic_count, names: (body.topics as { name: string }[]).map((t) => t.name) };
    };
    expect(await names('offset=0&limit=100')).toEqual({ count: 3, names: ['gamma', 'beta', 'alpha'] });
    expect(await names('offset=1&limit=1')).toEqual({ count: 3, names: ['beta'] });
    expect(await names('offset=3&limit=1')).toEqual({ count: 3, names: [] });
    expect(await names('name=beta')).toEqual({ count: 3, names: ['beta'] });
    expect(await names('fuzzy_name=AMM')).toEqual({ count: 3, names: ['gamma'] });
    expect(await names('fuzzy_display_name=alpha')).toEqual({ count: 3, names: ['gamma', 'alpha'] });
    const { body } = await call(mock, 'GET', topicsPath);
    const id = (body.topics as { topic_id: string }[])[1]!.topic_id;
    expect(await names(`topic_id=${id}`)).toEqual({ count: 3, names: ['beta'] });
    expect(await call(mock, 'GET', `${topicsPath}?limit=101`)).toMatchObject({ status: 400, body: { code: 'SMN.0015' } });
    expect(await call(mock, 'GET', `${topicsPath}?fuzzy_display_name=${'x'.repeat(193)}`)).toMatchObject({ status: 400, body: { code: 'SMN.0003' } });
  });

  it('DeleteTopic deletes the topic and its subscriptions; a topic that is not there is 404 SMN.0006', async () => {
    const mock = await emulator();
    const urn = await createTopic(mock, 'doomed');
    const kept = await createTopic(mock, 'kept');
    await call(mock, 'POST', `${topicPath(urn)}/subscriptions`, { protocol: 'sms', endpoint: '+8613800000001' });
    await call(mock, 'POST', `${topicPath(kept)}/subscriptions`, { protocol: 'sms', endpoint: '+8613800000002' });
    expect(await call(mock, 'DELETE', topicPath(urn))).toMatchObject({ status: 200 });
    const listed = (await call(mock, 'GET', `/v2/${project}/notifications/subscriptions?protocol=sms&limit=100`)).body.subscriptions as { topic_urn: string }[];
    expect(listed.filter((s) => s.topic_urn === urn)).toEqual([]);
    expect(listed.filter((s) => s.topic_urn === kept)).toHaveLength(1);
    expect(await call(mock, 'GET', `${topicPath(urn)}/subscriptions`)).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
    expect(await call(mock, 'DELETE', topicPath(urn))).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
    expect(await call(mock, 'DELETE', topicPath('urn:smn:not-a-urn'))).toMatchObject({ status: 400, body: { code: 'SMN.0005' } });
  });

  it('reads a URN percent-encoded in the path as the same URN', async () => {
    const mock = await emulator();
    const urn = await createTopic(mock, 'encoded');
    expect(await call(mock, 'GET', `${topicPath(encodeURIComponent(urn))}/subscriptions`)).toMatchObject({ status: 200, body: { subscription_count: 0 } });
  });
});

describe('ListTopicDetails and UpdateTopic', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('ListTopicDetails shows the topic as ListTopics lists it; UpdateTopic changes its display name and update_time, kept across a restart', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smn-topics-')), 'state.json');
    const first = await emulator({ stateFile: file });
    const urn = await createTopic(first, 'orders', 'Orders');
    const listed = ((await call(first, 'GET', topicsPath)).body.topics as Record<string, unknown>[])[0]!;
    const details = await call(first, 'GET', topicPath(urn));
    expect(details.status).toBe(200);
    expect(details.body).toEqual({ ...listed, request_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    // SmnTime has seconds: a second later, the update shows in update_time ("Updating a Topic").
    await sleep(1100);
    expect(await call(first, 'PUT', topicPath(urn), { display_name: '订单通知' })).toMatchObject({ status: 200 });
    const updated = (await call(first, 'GET', topicPath(urn))).body;
    expect(updated).toMatchObject({ display_name: '订单通知', create_time: listed.create_time, topic_id: listed.topic_id });
    expect(String(updated.update_time) > String(listed.update_time)).toBe(true);
    await first.close();

    const second = await emulator({ stateFile: file });
    expect((await call(second, 'GET', topicPath(urn))).body).toMatchObject({ display_name: '订单通知', update_time: updated.update_time });
    // The display name is the sender's name of the e-mails the topic's subscribers receive.
    const email = await call(second, 'POST', `${topicPath(urn)}/subscriptions`, { protocol: 'email', endpoint: 'ops@example.com' });
    await fetch(`${second.url}/_mock/subscriptions/confirm`, { method: 'POST', body: JSON.stringify({ subscription_urn: email.body.subscription_urn }) });
    await call(second, 'POST', `${topicPath(urn)}/publish`, { subject: 's', message: 'm' });
    expect((await outbox(second)).filter((m) => m.type === 'Notification').map((m) => m.sender)).toEqual(['订单通知']);
  });

  it.each([
    // "192 bytes or 64 Chinese characters" (SDK model UpdateTopicRequestBody): 65 are 195 bytes.
    [{ display_name: '订'.repeat(65) }, 'SMN.0003'],
    [{ display_name: 7 }, 'SMN.0003'],
    ['{"display_name": ', 'SMN.0099'],
  ])('UpdateTopic %j: 400 %s, nothing changed', async (body, code) => {
    const mock = await emulator();
    const urn = await createTopic(mock, 'orders', 'Orders');
    expect(await call(mock, 'PUT', topicPath(urn), body)).toMatchObject({ status: 400, body: { code } });
    expect((await call(mock, 'GET', topicPath(urn))).body.display_name).toBe('Orders');
  });

  it('a topic the project does not have is 404 SMN.0006; a topic name of 256 characters in the URN is valid, of 257 400 SMN.0005', async () => {
    const mock = await emulator();
    const urnOf = (name: string) => `urn:smn:cn-north-4:${project}:${name}`;
    for (const method of ['GET', 'PUT'] as const) {
      const body = method === 'PUT' ? { display_name: 'x' } : undefined;
      expect(await call(mock, method, topicPath(urnOf('nowhere')), body)).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
      // TopicUrn: "the topic name starts with a letter or digit and has up to 256 letters, digits, - and _".
      expect(await call(mock, method, topicPath(urnOf(`t${'x'.repeat(255)}`)), body)).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
      expect(await call(mock, method, topicPath(urnOf(`t${'x'.repeat(256)}`)), body)).toMatchObject({ status: 400, body: { code: 'SMN.0005' } });
    }
  });

  it('a topic the emulator knows without having seen it made (the seed\'s) has details from its URN, and is the project\'s own once updated', async () => {
    const seeded = `urn:smn:cn-north-4:${project}:seeded`;
    const mock = await emulator({ seedSubscriptions: [{ topic_urn: seeded, protocol: 'sms', subscription_urn: `${seeded}:${'b'.repeat(32)}`, owner: project, endpoint: '+8613800000000', remark: '', status: 1 }] });
    const details = await call(mock, 'GET', topicPath(seeded));
    expect(details.body).toMatchObject({ topic_urn: seeded, name: 'seeded', display_name: '', push_policy: 0, topic_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect((await call(mock, 'GET', topicPath(seeded))).body.topic_id).toBe(details.body.topic_id);
    expect((await call(mock, 'GET', topicsPath)).body.topic_count).toBe(0);
    expect((await call(mock, 'PUT', topicPath(seeded), { display_name: 'Seeded' })).status).toBe(200);
    expect((await call(mock, 'GET', topicsPath)).body).toMatchObject({ topic_count: 1, topics: [{ topic_urn: seeded, display_name: 'Seeded', topic_id: details.body.topic_id }] });
  });

  // "The topics are sorted by the creation time in descending order." (Open Telekom Cloud api-ref, "Querying Topics")
  it('ListTopics lists newest first by create_time', async () => {
    const mock = await emulator();
    await createTopic(mock, 'older');
    await sleep(1100);
    await createTopic(mock, 'newer');
    const topics = (await call(mock, 'GET', topicsPath)).body.topics as { name: string; create_time: string }[];
    expect(topics.map((t) => t.name)).toEqual(['newer', 'older']);
    expect(topics[0]!.create_time > topics[1]!.create_time).toBe(true);
  });
});

describe('subscriptions made through the API', () => {
  it('follow the confirmation flow: http gets a signed SubscriptionConfirmation, sms and email a message with a link in the outbox', async () => {
    const mock = await emulator();
    const urn = await createTopic(mock, 'orders');
    const http = await receiver();
    const added = await call(mock, 'POST', `${topicPath(urn)}/subscriptions`, { protocol: 'http', endpoint: `${http.url}/smn`, remark: 'hook' });
    expect(added.status).toBe(201);
    expect(String(added.body.subscription_urn)).toMatch(new RegExp(`^${urn}:[0-9a-f]{32}$`));
    expect(http.received.map((d) => d.body.type)).toEqual(['SubscriptionConfirmation']);
    expect(await call(mock, 'POST', `${topicPath(urn)}/subscriptions`, { protocol: 'http', endpoint: `${http.url}/smn` })).toMatchObject({ status: 200, body: { subscription_urn: added.body.subscription_urn } });
    expect(http.received).toHaveLength(1);

    const sms = await call(mock, 'POST', `${topicPath(urn)}/subscriptions`, { protocol: 'sms', endpoint: '+8613800000000' });
    const email = await call(mock, 'POST', `${topicPath(urn)}/subscriptions`, { protocol: 'email', endpoint: 'ops@example.com' });
    const sent = await outbox(mock);
    expect(sent.map((m) => `${m.type} ${m.protocol} ${m.endpoint}`)).toEqual(['SubscriptionConfirmation sms +8613800000000', 'SubscriptionConfirmation email ops@example.com']);
    expect(sent[0]!.message).toContain(sent[0]!.subscribe_url);

    // Unconfirmed, every one of them, until its link is followed.
    const byTopic = async () => (await call(mock, 'GET', `${topicPath(urn)}/subscriptions`)).body.subscriptions as { subscription_urn: string; status: number; protocol: string }[];
    expect((await byTopic()).map((s) => [s.protocol, s.status])).toEqual([['http', 0], ['sms', 0], ['email', 0]]);
    await fetch(http.received[0]!.body.subscribe_url!);
    await fetch(sent[0]!.subscribe_url!);
    expect((await byTopic()).map((s) => [s.protocol, s.status])).toEqual([['http', 1], ['sms', 1], ['email', 0]]);
    expect((await fetch(`${mock.url}/_mock/subscriptions/confirm`, { method: 'POST', body: JSON.stringify({ subscription_urn: email.body.subscription_urn }) })).status).toBe(200);
    expect((await byTopic()).every((s) => s.status === 1)).toBe(true);
    // ListSubscriptions lists them too.
    const all = (await call(mock, 'GET', `/v2/${project}/notifications/subscriptions?limit=100`)).body.subscriptions as { subscription_urn: string }[];
    expect(all.map((s) => s.subscription_urn)).toEqual(expect.arrayContaining([added.body.subscription_urn, sms.body.subscription_urn, email.body.subscription_urn]));
  });

  it.each([
    [{ protocol: 'http', endpoint: 'https://127.0.0.1/x' }, 'SMN.0012'],
    [{ protocol: 'https', endpoint: 'http://127.0.0.1/x' }, 'SMN.0012'],
    [{ protocol: 'http', endpoint: 'http://[' }, 'SMN.0012'],
    [{ protocol: 'pigeon', endpoint: 'loft 3' }, 'SMN.0011'],
    [{ endpoint: '+8613800000000' }, 'SMN.0011'],
    [{ protocol: 'sms' }, 'SMN.0012'],
    [{ protocol: 'sms', endpoint: '+8613800000000', remark: 'r'.repeat(129) }, 'SMN.0082'],
  ])('AddSubscription %j: 400 %s, nothing added', async (body, code) => {
    const mock = await emulator();
    const urn = await createTopic(mock, 'orders');
    expect(await call(mock, 'POST', `${topicPath(urn)}/subscriptions`, body)).toMatchObject({ status: 400, body: { code } });
    expect((await call(mock, 'GET', `${topicPath(urn)}/subscriptions`)).body.subscription_count).toBe(0);
  });

  it('AddSubscription to a topic that is not there is 404 SMN.0006; Open Telekom Cloud\'s batch adds every one', async () => {
    const mock = await emulator();
    expect(await call(mock, 'POST', `${topicPath(`urn:smn:cn-north-4:${project}:nowhere`)}/subscriptions`, { protocol: 'sms', endpoint: '1' })).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
    const urn = await createTopic(mock, 'batch');
    const batch = await call(mock, 'POST', `${topicPath(urn)}/subscriptions`, { protocol: 'sms', endpoint: '+861', subscriptions: [{ protocol: 'sms', endpoint: '+862' }, { protocol: 'email', endpoint: 'a@example.com' }] });
    expect(batch.status).toBe(201);
    const listed = (await call(mock, 'GET', `${topicPath(urn)}/subscriptions`)).body.subscriptions as { endpoint: string; subscription_urn: string }[];
    expect(listed.map((s) => s.endpoint)).toEqual(['+861', '+862', 'a@example.com']);
    expect(listed[0]!.subscription_urn).toBe(batch.body.subscription_urn);
  });

  it('ListSubscriptionsByTopic lists the topic\'s subscriptions oldest first, paged, counting the total', async () => {
    const mock = await emulator();
    const urn = await createTopic(mock, 'paged');
    const other = await createTopic(mock, 'other');
    for (let i = 0; i < 5; i++) await call(mock, 'POST', `${topicPath(urn)}/subscriptions`, { protocol: 'sms', endpoint: `+86100${i}` });
    await call(mock, 'POST', `${topicPath(other)}/subscriptions`, { protocol: 'sms', endpoint: '+86999' });
    const page = (await call(mock, 'GET', `${topicPath(urn)}/subscriptions?offset=1&limit=2`)).body;
    expect(page.subscription_count).toBe(5);
    expect((page.subscriptions as { endpoint: string }[]).map((s) => s.endpoint)).toEqual(['+861001', '+861002']);
  });

  it('CancelSubscription removes it (an http endpoint gets a signed UnsubscribeConfirmation); again, 404 SMN.0013', async () => {
    const mock = await emulator({ autoConfirm: true });
    const urn = await createTopic(mock, 'orders');
    const http = await receiver();
    const added = await call(mock, 'POST', `${topicPath(urn)}/subscriptions`, { protocol: 'http', endpoint: `${http.url}/smn` });
    const path = `/v2/${project}/notifications/subscriptions/${String(added.body.subscription_urn)}`;
    expect(await call(mock, 'DELETE', path)).toMatchObject({ status: 200 });
    expect(http.received.map((d) => d.body.type)).toEqual(['UnsubscribeConfirmation']);
    expect(await call(mock, 'DELETE', path)).toMatchObject({ status: 404, body: { code: 'SMN.0013' } });
    expect(await call(mock, 'DELETE', `/v2/${project}/notifications/subscriptions/urn:smn:not-a-urn`)).toMatchObject({ status: 400, body: { code: 'SMN.0014' } });
  });
});

describe('publishing', () => {
  async function topicWithSubscribers(options: MockOptions = {}) {
    const mock = await emulator({ autoConfirm: true, ...options });
    const urn = await createTopic(mock, 'orders', 'Order desk');
    const http = await receiver();
    for (const [protocol, endpoint] of [['http', `${http.url}/smn`], ['sms', '+8613800000000'], ['email', 'ops@example.com']]) {
      await call(mock, 'POST', `${topicPath(urn)}/subscriptions`, { protocol, endpoint });
    }
    return { mock, urn, http };
  }

  it('delivers a message to every confirmed subscriber: a signed Notification to http, the outbox for sms and email', async () => {
    const { mock, urn, http } = await topicWithSubscribers();
    const published = await call(mock, 'POST', `${topicPath(urn)}/publish`, { subject: 'Shipped', message: 'Order 42 has shipped', time_to_live: '3600' });
    expect(published.status).toBe(200);
    expect(http.received).toHaveLength(1);
    expect(http.received[0]!.body).toMatchObject({ type: 'Notification', topic_urn: urn, message: 'Order 42 has shipped', subject: 'Shipped', message_id: published.body.message_id });
    const sent = await outbox(mock);
    expect(sent.map((m) => ({ protocol: m.protocol, message: m.message, subject: m.subject, sender: m.sender, message_id: m.message_id }))).toEqual([
      { protocol: 'sms', message: 'Order 42 has shipped', subject: undefined, sender: undefined, message_id: published.body.message_id },
      { protocol: 'email', message: 'Order 42 has shipped', subject: 'Shipped', sender: 'Order desk', message_id: published.body.message_id },
    ]);
  });

  it('signs one publication once: every subscriber\'s Notification verifies, with its own subscription header and unsubscribe link', async () => {
    const mock = await emulator({ autoConfirm: true });
    const urn = await createTopic(mock, 'fan_out');
    const http = await receiver();
    const added: string[] = [];
    for (let i = 0; i < 3; i++) added.push(String((await call(mock, 'POST', `${topicPath(urn)}/subscriptions`, { protocol: 'http', endpoint: `${http.url}/smn/${i}` })).body.subscription_urn));
    await call(mock, 'POST', `${topicPath(urn)}/publish`, { subject: 'All', message: 'to everyone' });
    expect(http.received).toHaveLength(3);
    const certificatePem = mock.certificatePem()!;
    for (const delivery of http.received) {
      const verdict = verifySmnNotification(delivery.body, { certificatePem, headers: delivery.headers });
      expect(verdict.valid, JSON.stringify(verdict.valid ? {} : verdict.problems)).toBe(true);
      const own = added[Number(delivery.path.split('/').at(-1))]!;
      expect(delivery.headers['x-smn-subscription-urn']).toBe(own);
      expect(new URL(delivery.body.unsubscribe_url!).searchParams.get('subscription_urn')).toBe(own);
    }
    expect(new Set(http.received.map((d) => d.body.message_id)).size).toBe(1);
    // Each link ends its own subscription only.
    const first = http.received.find((d) => d.path.endsWith('/0'))!;
    expect((await fetch(first.body.unsubscribe_url!)).status).toBe(200);
    const left = ((await call(mock, 'GET', `${topicPath(urn)}/subscriptions`)).body.subscriptions as { subscription_urn: string }[]).map((s) => s.subscription_urn);
    expect(left).toEqual(added.slice(1));
  });

  it('honours message_structure per protocol, default for the rest', async () => {
    const { mock, urn, http } = await topicWithSubscribers();
    const structure = JSON.stringify({ default: 'for everyone', sms: 'short', http: '{"order":42}' });
    expect((await call(mock, 'POST', `${topicPath(urn)}/publish`, { message: 'ignored: the structure wins', message_structure: structure })).status).toBe(200);
    expect(http.received[0]!.body.message).toBe('{"order":42}');
    expect((await outbox(mock)).map((m) => `${m.protocol}: ${m.message}`)).toEqual(['sms: short', 'email: for everyone']);
  });

  it.each([
    ['{"sms": "no default"}', /default/],
    ['{"default": 42}', /default/],
    ['not json', /not valid JSON|JSON/i],
    ['["default"]', /object/],
  ])('a message_structure %s is 400 SMN.0021, nothing sent', async (structure, reason) => {
    const { mock, urn, http } = await topicWithSubscribers();
    const response = await fetch(`${mock.url}${topicPath(urn)}/publish`, { method: 'POST', headers, body: JSON.stringify({ message_structure: structure }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'SMN.0021' });
    expect(response.headers.get('sl-violations')).toMatch(reason);
    expect(http.received).toEqual([]);
    expect(await outbox(mock)).toEqual([]);
  });

  it('renders a template (POST /_mock/templates) per protocol with the tags; an unknown one is 404 SMN.0027, no tags 400 SMN.0038', async () => {
    const { mock, urn, http } = await topicWithSubscribers();
    for (const template of [
      { message_template_name: 'shipped', content: 'Order {order_id} shipped to {city}' },
      { message_template_name: 'shipped', protocol: 'sms', content: 'Order {order_id} shipped' },
    ]) {
      expect((await fetch(`${mock.url}/_mock/templates`, { method: 'POST', body: JSON.stringify(template) })).status).toBe(201);
    }
    expect((await call(mock, 'POST', `${topicPath(urn)}/publish`, { message_template_name: 'shipped', tags: { order_id: '42', city: 'Xi\'an' } })).status).toBe(200);
    expect(http.received[0]!.body.message).toBe("Order 42 shipped to Xi'an");
    expect((await outbox(mock)).map((m) => `${m.protocol}: ${m.message}`)).toEqual(['sms: Order 42 shipped', "email: Order 42 shipped to Xi'an"]);
    expect(await call(mock, 'POST', `${topicPath(urn)}/publish`, { message_template_name: 'nope', tags: { a: 'b' } })).toMatchObject({ status: 404, body: { code: 'SMN.0027' } });
    expect(await call(mock, 'POST', `${topicPath(urn)}/publish`, { message_template_name: 'shipped' })).toMatchObject({ status: 400, body: { code: 'SMN.0038' } });
  });

  it.each([
    [{ subject: 'no message at all' }, 403, 'SMN.0009'],
    [{ message: 42 }, 403, 'SMN.0009'],
    [{ message: 'm', subject: 's'.repeat(513) }, 403, 'SMN.0008'],
    [{ message: 'm', time_to_live: '604801' }, 400, 'SMN.0099'],
    [{ message: 'm', time_to_live: 3600 }, 400, 'SMN.0099'],
    [{ message_template_name: 'bad name!', tags: { a: 'b' } }, 400, 'SMN.0032'],
  ])('PublishMessage %j: %i %s, nothing sent', async (body, status, code) => {
    const { mock, urn, http } = await topicWithSubscribers();
    expect(await call(mock, 'POST', `${topicPath(urn)}/publish`, body)).toMatchObject({ status, body: { code } });
    expect(http.received).toEqual([]);
  });

  it('sends nothing to unconfirmed subscribers, and 404 SMN.0006 for a topic that is not there', async () => {
    const mock = await emulator();
    const urn = await createTopic(mock, 'orders');
    const http = await receiver();
    await call(mock, 'POST', `${topicPath(urn)}/subscriptions`, { protocol: 'http', endpoint: `${http.url}/smn` });
    await call(mock, 'POST', `${topicPath(urn)}/subscriptions`, { protocol: 'sms', endpoint: '+8613800000000' });
    await fetch(`${mock.url}/_mock/outbox`, { method: 'DELETE' });
    expect((await call(mock, 'POST', `${topicPath(urn)}/publish`, { message: 'hello' })).status).toBe(200);
    expect(http.received.map((d) => d.body.type)).toEqual(['SubscriptionConfirmation']);
    expect(await outbox(mock)).toEqual([]);
    expect(await call(mock, 'POST', `${topicPath(`urn:smn:cn-north-4:${project}:nowhere`)}/publish`, { message: 'x' })).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
  });

  it('keeps the outbox bounded: the last 1,000 messages', async () => {
    const { mock, urn } = await topicWithSubscribers();
    for (let i = 0; i < 520; i++) await call(mock, 'POST', `${topicPath(urn)}/publish`, { message_structure: JSON.stringify({ default: `m${i}`, http: 'h' }) });
    const sent = await outbox(mock);
    expect(sent).toHaveLength(1000);
    expect(sent.at(-1)!.message).toBe('m519');
  }, 60_000);
});

describe('state', () => {
  it('keeps topics, subscriptions and templates across a restart (--state-file)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smn-topics-')), 'state.json');
    const first = await emulator({ stateFile: file });
    const urn = await createTopic(first, 'kept', 'Kept');
    const added = await call(first, 'POST', `${topicPath(urn)}/subscriptions`, { protocol: 'sms', endpoint: '+8613800000000' });
    await fetch(`${first.url}/_mock/templates`, { method: 'POST', body: JSON.stringify({ message_template_name: 'kept', content: 'Hi {name}' }) });
    await createTopic(first, 'gone');
    await call(first, 'DELETE', topicPath(urn.replace(':kept', ':gone')));
    await first.close();

    const second = await emulator({ stateFile: file, autoConfirm: true });
    const topics = (await call(second, 'GET', topicsPath)).body.topics as { name: string; display_name: string }[];
    expect(topics.map((t) => [t.name, t.display_name])).toEqual([['kept', 'Kept']]);
    expect(((await call(second, 'GET', `${topicPath(urn)}/subscriptions`)).body.subscriptions as { subscription_urn: string }[]).map((s) => s.subscription_urn)).toEqual([added.body.subscription_urn]);
    await fetch(`${second.url}/_mock/subscriptions/confirm`, { method: 'POST', body: JSON.stringify({ subscription_urn: added.body.subscription_urn }) });
    expect((await call(second, 'POST', `${topicPath(urn)}/publish`, { message_template_name: 'kept', tags: { name: 'Ann' } })).status).toBe(200);
    expect((await outbox(second)).map((m) => m.message)).toEqual(['Hi Ann']);
  });

  it('with --strict-topics, UpdateSmsEvent knows the topics CreateTopic made, and no longer one it deleted', async () => {
    const mock = await emulator({ strictTopics: true });
    const urn = await createTopic(mock, 'receipts');
    const bind = () => call(mock, 'PUT', `/v2/${project}/notifications/sms/callback`, { callback: [{ event_type: 'sms_success_event', topic_urn: urn }] });
    expect((await bind()).status).toBe(200);
    await call(mock, 'DELETE', topicPath(urn));
    expect(await bind()).toMatchObject({ status: 400, body: { code: 'SMN.0143' } });
  });

  it(`past ${STATE_LIMITS.topics.max} topics, CreateTopic gets 403 SMN.0004; past ${STATE_LIMITS.templates.max} templates, /_mock/templates gets 403 SMN.0044`, async () => {
    const mock = await emulator();
    for (let i = 0; i < STATE_LIMITS.topics.max; i++) mock.state!.createTopic(`p${i % 7}`, { name: `t${i}`, display_name: '' });
    expect(await call(mock, 'POST', topicsPath, { name: 'one_more', display_name: '' })).toMatchObject({ status: 403, body: { code: 'SMN.0004' } });
    // An existing name still answers: it makes nothing.
    expect((await call(mock, 'POST', `/v2/p0/notifications/topics`, { name: 't0', display_name: '' })).status).toBe(200);
    for (let i = 0; i < STATE_LIMITS.templates.max; i++) mock.state!.addTemplate(project, { message_template_name: `t${i}`, protocol: 'default', content: 'x' });
    const refused = await fetch(`${mock.url}/_mock/templates`, { method: 'POST', body: JSON.stringify({ message_template_name: 'one_more', content: 'x' }) });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'SMN.0044' });
  });
});

describe('the stateless mock', () => {
  it('answers with the contract\'s examples: 201 for what creates, the example list paged', async () => {
    const mock = await emulator({ stateless: true });
    expect(await call(mock, 'POST', topicsPath, { name: 'anything', display_name: '' })).toMatchObject({ status: 201, body: { topic_urn: 'urn:smn:regionId:f96188c7ccaf4ffba0c9aa149ab2bd57:test_topic_v2' } });
    const urn = `urn:smn:cn-north-4:${project}:t`;
    expect((await call(mock, 'POST', `${topicPath(urn)}/subscriptions`, { protocol: 'sms', endpoint: '1' })).status).toBe(201);
    expect((await call(mock, 'GET', `${topicPath(urn)}/subscriptions?offset=1&limit=1`)).body).toMatchObject({ subscription_count: 2, subscriptions: [{ protocol: 'email' }] });
    expect((await call(mock, 'POST', `${topicPath(urn)}/publish`, { message: 'm' })).body).toMatchObject({ message_id: 'bf94b63a5dfb475994d3ac34664e24f2' });
    // topic_count is the account's total whatever the filters (the vendor's ListTopics): the example's, with none listed.
    expect((await call(mock, 'GET', `${topicsPath}?name=no_such_topic`)).body).toMatchObject({ topic_count: 1, topics: [] });
    const preferred = await fetch(`${mock.url}${topicsPath}`, { method: 'POST', headers: { ...headers, Prefer: 'code=200' }, body: JSON.stringify({ name: 'x', display_name: '' }) });
    expect(preferred.status).toBe(200);
  });
});
