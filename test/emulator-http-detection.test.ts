// HTTP detection over real sockets: PublishHttpDetect probes an endpoint from a topic and
// ShowHttpDetectResult reports what came back (Huawei Cloud API reference "Publishing a
// Detection Message", "Querying the HTTP Detection Result": status 0 done and usable, 1
// not run, 2 failed; httpCode the endpoint's status, 0 not sent, -1 no answer within 5
// s, -2 the queue full). The probe goes through the emulator's delivery: signed, with
// the custom headers, only where the delivery policy allows.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { MockOptions, RunningMock } from '../src/mock/server.js';
import { startTestMock } from './support/mocks.js';
import { verifySmnNotification } from '../src/notification/index.js';
import { againstMockAdmin, call, createTopic, receiver, TOPICS } from './support/emulator-client.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const emulator = (options: MockOptions = {}): Promise<RunningMock> => startTestMock({ ...options });

async function hook(answer?: Parameters<typeof receiver>[0]) {
  const made = await receiver(answer);
  closers.push(made.close);
  return made;
}

const detect = (mock: RunningMock, topic: string, body: unknown) => call(mock, 'POST', `${TOPICS}/${topic}/detection`, body);
const result = (mock: RunningMock, topic: string, task: string) => call(mock, 'GET', `${TOPICS}/${topic}/detection/${task}`);

async function probe(mock: RunningMock, topic: string, body: unknown): Promise<Record<string, unknown>> {
  const started = await detect(mock, topic, body);
  expect(started.status).toBe(200);
  expect(started.body.task_id).toMatch(/^[0-9a-f]{32}$/);
  const shown = await result(mock, topic, String(started.body.task_id));
  expect(shown.status).toBe(200);
  return shown.body;
}

describe('PublishHttpDetect and ShowHttpDetectResult', () => {
  it('probe an endpoint with one signed Notification carrying the probe\'s custom headers; a 2xx answer is status 0 with its code', async () => {
    const mock = await emulator();
    const topic = await createTopic(mock, 'orders');
    const endpoint = await hook();
    const shown = await probe(mock, topic, { protocol: 'http', endpoint: `${endpoint.url}/smn?probe=1`, extension: { header: { 'x-abc-cba': 'token' } } });
    expect(shown).toMatchObject({ status: 0, detail: { httpCode: 200, httpResponse: 'success' } });
    expect(endpoint.received).toHaveLength(1);
    const [sent] = endpoint.received;
    expect(sent!.path).toBe('/smn?probe=1');
    expect(sent!.headers['x-abc-cba']).toBe('token');
    expect(sent!.headers['x-smn-message-type']).toBe('Notification');
    expect(sent!.headers['x-smn-topic-urn']).toBe(topic);
    const body = JSON.parse(sent!.text) as Record<string, string>;
    const certificatePem = await (await fetch(body.signing_cert_url!)).text();
    expect(verifySmnNotification(body, { certificatePem, headers: sent!.headers as Record<string, string> }).valid).toBe(true);
  });

  it('an endpoint answering otherwise is status 2 with its code and its answer; it is tried once, never again', async () => {
    const mock = await emulator({ deliverySchedule: { retryDelaysMs: [1, 1, 1, 1, 1, 1], blacklistMs: 0 } });
    const topic = await createTopic(mock, 'orders');
    const busy = await hook((res: ServerResponse) => res.writeHead(503, { 'content-type': 'text/plain' }).end('busy, try later'));
    expect(await probe(mock, topic, { protocol: 'http', endpoint: busy.url })).toMatchObject({ status: 2, detail: { httpCode: 503, httpResponse: 'busy, try later' } });
    const refusing = await hook((res: ServerResponse) => res.writeHead(401).end('{"error":"bad signature"}'));
    expect(await probe(mock, topic, { protocol: 'http', endpoint: refusing.url })).toMatchObject({ status: 2, detail: { httpCode: 401, httpResponse: '{"error":"bad signature"}' } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect([busy.received.length, refusing.received.length]).toEqual([1, 1]);
  });

  it('an endpoint that does not answer (nothing listening) is status 2, httpCode -1', async () => {
    const mock = await emulator();
    const topic = await createTopic(mock, 'orders');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    const shown = await probe(mock, topic, { protocol: 'http', endpoint: `http://127.0.0.1:${port}/smn` });
    expect(shown).toMatchObject({ status: 2, detail: { httpCode: -1 } });
    expect(String((shown.detail as { httpResponse: string }).httpResponse)).toContain('no answer within 5 seconds');
  });

  it('a host the mock may not deliver to is not probed (loopback only unless --allow-hosts): status 2, httpCode 0, saying why', async () => {
    const mock = await emulator();
    const topic = await createTopic(mock, 'orders');
    const shown = await probe(mock, topic, { protocol: 'https', endpoint: 'https://receiver.example.com/smn' });
    expect(shown).toMatchObject({ status: 2, detail: { httpCode: 0 } });
    expect(String((shown.detail as { httpResponse: string }).httpResponse)).toContain('--allow-hosts receiver.example.com');
  });

  it('an endpoint left out after failing (SMN\'s blacklist) is not probed: status 2, httpCode 0 (the vendor: "0, the user is blacklisted")', async () => {
    const mock = await emulator({ autoConfirm: true, deliverySchedule: { retryDelaysMs: [1, 1, 1, 1, 1, 1], blacklistMs: 60_000 } });
    const topic = await createTopic(mock, 'orders');
    const failing = await hook((res: ServerResponse) => res.writeHead(500).end());
    await call(mock, 'POST', `${TOPICS}/${topic}/subscriptions`, { protocol: 'http', endpoint: failing.url });
    await call(mock, 'POST', `${TOPICS}/${topic}/publish`, { message: 'hello' });
    while (failing.received.length < 7) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const shown = await probe(mock, topic, { protocol: 'http', endpoint: failing.url });
    expect(shown).toMatchObject({ status: 2, detail: { httpCode: 0 } });
    expect(String((shown.detail as { httpResponse: string }).httpResponse)).toContain('left out');
    expect(failing.received).toHaveLength(7);
  });

  it('probes past 8 at once are not run: status 1, httpCode -2 (the vendor\'s "queue full, not run")', async () => {
    const mock = await emulator();
    const topic = await createTopic(mock, 'orders');
    const held: ServerResponse[] = [];
    const slow = await hook((res: ServerResponse) => held.push(res));
    const running = Array.from({ length: 8 }, () => detect(mock, topic, { protocol: 'http', endpoint: slow.url }));
    while (slow.received.length < 8) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await probe(mock, topic, { protocol: 'http', endpoint: slow.url })).toMatchObject({ status: 1, detail: { httpCode: -2 } });
    for (const res of held) res.writeHead(204).end();
    const done = await Promise.all(running);
    for (const started of done) expect(await result(mock, topic, String(started.body.task_id))).toMatchObject({ body: { status: 0, detail: { httpCode: 204 } } });
  });

  it('errors: a topic the project does not have 404 SMN.0006; a probe the topic does not have 404 SMN.0060; an endpoint not of its protocol 400 SMN.0012', async () => {
    const mock = await emulator();
    const topic = await createTopic(mock, 'orders');
    const other = await createTopic(mock, 'alerts');
    const missing = `urn:smn:cn-north-4:f96188c7ccaf4ffba0c9aa149ab2bd57:nowhere`;
    const endpoint = await hook();
    expect(await detect(mock, missing, { protocol: 'http', endpoint: endpoint.url })).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
    expect(await result(mock, missing, '0123456789abcdef0123456789abcdef')).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
    expect(await result(mock, topic, '0123456789abcdef0123456789abcdef')).toMatchObject({ status: 404, body: { code: 'SMN.0060' } });
    const task = String((await detect(mock, topic, { protocol: 'http', endpoint: endpoint.url })).body.task_id);
    expect(await result(mock, other, task)).toMatchObject({ status: 404, body: { code: 'SMN.0060' } });
    expect(await detect(mock, topic, { protocol: 'http', endpoint: endpoint.url.replace('http:', 'https:') })).toMatchObject({ status: 400, body: { code: 'SMN.0012' } });
    expect(await detect(mock, topic, { protocol: 'email', endpoint: endpoint.url })).toMatchObject({ status: 400, body: { code: 'SMN.0011' } });
    expect(endpoint.received).toHaveLength(1);
  });

  it('with --state-file, a restart keeps the results; a deleted topic takes its probes with it; each project keeps its last 100', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smn-detection-')), 'state.json');
    const first = await emulator({ stateFile: file });
    const topic = await createTopic(first, 'orders');
    const doomed = await createTopic(first, 'doomed');
    const endpoint = await hook();
    const gone = String((await detect(first, doomed, { protocol: 'http', endpoint: endpoint.url })).body.task_id);
    expect((await result(first, doomed, gone)).status).toBe(200);
    await call(first, 'DELETE', `${TOPICS}/${doomed}`);
    const tasks: string[] = [];
    for (let i = 0; i < 101; i += 1) tasks.push(String((await detect(first, topic, { protocol: 'http', endpoint: endpoint.url })).body.task_id));
    const state = (await (await fetch(`${first.url}/_mock/state`)).json()) as { projects: Record<string, { http_detections?: unknown[] }> };
    expect(againstMockAdmin('State', state)).toEqual([]);
    expect(state.projects['f96188c7ccaf4ffba0c9aa149ab2bd57']!.http_detections).toHaveLength(100);
    await first.close();

    const second = await emulator({ stateFile: file });
    expect(await result(second, topic, tasks[0]!)).toMatchObject({ status: 404, body: { code: 'SMN.0060' } });
    expect(await result(second, topic, tasks[100]!)).toMatchObject({ status: 200, body: { status: 0, detail: { httpCode: 200, httpResponse: 'success' } } });
    await createTopic(second, 'doomed');
    expect(await result(second, doomed, gone)).toMatchObject({ status: 404, body: { code: 'SMN.0060' } });
  });
});
