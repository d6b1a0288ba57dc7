// The emulator delivers as SMN delivers (issue 20), shown with real receivers that fail
// on purpose, over real sockets, through the API a publisher calls. The vendor's FAQ
// "Does SMN Ensure That Messages Are Received by Subscription Endpoints?" (Huawei Cloud,
// smn_faq_0014): an inaccessible endpoint's message is queued and SMN "tries to deliver
// it six more times", then discards it; "The timeout period for SMN to send a message to
// an HTTP/HTTPS endpoint is 5s"; "SMN retries only when the HTTP/HTTPS subscription
// endpoint returns 500 or other 5xx server errors"; an endpoint that fails "for multiple
// times within a specified period" is blacklisted, and "5 to 10 minutes after" it is
// removed and delivered to again; the retry interval "varies depending on the length of
// the message queue" (hours). PublishMessage's `time_to_live`: how long SMN keeps the
// message (the contract's description). Adding a Subscription (Open Telekom Cloud
// api-ref, SubscriptionExtension `header`): "confirmed subscription messages carry the
// user-defined HTTP header"; "key must start with x- but not x-smn"; "The total length of
// all key/value pairs cannot exceed 1,024 characters". The delays are compressed to
// milliseconds (the mock's deliverySchedule; `--retry-delays` and `--blacklist`).
import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { mockCommand } from '../src/commands/mock.js';
import type { DeliverySchedule } from '../src/mock/delivery/schedule.js';
import { generateSigningIdentity } from '../src/mock/delivery/signing.js';
import { startMock, type MockOptions, type RunningMock } from '../src/mock/server.js';
import { deliveryProblems } from './support/admin-schema.js';
import { runCommand } from './support/command.js';

const project = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
const headers = { 'X-Auth-Token': 't', 'Content-Type': 'application/json' };

interface Received {
  headers: IncomingHttpHeaders;
  body: Record<string, string>;
}

/** A record of GET /_mock/deliveries. */
interface Attempt {
  type: string;
  endpoint: string;
  subscription_urn: string;
  message_id: string;
  attempt?: number;
  status?: number;
  error?: string;
  skipped?: string;
  reason?: string;
  next_attempt_at?: string;
  outcome?: string;
  custom_headers?: string[];
  time: string;
  project_id: string;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** What the receiver does with its n-th request (1, 2...): answer with a status, or drop the connection without an answer. */
type Script = (n: number) => number | 'no answer';

async function receiver(initial: Script): Promise<{ url: string; received: Received[]; answer: (script: Script) => void }> {
  const received: Received[] = [];
  let script = initial;
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(text) as Record<string, string> });
      const answer = script(received.length);
      if (answer === 'no answer') req.socket.destroy();
      else res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/smn`, received, answer: (next) => (script = next) };
}

// One signing key for every emulator of the file: making one takes a while.
const signing = generateSigningIdentity();

/** The emulator with SMN's schedule in milliseconds; subscriptions confirmed at once unless told otherwise. */
async function emulator(schedule: { delays: number[]; blacklistMs?: number }, options: MockOptions = {}): Promise<RunningMock> {
  const deliverySchedule: DeliverySchedule = { retryDelaysMs: schedule.delays, blacklistMs: schedule.blacklistMs ?? 0 };
  const mock = await startMock({ port: 0, seedSubscriptions: [], autoConfirm: true, deliverySchedule, signing, ...options });
  closers.push(() => mock.close());
  return mock;
}

const call = async (mock: RunningMock, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
  const response = await fetch(`${mock.url}/v2/${project}/notifications${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

async function topicWith(mock: RunningMock, endpoint: string, extension?: unknown): Promise<{ topicUrn: string; subscriptionUrn: string }> {
  const made = await call(mock, 'POST', '/topics', { name: `t${Math.random().toString(36).slice(2, 8)}`, display_name: 'retries' });
  const topicUrn = String(made.body.topic_urn);
  const added = await call(mock, 'POST', `/topics/${topicUrn}/subscriptions`, { protocol: 'http', endpoint, ...(extension ? { extension } : {}) });
  expect(added.status).toBe(201);
  return { topicUrn, subscriptionUrn: String(added.body.subscription_urn) };
}

async function publish(mock: RunningMock, topicUrn: string, body: Record<string, unknown> = { message: 'hello' }): Promise<string> {
  const published = await call(mock, 'POST', `/topics/${topicUrn}/publish`, body);
  expect(published.status).toBe(200);
  return String(published.body.message_id);
}

async function attempts(mock: RunningMock, messageId: string): Promise<Attempt[]> {
  const { deliveries } = (await (await fetch(`${mock.url}/_mock/deliveries`)).json()) as { deliveries: Attempt[] };
  return deliveries.filter((d) => d.message_id === messageId);
}

/** The records of the message once one carries an outcome (polling: the retries run after the publication was answered). */
async function settled(mock: RunningMock, messageId: string, withinMs = 5000): Promise<Attempt[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const records = await attempts(mock, messageId);
    if (records.some((r) => r.outcome)) return records;
    if (Date.now() > deadline) throw new Error(`no outcome for ${messageId} within ${withinMs} ms: ${JSON.stringify(records)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// A verifier written from the vendor's guide: the Notification's fields in order, "key\nvalue\n" each, RSA SHA-256.
function verifies(body: Record<string, string>, certificatePem: string): boolean {
  const text = ['message', 'message_id', 'subject', 'timestamp', 'topic_urn', 'type']
    .filter((field) => body[field] !== undefined)
    .map((field) => `${field}\n${body[field]}\n`)
    .join('');
  const key = createPublicKey(new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'pem' }));
  return verify('sha256', Buffer.from(text, 'utf8'), key, Buffer.from(body.signature!, 'base64'));
}

describe('retries, as SMN retries', () => {
  it('5xx twice, then 200: three attempts, delivered once, the same message every time (message_id, timestamp, signature)', async () => {
    const mock = await emulator({ delays: [50, 50, 50, 50, 50, 50] });
    const endpoint = await receiver((n) => (n <= 2 ? 503 : 200));
    const { topicUrn, subscriptionUrn } = await topicWith(mock, endpoint.url);
    const messageId = await publish(mock, topicUrn, { subject: 'retry', message: 'hello' });
    // PublishMessage answers after the first attempt: it is recorded, the next one due.
    const first = await attempts(mock, messageId);
    expect(first).toEqual([expect.objectContaining({ attempt: 1, status: 503, next_attempt_at: expect.any(String) })]);
    expect(first[0]).not.toHaveProperty('outcome');

    const records = await settled(mock, messageId);
    expect(records.map((r) => [r.attempt, r.status, r.outcome ?? null])).toEqual([
      [1, 503, null],
      [2, 503, null],
      [3, 200, 'delivered'],
    ]);
    expect(records.every((r) => r.subscription_urn === subscriptionUrn && r.type === 'Notification')).toBe(true);
    // What /_mock/deliveries shows is what spec/mock-admin.openapi.yaml describes.
    expect(records.flatMap(deliveryProblems)).toEqual([]);
    // Each retry was due when the record before it said.
    for (const [i, record] of records.slice(1).entries()) expect(Date.parse(record.time)).toBeGreaterThanOrEqual(Date.parse(records[i]!.next_attempt_at!));

    expect(endpoint.received).toHaveLength(3);
    const [a, b, c] = endpoint.received.map((r) => r.body);
    expect(new Set([a!.message_id, b!.message_id, c!.message_id])).toEqual(new Set([messageId]));
    expect(endpoint.received.map((r) => r.headers['x-smn-message-id'])).toEqual([messageId, messageId, messageId]);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    const certificate = await (await fetch(a!.signing_cert_url!)).text();
    expect(verifies(c!, certificate)).toBe(true);
    // Delivered once: nothing follows.
    await sleep(200);
    expect(endpoint.received).toHaveLength(3);
  });

  it('a 4xx is not retried: one attempt, refused', async () => {
    const mock = await emulator({ delays: [20, 20, 20, 20, 20, 20] });
    const endpoint = await receiver(() => 404);
    const { topicUrn } = await topicWith(mock, endpoint.url);
    const messageId = await publish(mock, topicUrn);
    expect(await attempts(mock, messageId)).toEqual([expect.objectContaining({ attempt: 1, status: 404, outcome: 'refused' })]);
    await sleep(300);
    expect(endpoint.received).toHaveLength(1);
    expect(await attempts(mock, messageId)).toHaveLength(1);
  });

  it('an endpoint that never answers: seven attempts, then the message is dropped', async () => {
    const mock = await emulator({ delays: [20, 20, 20, 20, 20, 20] });
    const endpoint = await receiver(() => 'no answer');
    const { topicUrn } = await topicWith(mock, endpoint.url);
    const messageId = await publish(mock, topicUrn);
    const records = await settled(mock, messageId);
    expect(records.map((r) => r.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(records.every((r) => /did not answer/.test(r.error ?? ''))).toBe(true);
    expect(records.slice(0, 6).every((r) => r.next_attempt_at !== undefined && r.outcome === undefined)).toBe(true);
    expect(records[6]).toMatchObject({ outcome: 'dropped_after_attempts', reason: expect.stringMatching(/7 times/) });
    expect(records[6]).not.toHaveProperty('next_attempt_at');
    expect(records.flatMap(deliveryProblems)).toEqual([]);
    await sleep(200);
    expect(endpoint.received).toHaveLength(7);
  });

  it('time_to_live passed: the message is dropped rather than tried after it, and recorded so', async () => {
    const mock = await emulator({ delays: [300, 3000, 3000, 3000, 3000, 3000] });
    const endpoint = await receiver(() => 500);
    const { topicUrn } = await topicWith(mock, endpoint.url);
    // time_to_live is seconds, a string: 1 s allows the attempts at 0 and 0.3 s; the third would be due at 3.3 s.
    const messageId = await publish(mock, topicUrn, { message: 'short-lived', time_to_live: '1' });
    const records = await settled(mock, messageId);
    expect(records.map((r) => [r.attempt, r.status, r.outcome ?? null])).toEqual([
      [1, 500, null],
      [2, 500, 'dropped_by_ttl'],
    ]);
    expect(records[1]!.reason).toMatch(/^no attempt 3: it would be due at .*, after its time_to_live ends at /);
    expect(records[1]).not.toHaveProperty('next_attempt_at');
    await sleep(500);
    expect(endpoint.received).toHaveLength(2);
  });

  it('without time_to_live, 3,600 s: a retry due later is not made', async () => {
    const mock = await emulator({ delays: [3_600_000] });
    const endpoint = await receiver(() => 502);
    const { topicUrn } = await topicWith(mock, endpoint.url);
    const messageId = await publish(mock, topicUrn);
    expect(await attempts(mock, messageId)).toEqual([expect.objectContaining({ attempt: 1, status: 502, outcome: 'dropped_by_ttl' })]);
  });

  it('an endpoint that keeps failing is left out for a while, then delivered to again', async () => {
    const mock = await emulator({ delays: [10, 10, 10, 10, 10, 10], blacklistMs: 800 });
    const endpoint = await receiver(() => 503);
    const { topicUrn } = await topicWith(mock, endpoint.url);
    const dropped = await settled(mock, await publish(mock, topicUrn, { message: 'first' }));
    expect(dropped.at(-1)).toMatchObject({ attempt: 7, outcome: 'dropped_after_attempts' });
    expect(endpoint.received).toHaveLength(7);

    // The endpoint recovers, but it is left out: the next message is not sent at all.
    endpoint.answer(() => 200);
    const skipped = await attempts(mock, await publish(mock, topicUrn, { message: 'second' }));
    expect(skipped).toEqual([expect.objectContaining({ attempt: 1, outcome: 'left_out', skipped: expect.stringMatching(/left out until .* after 7 failed attempts in a row/) })]);
    expect(skipped[0]).not.toHaveProperty('status');
    expect(skipped.flatMap(deliveryProblems)).toEqual([]);
    expect(endpoint.received).toHaveLength(7);

    await sleep(900);
    const again = await attempts(mock, await publish(mock, topicUrn, { message: 'third' }));
    expect(again).toEqual([expect.objectContaining({ attempt: 1, status: 200, outcome: 'delivered' })]);
    expect(endpoint.received.at(-1)!.body.message).toBe('third');
  });

  it('a retry goes only where the message is still wanted: a subscription removed meanwhile gets no more attempts', async () => {
    const mock = await emulator({ delays: [300, 300, 300, 300, 300, 300] });
    const endpoint = await receiver(() => 503);
    const { topicUrn, subscriptionUrn } = await topicWith(mock, endpoint.url);
    const messageId = await publish(mock, topicUrn);
    expect((await call(mock, 'DELETE', `/subscriptions/${subscriptionUrn}`)).status).toBe(200);
    const records = await settled(mock, messageId);
    expect(records.map((r) => [r.attempt, r.outcome ?? null])).toEqual([
      [1, null],
      [2, 'dropped_subscription_changed'],
    ]);
    // The UnsubscribeConfirmation went out; no Notification after the first.
    expect(endpoint.received.filter((r) => r.body.type === 'Notification')).toHaveLength(1);
  });

  it('retries wait in a bounded queue: past 1,000, the oldest is dropped and recorded so', async () => {
    // A closed port: every first attempt fails at once; the retries would wait half an hour (within the default time_to_live, 3,600 s).
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const mock = await emulator({ delays: [1_800_000, 1_800_000, 1_800_000, 1_800_000, 1_800_000, 1_800_000] });
    const made = await call(mock, 'POST', '/topics', { name: 'many', display_name: 'many' });
    const topicUrn = String(made.body.topic_urn);
    for (let i = 0; i < 100; i++) await call(mock, 'POST', `/topics/${topicUrn}/subscriptions`, { protocol: 'http', endpoint: `http://127.0.0.1:${port}/s${i}` });
    const ids: string[] = [];
    for (let i = 0; i < 11; i++) ids.push(await publish(mock, topicUrn, { message: `m${i}` }));
    // 1,100 retries for 1,000 places: the first publication's 100, the oldest, are dropped.
    const firstRecords = await attempts(mock, ids[0]!);
    expect(firstRecords.filter((r) => r.outcome === 'dropped_queue_full')).toHaveLength(100);
    expect(firstRecords.find((r) => r.outcome === 'dropped_queue_full')).toMatchObject({ attempt: 2, skipped: expect.stringMatching(/at most 1000 retries/) });
    for (const id of ids.slice(1)) expect((await attempts(mock, id)).some((r) => r.outcome === 'dropped_queue_full')).toBe(false);
  }, 20_000);

  it('closing the mock stops the retries: nothing more is sent', async () => {
    const mock = await emulator({ delays: [150, 150, 150, 150, 150, 150] });
    const endpoint = await receiver(() => 503);
    const { topicUrn } = await topicWith(mock, endpoint.url);
    await publish(mock, topicUrn);
    const started = performance.now();
    await mock.close();
    expect(performance.now() - started).toBeLessThan(500);
    await sleep(400);
    expect(endpoint.received).toHaveLength(1);
  });
});

describe('custom headers (extension.header), as SMN sends them', () => {
  it('stored with the subscription, sent with every message once confirmed (retries included), never with the SubscriptionConfirmation, never listed', async () => {
    const mock = await emulator({ delays: [20, 20, 20, 20, 20, 20] }, { autoConfirm: false });
    const endpoint = await receiver((n) => (n === 3 ? 503 : 200));
    const header = { 'x-hook-token': 'opensesame', 'X-Trace-Id': 'abc 123' };
    const { topicUrn, subscriptionUrn } = await topicWith(mock, endpoint.url, { header });

    const [confirmation] = endpoint.received;
    expect(confirmation!.body.type).toBe('SubscriptionConfirmation');
    expect(confirmation!.headers).not.toHaveProperty('x-hook-token');
    expect(confirmation!.headers).not.toHaveProperty('x-trace-id');
    expect((await fetch(confirmation!.body.subscribe_url!)).status).toBe(200);

    // The second request is answered 200, the third (the retry's first try) 503, the fourth 200.
    await publish(mock, topicUrn, { message: 'first' });
    const retried = await settled(mock, await publish(mock, topicUrn, { message: 'second' }));
    expect(retried.map((r) => r.outcome ?? r.status)).toEqual([503, 'delivered']);
    expect(retried.every((r) => JSON.stringify(r.custom_headers) === '["x-hook-token","X-Trace-Id"]')).toBe(true);
    expect(JSON.stringify(await (await fetch(`${mock.url}/_mock/deliveries`)).json())).not.toContain('opensesame');

    const listed = await call(mock, 'GET', '/subscriptions');
    expect(JSON.stringify(listed.body)).not.toContain('opensesame');
    expect((listed.body.subscriptions as { subscription_urn: string }[]).map((s) => s.subscription_urn)).toEqual([subscriptionUrn]);

    expect((await call(mock, 'DELETE', `/subscriptions/${subscriptionUrn}`)).status).toBe(200);
    const types = endpoint.received.map((r) => r.body.type);
    expect(types).toEqual(['SubscriptionConfirmation', 'Notification', 'Notification', 'Notification', 'UnsubscribeConfirmation']);
    for (const message of endpoint.received.slice(1)) {
      expect(message.headers['x-hook-token']).toBe('opensesame');
      expect(message.headers['x-trace-id']).toBe('abc 123');
      expect(message.headers['x-smn-message-type']).toBe(message.body.type);
    }
  });

  it('kept across a restart with --state-file', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const stateFile = join(mkdtempSync(join(tmpdir(), 'smn-headers-')), 'state.json');
    const endpoint = await receiver(() => 200);
    const first = await emulator({ delays: [20] }, { stateFile });
    const { topicUrn } = await topicWith(first, endpoint.url, { header: { 'x-hook-token': 'kept' } });
    await first.close();
    const second = await emulator({ delays: [20] }, { stateFile });
    await publish(second, topicUrn);
    expect(endpoint.received.at(-1)!.headers['x-hook-token']).toBe('kept');
  });

  it('a header outside the vendor\'s rule (not x-, x-smn, past 1,024 characters) is not sent, and never replaces one SMN sets', async () => {
    const mock = await emulator({ delays: [20] });
    const endpoint = await receiver(() => 200);
    const made = await call(mock, 'POST', '/topics', { name: 'guarded', display_name: 'guarded' });
    const topicUrn = String(made.body.topic_urn);
    // /_mock/subscriptions records a subscription as given (as a state file may hold one): the rule is applied when sending.
    const header = {
      'x-ok': 'yes',
      'content-type': 'text/plain',
      'X-SMN-MESSAGE-TYPE': 'Forged',
      host: 'elsewhere.example',
      'x-long': 'v'.repeat(1024 - 'x-ok'.length - 'yes'.length - 'x-long'.length + 1),
      'x-fits': '',
    };
    const added = await fetch(`${mock.url}/_mock/subscriptions`, {
      method: 'POST',
      body: JSON.stringify({ project_id: project, topic_urn: topicUrn, protocol: 'http', endpoint: endpoint.url, status: 1, extension: { header } }),
    });
    expect(added.status).toBe(201);
    await publish(mock, topicUrn);
    const [notification] = endpoint.received;
    expect(notification!.headers['x-ok']).toBe('yes');
    expect(notification!.headers['x-fits']).toBe('');
    expect(notification!.headers).not.toHaveProperty('x-long');
    expect(notification!.headers['content-type']).toMatch(/^application\/json/);
    expect(notification!.headers['x-smn-message-type']).toBe('Notification');
    expect(notification!.headers.host).toMatch(/^127\.0\.0\.1:/);
  });
});

describe('smn-kit mock --retry-delays, --blacklist', () => {
  it.each([
    [['--retry-delays', '5'], /--retry-delays \(delay 1\) must be a duration such as 500ms, 2s, 1m or 1h, got "5"/],
    [['--retry-delays', '1s,2s,3s,4s,5s,6s,7s'], /--retry-delays takes at most 6 delays \(SMN tries a message 7 times\), got 7/],
    [['--retry-delays', '2d'], /must be a duration/],
    [['--retry-delays', '25h'], /must be at most a day/],
    [['--blacklist', 'soon'], /--blacklist must be a duration/],
    [['--stateless', '--retry-delays', '1s'], /--stateless delivers nothing/],
  ])('refuses %j with one line and exit 2', async (args, message) => {
    const ran = await runCommand(mockCommand, ['--port', '0', ...args]);
    expect(ran.status).toBe(2);
    expect(ran.stderr).toMatch(message);
    expect(ran.stderr.trim().split('\n')).toHaveLength(1);
  });
});
