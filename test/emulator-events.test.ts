// SMS callback events out of the emulator: POST /_mock/sms/events reaches every
// confirmed http(s) subscriber of the bound topic as an SMN notification, over a real
// socket, and nobody else.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { smnResponses } from '../src/contract/smn-responses.js';
import { startMock, type RunningMock } from '../src/mock/server.js';

const project = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
const topic = `urn:smn:cn-north-4:${project}:sms_failures`;
const responses = smnResponses();

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function receiver(): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(text) as Record<string, unknown> });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

async function emulator(): Promise<RunningMock> {
  const mock = await startMock({ port: 0, seedSubscriptions: [] });
  closers.push(() => mock.close());
  return mock;
}

const post = async (mock: RunningMock, path: string, body: unknown) => {
  const response = await fetch(`${mock.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

async function bindFailures(mock: RunningMock): Promise<void> {
  const response = await fetch(`${mock.url}/v2/${project}/notifications/sms/callback`, {
    method: 'PUT',
    headers: { 'X-Auth-Token': 't', 'Content-Type': 'application/json' },
    body: JSON.stringify({ callback: [{ event_type: 'sms_fail_event', topic_urn: topic }] }),
  });
  expect(response.status).toBe(200);
}

describe('POST /_mock/sms/events', () => {
  it('delivers the event to each confirmed http(s) subscriber of the bound topic as an SMN notification', async () => {
    const mock = await emulator();
    const first = await receiver();
    const second = await receiver();
    const bystander = await receiver();
    await bindFailures(mock);
    const subscribe = (body: Record<string, unknown>) => post(mock, '/_mock/subscriptions', body);
    await subscribe({ topic_urn: topic, protocol: 'http', endpoint: `${first.url}/smn`, status: 1 });
    await subscribe({ topic_urn: topic, protocol: 'http', endpoint: `${second.url}/hook`, status: 2 });
    await subscribe({ topic_urn: topic, protocol: 'http', endpoint: `${bystander.url}/unconfirmed`, status: 0 });
    await subscribe({ topic_urn: topic, protocol: 'email', endpoint: 'ops@example.com' });
    await subscribe({ topic_urn: `urn:smn:cn-north-4:${project}:other`, protocol: 'http', endpoint: `${bystander.url}/other-topic`, status: 1 });

    const published = await post(mock, '/_mock/sms/events', { event_type: 'sms_fail_event', status_desc: 'UNDELIV', mobile: '139****0000' });
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ topic_urn: topic, message_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const deliveries = published.body.deliveries as Record<string, unknown>[];
    expect(deliveries.map((d) => [d.endpoint, d.status ?? d.skipped])).toEqual([
      [`${first.url}/smn`, 204],
      [`${second.url}/hook`, 204],
      [`${bystander.url}/unconfirmed`, 'status 0: SMN delivers to confirmed subscriptions only'],
    ]);
    expect(bystander.received).toEqual([]);

    for (const { received } of [first, second]) {
      expect(received).toHaveLength(1);
      const [notification] = received;
      expect(notification!.headers).toMatchObject({
        'x-smn-message-type': 'Notification',
        'x-smn-message-id': published.body.message_id,
        'x-smn-topic-urn': topic,
        'content-type': expect.stringMatching(/^application\/json/),
      });
      expect(responses.validateSchema('SmnNotification', notification!.body)).toEqual([]);
      expect(notification!.body).toMatchObject({ type: 'Notification', topic_urn: topic, message_id: published.body.message_id });
      const event = JSON.parse(notification!.body.message as string) as Record<string, unknown>;
      expect(responses.validateSchema('SmsCallbackMessage', event)).toEqual([]);
      expect(event).toMatchObject({ event_type: 'sms_fail_event', status: 0, status_desc: 'UNDELIV', mobile: '139****0000' });
      expect(event).toEqual(published.body.event);
    }
  });

  it('reports a subscriber that cannot be reached, and still delivers to the others', async () => {
    const mock = await emulator();
    const alive = await receiver();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/gone`;
    await new Promise((resolve) => closed.close(resolve));
    await bindFailures(mock);
    await post(mock, '/_mock/subscriptions', { topic_urn: topic, protocol: 'http', endpoint: deadUrl, status: 1 });
    await post(mock, '/_mock/subscriptions', { topic_urn: topic, protocol: 'http', endpoint: alive.url, status: 1 });
    const published = await post(mock, '/_mock/sms/events', { event_type: 'sms_fail_event' });
    const deliveries = published.body.deliveries as Record<string, unknown>[];
    expect(deliveries[0]).toMatchObject({ endpoint: deadUrl, error: expect.stringContaining('ECONNREFUSED') });
    expect(deliveries[1]).toMatchObject({ endpoint: alive.url, status: 204 });
    expect(alive.received).toHaveLength(1);
  });

  it.each([
    [{ event_type: 'approval_event' }, 400, /event_type must be one of sms_success_event, sms_fail_event, sms_reply_event|event_type must be one of/],
    [{ event_type: 'sms_fail_event', status: 'failed' }, 400, /not a valid sms_fail_event/],
    [{ event_type: 'sms_reply_event' }, 404, /no topic is bound to sms_reply_event in project f96188c7ccaf4ffba0c9aa149ab2bd57/],
  ])('refuses %j with %i and says why', async (body, status, message) => {
    const mock = await emulator();
    await bindFailures(mock);
    const answer = await post(mock, '/_mock/sms/events', body);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toMatch(message);
    if (status === 400 && body.event_type === 'sms_fail_event') expect(answer.body.problems).toContainEqual(expect.objectContaining({ pointer: '/status', rule: 'type', received: '"failed"' }));
  });
});
