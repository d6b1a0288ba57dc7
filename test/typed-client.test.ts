// An application's whole SMN code path against the emulator (issue 15), with a client a
// TypeScript user builds from our generated types: openapi-fetch over generated/smn.ts,
// every request signed with AK/SK as the Huawei Cloud SDKs sign it (the mock runs with
// --auth aksk), URNs put in the path as they are, colons unencoded, as the SDKs send
// them. Create a topic -> subscribe an http endpoint -> the endpoint gets a
// SubscriptionConfirmation whose signature verifies, and confirms -> publish -> the
// endpoint gets a Notification whose signature verifies -> unsubscribe -> delete.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { afterEach, describe, expect, it } from 'vitest';
import type { paths, SmnNotification } from '../generated/smn.js';
import { signRequest } from '../src/auth/aksk.js';
import { startMock, type RunningMock } from '../src/mock/server.js';
import { verifySmnNotification } from '../src/notification/index.js';

const projectId = '0123456789abcdef0123456789abcdef';
const credentials = { ak: 'HPUAEXAMPLEACCESSKEY', sk: 'example-secret-key-never-printed' };

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** Signs each request as the SDKs do: Content-Type (with a body), Host, X-Project-Id and X-Sdk-Date. */
function akskSigning(keys: { ak: string; sk: string }, project: string): Middleware {
  return {
    async onRequest({ request }) {
      const body = request.body ? await request.clone().text() : undefined;
      const headers: Record<string, string> = { 'X-Project-Id': project };
      if (body !== undefined) headers['Content-Type'] = request.headers.get('content-type') ?? 'application/json';
      const signed = signRequest({ method: request.method, url: request.url, headers, body }, keys);
      const out = new Headers(request.headers);
      for (const [name, value] of Object.entries({ ...headers, ...signed })) out.set(name, value);
      return new Request(request, { headers: out });
    },
  };
}

/** A typed SMN client: the URNs go into the path as they are, as the official SDKs put them. */
function smnClient(baseUrl: string, keys: { ak: string; sk: string }): Client<paths> {
  const client = createClient<paths>({
    baseUrl,
    pathSerializer: (pathname, params) => pathname.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name])),
  });
  client.use(akskSigning(keys, projectId));
  return client;
}

interface Delivered {
  body: SmnNotification;
  valid: boolean;
  problems: string[];
}

/** The application's http endpoint: verifies every notification, confirms a subscription by a GET of subscribe_url. */
async function endpoint(certificatePem: () => string): Promise<{ url: string; delivered: Delivered[]; next: (type: string) => Promise<Delivered> }> {
  const delivered: Delivered[] = [];
  const waiting: { type: string; resolve: (d: Delivered) => void }[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', async () => {
      const verdict = verifySmnNotification<SmnNotification>(JSON.parse(text), { certificatePem: certificatePem(), headers: req.headers, toleranceSeconds: 60 });
      const body = JSON.parse(text) as SmnNotification;
      if (verdict.valid && body.type === 'SubscriptionConfirmation') await fetch(body.subscribe_url);
      const one = { body, valid: verdict.valid, problems: verdict.valid ? [] : verdict.problems.map((p) => `${p.rule} ${p.pointer}`) };
      delivered.push(one);
      const at = waiting.findIndex((w) => w.type === body.type);
      if (at !== -1) waiting.splice(at, 1)[0]!.resolve(one);
      res.writeHead(verdict.valid ? 200 : 400).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  const next = (type: string) => {
    const already = delivered.find((d) => d.body.type === type);
    return already ? Promise.resolve(already) : new Promise<Delivered>((resolve) => waiting.push({ type, resolve }));
  };
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/smn/orders`, delivered, next };
}

async function signedEmulator(): Promise<RunningMock> {
  const mock = await startMock({ port: 0, auth: { mode: 'aksk', ...credentials } });
  closers.push(() => mock.close());
  return mock;
}

describe('a typed client built from generated/smn.ts, signing with AK/SK', () => {
  it('creates a topic, subscribes, confirms, publishes, receives a verifiable notification, unsubscribes and deletes', async () => {
    const mock = await signedEmulator();
    const smn = smnClient(mock.url, credentials);
    const receiver = await endpoint(() => mock.certificatePem()!);
    const project = { project_id: projectId };

    const created = await smn.POST('/v2/{project_id}/notifications/topics', { params: { path: project }, body: { name: 'orders', display_name: 'Order desk' } });
    expect(created.response.status).toBe(201);
    const topicUrn = created.data!.topic_urn;
    expect(topicUrn).toBe(`urn:smn:cn-north-4:${projectId}:orders`);

    const subscribed = await smn.POST('/v2/{project_id}/notifications/topics/{topic_urn}/subscriptions', {
      params: { path: { ...project, topic_urn: topicUrn } },
      body: { protocol: 'http', endpoint: receiver.url, remark: 'orders service' },
    });
    expect(subscribed.response.status).toBe(201);
    const subscriptionUrn = subscribed.data!.subscription_urn;
    const confirmation = await receiver.next('SubscriptionConfirmation');
    expect(confirmation).toMatchObject({ valid: true, body: { topic_urn: topicUrn } });

    const listed = await smn.GET('/v2/{project_id}/notifications/topics/{topic_urn}/subscriptions', { params: { path: { ...project, topic_urn: topicUrn }, query: { offset: 0, limit: 100 } } });
    expect(listed.data?.subscriptions).toEqual([expect.objectContaining({ subscription_urn: subscriptionUrn, endpoint: receiver.url, status: 1 })]);

    const published = await smn.POST('/v2/{project_id}/notifications/topics/{topic_urn}/publish', {
      params: { path: { ...project, topic_urn: topicUrn } },
      body: { subject: 'Order 42', message: 'Order 42 has shipped', time_to_live: '3600' },
    });
    expect(published.response.status).toBe(200);
    const notification = await receiver.next('Notification');
    expect(notification).toMatchObject({ valid: true, problems: [], body: { message: 'Order 42 has shipped', subject: 'Order 42', message_id: published.data!.message_id, topic_urn: topicUrn } });

    const cancelled = await smn.DELETE('/v2/{project_id}/notifications/subscriptions/{subscription_urn}', { params: { path: { ...project, subscription_urn: subscriptionUrn } } });
    expect(cancelled.response.status).toBe(200);
    expect(await receiver.next('UnsubscribeConfirmation')).toMatchObject({ valid: true });

    const deleted = await smn.DELETE('/v2/{project_id}/notifications/topics/{topic_urn}', { params: { path: { ...project, topic_urn: topicUrn } } });
    expect(deleted.response.status).toBe(200);
    const topics = await smn.GET('/v2/{project_id}/notifications/topics', { params: { path: project, query: { offset: 0, limit: 100 } } });
    expect(topics.data).toMatchObject({ topic_count: 0, topics: [] });

    expect(receiver.delivered.map((d) => [d.body.type, d.valid])).toEqual([
      ['SubscriptionConfirmation', true],
      ['Notification', true],
      ['UnsubscribeConfirmation', true],
    ]);
    // The URNs went into the paths as the SDKs send them, colons unencoded, and every request was signed.
    const requests = mock.state!.requests();
    expect(requests.filter((r) => r.path.includes('/topics/urn:smn:') || r.path.includes('/subscriptions/urn:smn:'))).toHaveLength(5);
    expect(requests.every((r) => r.status < 400 && r.headers.authorization === '***')).toBe(true);
  });

  it('is refused (401 APIGW.0301) with a wrong secret key, and nothing is made', async () => {
    const mock = await signedEmulator();
    const wrong = smnClient(mock.url, { ...credentials, sk: 'not-the-secret' });
    const refused = await wrong.POST('/v2/{project_id}/notifications/topics', { params: { path: { project_id: projectId } }, body: { name: 'orders', display_name: '' } });
    expect(refused.response.status).toBe(401);
    expect(refused.error).toMatchObject({ error_code: 'APIGW.0301' });
    const right = smnClient(mock.url, credentials);
    expect((await right.GET('/v2/{project_id}/notifications/topics', { params: { path: { project_id: projectId } } })).data?.topic_count).toBe(0);
  });

  it('gets the documented error, typed, for a topic that is not there', async () => {
    const mock = await signedEmulator();
    const smn = smnClient(mock.url, credentials);
    const missing = await smn.POST('/v2/{project_id}/notifications/topics/{topic_urn}/publish', {
      params: { path: { project_id: projectId, topic_urn: `urn:smn:cn-north-4:${projectId}:nowhere` } },
      body: { message: 'hello' },
    });
    expect(missing.response.status).toBe(404);
    expect(missing.error).toMatchObject({ code: 'SMN.0006', message: 'Topic not found.' });
  });
});
