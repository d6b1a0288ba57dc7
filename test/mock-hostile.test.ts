// The mock under attack, over real sockets: each input an adversarial review found able
// to crash it, leak through it or grow it without end (issue 9), sent exactly, and the
// answer a client must get instead. After each attack the same mock still serves.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_DELIVERIES } from '../src/mock/delivery/notifier.js';
import { startMock, type MockOptions, type RunningMock } from '../src/mock/server.js';
import { EmulatorState, STATE_LIMITS, StateFileError, type Subscription } from '../src/mock/emulator/state.js';
import { rawExchange, rawRequest, type RawAnswer } from './support/raw-http.js';
import { mockCommand } from '../src/commands/mock.js';
import { serveInProcess } from './support/command.js';
import { serve } from './support/serve.js';

const project = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
const callbackPath = `/v2/${project}/notifications/sms/callback`;
const subscriptionsPath = `/v2/${project}/notifications/subscriptions`;
const topic = (name: string): string => `urn:smn:cn-north-4:${project}:${name}`;
const token = { 'X-Auth-Token': 'a-token' };

const running: RunningMock[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all([...running.splice(0).map((m) => m.close()), ...closers.splice(0).map((close) => close())]);
});

async function start(options: MockOptions = {}): Promise<RunningMock> {
  const mock = await startMock({ port: 0, ...options });
  running.push(mock);
  return mock;
}

/** The mock still answers a plain valid request. */
async function expectServing(mock: RunningMock): Promise<void> {
  const response = await fetch(`${mock.url}${subscriptionsPath}?limit=1`, { headers: token });
  expect(response.status).toBe(200);
  await response.json();
}

/** A gateway-shaped JSON error with a request id, as docs/mock.md promises. */
function expectGatewayError(answer: RawAnswer | undefined, status: number, code: string): void {
  expect(answer, 'an answer').toBeDefined();
  expect(answer!.status).toBe(status);
  expect(answer!.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(answer!.body) as Record<string, unknown>;
  expect(body).toMatchObject({ error_code: code, error_msg: expect.any(String) });
  expect(body.request_id).toBe(answer!.headers['x-request-id']);
}

async function receiver(): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

const post = (mock: RunningMock, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${mock.url}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('requests that crashed the mock', () => {
  it.each(['http://a:99999/', 'http://[/', 'http://%zz/'])('absolute-form target %s: served as its path, /, and the mock lives on', async (target) => {
    const mock = await start();
    // Its path is / (ListVersions), asked without credentials: the gateway's 401.
    expectGatewayError(await rawExchange(mock.url, rawRequest('GET', target, {})), 401, 'APIGW.0301');
    await expectServing(mock);
  });

  it('absolute-form targets are served like their path', async () => {
    const mock = await start();
    const answer = await rawExchange(mock.url, rawRequest('GET', `http://smn.example:4010${subscriptionsPath}?limit=1`, token));
    expect(answer?.status).toBe(200);
    expect(JSON.parse(answer!.body)).toMatchObject({ subscriptions: [expect.any(Object)] });
  });

  it.each(['*', 'example.com:443', 'nonsense'])('a target that is no path (%s): 400 gateway body', async (target) => {
    const mock = await start();
    expectGatewayError(await rawExchange(mock.url, rawRequest('OPTIONS', target, {})), 400, 'APIGW.0201');
    await expectServing(mock);
  });

  for (const stateless of [false, true]) {
    it.each([
      ['中', Buffer.from('中', 'utf8')],
      ['a byte 0xFF', Buffer.from([0xff])],
      ['an emoji', Buffer.from('😀', 'utf8')],
      ['a control character', Buffer.from('{\u0007', 'utf8')],
    ])(`${stateless ? 'stateless' : 'stateful'}: a JSON body of %s gets 400 SMN.0099 with a printable sl-violations header`, async (_name, body) => {
      const mock = await start({ stateless });
      const answer = await rawExchange(mock.url, rawRequest('PUT', callbackPath, { ...token, 'Content-Type': 'application/json' }, body));
      expect(answer?.status).toBe(400);
      expect(JSON.parse(answer!.body)).toMatchObject({ code: 'SMN.0099' });
      expect(answer!.headers['sl-violations']).toMatch(/^[\x20-\x7e]+$/);
      expect(answer!.headers['sl-violations']).toContain('not valid JSON');
      await expectServing(mock);
    });
  }

  it('a Content-Type of any bytes is named in the violation, escaped', async () => {
    const mock = await start();
    const answer = await rawExchange(mock.url, rawRequest('PUT', callbackPath, { ...token, 'Content-Type': 'text/\xe4\xff' }, '{}'));
    expect(answer?.status).toBe(400);
    expect(answer!.headers['sl-violations']).toMatch(/^[\x20-\x7e]+$/);
    expect(answer!.headers['sl-violations']).toContain('text/\\u00e4\\u00ff');
  });

  it('JSON nested 5,000 levels deep: 400 on the API and on /_mock, nothing stored, state file and listing intact', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smn-deep-')), 'state.json');
    const mock = await start({ stateFile: file });
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const subscription = `{"topic_urn":"${topic('t')}","protocol":"http","endpoint":"http://127.0.0.1:9/x","extra":${deep}}`;
    for (const path of ['/_mock/subscriptions', '/_mock/sms/events']) {
      const answer = await post(mock, path, path.endsWith('events') ? `{"event_type":"sms_fail_event","extra":${deep}}` : subscription);
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({ error: 'the body is JSON nested deeper than 64 levels' });
    }
    const api = await fetch(`${mock.url}${callbackPath}`, { method: 'PUT', headers: { ...token, 'Content-Type': 'application/json' }, body: `{"callback":${deep}}` });
    expect(api.status).toBe(400);
    expect(await api.json()).toMatchObject({ code: 'SMN.0099' });
    await expectServing(mock);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ projects: {}, topics: [], seq: 0 });
    expect(readFileSync(`${file}.journal`, 'utf8')).toBe('');
  });
});

describe("Node's own refusals get the gateway's JSON body", () => {
  it('a malformed request line: 400 APIGW.0201', async () => {
    const mock = await start();
    expectGatewayError(await rawExchange(mock.url, 'NOT A REQUEST\r\n\r\n'), 400, 'APIGW.0201');
    expectGatewayError(await rawExchange(mock.url, Buffer.from([0, 1, 2, 0xff, 13, 10, 13, 10])), 400, 'APIGW.0201');
    await expectServing(mock);
  });

  it('headers over 16 KB: 431 APIGW.0201', async () => {
    const mock = await start();
    expectGatewayError(await rawExchange(mock.url, rawRequest('GET', subscriptionsPath, { ...token, 'X-Big': 'a'.repeat(20_000) })), 431, 'APIGW.0201');
    await expectServing(mock);
  });

  it('CONNECT: 404 APIGW.0101', async () => {
    const mock = await start();
    expectGatewayError(await rawExchange(mock.url, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'), 404, 'APIGW.0101');
    await expectServing(mock);
  });

  it('a broken percent-encoding in the project id: 400 SMN.0090, not 500', async () => {
    const mock = await start();
    const answer = await fetch(`${mock.url}/v2/abc%/notifications/sms/callback`, { headers: token });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ code: 'SMN.0090' });
  });
});

describe('/_mock: where notifications go, and who may ask', () => {
  it.each(['file:///etc/passwd', 'gopher://127.0.0.1:25/x', 'not a url', 'https://127.0.0.1/x'])('refuses an http subscription to %s', async (endpoint) => {
    const mock = await start();
    const answer = await post(mock, '/_mock/subscriptions', { topic_urn: topic('t'), protocol: 'http', endpoint });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ problems: [{ pointer: '/endpoint' }] });
  });

  it('delivers to loopback only, unless --allow-hosts names the host; the others are skipped, not tried', async () => {
    const local = await receiver();
    for (const [deliverTo, delivered] of [[undefined, false], [['example.invalid'], true]] as const) {
      const mock = await start({ deliverTo: deliverTo as MockOptions['deliverTo'] });
      await fetch(`${mock.url}${callbackPath}`, { method: 'PUT', headers: { ...token, 'Content-Type': 'application/json' }, body: JSON.stringify({ callback: [{ event_type: 'sms_fail_event', topic_urn: topic('fail') }] }) });
      for (const endpoint of [`${local.url}/ok`, 'http://example.invalid/hook']) {
        expect((await post(mock, '/_mock/subscriptions', { topic_urn: topic('fail'), protocol: 'http', endpoint, status: 1 })).status).toBe(201);
      }
      const published = (await (await post(mock, '/_mock/sms/events', { event_type: 'sms_fail_event' })).json()) as { deliveries: { endpoint: string; status?: number; skipped?: string; error?: string }[] };
      expect(published.deliveries.find((d) => d.endpoint.startsWith(local.url))).toMatchObject({ status: 204 });
      const remote = published.deliveries.find((d) => d.endpoint.startsWith('http://example.invalid'))!;
      if (delivered) expect(remote.error).toMatch(/cannot reach/);
      else expect(remote.skipped).toMatch(/loopback only.*--allow-hosts example\.invalid/);
    }
  });

  it(`one publication reaches at most ${MAX_DELIVERIES} subscribers; the rest are reported as skipped`, async () => {
    const local = await receiver();
    const mock = await start({ seedSubscriptions: [] });
    await fetch(`${mock.url}${callbackPath}`, { method: 'PUT', headers: { ...token, 'Content-Type': 'application/json' }, body: JSON.stringify({ callback: [{ event_type: 'sms_fail_event', topic_urn: topic('fail') }] }) });
    for (let i = 0; i < MAX_DELIVERIES + 20; i++) mock.state!.addSubscription(project, { topic_urn: topic('fail'), protocol: 'http', endpoint: `${local.url}/${i}`, subscription_urn: `${topic('fail')}:${i.toString(16).padStart(32, '0')}`, owner: project, remark: '', status: 1 });
    const published = (await (await post(mock, '/_mock/sms/events', { event_type: 'sms_fail_event' })).json()) as { deliveries: { status?: number; skipped?: string }[] };
    expect(published.deliveries.filter((d) => d.status === 204)).toHaveLength(MAX_DELIVERIES);
    expect(published.deliveries.filter((d) => d.skipped?.includes(`at most ${MAX_DELIVERIES}`))).toHaveLength(20);
    expect(local.hits()).toBe(MAX_DELIVERIES);
  });

  it('an endpoint that is no URL (from a seed file) is one skipped delivery; the publication still succeeds', async () => {
    const local = await receiver();
    const seed: Subscription[] = [
      { topic_urn: topic('fail'), protocol: 'http', endpoint: 'not a url', subscription_urn: `${topic('fail')}:${'a'.repeat(32)}`, owner: project, remark: '', status: 1 },
      { topic_urn: topic('fail'), protocol: 'http', endpoint: `${local.url}/ok`, subscription_urn: `${topic('fail')}:${'b'.repeat(32)}`, owner: project, remark: '', status: 1 },
    ];
    const mock = await start({ seedSubscriptions: seed });
    await fetch(`${mock.url}${callbackPath}`, { method: 'PUT', headers: { ...token, 'Content-Type': 'application/json' }, body: JSON.stringify({ callback: [{ event_type: 'sms_fail_event', topic_urn: topic('fail') }] }) });
    for (let i = 0; i < 2; i++) {
      const answer = await post(mock, '/_mock/sms/events', { event_type: 'sms_fail_event' });
      expect(answer.status).toBe(200);
      const { deliveries } = (await answer.json()) as { deliveries: { endpoint: string; status?: number; skipped?: string }[] };
      expect(deliveries).toEqual([expect.objectContaining({ endpoint: 'not a url', skipped: 'endpoint must be an http URL' }), expect.objectContaining({ status: 204 })]);
    }
  });

  it('beyond loopback, /_mock needs the API credentials, or the admin token when there is one', async () => {
    const exposed = await start({ host: '0.0.0.0', auth: { mode: 'token', token: 'secret-1' } });
    const url = exposed.url.replace('0.0.0.0', '127.0.0.1');
    expect((await fetch(`${url}/_mock/state`)).status).toBe(401);
    expect((await fetch(`${url}/_mock/state`, { headers: { 'X-Auth-Token': 'wrong' } })).status).toBe(401);
    expect((await fetch(`${url}/_mock/state`, { headers: { 'X-Auth-Token': 'secret-1' } })).status).toBe(200);

    const withAdmin = await start({ host: '0.0.0.0', adminToken: 'admin-1' });
    const adminUrl = withAdmin.url.replace('0.0.0.0', '127.0.0.1');
    const refused = await fetch(`${adminUrl}/_mock/subscriptions`, { method: 'POST', headers: token, body: '{}' });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: expect.stringContaining('X-Admin-Token') });
    expect((await fetch(`${adminUrl}/_mock/state`, { headers: { 'X-Admin-Token': 'admin-1' } })).status).toBe(200);
    expect((await fetch(`${adminUrl}/_mock/state`, { headers: { Authorization: 'Bearer admin-1' } })).status).toBe(200);

    const local = await start();
    expect((await fetch(`${local.url}/_mock/state`)).status).toBe(200);
  });
});

describe('the state: its file and its bounds', () => {
  const stateFile = (content: string): string => {
    const file = join(mkdtempSync(join(tmpdir(), 'smn-state-')), 'state.json');
    writeFileSync(file, content);
    return file;
  };

  it.each([
    ['{"projects":{"p":null},"topics":[]}', '/projects/p'],
    [`{"projects":{"p":{"bindings":[],"subscriptions":[1,"x",null]}},"topics":[]}`, '/projects/p/subscriptions/0'],
    ['{"projects":{},"topics":[7]}', '/topics/0'],
    ['{"projects":[],"topics":[]}', '/projects'],
    ['[]', ''],
  ])('refuses the state file %s, naming where it is wrong', (content, pointer) => {
    const file = stateFile(content);
    expect(() => new EmulatorState([], file)).toThrow(StateFileError);
    expect(() => new EmulatorState([], file)).toThrow(pointer ? `is not one smn-kit wrote: ${pointer}: expected` : 'is not one smn-kit wrote: (top): expected');
    expect(readFileSync(file, 'utf8')).toBe(content);
  });

  it('a change appends one line to the journal instead of rewriting the file; a restart replays it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smn-journal-')), 'state.json');
    const make = (i: number): Subscription => ({ topic_urn: topic('t'), protocol: 'sms', endpoint: '+8613800000000', subscription_urn: `${topic('t')}:${i.toString(16).padStart(32, '0')}`, owner: project, remark: '', status: 1 });
    const first = new EmulatorState([], file);
    for (let i = 0; i < 900; i++) first.addSubscription(project, make(i));
    const snapshotBefore = readFileSync(file, 'utf8');
    first.updateBindings(project, [{ event_type: 'sms_fail_event', topic_urn: topic('f') }]);
    expect(readFileSync(file, 'utf8')).toBe(snapshotBefore);
    expect(readFileSync(`${file}.journal`, 'utf8').trim().split('\n')).toHaveLength(901);

    // As after kill -9: nothing was closed; and the last change was cut off mid-line.
    writeFileSync(`${file}.journal`, `${readFileSync(`${file}.journal`, 'utf8')}{"seq":902,"change":{"kind":"top`);
    const second = new EmulatorState([], file);
    expect(second.allSubscriptions(project)).toHaveLength(900);
    expect(second.bindings(project)).toEqual([{ event_type: 'sms_fail_event', topic_urn: topic('f') }]);
    expect(readFileSync(`${file}.journal`, 'utf8')).toBe('');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ seq: 901 });

    // Past 1,000 changes the journal is folded into the file.
    for (let i = 900; i < 1900; i++) second.addSubscription(project, make(i));
    expect(JSON.parse(readFileSync(file, 'utf8')).projects[project].subscriptions).toHaveLength(1900);
    expect(readFileSync(`${file}.journal`, 'utf8')).toBe('');
  });

  it('refuses a journal that is not one, naming the line', () => {
    const file = stateFile('{"projects":{},"topics":[],"seq":0}');
    writeFileSync(`${file}.journal`, 'garbage\n{"seq":1,"change":{"kind":"reset"}}\n');
    expect(() => new EmulatorState([], file)).toThrow(/state\.json\.journal: line 1 is not a change smn-kit wrote/);
  });

  it('fails at start, not at the first write, when the state file cannot be written', () => {
    expect(() => new EmulatorState([], join(tmpdir(), 'no-such-dir-smn', 'state.json'))).toThrow(/cannot write the state file .*ENOENT/);
  });

  it('removes the temporary file a killed writer left, and keeps a live one', () => {
    const file = stateFile('{"projects":{},"topics":[]}');
    const dead = `${file}.999999999.tmp`;
    const live = `${file}.${process.ppid}.tmp`;
    writeFileSync(dead, '{"half');
    writeFileSync(live, '{"other');
    new EmulatorState([], file);
    const left = readdirSync(join(file, '..'));
    expect(left).not.toContain('state.json.999999999.tmp');
    expect(left).toContain(`state.json.${process.ppid}.tmp`);
  });

  it('reading a project creates nothing: 300 project ids read, none kept', async () => {
    const mock = await start();
    for (let i = 0; i < 300; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => fetch(`${mock.url}/v2/p${i + j}/notifications/sms/callback`, { headers: token }).then((r) => r.text())));
    }
    expect(Object.keys(mock.state!.snapshot().projects)).toHaveLength(0);
  });

  it(`past ${STATE_LIMITS.projects.max} changed projects, a change to another gets 403 SMN.0001; known ones still change`, async () => {
    const mock = await start();
    for (let i = 0; i < STATE_LIMITS.projects.max; i++) mock.state!.updateBindings(`p${i}`, [{ event_type: 'sms_fail_event', topic_urn: topic('x') }]);
    const put = (id: string) =>
      fetch(`${mock.url}/v2/${id}/notifications/sms/callback`, { method: 'PUT', headers: { ...token, 'Content-Type': 'application/json' }, body: JSON.stringify({ callback: [{ event_type: 'sms_fail_event', topic_urn: topic('y') }] }) });
    const refused = await put('one-more');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'SMN.0001' });
    expect((await put('p7')).status).toBe(200);
  });

  it(`past ${STATE_LIMITS.subscriptions.max} subscriptions, /_mock/subscriptions gets 403 SMN.0007`, async () => {
    const mock = await start({ seedSubscriptions: [] });
    const make = (i: number): Subscription => ({ topic_urn: topic('t'), protocol: 'sms', endpoint: '+8613800000000', subscription_urn: `${topic('t')}:${i.toString(16).padStart(32, '0')}`, owner: project, remark: '', status: 1 });
    for (let i = 0; i < STATE_LIMITS.subscriptions.max; i++) mock.state!.addSubscription(`p${i % 10}`, make(i));
    const refused = await post(mock, '/_mock/subscriptions', { topic_urn: topic('t'), protocol: 'sms', endpoint: '+8613800000001' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'SMN.0007', error: expect.stringContaining(String(STATE_LIMITS.subscriptions.max)) });
  });

  it(`past ${STATE_LIMITS.topics.max} added topics, /_mock/topics gets 403 SMN.0004`, async () => {
    const mock = await start();
    for (let i = 0; i < STATE_LIMITS.topics.max; i++) mock.state!.addTopic(topic(`t${i}`));
    const refused = await post(mock, '/_mock/topics', { topic_urn: topic('one_more') });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'SMN.0004' });
    expect((await post(mock, '/_mock/topics', { topic_urn: topic('t1') })).status).toBe(201);
  });
});

describe('the request log says why', () => {
  it('records the code and the reason of an error, and the code of a Prefer answer', async () => {
    const mock = await start();
    await fetch(`${mock.url}${subscriptionsPath}?limit=0`, { headers: token });
    await fetch(`${mock.url}${subscriptionsPath}`, { headers: { ...token, Prefer: 'code=500' } });
    const { requests } = (await (await fetch(`${mock.url}/_mock/requests`)).json()) as { requests: { status: number; code?: string; reason?: string }[] };
    expect(requests.at(-2)).toMatchObject({ status: 400, code: 'SMN.0015', reason: expect.stringMatching(/^query\.limit: .*>= 1/) });
    expect(requests.at(-1)).toMatchObject({ status: 500, code: 'SMN.0018', reason: 'Prefer' });
  });
});

describe('secrets in the request log', () => {
  it('masks every credential-bearing header, not three names', async () => {
    const mock = await start();
    const secrets: Record<string, string> = {
      'X-Auth-Token': 'tok-1',
      Authorization: 'SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=abc',
      Cookie: 'session=cookie-1',
      'X-Subject-Token': 'subject-1',
      'Proxy-Authorization': 'Basic cHJveHk=',
      'X-Security-Token': 'sts-1',
      'X-Api-Key': 'key-1',
      'X-Custom-Secret': 'custom-1',
    };
    await fetch(`${mock.url}${subscriptionsPath}`, { headers: { ...secrets, 'X-Plain': 'visible' } });
    const { requests } = (await (await fetch(`${mock.url}/_mock/requests`)).json()) as { requests: { headers: Record<string, string> }[] };
    const headers = requests.at(-1)!.headers;
    for (const name of Object.keys(secrets)) expect(headers[name.toLowerCase()], name).toBe('***');
    expect(headers['x-plain']).toBe('visible');
    expect(JSON.stringify(requests)).not.toMatch(/tok-1|cookie-1|subject-1|cHJveHk|sts-1|key-1|custom-1|Signature=abc/);
  });
});

describe('the mock command', () => {
  it('takes secrets from a file or the environment, keeps them out of the process list and its output', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smn-secret-')), 'token');
    writeFileSync(file, 'file-token-123\n');
    // The built CLI, two processes started at once: only a process has a process list.
    const [fromFile, fromEnv] = await Promise.all([
      serve(['mock', '--port', '0', '--auth', 'token', '--token-file', file]),
      serve(['mock', '--port', '0', '--auth', 'aksk', '--ak', 'AKIDEXAMPLE42'], { ...process.env, SMN_MOCK_SK: 'sk-from-env-456' }),
    ]);
    expect(readFileSync(`/proc/${fromFile.child.pid}/cmdline`, 'utf8')).not.toContain('file-token-123');
    expect((await fetch(`${fromFile.url}${subscriptionsPath}`, { headers: { 'X-Auth-Token': 'file-token-123' } })).status).toBe(200);
    expect((await fetch(`${fromFile.url}${subscriptionsPath}`, { headers: { 'X-Auth-Token': 'other' } })).status).toBe(401);

    expect(readFileSync(`/proc/${fromEnv.child.pid}/cmdline`, 'utf8')).not.toContain('sk-from-env-456');
    const printed = fromFile.stdout() + fromFile.stderr() + fromEnv.stdout() + fromEnv.stderr();
    expect(printed).toMatch(/auth token/);
    expect(printed).toMatch(/auth aksk/);
    expect(printed).not.toMatch(/file-token-123|sk-from-env-456|AKID/);
  });

  it('warns at start when it listens beyond loopback', async () => {
    const exposed = await serveInProcess(mockCommand, ['--host', '0.0.0.0', '--port', '0'], process.env);
    expect(exposed.stderr()).toMatch(/warning: listening beyond loopback \(0\.0\.0\.0\): \/_mock\/ needs the API's credentials .*give --admin-token/);
  });
});
