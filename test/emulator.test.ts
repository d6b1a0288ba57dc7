// The stateful emulator over real sockets: what an application that writes and reads
// its SMS callback bindings sees, paging over seeded data, restarts, the inspection
// endpoints, authentication modes and concurrent clients. Every API answer is also
// checked against the contract.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { signRequest } from '../src/auth/aksk.js';
import { smnResponses } from '../src/contract/smn-responses.js';
import { generateSubscriptions, loadSeedSubscriptions } from '../src/mock/emulator/seed.js';
import { startMock, type MockOptions, type RunningMock } from '../src/mock/server.js';
import { EmulatorState } from '../src/mock/emulator/state.js';

const project = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
const other = '0123456789abcdef0123456789abcdef';
const urn = (name: string, p = project) => `urn:smn:cn-north-4:${p}:${name}`;
const token = { 'X-Auth-Token': 'emulator-test-token' };
const responses = smnResponses();

const mocks: RunningMock[] = [];
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((m) => m.close()));
});

async function start(options: MockOptions = {}): Promise<RunningMock> {
  const mock = await startMock({ port: 0, ...options });
  mocks.push(mock);
  return mock;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function api(mock: RunningMock, method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const response = await fetch(`${mock.url}${path}`, {
    method,
    headers: { ...(options.headers ?? token), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body,
  });
  const text = await response.text();
  const answer = { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: response.headers };
  // The contract stays in charge: every answer of the API obeys it.
  const operation = responses.find(method, new URL(path, 'http://x').pathname);
  if (operation) expect(responses.validate(operation.operationId, answer.status, answer.body), `${method} ${path}`).toEqual([]);
  return answer;
}

const callbackPath = (p = project, query = '') => `/v2/${p}/notifications/sms/callback${query}`;
const subscriptionsPath = (query = '', p = project) => `/v2/${p}/notifications/subscriptions${query}`;
const bind = (mock: RunningMock, callback: { event_type: string; topic_urn: string }[], p = project, headers?: Record<string, string>) =>
  api(mock, 'PUT', callbackPath(p), { body: { callback }, headers });

describe('SMS callback bindings', () => {
  it('starts with no bindings, stores what UpdateSmsEvent sets, per project', async () => {
    const mock = await start();
    expect((await api(mock, 'GET', callbackPath())).body.callback).toEqual([]);
    expect((await bind(mock, [{ event_type: 'sms_fail_event', topic_urn: urn('failures') }, { event_type: 'sms_reply_event', topic_urn: urn('replies') }])).status).toBe(200);
    expect((await api(mock, 'GET', callbackPath())).body.callback).toEqual([
      { event_type: 'sms_fail_event', topic_urn: urn('failures') },
      { event_type: 'sms_reply_event', topic_urn: urn('replies') },
    ]);
    expect((await api(mock, 'GET', callbackPath(other))).body.callback).toEqual([]);
  });

  it('replaces a binding, keeps the others, and removes one with an empty topic_urn', async () => {
    const mock = await start();
    await bind(mock, [{ event_type: 'sms_fail_event', topic_urn: urn('a') }, { event_type: 'sms_success_event', topic_urn: urn('b') }]);
    await bind(mock, [{ event_type: 'sms_fail_event', topic_urn: urn('c') }]);
    await bind(mock, [{ event_type: 'sms_success_event', topic_urn: '' }]);
    expect((await api(mock, 'GET', callbackPath())).body.callback).toEqual([{ event_type: 'sms_fail_event', topic_urn: urn('c') }]);
  });

  it('honours the event_type filter', async () => {
    const mock = await start();
    await bind(mock, [{ event_type: 'sms_fail_event', topic_urn: urn('f') }, { event_type: 'sms_success_event', topic_urn: urn('s') }]);
    expect((await api(mock, 'GET', callbackPath(project, '?event_type=sms_success_event'))).body.callback).toEqual([{ event_type: 'sms_success_event', topic_urn: urn('s') }]);
    expect((await api(mock, 'GET', callbackPath(project, '?event_type=sms_reply_event'))).body.callback).toEqual([]);
  });

  it('still validates against the contract first: an invalid write changes nothing', async () => {
    const mock = await start();
    await bind(mock, [{ event_type: 'sms_fail_event', topic_urn: urn('f') }]);
    const refused = await bind(mock, [{ event_type: 'sms_success_event', topic_urn: urn('s') }, { event_type: 'sms_fail_event', topic_urn: 'urn:bad' }]);
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('SMN.0140');
    expect((await api(mock, 'GET', callbackPath())).body.callback).toEqual([{ event_type: 'sms_fail_event', topic_urn: urn('f') }]);
  });

  it.each([
    ['sms_fail_event', 'SMN.0141'],
    ['sms_success_event', 'SMN.0143'],
    ['sms_reply_event', 'SMN.0145'],
  ])('with --strict-topics refuses an unknown topic for %s with %s, and applies nothing', async (eventType, code) => {
    const mock = await start({ strictTopics: true });
    const known = mock.state!.allSubscriptions(project)[2]!.topic_urn;
    const refused = await bind(mock, [{ event_type: 'sms_reply_event', topic_urn: known }, { event_type: eventType, topic_urn: urn('nobody_made_this') }]);
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe(code);
    expect((await api(mock, 'GET', callbackPath())).body.callback).toEqual([]);
    // A topic of the subscriptions, or one added through /_mock/topics, is known.
    expect((await bind(mock, [{ event_type: eventType, topic_urn: known }])).status).toBe(200);
    await fetch(`${mock.url}/_mock/topics`, { method: 'POST', body: JSON.stringify({ topic_urn: urn('added') }) });
    expect((await bind(mock, [{ event_type: eventType, topic_urn: urn('added') }])).status).toBe(200);
  });
});

describe('subscriptions', () => {
  it('lists the seed oldest first, paged by offset and limit, subscription_count the total', async () => {
    const seed = generateSubscriptions(250, 'paging', project);
    const mock = await start({ seedSubscriptions: seed });
    const urns: string[] = [];
    for (let offset = 0; offset < 250; offset += 100) {
      const page = await api(mock, 'GET', subscriptionsPath(`?offset=${offset}&limit=100`));
      expect(page.body.subscription_count).toBe(250);
      urns.push(...(page.body.subscriptions as { subscription_urn: string }[]).map((s) => s.subscription_urn));
    }
    expect(urns).toEqual(seed.map((s) => s.subscription_urn));
    expect((await api(mock, 'GET', subscriptionsPath())).body.subscriptions).toHaveLength(100);
    expect((await api(mock, 'GET', subscriptionsPath('?offset=250'))).body.subscriptions).toEqual([]);
  });

  it('serves the fixture seed by default', async () => {
    const mock = await start();
    const fixture = JSON.parse(readFileSync(new URL('../fixtures/smn/subscriptions.json', import.meta.url), 'utf8')) as { topic_urn: string; subscription_urn: string }[];
    const page = await api(mock, 'GET', subscriptionsPath('?offset=0&limit=100'));
    // The seed is the asking project's own: its id as owner and in the URNs (issue 11).
    const own = (urn: string) => urn.replace(/^(urn:smn:[^:]+:)[0-9a-f]{32}/, `$1${project}`);
    const expected = fixture.map((s) => ({ ...s, owner: project, topic_urn: own(s.topic_urn), subscription_urn: own(s.subscription_urn) }));
    expect(page.body).toMatchObject({ subscription_count: fixture.length, subscriptions: expected });
  });

  it('checks a seed file against the contract, naming the item and the field', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smn-seed-')), 'seed.json');
    const [first] = generateSubscriptions(1, 'x', project);
    writeFileSync(file, JSON.stringify([first, { ...first, status: 9 }]));
    expect(() => loadSeedSubscriptions(file)).toThrow(/seed\.json: \/1\/status: expected one of \[0,1,2,3,4\], received 9/);
  });

  it('generates realistic, valid subscriptions, the same for the same seed', () => {
    const a = generateSubscriptions(40, 'seed-a', project);
    expect(generateSubscriptions(40, 'seed-a', project)).toEqual(a);
    expect(generateSubscriptions(40, 'seed-b', project)).not.toEqual(a);
    for (const subscription of a) {
      expect(responses.validateSchema('Subscription', subscription)).toEqual([]);
      expect(subscription.subscription_urn.startsWith(`${subscription.topic_urn}:`)).toBe(true);
      const endpointShape = { email: /@/, sms: /^\+86\d{11}$/, http: /^http:\/\//, https: /^https:\/\// }[subscription.protocol as 'email'];
      expect(subscription.endpoint).toMatch(endpointShape);
    }
    expect(new Set(a.map((s) => s.protocol)).size).toBeGreaterThan(2);
  });

  it('adds subscriptions through /_mock/subscriptions, as the newest, and refuses invalid ones naming the field', async () => {
    const mock = await start({ seedSubscriptions: [] });
    const created = await fetch(`${mock.url}/_mock/subscriptions`, {
      method: 'POST',
      body: JSON.stringify({ topic_urn: urn('receipts'), protocol: 'https', endpoint: 'https://example.com/hook' }),
    });
    expect(created.status).toBe(201);
    const { confirmation, ...subscription } = (await created.json()) as Record<string, unknown>;
    // Unconfirmed until the endpoint confirms; its SubscriptionConfirmation is not sent, as the host is not loopback.
    expect(subscription).toMatchObject({ topic_urn: urn('receipts'), owner: project, status: 0, remark: '' });
    expect(confirmation).toMatchObject({ type: 'SubscriptionConfirmation', skipped: expect.stringMatching(/loopback only/) });
    expect(String(subscription.subscription_urn)).toMatch(new RegExp(`^${urn('receipts')}:[0-9a-f]{32}$`));
    expect((await api(mock, 'GET', subscriptionsPath())).body).toMatchObject({ subscription_count: 1, subscriptions: [subscription] });

    const refused = await fetch(`${mock.url}/_mock/subscriptions`, { method: 'POST', body: JSON.stringify({ topic_urn: urn('x'), protocol: 'https', endpoint: 'e', status: 9 }) });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'not a valid subscription', problems: [{ pointer: '/status', rule: 'enum' }] });
  });
});

describe('the state file', () => {
  it('keeps everything across a restart', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smn-state-')), 'state.json');
    const first = await start({ stateFile: file });
    await bind(first, [{ event_type: 'sms_reply_event', topic_urn: urn('replies') }]);
    await fetch(`${first.url}/_mock/subscriptions`, { method: 'POST', body: JSON.stringify({ topic_urn: urn('new'), protocol: 'email', endpoint: 'a@example.com' }) });
    await first.close();
    const second = await start({ stateFile: file });
    expect((await api(second, 'GET', callbackPath())).body.callback).toEqual([{ event_type: 'sms_reply_event', topic_urn: urn('replies') }]);
    const subscriptions = (await api(second, 'GET', subscriptionsPath())).body.subscriptions as { endpoint: string }[];
    expect(subscriptions.at(-1)?.endpoint).toBe('a@example.com');
  });

  it('refuses a file it did not write, with a clear error, and leaves it alone', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smn-state-')), 'state.json');
    writeFileSync(file, 'my notes, not JSON');
    await expect(start({ stateFile: file })).rejects.toThrow(/the state file .*state\.json is not one smn-kit wrote \(it is not valid JSON/);
    expect(readFileSync(file, 'utf8')).toBe('my notes, not JSON');
  });
});

describe('inspection endpoints', () => {
  it('shows the state, lists requests with credentials redacted, and resets', async () => {
    const mock = await start({ seedSubscriptions: [] });
    await bind(mock, [{ event_type: 'sms_fail_event', topic_urn: urn('f') }]);
    await api(mock, 'GET', subscriptionsPath('?limit=0'));
    const state = (await (await fetch(`${mock.url}/_mock/state`)).json()) as { projects: Record<string, { bindings: unknown[] }> };
    expect(state.projects[project]?.bindings).toEqual([{ event_type: 'sms_fail_event', topic_urn: urn('f') }]);

    const { requests } = (await (await fetch(`${mock.url}/_mock/requests`)).json()) as { requests: Record<string, unknown>[] };
    expect(requests.map((r) => [r.method, r.path, r.status, r.code])).toEqual([
      ['PUT', callbackPath(), 200, undefined],
      ['GET', subscriptionsPath('?limit=0'), 400, 'SMN.0015'],
    ]);
    expect(requests[0]).toMatchObject({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), ms: expect.any(Number), headers: { 'x-auth-token': '***' } });
    expect(JSON.stringify(requests)).not.toContain('emulator-test-token');

    expect((await fetch(`${mock.url}/_mock/reset`, { method: 'POST' })).status).toBe(204);
    expect((await api(mock, 'GET', callbackPath())).body.callback).toEqual([]);
  });

  it('answers an unknown inspection path with 404 and the list of endpoints', async () => {
    const mock = await start();
    const response = await fetch(`${mock.url}/_mock/nothing`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: string }).error).toContain('GET /_mock/state');
  });

  it('has no inspection endpoints when stateless', async () => {
    const mock = await start({ stateless: true });
    const response = await fetch(`${mock.url}/_mock/state`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error_code: string }).error_code).toBe('APIGW.0101');
  });
});

describe('spec/mock-admin.openapi.yaml', () => {
  it('describes what the inspection endpoints answer', async () => {
    const document = (await SwaggerParser.dereference(fileURLToPath(new URL('../spec/mock-admin.openapi.yaml', import.meta.url)))) as unknown as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: { 'application/json': { schema: object } } }> }>>;
    };
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajvFormats.default(ajv);
    const mock = await start();
    await bind(mock, [{ event_type: 'sms_fail_event', topic_urn: urn('f') }]);
    const calls: [string, string, unknown?][] = [
      ['GET', '/_mock/state'],
      ['GET', '/_mock/requests'],
      ['POST', '/_mock/subscriptions', { topic_urn: urn('t'), protocol: 'http', endpoint: 'http://127.0.0.1:9/x' }],
      ['POST', '/_mock/subscriptions', { topic_urn: 'nope' }],
      ['POST', '/_mock/topics', { topic_urn: urn('known') }],
      ['POST', '/_mock/topics', '{not json'],
      ['POST', '/_mock/reset'],
      ['DELETE', '/_mock/requests'],
    ];
    for (const [method, path, body] of calls) {
      const response = await fetch(`${mock.url}${path}`, { method, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
      const declared = document.paths[path]?.[method.toLowerCase()]?.responses[String(response.status)];
      expect(declared, `${method} ${path} ${response.status} is declared`).toBeDefined();
      const schema = declared?.content?.['application/json'].schema;
      if (!schema) continue;
      const validate = ajv.compile(schema);
      expect(validate(await response.json()), `${method} ${path}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
  });
});

describe('authentication modes', () => {
  it('token: only the configured token passes', async () => {
    const mock = await start({ auth: { mode: 'token', token: 'right-token' } });
    expect((await api(mock, 'GET', callbackPath(), { headers: { 'X-Auth-Token': 'right-token' } })).status).toBe(200);
    const wrong = await api(mock, 'GET', callbackPath(), { headers: { 'X-Auth-Token': 'wrong-token' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error_code: 'APIGW.0301', error_msg: expect.stringContaining('decrypt token fail') });
    expect((await api(mock, 'GET', callbackPath(), { headers: {} })).body.error_msg).toContain('x-auth-token not found');
  });

  it('aksk: a request signed as the Node SDK signs passes; a wrong key, a changed body or an old date do not', async () => {
    const mock = await start({ auth: { mode: 'aksk', ak: 'AKTEST', sk: 'sk-test' } });
    const signed = (sk: string, body: string, at = new Date(), sentBody = body) => {
      const url = `${mock.url}${callbackPath()}`;
      const headers = { 'Content-Type': 'application/json', 'X-Project-Id': project, host: new URL(mock.url).host };
      return fetch(url, { method: 'PUT', headers: { ...headers, ...signRequest({ method: 'PUT', url, headers, body }, { ak: 'AKTEST', sk }, at) }, body: sentBody });
    };
    const body = JSON.stringify({ callback: [{ event_type: 'sms_fail_event', topic_urn: urn('signed') }] });
    expect((await signed('sk-test', body)).status).toBe(200);
    for (const response of [
      await signed('sk-other', body),
      await signed('sk-test', body, new Date(), body.replace('signed', 'changed')),
      await signed('sk-test', body, new Date(Date.now() - 3600_000)),
    ]) {
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error_msg: string }).error_msg).toContain('verify aksk signature fail');
    }
    expect((await api(mock, 'GET', callbackPath(), { headers: { 'X-Auth-Token': 'a token' } })).status).toBe(401);
    expect(mock.state!.bindings(project)).toEqual([{ event_type: 'sms_fail_event', topic_urn: urn('signed') }]);
  });

  it('none: no credentials needed; X-Project-Id must still match the path', async () => {
    const mock = await start({ auth: { mode: 'none' } });
    expect((await api(mock, 'GET', callbackPath(), { headers: {} })).status).toBe(200);
    const mismatch = await api(mock, 'GET', callbackPath(), { headers: { 'X-Project-Id': other } });
    expect(mismatch.status).toBe(403);
    expect(mismatch.body.code).toBe('SMN.0001');
  });
});

describe('concurrent clients', () => {
  it('never lose or corrupt state: 50 writers at once', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smn-state-')), 'state.json');
    const mock = await start({ seedSubscriptions: [], stateFile: file });
    const projects = Array.from({ length: 50 }, (_, i) => i.toString(16).padStart(32, '0'));
    const writes = projects.map((p, i) => bind(mock, [{ event_type: 'sms_success_event', topic_urn: urn(`t${i}`, p) }], p));
    const adds = projects.map((_, i) =>
      fetch(`${mock.url}/_mock/subscriptions`, { method: 'POST', body: JSON.stringify({ topic_urn: urn(`s${i}`), protocol: 'email', endpoint: `u${i}@example.com` }) }),
    );
    const sameProject = projects.map((_, i) => bind(mock, [{ event_type: 'sms_reply_event', topic_urn: urn(`r${i}`) }]));
    const answers = await Promise.all([...writes, ...sameProject]);
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(200));
    expect((await Promise.all(adds)).map((r) => r.status)).toEqual(Array(50).fill(201));

    for (const [i, p] of projects.entries()) {
      expect(mock.state!.bindings(p)).toContainEqual({ event_type: 'sms_success_event', topic_urn: urn(`t${i}`, p) });
    }
    const reply = mock.state!.bindings(project, 'sms_reply_event');
    expect(reply).toHaveLength(1);
    expect(projects.map((_, i) => urn(`r${i}`))).toContain(reply[0]!.topic_urn);
    expect((await api(mock, 'GET', subscriptionsPath())).body.subscription_count).toBe(50);
    // The state file (with its journal) holds the same state, whole: a restart without a
    // clean stop (the mock is still running) reads all of it.
    const saved = new EmulatorState([], file).snapshot();
    expect(Object.keys(saved.projects)).toHaveLength(51);
    expect(saved.projects[project]?.subscriptions).toHaveLength(50);
    expect(saved).toEqual(mock.state!.snapshot());
  });
});
