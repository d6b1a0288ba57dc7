// The emulator's subscriptions, the rest of issue 20's Build 1, over real sockets as a
// client calls them: UpdateSubscription, DeleteSubscriptionsByTopic, the batch
// cancellations, the API forms of the links (ConfirmSubscription and SubscribeTopic with
// the token of a SubscriptionConfirmation, UnsubscribeSubscription and UnsubscribeTopic),
// subscription users and AddSubscriptionFromSubscriptionUser, and the fidelity items of
// AddSubscription (endpoints checked per protocol, internal addresses, status 2 where no
// confirmation is needed, the quota per topic). Every answer is judged against the
// contract; what a restart keeps is checked with --state-file. Vendor texts are quoted
// where a behaviour comes from them.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { smnResponses } from '../src/contract/smn-responses.js';
import { signRequest } from '../src/auth/aksk.js';
import { STATE_LIMITS } from '../src/mock/emulator/state.js';
import type { MockOptions, RunningMock } from '../src/mock/server.js';
import { startTestMock } from './support/mocks.js';
import type { Subscription } from '../src/generated/smn.js';

const project = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
const headers = { 'X-Auth-Token': 't', 'Content-Type': 'application/json' };
const topicsPath = `/v2/${project}/notifications/topics`;
const topicPath = (urn: string) => `${topicsPath}/${urn}`;
const subscriptionsPath = `/v2/${project}/notifications/subscriptions`;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const emulator = (options: MockOptions = {}): Promise<RunningMock> => startTestMock({ seedSubscriptions: [], ...options });

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** Calls an operation (`send` the headers, credentials or none); the answer must obey the contract for that operation and status. */
async function call(mock: RunningMock, method: string, path: string, body?: unknown, send: Record<string, string> = headers): Promise<Answer> {
  const response = await fetch(`${mock.url}${path}`, { method, headers: send, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await response.text();
  const answer = { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  const operation = smnResponses().find(method, path.split('?')[0]!);
  expect(operation, `${method} ${path} is an operation of the contract`).toBeDefined();
  expect(smnResponses().validate(operation!.operationId, answer.status, answer.body), `${method} ${path} ${answer.status}`).toEqual([]);
  return answer;
}

const admin = async (mock: RunningMock, path: string, body: unknown) => {
  const response = await fetch(`${mock.url}/_mock/${path}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

async function createTopic(mock: RunningMock, name: string): Promise<string> {
  const created = await call(mock, 'POST', topicsPath, { name, display_name: '' });
  expect(created.status, `CreateTopic ${name}: ${JSON.stringify(created.body)}`).toBe(201);
  return String(created.body.topic_urn);
}
async function subscribe(mock: RunningMock, topic: string, body: Record<string, unknown>): Promise<string> {
  const added = await call(mock, 'POST', `${topicPath(topic)}/subscriptions`, body);
  expect(added.status, `AddSubscription ${JSON.stringify(body)}: ${JSON.stringify(added.body)}`).toBe(201);
  return String(added.body.subscription_urn);
}
const byTopic = async (mock: RunningMock, topic: string) => (await call(mock, 'GET', `${topicPath(topic)}/subscriptions`)).body.subscriptions as Subscription[];
const all = async (mock: RunningMock) => (await call(mock, 'GET', `${subscriptionsPath}?limit=100`)).body.subscriptions as Subscription[];
const outbox = async (mock: RunningMock) => ((await (await fetch(`${mock.url}/_mock/outbox`)).json()) as { messages: Record<string, string>[] }).messages;

async function receiver(): Promise<{ url: string; received: Record<string, string>[]; headers: Record<string, string | string[] | undefined>[] }> {
  const received: Record<string, string>[] = [];
  const headers: Record<string, string | string[] | undefined>[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      received.push(JSON.parse(text) as Record<string, string>);
      headers.push(req.headers);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/smn`, received, headers };
}

/** The token of a confirmation link, as a client reads it out of the SubscriptionConfirmation's subscribe_url. */
const tokenOf = (subscribeUrl: string): string => new URL(subscribeUrl).searchParams.get('token')!;

describe('UpdateSubscription, DeleteSubscriptionsByTopic', () => {
  it('UpdateSubscription changes the remark ("Updating a Subscription", Huawei Cloud), kept across a restart', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smn-subs-')), 'state.json');
    const first = await emulator({ stateFile: file });
    const topic = await createTopic(first, 'orders');
    const urn = await subscribe(first, topic, { protocol: 'sms', endpoint: '+8613800000000', remark: 'before' });
    const updated = await call(first, 'PUT', `${topicPath(topic)}/subscriptions/${urn}`, { remark: '值班' });
    expect(updated).toMatchObject({ status: 200, body: { subscription_urn: urn } });
    expect((await byTopic(first, topic))[0]!.remark).toBe('值班');
    await first.close();
    const second = await emulator({ stateFile: file });
    expect((await all(second)).map((s) => s.remark)).toEqual(['值班']);
  });

  it.each([
    // "remark ... at most 128 bytes" (SDK model UpdateSubscriptionRequestBody): 43 Chinese characters are 129 bytes.
    [{ remark: '值'.repeat(43) }, 400, 'SMN.0082'],
    // The vendor's error-code table: SMN.0017 "Parameter: Remark is invalid."
    [{ remark: 42 }, 400, 'SMN.0017'],
    // A missing remark is a bad remark, as a missing display_name is a bad display_name for CreateTopic.
    [{}, 400, 'SMN.0017'],
    ['{"remark": "cut', 400, 'SMN.0099'],
  ])('UpdateSubscription %j: %i %s, the remark unchanged', async (body, status, code) => {
    const mock = await emulator();
    const topic = await createTopic(mock, 'orders');
    const urn = await subscribe(mock, topic, { protocol: 'sms', endpoint: '+8613800000000', remark: 'kept' });
    expect(await call(mock, 'PUT', `${topicPath(topic)}/subscriptions/${urn}`, body)).toMatchObject({ status, body: { code } });
    expect((await byTopic(mock, topic))[0]!.remark).toBe('kept');
  });

  it('UpdateSubscription and DeleteSubscriptionsByTopic: a topic the project does not have is 404 SMN.0006; another topic\'s subscription is 404 SMN.0013', async () => {
    const mock = await emulator();
    const topic = await createTopic(mock, 'orders');
    const other = await createTopic(mock, 'other');
    const urn = await subscribe(mock, other, { protocol: 'sms', endpoint: '+8613800000000' });
    const nowhere = `urn:smn:cn-north-4:${project}:nowhere`;
    expect(await call(mock, 'PUT', `${topicPath(nowhere)}/subscriptions/${urn}`, { remark: 'x' })).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
    expect(await call(mock, 'PUT', `${topicPath(topic)}/subscriptions/${urn}`, { remark: 'x' })).toMatchObject({ status: 404, body: { code: 'SMN.0013' } });
    expect(await call(mock, 'DELETE', `${topicPath(nowhere)}/subscriptions/${urn}`)).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
    expect(await call(mock, 'DELETE', `${topicPath(topic)}/subscriptions/${urn}`)).toMatchObject({ status: 404, body: { code: 'SMN.0013' } });
    expect((await all(mock)).map((s) => s.subscription_urn)).toEqual([urn]);
  });

  it('DeleteSubscriptionsByTopic cancels the subscription as CancelSubscription does: an http endpoint gets its UnsubscribeConfirmation', async () => {
    const mock = await emulator({ autoConfirm: true });
    const topic = await createTopic(mock, 'orders');
    const http = await receiver();
    const urn = await subscribe(mock, topic, { protocol: 'http', endpoint: http.url });
    expect(await call(mock, 'DELETE', `${topicPath(topic)}/subscriptions/${urn}`)).toMatchObject({ status: 200 });
    expect(http.received.map((m) => m.type)).toEqual(['UnsubscribeConfirmation']);
    expect(await all(mock)).toEqual([]);
  });
});

describe('BatchDeleteSubscriptions, BatchDeleteSubscriptionsByTopic', () => {
  // "The deletion result of each subscription endpoint is displayed in the response body" (Huawei Cloud API reference).
  it('BatchDeleteSubscriptions: one result per URN in the order given, 404 SMN.0013 for one the project does not have (or given twice)', async () => {
    const mock = await emulator({ autoConfirm: true });
    const topic = await createTopic(mock, 'orders');
    const http = await receiver();
    const a = await subscribe(mock, topic, { protocol: 'http', endpoint: http.url });
    const b = await subscribe(mock, topic, { protocol: 'sms', endpoint: '+8613800000000' });
    const c = await subscribe(mock, topic, { protocol: 'sms', endpoint: '+8613800000001' });
    const absent = `${topic}:${'0'.repeat(32)}`;
    const answer = await call(mock, 'DELETE', subscriptionsPath, { subscription_urns: [a, absent, b, a].map((subscription_urn) => ({ subscription_urn })) });
    expect(answer.status).toBe(200);
    const results = answer.body.subscriptions_result as Record<string, unknown>[];
    expect(results.map((r) => [r.http_code, r.code ?? null])).toEqual([
      [200, null],
      [404, 'SMN.0013'],
      [200, null],
      [404, 'SMN.0013'],
    ]);
    for (const result of results) expect(result.request_id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(results.map((r) => r.request_id)).size).toBe(4);
    expect((await all(mock)).map((s) => s.subscription_urn)).toEqual([c]);
    expect(http.received.map((m) => m.type)).toEqual(['UnsubscribeConfirmation']);
  });

  it('BatchDeleteSubscriptionsByTopic cancels only that topic\'s subscriptions; a topic the project does not have is 404 SMN.0006', async () => {
    const mock = await emulator();
    const topic = await createTopic(mock, 'orders');
    const other = await createTopic(mock, 'other');
    const mine = await subscribe(mock, topic, { protocol: 'sms', endpoint: '+8613800000000' });
    const theirs = await subscribe(mock, other, { protocol: 'sms', endpoint: '+8613800000000' });
    const body = { subscription_urns: [{ subscription_urn: mine }, { subscription_urn: theirs }] };
    const answer = await call(mock, 'DELETE', `${topicPath(topic)}/subscriptions`, body);
    expect((answer.body.subscriptions_result as { http_code: number }[]).map((r) => r.http_code)).toEqual([200, 404]);
    expect((await all(mock)).map((s) => s.subscription_urn)).toEqual([theirs]);
    expect(await call(mock, 'DELETE', `${topicPath(`urn:smn:cn-north-4:${project}:nowhere`)}/subscriptions`, body)).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
    expect(await call(mock, 'DELETE', `${topicPath(topic)}/subscriptions`, { subscription_urns: [{ subscription_urn: 'urn:smn:x' }] })).toMatchObject({ status: 400, body: { code: 'SMN.0014' } });
  });
});

describe('ConfirmSubscription and SubscribeTopic: the token of a SubscriptionConfirmation', () => {
  it('confirms the subscription the token names, as following subscribe_url does; again changes nothing', async () => {
    const mock = await emulator();
    const topic = await createTopic(mock, 'orders');
    const http = await receiver();
    const urn = await subscribe(mock, topic, { protocol: 'http', endpoint: http.url });
    const confirmation = http.received[0]!;
    expect(confirmation.type).toBe('SubscriptionConfirmation');
    const query = new URLSearchParams({ token: tokenOf(confirmation.subscribe_url!), topic_urn: topic, endpoint: http.url });
    const confirmed = await call(mock, 'GET', `/rest/v2/notifications/subscription/confirm?${query}`);
    expect(confirmed).toMatchObject({ status: 200, body: { subscription_urn: urn } });
    expect((await byTopic(mock, topic))[0]!.status).toBe(1);
    // Confirmed, it receives what is published.
    await call(mock, 'POST', `${topicPath(topic)}/publish`, { message: 'hello' });
    expect(http.received.map((m) => m.type)).toEqual(['SubscriptionConfirmation', 'Notification']);
    expect((await call(mock, 'GET', `/rest/v2/notifications/subscription/confirm?${query}`)).status).toBe(200);
  });

  it('SubscribeTopic takes the token of an sms confirmation (the link in the outbox) alone, topic and endpoint being optional', async () => {
    const mock = await emulator();
    const topic = await createTopic(mock, 'orders');
    const urn = await subscribe(mock, topic, { protocol: 'sms', endpoint: '+8613800000000' });
    const [sent] = await outbox(mock);
    const answer = await call(mock, 'GET', `/v2/notifications/subscriptions/subscribe?token=${tokenOf(sent!.subscribe_url!)}`);
    expect(answer).toMatchObject({ status: 200, body: { subscription_urn: urn } });
    expect((await byTopic(mock, topic))[0]!.status).toBe(1);
  });

  it('needs no credentials (the vendor\'s page lists no request header), even from a mock that checks AK/SK signatures', async () => {
    const mock = await emulator({ auth: { mode: 'aksk', ak: 'AK', sk: 'SK' } });
    const topicUrn = `urn:smn:cn-north-4:${project}:orders`;
    const signed = (method: string, path: string, body: string) => {
      const sent = { 'content-type': 'application/json' };
      return { ...sent, ...signRequest({ method, url: `${mock.url}${path}`, headers: sent, body }, { ak: 'AK', sk: 'SK' }) };
    };
    const create = JSON.stringify({ name: 'orders', display_name: '' });
    expect((await fetch(`${mock.url}${topicsPath}`, { method: 'POST', headers: signed('POST', topicsPath, create), body: create })).status).toBe(201);
    const add = JSON.stringify({ protocol: 'sms', endpoint: '+8613800000000' });
    const added = await fetch(`${mock.url}${topicPath(topicUrn)}/subscriptions`, { method: 'POST', headers: signed('POST', `${topicPath(topicUrn)}/subscriptions`, add), body: add });
    expect(added.status).toBe(201);
    const [sent] = await outbox(mock);
    // Without any credential header: confirmed.
    const answer = await call(mock, 'GET', `/rest/v2/notifications/subscription/confirm?token=${tokenOf(sent!.subscribe_url!)}`, undefined, {});
    expect(answer.status).toBe(200);
    // The operations beside still need them.
    expect((await call(mock, 'GET', subscriptionsPath, undefined, {})).status).toBe(401);
  });

  it.each([
    ['a token the emulator did not make', (token: string) => `token=${'x'.repeat(64)}&_=${token.length}`],
    ['a token with one character changed', (token: string) => `token=${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}`],
    ['another topic', (token: string) => `token=${token}&topic_urn=urn:smn:cn-north-4:${project}:other`],
    ['another endpoint', (token: string) => `token=${token}&endpoint=%2B8613999999999`],
  ])('%s: 403 SMN.0022 ("Parameter: token is invalid."), nothing confirmed', async (_what, query) => {
    const mock = await emulator();
    const topic = await createTopic(mock, 'orders');
    await subscribe(mock, topic, { protocol: 'sms', endpoint: '+8613800000000' });
    const [sent] = await outbox(mock);
    for (const path of ['/rest/v2/notifications/subscription/confirm', '/v2/notifications/subscriptions/subscribe']) {
      expect(await call(mock, 'GET', `${path}?${query(tokenOf(sent!.subscribe_url!))}`)).toMatchObject({ status: 403, body: { code: 'SMN.0022' } });
    }
    expect((await byTopic(mock, topic))[0]!.status).toBe(0);
  });

  it('a token keeps working across a restart (--state-file keeps the signing identity); the token of a cancelled subscription no longer does', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smn-subs-')), 'state.json');
    const first = await emulator({ stateFile: file });
    const topic = await createTopic(first, 'orders');
    const urn = await subscribe(first, topic, { protocol: 'email', endpoint: 'ops@example.com' });
    const gone = await subscribe(first, topic, { protocol: 'email', endpoint: 'gone@example.com' });
    const [kept, cancelled] = (await outbox(first)).map((m) => tokenOf(m.subscribe_url!));
    await call(first, 'DELETE', `${subscriptionsPath}/${gone}`);
    await first.close();
    const second = await emulator({ stateFile: file });
    expect(await call(second, 'GET', `/v2/notifications/subscriptions/subscribe?token=${kept}`)).toMatchObject({ status: 200, body: { subscription_urn: urn } });
    expect(await call(second, 'GET', `/v2/notifications/subscriptions/subscribe?token=${cancelled}`)).toMatchObject({ status: 403, body: { code: 'SMN.0022' } });
  });
});

describe('UnsubscribeSubscription and UnsubscribeTopic: the unsubscribe link\'s API form', () => {
  it.each(['/rest/v2/notifications/subscription/unsubscribe', '/v2/notifications/subscriptions/unsubscribe'])(
    '%s ends the subscription named by its URN, without credentials; the http endpoint gets an UnsubscribeConfirmation; again, 404 SMN.0013',
    async (path) => {
      const mock = await emulator({ autoConfirm: true });
      const topic = await createTopic(mock, 'orders');
      const http = await receiver();
      const urn = await subscribe(mock, topic, { protocol: 'http', endpoint: http.url });
      const answer = await call(mock, 'GET', `${path}?subscription_urn=${urn}`, undefined, {});
      expect(answer.status).toBe(200);
      expect(answer.body.message).toEqual(expect.stringContaining(topic));
      expect(await all(mock)).toEqual([]);
      expect(http.received.map((m) => m.type)).toEqual(['UnsubscribeConfirmation']);
      expect(await call(mock, 'GET', `${path}?subscription_urn=${urn}`, undefined, {})).toMatchObject({ status: 404, body: { code: 'SMN.0013' } });
      expect(await call(mock, 'GET', `${path}?subscription_urn=urn:smn:bad`, undefined, {})).toMatchObject({ status: 400, body: { code: 'SMN.0014' } });
    },
  );

  it('finds the subscription in whichever project has it (the path names none), a seed subscription included', async () => {
    const seed: Subscription = {
      topic_urn: `urn:smn:cn-north-4:${project}:seeded`,
      protocol: 'sms',
      subscription_urn: `urn:smn:cn-north-4:${project}:seeded:${'a'.repeat(32)}`,
      owner: project,
      endpoint: '+8613800000000',
      remark: '',
      status: 1,
    };
    const mock = await emulator({ seedSubscriptions: [seed] });
    const other = 'a'.repeat(32);
    const topic = String((await call(mock, 'POST', `/v2/${other}/notifications/topics`, { name: 'theirs', display_name: '' })).body.topic_urn);
    const theirs = String((await call(mock, 'POST', `/v2/${other}/notifications/topics/${topic}/subscriptions`, { protocol: 'sms', endpoint: '+8613800000000' })).body.subscription_urn);
    expect((await call(mock, 'GET', `/v2/notifications/subscriptions/unsubscribe?subscription_urn=${theirs}`)).status).toBe(200);
    expect((await call(mock, 'GET', `/v2/${other}/notifications/subscriptions`)).body.subscription_count).toBe(1); // the seed's, as that project's own
    expect((await call(mock, 'GET', `/v2/notifications/subscriptions/unsubscribe?subscription_urn=${seed.subscription_urn}`)).status).toBe(200);
    expect((await call(mock, 'GET', subscriptionsPath)).body.subscription_count).toBe(0);
  });
});

describe('subscription users: AddSubscriptionFromSubscriptionUser', () => {
  it('an id the account has no user for is an error in its own result; a user added with POST /_mock/subscription-users is subscribed (201, then 200)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smn-subs-')), 'state.json');
    const first = await emulator({ stateFile: file });
    const topic = await createTopic(first, 'orders');
    const path = `${topicPath(topic)}/subscriptions/from-subscription-users`;
    const unknown = await call(first, 'POST', path, { ids: ['4fd3a4e6d8f54e1f8e0f6a7b8c9d0e1f'] });
    expect(unknown).toMatchObject({ status: 200, body: { subscriptions_result: [{ http_code: 404, error_code: 'SMN.0013' }] } });
    expect(await admin(first, 'subscription-users', { id: 'oncall', name: 'On call', protocol: 'sms', endpoint: '+8613800000000' })).toMatchObject({ status: 201 });
    expect(await admin(first, 'subscription-users', { protocol: 'email', endpoint: 'not an address' })).toMatchObject({ status: 400 });
    await first.close();

    const second = await emulator({ stateFile: file });
    const imported = await call(second, 'POST', path, { ids: ['oncall', 'nobody'] });
    const [made, missing] = imported.body.subscriptions_result as Record<string, unknown>[];
    expect(made).toMatchObject({ http_code: 201, subscription_urn: expect.stringMatching(new RegExp(`^${topic}:[0-9a-f]{32}$`)) });
    expect(missing).toMatchObject({ http_code: 404, error_code: 'SMN.0013' });
    // Subscribed as AddSubscription subscribes: unconfirmed, a confirmation with its link sent.
    expect((await byTopic(second, topic)).map((s) => [s.protocol, s.endpoint, s.status])).toEqual([['sms', '+8613800000000', 0]]);
    expect((await outbox(second)).map((m) => m.type)).toEqual(['SubscriptionConfirmation']);
    const again = await call(second, 'POST', path, { ids: ['oncall'] });
    expect(again.body.subscriptions_result).toMatchObject([{ http_code: 200, subscription_urn: made!.subscription_urn }]);
    expect(await call(second, 'POST', `${topicPath(`urn:smn:cn-north-4:${project}:nowhere`)}/subscriptions/from-subscription-users`, { ids: ['oncall'] })).toMatchObject({
      status: 404,
      body: { code: 'SMN.0006' },
    });
  });
});

describe('AddSubscription as the vendor documents it', () => {
  // "For an email subscription, the endpoint is an email address. For an SMS subscription, the endpoint is a phone
  // number." (Open Telekom Cloud api-ref, "Adding a Subscription"); the consoles' examples: +4900000000, +353 876612345,
  // +353-876612345, +353/876612345, username@example.com. The contract promises SMN.0012 for a bad endpoint.
  it.each([
    ['email', 'not-an-address'],
    ['email', 'ops@localhost'],
    ['email', 'two@@example.com'],
    ['sms', 'call me'],
    ['sms', '+86 138 0000 abcd'],
    ['callnotify', 'https://example.com'],
  ])('%s endpoint %j: 400 SMN.0012, nothing added', async (protocol, endpoint) => {
    const mock = await emulator();
    const topic = await createTopic(mock, 'orders');
    expect(await call(mock, 'POST', `${topicPath(topic)}/subscriptions`, { protocol, endpoint })).toMatchObject({ status: 400, body: { code: 'SMN.0012' } });
    // In Open Telekom Cloud's batch too: nothing of the batch is added.
    expect(await call(mock, 'POST', `${topicPath(topic)}/subscriptions`, { protocol: 'sms', endpoint: '+8613800000000', subscriptions: [{ protocol, endpoint }] })).toMatchObject({
      status: 400,
      body: { code: 'SMN.0012' },
    });
    expect(await all(mock)).toEqual([]);
  });

  it.each([
    ['sms', '+4900000000'],
    ['sms', '+353 876612345'],
    ['sms', '+353-876612345'],
    ['sms', '+353/876612345'],
    ['sms', '13800000000'],
    ['email', 'username@example.com'],
    ['email', 'xxx@xxx.com'],
  ])('%s endpoint %j, as the vendor\'s examples write it: added', async (protocol, endpoint) => {
    const mock = await emulator();
    const topic = await createTopic(mock, 'orders');
    expect((await call(mock, 'POST', `${topicPath(topic)}/subscriptions`, { protocol, endpoint })).status).toBe(201);
  });

  // "internal addresses, including but not limited to IPv4 private addresses, IPv6 local addresses and loopback
  // addresses, are not supported" (SDK model AddSubscriptionRequestBody): 403 SMN.0069 "Not authorized to subscribe
  // internal endpoints." The emulator takes loopback (x-kit-choice under x-private-endpoints in the contract).
  it.each(['http://10.0.0.7/smn', 'http://172.20.1.1/smn', 'http://192.168.1.10/smn', 'http://169.254.169.254/latest', 'https://[fe80::1]/smn', 'https://[fd00::7]/smn', 'http://[::ffff:10.0.0.7]/smn', 'http://0.0.0.0/smn'])(
    'an internal endpoint %s: 403 SMN.0069, nothing added',
    async (endpoint) => {
      const mock = await emulator();
      const topic = await createTopic(mock, 'orders');
      const protocol = endpoint.startsWith('https') ? 'https' : 'http';
      expect(await call(mock, 'POST', `${topicPath(topic)}/subscriptions`, { protocol, endpoint })).toMatchObject({ status: 403, body: { code: 'SMN.0069' } });
      expect(await all(mock)).toEqual([]);
    },
  );

  it('loopback endpoints are taken (the kit\'s choice), and an internal host the user allows with --allow-hosts', async () => {
    const mock = await emulator({ deliverTo: ['10.0.0.7'] });
    const topic = await createTopic(mock, 'orders');
    for (const endpoint of ['http://127.0.0.1:9/smn', 'http://localhost:9/smn', 'http://[::1]:9/smn', 'http://10.0.0.7/smn', 'http://example.com/smn']) {
      expect((await call(mock, 'POST', `${topicPath(topic)}/subscriptions`, { protocol: 'http', endpoint })).status, endpoint).toBe(201);
    }
    expect(await call(mock, 'POST', `${topicPath(topic)}/subscriptions`, { protocol: 'http', endpoint: 'http://10.0.0.8/smn' })).toMatchObject({ status: 403, body: { code: 'SMN.0069' } });
  });

  // Status "2: no confirmation needed" (SDK model ListSubscriptionsRequest, Huawei Cloud): a function or a chat robot
  // has nobody to confirm; RECEIVING_STATUSES delivers to 1 and 2.
  it('a subscription that needs no confirmation (a function, a chat robot) is in status 2 and receives what is published', async () => {
    const mock = await emulator();
    const topic = await createTopic(mock, 'orders');
    await subscribe(mock, topic, { protocol: 'functionstage', endpoint: `urn:fss:cn-north-4:${project}:function:default:f:latest` });
    await subscribe(mock, topic, { protocol: 'wechat', endpoint: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' });
    await subscribe(mock, topic, { protocol: 'sms', endpoint: '+8613800000000' });
    expect((await byTopic(mock, topic)).map((s) => [s.protocol, s.status])).toEqual([['functionstage', 2], ['wechat', 2], ['sms', 0]]);
    expect((await outbox(mock)).map((m) => `${m.type} ${m.protocol}`)).toEqual(['SubscriptionConfirmation sms']);
    await call(mock, 'POST', `${topicPath(topic)}/publish`, { message: 'hello' });
    expect((await outbox(mock)).filter((m) => m.type === 'Notification').map((m) => m.protocol)).toEqual(['functionstage', 'wechat']);
    expect((await call(mock, 'GET', `${subscriptionsPath}?status=2`)).body.subscription_count).toBe(2);
  });

  // "By default, 10,000 subscriptions can be added to a topic" (both editions, "Adding a Subscription"); SMN.0007
  // "Add no more than 10,000 subscriptions to a topic" (error-code table).
  it(`the quota is ${STATE_LIMITS.subscriptionsPerTopic.max} subscriptions per topic (403 SMN.0007), not per account; the batch counts whole`, async () => {
    const mock = await emulator();
    const full = await createTopic(mock, 'full');
    const other = await createTopic(mock, 'other');
    const max = STATE_LIMITS.subscriptionsPerTopic.max;
    for (let i = 0; i < max - 1; i++) {
      mock.state!.addSubscription(project, { topic_urn: full, protocol: 'sms', endpoint: `+86${i}`, subscription_urn: `${full}:${i.toString(16).padStart(32, '0')}`, owner: project, remark: '', status: 1 });
    }
    const path = `${topicPath(full)}/subscriptions`;
    expect(await call(mock, 'POST', path, { protocol: 'sms', endpoint: '+8613800000000', subscriptions: [{ protocol: 'sms', endpoint: '+8613800000001' }] })).toMatchObject({
      status: 403,
      body: { code: 'SMN.0007' },
    });
    expect((await call(mock, 'POST', path, { protocol: 'sms', endpoint: '+8613800000000' })).status).toBe(201);
    expect(await call(mock, 'POST', path, { protocol: 'sms', endpoint: '+8613800000001' })).toMatchObject({ status: 403, body: { code: 'SMN.0007' } });
    // One the topic has already is still answered (200): it adds nothing.
    expect((await call(mock, 'POST', path, { protocol: 'sms', endpoint: '+8613800000000' })).status).toBe(200);
    expect((await call(mock, 'POST', `${topicPath(other)}/subscriptions`, { protocol: 'sms', endpoint: '+8613800000001' })).status).toBe(201);
    // Cancelling one makes room again.
    await call(mock, 'DELETE', `${subscriptionsPath}/${full}:${'0'.repeat(32)}`);
    expect((await call(mock, 'POST', path, { protocol: 'sms', endpoint: '+8613800000001' })).status).toBe(201);
  });

  // Open Telekom Cloud's `subscriptions` ("SMN allows you to create a maximum of 50 subscriptions at a time") with each
  // its own `extension.header` ("confirmed subscription messages carry the user-defined HTTP header").
  it('Open Telekom Cloud\'s batch: each subscription keeps its own custom headers, sent once it is confirmed', async () => {
    const mock = await emulator();
    const topic = await createTopic(mock, 'orders');
    const [one, two] = [await receiver(), await receiver()];
    const first = await subscribe(mock, topic, {
      protocol: 'http',
      endpoint: one.url,
      extension: { header: { 'x-hook-token': 'one' } },
      subscriptions: [{ protocol: 'http', endpoint: two.url, extension: { header: { 'x-hook-token': 'two', 'x-team': 'b' } } }],
    });
    const listed = await byTopic(mock, topic);
    expect(listed.map((s) => s.endpoint)).toEqual([one.url, two.url]);
    expect(listed[0]!.subscription_urn).toBe(first);
    // Neither the listing nor the confirmations carry the headers.
    expect(JSON.stringify(listed)).not.toContain('x-hook-token');
    expect([...one.headers, ...two.headers].map((h) => h['x-hook-token'])).toEqual([undefined, undefined]);
    for (const receiving of [one, two]) await call(mock, 'GET', `/v2/notifications/subscriptions/subscribe?token=${tokenOf(receiving.received[0]!.subscribe_url!)}`, undefined, {});
    await call(mock, 'POST', `${topicPath(topic)}/publish`, { message: 'hello' });
    expect([one.headers[1]!['x-hook-token'], two.headers[1]!['x-hook-token'], two.headers[1]!['x-team']]).toEqual(['one', 'two', 'b']);
  });

  it('ListSubscriptionsByTopic lists only that topic\'s subscriptions; DeleteTopic takes them out of ListSubscriptions too', async () => {
    const mock = await emulator();
    const topic = await createTopic(mock, 'orders');
    const other = await createTopic(mock, 'other');
    await subscribe(mock, topic, { protocol: 'sms', endpoint: '+8613800000000' });
    const kept = await subscribe(mock, other, { protocol: 'sms', endpoint: '+8613800000000' });
    expect((await byTopic(mock, other)).map((s) => s.subscription_urn)).toEqual([kept]);
    await call(mock, 'DELETE', topicPath(topic));
    expect((await all(mock)).map((s) => s.subscription_urn)).toEqual([kept]);
    // A new topic of the same name starts without them.
    const again = await createTopic(mock, 'orders');
    expect(await byTopic(mock, again)).toEqual([]);
  });
});
