// The emulator's notifications as SMN sends them (issue 12), over real sockets to real
// receivers: every SubscriptionConfirmation, Notification and UnsubscribeConfirmation
// verifies with a verifier written here from the vendor's guide (not the library's
// code) and with `openssl dgst -verify`; a changed field does not; the confirmation
// flow runs as SMN runs it; the certificate is served (over https too) and kept across
// restarts.
import { execFileSync } from 'node:child_process';
import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSigningIdentity } from '../src/mock/delivery/signing.js';
import { startMock, type MockOptions, type RunningMock } from '../src/mock/server.js';

const project = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
const topic = `urn:smn:cn-north-4:${project}:sms_failures`;
const token = { 'X-Auth-Token': 't' };

interface Received {
  headers: IncomingHttpHeaders;
  body: Record<string, string>;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function receiver(): Promise<{ url: string; received: Received[]; next: (type: string) => Promise<Received> }> {
  const received: Received[] = [];
  const waiting: { type: string; resolve: (r: Received) => void }[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const delivery = { headers: req.headers, body: JSON.parse(text) as Record<string, string> };
      received.push(delivery);
      const at = waiting.findIndex((w) => w.type === delivery.body.type);
      if (at !== -1) waiting.splice(at, 1)[0]!.resolve(delivery);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  const next = (type: string): Promise<Received> => {
    const already = received.find((r) => r.body.type === type);
    return already ? Promise.resolve(already) : new Promise((resolve) => waiting.push({ type, resolve }));
  };
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, next };
}

async function emulator(options: MockOptions = {}): Promise<RunningMock> {
  const mock = await startMock({ port: 0, seedSubscriptions: [], ...options });
  closers.push(() => mock.close());
  const bound = await fetch(`${mock.url}/v2/${project}/notifications/sms/callback`, {
    method: 'PUT',
    headers: { ...token, 'Content-Type': 'application/json' },
    body: JSON.stringify({ callback: [{ event_type: 'sms_fail_event', topic_urn: topic }] }),
  });
  expect(bound.status).toBe(200);
  return mock;
}

const post = async (url: string, body: unknown) => (await fetch(url, { method: 'POST', body: JSON.stringify(body) })).json() as Promise<Record<string, unknown>>;

// --- a verifier written from the vendor's guide ----------------------------------------
// The fields of each type, in this order, each as "key\nvalue\n"; a Notification's
// subject only when it is there. RSA PKCS#1 v1.5 with the hash of the certificate's
// signature algorithm (sha256WithRSA here), base64.
function guideSigningString(body: Record<string, string>): string {
  const fields = body.type === 'Notification' ? ['message', 'message_id', 'subject', 'timestamp', 'topic_urn', 'type'] : ['message', 'message_id', 'subscribe_url', 'timestamp', 'topic_urn', 'type'];
  return fields
    .filter((field) => !(field === 'subject' && body.subject === undefined))
    .map((field) => `${field}\n${body[field]}\n`)
    .join('');
}
function guideVerifies(body: Record<string, string>, certificatePem: string): boolean {
  const certificate = new X509Certificate(certificatePem);
  return verify('sha256', Buffer.from(guideSigningString(body), 'utf8'), createPublicKey(certificate.publicKey.export({ type: 'spki', format: 'pem' })), Buffer.from(body.signature!, 'base64'));
}
function opensslVerifies(body: Record<string, string>, certificatePem: string): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'smn-openssl-'));
  writeFileSync(join(dir, 'cert.pem'), certificatePem);
  execFileSync('openssl', ['x509', '-in', join(dir, 'cert.pem'), '-pubkey', '-noout', '-out', join(dir, 'key.pem')]);
  writeFileSync(join(dir, 'string'), guideSigningString(body));
  writeFileSync(join(dir, 'signature'), Buffer.from(body.signature!, 'base64'));
  try {
    execFileSync('openssl', ['dgst', '-sha256', '-verify', join(dir, 'key.pem'), '-signature', join(dir, 'signature'), join(dir, 'string')], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
const certificateOf = async (body: Record<string, string>): Promise<string> => {
  const response = await fetch(body.signing_cert_url!);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/octet-stream');
  return response.text();
};

describe('the confirmation flow, as SMN runs it', () => {
  it('confirm -> notify -> unsubscribe -> subscribe again, every message signed and verifiable', async () => {
    const mock = await emulator();
    const endpoint = await receiver();
    const added = await post(`${mock.url}/_mock/subscriptions`, { topic_urn: topic, protocol: 'http', endpoint: `${endpoint.url}/smn` });
    const urn = String(added.subscription_urn);
    expect(added).toMatchObject({ status: 0, confirmation: { type: 'SubscriptionConfirmation', status: 200 } });

    // Unconfirmed: nothing is published to it.
    const before = await post(`${mock.url}/_mock/sms/events`, { event_type: 'sms_fail_event' });
    expect(before.deliveries).toEqual([expect.objectContaining({ skipped: expect.stringMatching(/status 0/) })]);

    const confirmation = await endpoint.next('SubscriptionConfirmation');
    expect(confirmation.headers['x-smn-message-type']).toBe('SubscriptionConfirmation');
    expect(confirmation.headers['x-smn-subscription-urn']).toBe(urn);
    expect(confirmation.headers['x-smn-topic-urn']).toBe(topic);
    expect(confirmation.headers['x-smn-message-id']).toBe(confirmation.body.message_id);
    expect(confirmation.body).not.toHaveProperty('subject');
    expect(confirmation.body).not.toHaveProperty('unsubscribe_url');
    const certificate = await certificateOf(confirmation.body);
    expect(new URL(confirmation.body.signing_cert_url!).pathname).toMatch(/^\/smn\/SMN_[A-Za-z0-9-]+_[0-9a-f]{32}\.pem$/);
    expect(guideVerifies(confirmation.body, certificate)).toBe(true);
    expect(opensslVerifies(confirmation.body, certificate)).toBe(true);

    const confirmed = await fetch(confirmation.body.subscribe_url!);
    expect(confirmed.status).toBe(200);
    const list = async () => ((await (await fetch(`${mock.url}/v2/${project}/notifications/subscriptions`, { headers: token })).json()) as { subscriptions: { subscription_urn: string; status: number }[] }).subscriptions;
    expect(await list()).toEqual([expect.objectContaining({ subscription_urn: urn, status: 1 })]);

    const published = await post(`${mock.url}/_mock/sms/events`, { event_type: 'sms_fail_event' });
    expect(published.deliveries).toEqual([expect.objectContaining({ type: 'Notification', status: 200 })]);
    const notification = await endpoint.next('Notification');
    expect(notification.body).toMatchObject({ subject: 'sms_fail_event', message_id: published.message_id, topic_urn: topic });
    expect(JSON.parse(notification.body.message!)).toMatchObject({ event_type: 'sms_fail_event' });
    expect(notification.headers['x-smn-subscription-urn']).toBe(urn);
    expect(guideVerifies(notification.body, certificate)).toBe(true);
    expect(opensslVerifies(notification.body, certificate)).toBe(true);

    const unsubscribed = await fetch(notification.body.unsubscribe_url!);
    expect(unsubscribed.status).toBe(200);
    expect(await list()).toEqual([]);
    const goodbye = await endpoint.next('UnsubscribeConfirmation');
    expect(goodbye.body.subscribe_url).toBeDefined();
    expect(guideVerifies(goodbye.body, certificate)).toBe(true);
    expect(opensslVerifies(goodbye.body, certificate)).toBe(true);

    expect((await fetch(goodbye.body.subscribe_url!)).status).toBe(200);
    expect(await list()).toEqual([expect.objectContaining({ subscription_urn: urn, status: 1 })]);
    // The log of deliveries tells the whole story.
    const { deliveries } = (await (await fetch(`${mock.url}/_mock/deliveries`)).json()) as { deliveries: { type: string; status?: number }[] };
    expect(deliveries.filter((d) => d.status === 200).map((d) => d.type)).toEqual(['SubscriptionConfirmation', 'Notification', 'UnsubscribeConfirmation']);
  });

  it("logs a link's GET with its token masked: whoever reads the log cannot confirm or cancel", async () => {
    const lines: string[] = [];
    const mock = await emulator({ log: (line) => lines.push(line) });
    const endpoint = await receiver();
    await post(`${mock.url}/_mock/subscriptions`, { topic_urn: topic, protocol: 'http', endpoint: `${endpoint.url}/smn` });
    const confirmation = await endpoint.next('SubscriptionConfirmation');
    const link = new URL(confirmation.body.subscribe_url!);
    const secret = link.searchParams.get('token')!;
    expect(secret.length).toBeGreaterThan(16);
    expect((await fetch(link)).status).toBe(200);
    await new Promise((resolve) => setImmediate(resolve));
    const logged = lines.find((line) => line.startsWith(`GET ${link.pathname}?`));
    expect(logged).toMatch(/[?&]token=\*\*\* 200 /);
    expect(logged).toContain('subscription_urn=');
    expect(lines.join('\n')).not.toContain(secret);
  });

  it('a changed field, or a changed signature, does not verify', async () => {
    const mock = await emulator();
    const endpoint = await receiver();
    await post(`${mock.url}/_mock/subscriptions`, { topic_urn: topic, protocol: 'http', endpoint: endpoint.url, status: 1 });
    await post(`${mock.url}/_mock/sms/events`, { event_type: 'sms_fail_event' });
    const { body } = await endpoint.next('Notification');
    const certificate = await certificateOf(body);
    expect(guideVerifies(body, certificate)).toBe(true);
    for (const field of ['message', 'message_id', 'subject', 'timestamp', 'topic_urn', 'type']) {
      expect(guideVerifies({ ...body, [field]: `${body[field]}x` }, certificate), field).toBe(false);
    }
    const signature = Buffer.from(body.signature!, 'base64');
    signature[0] = signature[0]! ^ 1;
    expect(guideVerifies({ ...body, signature: signature.toString('base64') }, certificate)).toBe(false);
  });

  it('links with a wrong token are refused, and confirm nothing', async () => {
    const mock = await emulator();
    const endpoint = await receiver();
    const added = await post(`${mock.url}/_mock/subscriptions`, { topic_urn: topic, protocol: 'http', endpoint: endpoint.url });
    const { body } = await endpoint.next('SubscriptionConfirmation');
    const forged = new URL(body.subscribe_url!);
    forged.searchParams.set('token', 'f'.repeat(64));
    expect((await fetch(forged)).status).toBe(403);
    expect(mock.state!.findSubscription(project, String(added.subscription_urn))?.status).toBe(0);
  });

  it('--auto-confirm: confirmed at once, no SubscriptionConfirmation', async () => {
    const mock = await emulator({ autoConfirm: true });
    const endpoint = await receiver();
    const added = await post(`${mock.url}/_mock/subscriptions`, { topic_urn: topic, protocol: 'http', endpoint: endpoint.url });
    expect(added).toMatchObject({ status: 1 });
    expect(added).not.toHaveProperty('confirmation');
    await post(`${mock.url}/_mock/sms/events`, { event_type: 'sms_fail_event' });
    await endpoint.next('Notification');
    expect(endpoint.received.map((r) => r.body.type)).toEqual(['Notification']);
  });

  it('removing a subscription through /_mock sends the UnsubscribeConfirmation; sms and email ones are confirmed through /_mock', async () => {
    const mock = await emulator();
    const endpoint = await receiver();
    const http = await post(`${mock.url}/_mock/subscriptions`, { topic_urn: topic, protocol: 'http', endpoint: endpoint.url, status: 1 });
    const removed = await fetch(`${mock.url}/_mock/subscriptions/${String(http.subscription_urn)}`, { method: 'DELETE' });
    expect(removed.status).toBe(200);
    expect((await endpoint.next('UnsubscribeConfirmation')).headers['x-smn-subscription-urn']).toBe(http.subscription_urn);
    const sms = await post(`${mock.url}/_mock/subscriptions`, { topic_urn: topic, protocol: 'sms', endpoint: '+8613800000000' });
    expect(sms).toMatchObject({ status: 0 });
    expect(await post(`${mock.url}/_mock/subscriptions/confirm`, { subscription_urn: sms.subscription_urn })).toMatchObject({ status: 1 });
  });
});

describe('the signing identity', () => {
  it('is kept in the state file across restarts, and never shown by /_mock/state', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smn-signing-')), 'state.json');
    const first = await emulator({ stateFile: file });
    const certificate = await (await fetch(first.certificateUrl())).text();
    expect(certificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(JSON.stringify(await (await fetch(`${first.url}/_mock/state`)).json())).not.toMatch(/PRIVATE KEY|link_secret/);
    await first.close();
    const second = await startMock({ port: 0, stateFile: file });
    closers.push(() => second.close());
    expect(second.certificatePem()).toBe(certificate);
  });

  it('signs with a key and certificate the user gives', async () => {
    const vectors = JSON.parse(readFileSync(new URL('../fixtures/smn/signature-vectors.json', import.meta.url), 'utf8')) as { key: string; certificate: string };
    const dir = mkdtempSync(join(tmpdir(), 'smn-given-'));
    const { key, certificate } = vectors;
    writeFileSync(join(dir, 'key.pem'), key);
    writeFileSync(join(dir, 'cert.pem'), certificate);
    const mock = await emulator({ signing: readSigningIdentity(join(dir, 'key.pem'), join(dir, 'cert.pem')) });
    const endpoint = await receiver();
    await post(`${mock.url}/_mock/subscriptions`, { topic_urn: topic, protocol: 'http', endpoint: endpoint.url, status: 1 });
    await post(`${mock.url}/_mock/sms/events`, { event_type: 'sms_fail_event' });
    const { body } = await endpoint.next('Notification');
    expect(await certificateOf(body)).toBe(certificate);
    expect(guideVerifies(body, certificate)).toBe(true);
  });

  it('serves HTTPS with its certificate: signing_cert_url is https, and a client that trusts the certificate fetches it', async () => {
    const mock = await emulator({ httpsPort: 0 });
    expect(mock.httpsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const endpoint = await receiver();
    await post(`${mock.url}/_mock/subscriptions`, { topic_urn: topic, protocol: 'http', endpoint: endpoint.url });
    const { body } = await endpoint.next('SubscriptionConfirmation');
    expect(body.signing_cert_url).toMatch(/^https:\/\//);
    expect(body.subscribe_url).toMatch(/^https:\/\//);
    const ca = mock.certificatePem()!;
    const fetched = await new Promise<string>((resolve, reject) => {
      httpsGet(body.signing_cert_url!, { ca }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    expect(fetched).toBe(ca);
    expect(guideVerifies(body, ca)).toBe(true);
    // A client that does not trust it is refused, as a receiver should be.
    await expect(new Promise((resolve, reject) => httpsGet(body.signing_cert_url!, resolve).on('error', reject))).rejects.toThrow(/self-signed|self signed/);
  });
});
