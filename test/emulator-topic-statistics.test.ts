// ListTopicMessageStatistics over a real socket: the SMS a topic sent (Huawei Cloud API
// reference "Querying Sending Details of a Topic"; SDK models SumCountDetail and
// StatisticsDetail count `sms`), counted from what the emulator sent to sms subscribers,
// per UTC hour (the SDK model's times are "UTC whole hours"), and the errors the vendor's
// table gives for the times.
import { afterEach, describe, expect, it } from 'vitest';
import { startMock, type MockOptions, type RunningMock } from '../src/mock/server.js';
import { admin, call, createTopic, TOPICS } from './support/emulator-client.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function emulator(options: MockOptions = {}): Promise<RunningMock> {
  // No seed: the seed's topics (alerts...) have sms subscribers of their own.
  const mock = await startMock({ port: 0, autoConfirm: true, seedSubscriptions: [], ...options });
  closers.push(() => mock.close());
  return mock;
}

const statistics = (mock: RunningMock, topic: string, start: string, end: string) =>
  call(mock, 'GET', `${TOPICS}/${topic}/statistics?start_time=${encodeURIComponent(start)}&end_time=${encodeURIComponent(end)}`);

const HOUR = 3_600_000;
const wholeHour = (ms: number): string => new Date(Math.floor(ms / HOUR) * HOUR).toISOString().replace('.000Z', 'Z');

describe('ListTopicMessageStatistics', () => {
  it('counts the SMS each topic sent, in total and per UTC hour; other protocols and other topics do not count', async () => {
    const mock = await emulator();
    const orders = await createTopic(mock, 'orders');
    const alerts = await createTopic(mock, 'alerts');
    for (const [topic, protocol, endpoint] of [
      [orders, 'sms', '+8613800000001'],
      [orders, 'sms', '+8613800000002'],
      [orders, 'email', 'ops@example.com'],
      [alerts, 'sms', '+8613800000003'],
    ] as const) {
      await call(mock, 'POST', `${TOPICS}/${topic}/subscriptions`, { protocol, endpoint });
    }
    for (const topic of [orders, orders, alerts]) await call(mock, 'POST', `${TOPICS}/${topic}/publish`, { message: 'shipped' });

    const now = Date.now();
    // As the SDK's users send them (epoch milliseconds), and as ISO 8601.
    const counted = await statistics(mock, orders, String(now - HOUR), String(now + HOUR));
    expect(counted.status).toBe(200);
    expect(counted.body.total).toEqual({ sms: 4 });
    const sent = (await admin<{ messages: { type: string; protocol: string; topic_urn: string; time: string }[] }>(mock, 'GET', 'outbox')).messages.filter(
      (m) => m.type === 'Notification' && m.protocol === 'sms' && m.topic_urn === orders,
    );
    const hours = [...new Set(sent.map((m) => wholeHour(Date.parse(m.time))))].sort();
    expect((counted.body.statistics as { start_time: string }[]).map((s) => s.start_time)).toEqual(hours);
    expect((counted.body.statistics as { count: { sms: number } }[]).reduce((sum, s) => sum + s.count.sms, 0)).toBe(4);

    const iso = await statistics(mock, alerts, new Date(now - HOUR).toISOString(), new Date(now + HOUR).toISOString());
    expect(iso.body.total).toEqual({ sms: 1 });
    // A period before anything was sent counts nothing.
    expect((await statistics(mock, orders, String(now - 3 * HOUR), String(now - 2 * HOUR))).body).toMatchObject({ total: { sms: 0 }, statistics: [] });
  });

  it('counts what the outbox holds: emptied by DELETE /_mock/outbox', async () => {
    const mock = await emulator();
    const topic = await createTopic(mock, 'orders');
    await call(mock, 'POST', `${TOPICS}/${topic}/subscriptions`, { protocol: 'sms', endpoint: '+8613800000001' });
    await call(mock, 'POST', `${TOPICS}/${topic}/publish`, { message: 'shipped' });
    const now = Date.now();
    expect((await statistics(mock, topic, String(now - HOUR), String(now + HOUR))).body.total).toEqual({ sms: 1 });
    await fetch(`${mock.url}/_mock/outbox`, { method: 'DELETE' });
    expect((await statistics(mock, topic, String(now - HOUR), String(now + HOUR))).body.total).toEqual({ sms: 0 });
  });

  it.each([
    ['a start_time that is no time', 'yesterday', '1767225600000', 'SMN.0103'],
    ['an end_time that is no time', '1767225600000', '2026-02-30T00:00:00Z', 'SMN.0104'],
    ['an end_time before start_time', '2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z', 'SMN.0114'],
    ['an end_time equal to start_time', '1767225600000', '2026-01-01T00:00:00Z', 'SMN.0114'],
  ])('%s gets 400 %s (the vendor\'s error-code table)', async (_what, start, end, code) => {
    const mock = await emulator();
    const topic = await createTopic(mock, 'orders');
    expect(await statistics(mock, topic, start, end)).toMatchObject({ status: 400, body: { code } });
  });

  it('a topic the project does not have gets 404 SMN.0006; a missing time 400', async () => {
    const mock = await emulator();
    const missing = 'urn:smn:cn-north-4:f96188c7ccaf4ffba0c9aa149ab2bd57:nowhere';
    expect(await statistics(mock, missing, '1767225600000', '1767229200000')).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
    const topic = await createTopic(mock, 'orders');
    expect(await call(mock, 'GET', `${TOPICS}/${topic}/statistics?end_time=1767229200000`)).toMatchObject({ status: 400, body: { code: 'SMN.0103' } });
  });
});
