// The mock is exactly as strict as its contract (issue 11): each request the contract
// refuses gets the documented error and changes nothing, the filters Huawei documents
// for ListSubscriptions work in both modes, and the seed is the asking project's own.
// Last, Prism itself, run as a validating proxy in front of the mock, flags no answer
// and no accepted request across a request set generated from the contract.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { smnSpecPath } from '../src/contract/smn.js';
import { smnResponses } from '../src/contract/smn-responses.js';
import { negativeCases, positiveCases } from '../src/conformance/cases.js';
import { startMock, type MockOptions, type RunningMock } from '../src/mock/server.js';
import type { Subscription } from '../src/mock/emulator/state.js';

const project = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
const callbackPath = (p = project) => `/v2/${p}/notifications/sms/callback`;
const subscriptionsPath = (p = project) => `/v2/${p}/notifications/subscriptions`;
const token = { 'X-Auth-Token': 'a-token' };
const urn = (name: string, p = project) => `urn:smn:cn-north-4:${p}:${name}`;

const running: RunningMock[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.close()));
});
async function start(options: MockOptions = {}): Promise<RunningMock> {
  const mock = await startMock({ port: 0, ...options });
  running.push(mock);
  return mock;
}
async function call(mock: RunningMock, method: string, path: string, headers: Record<string, string> = token, body?: string) {
  const response = await fetch(`${mock.url}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}
const bindFail = JSON.stringify({ callback: [{ event_type: 'sms_fail_event', topic_urn: urn('fail') }] });

describe('requests the contract refuses, refused', () => {
  it('a PUT without Content-Type: 400 SMN.0099, nothing stored', async () => {
    const mock = await start();
    // fetch adds text/plain to a string body; a Uint8Array body goes without Content-Type.
    const answer = await call(mock, 'PUT', callbackPath(), token, new TextEncoder().encode(bindFail) as unknown as string);
    expect(answer).toMatchObject({ status: 400, body: { code: 'SMN.0099' } });
    expect((await call(mock, 'GET', callbackPath())).body.callback).toEqual([]);
  });

  it.each(['limit=1e1', 'limit=%2B5', 'limit=100.0', 'offset=01', 'limit=', 'offset=', 'limit=0x10', 'limit=5&limit=6'])('%s: 400 SMN.0015', async (query) => {
    const mock = await start();
    expect(await call(mock, 'GET', `${subscriptionsPath()}?${query}`)).toMatchObject({ status: 400, body: { code: 'SMN.0015' } });
  });

  it('an empty X-Security-Token: refused as the contract says (minLength 1), nothing stored', async () => {
    const mock = await start();
    const answer = await call(mock, 'PUT', callbackPath(), { ...token, 'Content-Type': 'application/json', 'X-Security-Token': '' }, bindFail);
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error_code: 'APIGW.0301' });
    expect((await call(mock, 'GET', callbackPath())).body.callback).toEqual([]);
  });

  it('an empty X-Project-Id: 400 SMN.0090', async () => {
    const mock = await start();
    expect(await call(mock, 'GET', subscriptionsPath(), { ...token, 'X-Project-Id': '' })).toMatchObject({ status: 400, body: { code: 'SMN.0090' } });
  });
});

describe('ListSubscriptions filters', () => {
  const seed: Subscription[] = ['http', 'https', 'sms', 'email', 'sms'].map((protocol, i) => ({
    topic_urn: urn('t'),
    protocol,
    subscription_urn: `${urn('t')}:${String(i).repeat(32).slice(0, 32)}`,
    owner: project,
    endpoint: protocol === 'sms' ? `+861380000000${i}` : `${protocol}://127.0.0.1/${i}`,
    remark: ['Alpha', 'beta', '', 'ALPHABET', 'gamma'][i]!,
    status: ([0, 1, 1, 3, 1] as const)[i]!,
  }));

  for (const stateless of [false, true]) {
    it(`${stateless ? 'stateless' : 'emulator'}: filters first, then pages; subscription_count counts the filtered`, async () => {
      const mock = await start(stateless ? { stateless } : { seedSubscriptions: seed });
      const list = async (query: string) => (await call(mock, 'GET', `${subscriptionsPath()}?${query}`)).body as { subscription_count: number; subscriptions: Subscription[] };
      const all = (await list('limit=100')).subscriptions;
      for (const query of ['protocol=sms', 'status=1', `endpoint=${encodeURIComponent(all[0]!.endpoint)}`, 'fuzzy_remark=alpha', 'protocol=sms&status=1']) {
        const params = new URLSearchParams(query);
        const expected = all.filter(
          (s) =>
            (!params.get('protocol') || s.protocol === params.get('protocol')) &&
            (!params.get('status') || s.status === Number(params.get('status'))) &&
            (!params.get('endpoint') || s.endpoint === params.get('endpoint')) &&
            (!params.get('fuzzy_remark') || s.remark.toLowerCase().includes(params.get('fuzzy_remark')!)),
        );
        const filtered = await list(`${query}&limit=100`);
        expect(filtered.subscriptions, query).toEqual(expected);
        expect(filtered.subscription_count, query).toBe(expected.length);
        if (expected.length > 1) expect((await list(`${query}&offset=1&limit=1`)).subscriptions, query).toEqual([expected[1]]);
      }
      if (!stateless) expect((await list('protocol=sms')).subscriptions.map((s) => s.endpoint)).toEqual(['+8613800000002', '+8613800000004']);
    });
  }

  it.each([
    ['protocol=carrier_pigeon', 'SMN.0011'],
    ['status=5', 'SMN.0077'],
    ['status=one', 'SMN.0077'],
    [`fuzzy_remark=${'x'.repeat(129)}`, 'SMN.0082'],
  ])('%s: 400 %s', async (query, code) => {
    const mock = await start();
    expect(await call(mock, 'GET', `${subscriptionsPath()}?${query}`)).toMatchObject({ status: 400, body: { code } });
  });
});

describe('the seed belongs to whoever asks', () => {
  it('appears under the asking project, owner and URNs rewritten, for a 32-hex and a readable id', async () => {
    const mock = await start();
    for (const id of ['0123456789abcdef0123456789abcdef', 'local-dev']) {
      const { subscriptions } = (await call(mock, 'GET', `${subscriptionsPath(id)}?limit=100`)).body as { subscriptions: Subscription[] };
      const owner = subscriptions[0]!.owner;
      if (id !== 'local-dev') expect(owner).toBe(id);
      expect(owner).toMatch(/^[0-9a-f]{32}$/);
      for (const s of subscriptions) {
        expect(s.owner).toBe(owner);
        expect(s.topic_urn.split(':')[3]).toBe(owner);
        expect(s.subscription_urn.startsWith(`${s.topic_urn}:`)).toBe(true);
      }
    }
  });

  it('a subscription added to a project keeps the rest of the seed as that project own', async () => {
    const mock = await start();
    const other = '0123456789abcdef0123456789abcdef';
    const added = await fetch(`${mock.url}/_mock/subscriptions`, { method: 'POST', body: JSON.stringify({ project_id: other, topic_urn: urn('t', other), protocol: 'sms', endpoint: '+8613800000000' }) });
    expect(added.status).toBe(201);
    const { subscriptions } = (await call(mock, 'GET', `${subscriptionsPath(other)}?limit=100`)).body as { subscriptions: Subscription[] };
    expect(new Set(subscriptions.map((s) => s.owner))).toEqual(new Set([other]));
  });

  it('32-hex project ids compare without regard to case: one project, not two', async () => {
    const mock = await start();
    expect((await call(mock, 'PUT', callbackPath(project.toUpperCase()), { ...token, 'Content-Type': 'application/json' }, bindFail)).status).toBe(200);
    expect((await call(mock, 'GET', callbackPath())).body.callback).toEqual([{ event_type: 'sms_fail_event', topic_urn: urn('fail') }]);
    expect(Object.keys(mock.state!.snapshot().projects)).toEqual([project]);
  });
});

describe('Prism as a validating proxy in front of the mock', () => {
  let mock: RunningMock;
  let proxy: ReturnType<typeof spawn>;
  let proxyUrl: string;
  let log = '';

  beforeAll(async () => {
    mock = await startMock({ port: 0 });
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const prismCli = createRequire(import.meta.url).resolve('@stoplight/prism-cli/dist/index.js');
    proxy = spawn(process.execPath, [prismCli, 'proxy', smnSpecPath, mock.url, '--port', String(port), '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    proxy.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    proxy.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    proxyUrl = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 300 && !log.includes('Prism is listening'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(log).toContain('Prism is listening');
  }, 60_000);
  afterAll(async () => {
    proxy?.kill();
    await mock?.close();
  });

  it('flags no answer, and every request it finds invalid is refused by the mock', async () => {
    const responses = smnResponses();
    const requests: { method: string; path: string; headers: Record<string, string>; body?: string }[] = [];
    // A topic of the mock's and a subscription of the seed, so that the topic operations answer 200 too.
    const created = await call(mock, 'POST', `/v2/${project}/notifications/topics`, { ...token, 'Content-Type': 'application/json' }, JSON.stringify({ name: 'contract_topic', display_name: 'Contract' }));
    const topic = String(created.body.topic_urn);
    const seeded = (await call(mock, 'GET', subscriptionsPath())).body as { subscriptions: Subscription[] };
    // DeleteTopic deletes one of its own, so that the others find theirs.
    const doomed = await call(mock, 'POST', `/v2/${project}/notifications/topics`, { ...token, 'Content-Type': 'application/json' }, JSON.stringify({ name: 'contract_doomed', display_name: '' }));
    const values: Record<string, string> = { project_id: project, topic_urn: topic, subscription_urn: seeded.subscriptions[0]!.subscription_urn };
    const absent: Record<string, string> = { topic_urn: urn('absent_topic'), subscription_urn: `${urn('absent_topic')}:${'0'.repeat(32)}` };
    const pathOf = (template: string, given: Record<string, string> = {}) => template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(given[name] ?? values[name]!).replaceAll('%3A', ':'));
    for (const operation of responses.operations) {
      values.topic_urn = operation.operationId === 'DeleteTopic' ? String(doomed.body.topic_urn) : topic;
      const path = pathOf(operation.path);
      const example = operation.operationId === 'UpdateSmsEvent' ? JSON.parse(bindFail) : operation.requestExample;
      const body = example === undefined ? undefined : JSON.stringify(example);
      const json: Record<string, string> = operation.requestBody ? { 'Content-Type': 'application/json' } : {};
      for (const positive of positiveCases(operation)) requests.push({ method: operation.method, path: `${path}${positive.query ? `?${positive.query}` : ''}`, headers: { ...token, ...json }, body });
      for (const other of operation.requestExamples.slice(1)) requests.push({ method: operation.method, path, headers: { ...token, ...json }, body: JSON.stringify(other) });
      // A body that is not JSON never reaches the mock: Prism's proxy answers it itself.
      const parses = (text?: string) => {
        try {
          return text === undefined || (JSON.parse(text), true);
        } catch {
          return false;
        }
      };
      for (const negative of negativeCases(operation, responses.contract, example, operation.requestExamples.slice(1)).filter((n) => parses(n.body))) {
        const at = pathOf(operation.path, { ...negative.path, ...(negative.absent ? { [negative.absent]: absent[negative.absent]! } : {}) });
        const named = negative.query || negative.path || negative.absent;
        requests.push({ method: operation.method, path: `${at}${negative.query ? `?${negative.query}` : ''}`, headers: { ...token, 'Content-Type': negative.contentType ?? 'application/json' }, body: negative.body ?? (named ? body : undefined) });
      }
      const variants: Record<string, string>[] = [{ 'X-Project-Id': project }, { 'X-Project-Id': 'bad id!' }, { 'X-Sdk-Date': 'yesterday' }, { 'X-Security-Token': 'sts' }, {}];
      for (const headers of variants) {
        requests.push({ method: operation.method, path, headers: { ...token, ...json, ...headers }, body });
      }
    }
    expect(requests.length).toBeGreaterThan(150);

    const statuses: number[] = [];
    for (const request of requests) {
      const response = await fetch(`${proxyUrl}${request.path}`, { method: request.method, headers: request.headers, body: request.body });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    // Prism's log, one block per request, in the order sent (its logger writes late): a
    // block starts at the line saying what the mock answered and holds the violations
    // found then. (Prism drops its "Request received" line for some bodies, such as one
    // with a "{" in a string; the answer line is always there.)
    const blocksOf = () => log.split(/\[PROXY\][^\n]*The upstream call to [^\n]* has returned \d+/).slice(1);
    for (let i = 0; i < 100 && blocksOf().length < requests.length; i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300));
    const blocks = blocksOf();
    expect(blocks).toHaveLength(requests.length);
    const findings: string[] = [];
    blocks.forEach((block, i) => {
      const request = requests[i]!;
      for (const line of block.split('\n').filter((l) => /Violation: response/.test(l))) findings.push(`${request.method} ${request.path}: ${line.trim()}`);
      const invalid = block.split('\n').some((l) => /✖\s+error\s+Violation: request/.test(l));
      if (invalid && statuses[i]! < 400) findings.push(`${request.method} ${request.path} ${JSON.stringify(request.headers)}: Prism finds the request invalid, the mock answered ${statuses[i]}`);
    });
    expect(findings).toEqual([]);
  }, 120_000);
});
