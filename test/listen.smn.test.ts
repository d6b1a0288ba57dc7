// `smn-kit listen` as an SMN endpoint (issue 12, item 5), over real sockets: the full
// confirm -> notify -> unsubscribe cycle against the emulator with --confirm, each
// message verified with the certificate listen fetched from the emulator, and
// `smn-kit validate` on the --out file; where certificates may come from (allowed hosts
// only, fetched once, bounded, a failure being that delivery's problem); when --confirm
// visits subscribe_url; the message against its SMS callback event's schema; the
// strictness policy; timestamps and replays. listen runs in this process, as the
// command line runs it; the notifications are signed with the kit's test-only key.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { listenCommand } from '../src/commands/listen.js';
import { validateCommand } from '../src/commands/validate.js';
import { generateSmsCallbackEvent } from '../src/generate/sms-callback.js';
import { startMock } from '../src/mock/server.js';
import { smnNotification, type SmnNotification } from '../src/notify/envelope.js';
import { cleanEnv, runCommand, serveInProcess } from './support/command.js';
import { vectors } from './support/smn-vectors.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const TEST_CERT = join(root, 'fixtures/smn/test-only-certificate.pem');
const project = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
const topic = `urn:smn:cn-north-4:${project}:sms_failures`;
const work = mkdtempSync(join(tmpdir(), 'smn-kit-listen-smn-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** Starts `smn-kit listen` in this process on a free port, once it prints its URL. */
const listen = (...args: string[]) => serveInProcess(listenCommand, ['--port', '0', ...args], cleanEnv);

/** A small server of ours on loopback; `handle` answers, `requests` counts what came. */
async function server(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const http = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handle(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, requests };
}

/** Serves the kit's test-only certificate (or what `body` says) at any path. */
const certificateServer = (body: () => string | Buffer = () => vectors.certificate) =>
  server((_req, res) => void res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(body()));

interface Made {
  type?: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  message?: object | string;
  signingCertUrl: string;
  subscribeUrl?: string;
  timestamp?: number;
}

/** A notification signed with the kit's test-only key (fixtures/smn/signature-vectors.json). */
function made(options: Made): SmnNotification {
  const type = options.type ?? 'Notification';
  const message = options.message ?? (type === 'Notification' ? generateSmsCallbackEvent('sms_fail_event') : `You are invited to subscribe to topic ${topic}.`);
  return smnNotification(topic, message, {
    type,
    signingCertUrl: options.signingCertUrl,
    subscribeUrl: options.subscribeUrl,
    timestamp: options.timestamp,
    signer: { privateKey: vectors.key },
  });
}

const send = (url: string, sent: SmnNotification, headers: Record<string, string> = sent.headers) =>
  fetch(`${url}/smn`, { method: 'POST', headers, body: JSON.stringify(sent.body) });

const deliveryLines = (stdout: string): string[] => stdout.split('\n').filter((line) => /^#\d+ /.test(line));
const summaryOf = (stdout: string): string => stdout.trim().split('\n').at(-1) ?? '';
const records = (path: string): Record<string, any>[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, any>);

/** Resolves once `check` holds, polling; fails the test after `ms`. */
async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('smn-kit listen --confirm: the whole cycle against the emulator', () => {
  it('confirms, verifies the Notification and the UnsubscribeConfirmation with the certificate it fetched from the emulator, and validate accepts its --out file', async () => {
    const mock = await startMock({ port: 0, seedSubscriptions: [] });
    closers.push(() => mock.close());
    const token = { 'X-Auth-Token': 't' };
    const bound = await fetch(`${mock.url}/v2/${project}/notifications/sms/callback`, {
      method: 'PUT',
      headers: { ...token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ callback: [{ event_type: 'sms_fail_event', topic_urn: topic }] }),
    });
    expect(bound.status).toBe(200);
    const out = join(work, 'cycle.jsonl');
    const json = join(work, 'cycle.json');
    const listening = await listen('--confirm', '--refuse-invalid', '--out', out, '--json', json);
    expect(listening.stdout()).toContain("SMN signatures checked with the certificate at signing_cert_url, fetched from the vendor's SMN hosts and loopback only, confirming subscriptions");

    // The emulator sends a SubscriptionConfirmation; listen confirms by a GET of its subscribe_url.
    const added = (await (await fetch(`${mock.url}/_mock/subscriptions`, { method: 'POST', body: JSON.stringify({ topic_urn: topic, protocol: 'http', endpoint: `${listening.url}/smn` }) })).json()) as Record<string, any>;
    expect(added).toMatchObject({ status: 0, confirmation: { type: 'SubscriptionConfirmation', status: 200 } });
    const statusOf = async (): Promise<number | undefined> => {
      const listed = (await (await fetch(`${mock.url}/v2/${project}/notifications/subscriptions`, { headers: token })).json()) as { subscriptions: { subscription_urn: string; status: number }[] };
      return listed.subscriptions.find((s) => s.subscription_urn === added.subscription_urn)?.status;
    };
    await eventually(async () => (await statusOf()) === 1, 'the subscription confirmed (status 1)');
    await eventually(() => listening.stdout().includes('subscription confirmed'), 'the confirmation line');

    // Confirmed: a published event reaches listen as a signed Notification.
    const published = (await (await fetch(`${mock.url}/_mock/sms/events`, { method: 'POST', body: JSON.stringify({ event_type: 'sms_fail_event' }) })).json()) as { deliveries: Record<string, unknown>[] };
    expect(published.deliveries).toEqual([expect.objectContaining({ type: 'Notification', status: 200 })]);

    // Its unsubscribe_url ends the subscription; the emulator sends an UnsubscribeConfirmation.
    const notification = JSON.parse(records(out)[1]!.body as string) as { unsubscribe_url: string };
    expect((await fetch(notification.unsubscribe_url)).status).toBe(200);
    await eventually(() => records(out).length === 3, 'the UnsubscribeConfirmation');
    expect(await statusOf()).toBeUndefined();

    listening.stop();
    const ran = await listening.done;
    expect(ran.status).toBe(0);
    const port = new URL(mock.url).port;
    expect(deliveryLines(ran.stdout)).toEqual([
      '#1 POST /smn smn SubscriptionConfirmation: valid -> 200',
      expect.stringMatching(new RegExp(`^#1 subscription confirmed: GET http://127\\.0\\.0\\.1:${port}/smn/subscription/confirm -> 200 in \\d+\\.\\d ms$`)),
      '#2 POST /smn smn Notification sms_fail_event: valid -> 200',
      '#3 POST /smn smn UnsubscribeConfirmation: valid -> 200',
    ]);
    expect(summaryOf(ran.stdout)).toBe('smn-kit listen: 3 deliveries: 3 valid, 0 invalid; 1 subscription confirmed');
    // The link's token never reaches a line of output.
    expect(ran.stdout).not.toContain('token=');
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({
      received: 3,
      deliveries: [
        { n: 1, kind: 'smn-notification', event: 'SubscriptionConfirmation', status: 'pass', signature: 'checked' },
        { n: 2, kind: 'smn-notification', event: 'Notification', smsEvent: 'sms_fail_event', status: 'pass', signature: 'checked' },
        { n: 3, kind: 'smn-notification', event: 'UnsubscribeConfirmation', status: 'pass', signature: 'checked' },
      ],
      smnSignatures: { certificate: 'fetched', checked: 3, notChecked: 0 },
      confirmations: { confirmed: 1, failed: 0, skipped: 0 },
    });

    // Offline, with the emulator's certificate: every delivery verifies again.
    const recorded = records(out);
    expect(recorded.map((r) => r.verdict.kind)).toEqual(['smn-notification', 'smn-notification', 'smn-notification']);
    const certificateUrl = (JSON.parse(recorded[0]!.body as string) as { signing_cert_url: string }).signing_cert_url;
    const emulatorCert = join(work, 'emulator.pem');
    writeFileSync(emulatorCert, await (await fetch(certificateUrl)).text());
    const checked = await runCommand(validateCommand, [out, '--smn-cert', emulatorCert, '--require-signature']);
    expect(checked.stdout).toMatch(/^smn-kit validate: 3 items in 1 file: 3 valid \(0 with warnings\), 0 invalid, 0 skipped \(\d+\.\d+ s\)$/m);
    expect(checked.status).toBe(0);
    // Without the certificate the summary says so, and --require-signature fails them.
    const unchecked = await runCommand(validateCommand, [out]);
    expect(unchecked.status).toBe(0);
    expect(unchecked.stdout).toContain('; SMN signatures not checked (no certificate given: --smn-cert FILE): 3 items carry one');
    const required = await runCommand(validateCommand, [out, '--require-signature']);
    expect(required.status).toBe(1);
    expect(required.stdout.match(/unchecked-signature/g)).toHaveLength(3);
    // Another certificate (the kit's test one) does not verify the emulator's signatures.
    const wrong = await runCommand(validateCommand, [out, '--smn-cert', TEST_CERT]);
    expect(wrong.status).toBe(1);
    expect(wrong.stdout.match(/^invalid .*bad-signature \/signature/gm)).toHaveLength(3);
  }, 30_000);
});

describe('signing certificates: from --smn-cert, or fetched from an allowed host only', () => {
  it('fetches a certificate once for many notifications, from loopback by default', async () => {
    const certificates = await certificateServer();
    const listening = await listen('--expect', '3', '--timeout', '20');
    for (let i = 0; i < 3; i++) expect((await send(listening.url, made({ signingCertUrl: `${certificates.url}/smn/SMN_cn-north-4_0123456789abcdef0123456789abcdef.pem` }))).status).toBe(200);
    const ran = await listening.done;
    expect(ran.status).toBe(0);
    expect(deliveryLines(ran.stdout)).toEqual([1, 2, 3].map((n) => `#${n} POST /smn smn Notification sms_fail_event: valid -> 200`));
    expect(certificates.requests).toEqual(['GET /smn/SMN_cn-north-4_0123456789abcdef0123456789abcdef.pem']);
  });

  it('never fetches from a host not allowed: the signature is then not checked, and the line and summary say so', async () => {
    const certificates = await certificateServer();
    const json = join(work, 'not-allowed.json');
    const listening = await listen('--smn-cert-host', 'vendor,smn.example.com', '--expect', '1', '--timeout', '20', '--json', json);
    expect(listening.stdout()).toContain('SMN signatures checked with the certificate at signing_cert_url, fetched from vendor,smn.example.com only');
    expect((await send(listening.url, made({ signingCertUrl: `${certificates.url}/cert.pem` }))).status).toBe(200);
    const ran = await listening.done;
    expect(certificates.requests).toEqual([]);
    expect(deliveryLines(ran.stdout)).toEqual([
      '#1 POST /smn smn Notification sms_fail_event: valid (signature not checked: signing_cert_url not fetched: host 127.0.0.1 is not an allowed SMN host (--smn-cert-host vendor,smn.example.com)) -> 200',
    ]);
    expect(summaryOf(ran.stdout)).toBe(
      'smn-kit listen: 1 delivery: 1 valid, 0 invalid; SMN signatures not checked (their signing_cert_url is not on an allowed host: give --smn-cert FILE or add the host to --smn-cert-host): 1 delivery carries one',
    );
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ smnSignatures: { certificate: 'fetched', checked: 0, notChecked: 1 }, deliveries: [{ signature: 'not-checked' }] });
  });

  it('with --refuse-invalid, a certificate URL on a host not allowed is a refusal (unchecked-signature), never fetched', async () => {
    const certificates = await certificateServer();
    // 127.0.0.2 is loopback too, but not a host of the loopback group: an attacker's host, as far as listen knows.
    const foreign = `${certificates.url.replace('127.0.0.1', '127.0.0.2')}/cert.pem`;
    const listening = await listen('--refuse-invalid', '--expect', '2', '--timeout', '20');
    expect((await send(listening.url, made({ signingCertUrl: foreign }))).status).toBe(400);
    // The same message, certificate on an allowed host: verified and accepted.
    expect((await send(listening.url, made({ signingCertUrl: `${certificates.url}/cert.pem` }))).status).toBe(200);
    const ran = await listening.done;
    expect(certificates.requests).toEqual(['GET /cert.pem']);
    expect(deliveryLines(ran.stdout)[0]).toBe(
      `#1 POST /smn smn Notification sms_fail_event: invalid: unchecked-signature /signature: expected a signature verified with the signing certificate (a receiver that refuses what it cannot verify), received not checked: signing_cert_url not fetched: host 127.0.0.2 is not an allowed SMN host (--smn-cert-host vendor,loopback) -> 400`,
    );
  });

  it('with --smn-cert, verifies with the file and fetches nothing; a forged signature is found', async () => {
    const certificates = await certificateServer();
    const listening = await listen('--smn-cert', TEST_CERT, '--refuse-invalid', '--expect', '2', '--timeout', '20');
    expect(listening.stdout()).toContain(`SMN signatures checked with ${TEST_CERT}`);
    const genuine = made({ signingCertUrl: `${certificates.url}/cert.pem` });
    expect((await send(listening.url, genuine)).status).toBe(200);
    const forged = made({ signingCertUrl: `${certificates.url}/cert.pem` });
    forged.body.message = JSON.stringify({ ...(JSON.parse(forged.body.message) as object), status: 1, status_desc: 'DELIVRD' });
    expect((await send(listening.url, forged)).status).toBe(400);
    const ran = await listening.done;
    expect(ran.status).toBe(1);
    expect(certificates.requests).toEqual([]);
    expect(deliveryLines(ran.stdout)[1]).toMatch(/^#2 POST \/smn smn Notification sms_fail_event: invalid: bad-signature \/signature: .* -> 400$/);
  });

  it('a certificate that cannot be had is that delivery\'s problem: listen goes on, and tries again next time', async () => {
    let mode: 'missing' | 'announced' | 'huge' | 'redirect' | 'not-a-certificate' | 'ec' | 'ok' = 'missing';
    const certificates = await server((_req, res) => {
      if (mode === 'missing') res.writeHead(404).end();
      else if (mode === 'announced') res.writeHead(200, { 'content-length': '200000' }).end(Buffer.alloc(200_000, 0x41));
      else if (mode === 'huge') res.writeHead(200).end(Buffer.alloc(200_000, 0x41));
      else if (mode === 'redirect') res.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere.pem' }).end();
      else if (mode === 'not-a-certificate') res.writeHead(200).end('hello');
      else if (mode === 'ec') res.writeHead(200).end(vectors.other_certificates.ec!.certificate);
      else res.writeHead(200).end(vectors.certificate);
    });
    const listening = await listen('--refuse-invalid', '--expect', '7', '--timeout', '20');
    const statuses: number[] = [];
    for (const next of ['missing', 'announced', 'huge', 'redirect', 'not-a-certificate', 'ec', 'ok'] as const) {
      mode = next;
      statuses.push((await send(listening.url, made({ signingCertUrl: `${certificates.url}/cert.pem` }))).status);
    }
    const ran = await listening.done;
    expect(statuses).toEqual([400, 400, 400, 400, 400, 400, 200]);
    const lines = deliveryLines(ran.stdout);
    const where = `certificate-unavailable certificate /signing_cert_url: expected the X.509 certificate at ${certificates.url}/cert.pem (status 200, at most the size limit, no redirect), received`;
    expect(lines.slice(0, 5)).toEqual([
      `#1 POST /smn smn Notification sms_fail_event: invalid: ${where} status 404 -> 400`,
      `#2 POST /smn smn Notification sms_fail_event: invalid: ${where} 200000 bytes announced, over the 65536-byte limit -> 400`,
      `#3 POST /smn smn Notification sms_fail_event: invalid: ${where} more than 65536 bytes -> 400`,
      `#4 POST /smn smn Notification sms_fail_event: invalid: ${where} a redirect (302), which is not followed -> 400`,
      `#5 POST /smn smn Notification sms_fail_event: invalid: ${where} 5 bytes that are not an X.509 certificate (PEM or DER) -> 400`,
    ]);
    expect(lines[5]).toMatch(/^#6 POST \/smn smn Notification sms_fail_event: invalid: unsupported-certificate-algorithm certificate \/signing_cert_url: .*ecdsa-with-SHA256.* -> 400$/);
    expect(lines[6]).toBe('#7 POST /smn smn Notification sms_fail_event: valid -> 200');
    expect(certificates.requests).toHaveLength(7);
  });

  it('refuses a bad --smn-cert-host or --smn-cert with one line and exit 2', async () => {
    const notCertificate = join(work, 'not-a-cert.pem');
    writeFileSync(notCertificate, 'hello\n');
    const ec = join(work, 'ec.pem');
    writeFileSync(ec, vectors.other_certificates.ec!.certificate);
    for (const [args, message] of [
      [['--smn-cert-host', 'smn..example.com'], 'smn-kit: --smn-cert-host: "smn..example.com" is not a host name (such as smn.example.com or smn.*.example.com), an IP address or a group (vendor, loopback)\n'],
      [['--smn-cert-host', 'loopback,none'], 'smn-kit: --smn-cert-host: none stands alone: it allows no host\n'],
      [['--smn-cert', join(work, 'missing.pem')], `smn-kit: --smn-cert ${join(work, 'missing.pem')}: cannot be read (ENOENT)\n`],
      [['--smn-cert', notCertificate], `smn-kit: --smn-cert ${notCertificate}: not an X.509 certificate (PEM or DER)\n`],
    ] as const) {
      const ran = await runCommand(listenCommand, ['--port', '0', ...args], cleanEnv);
      expect(ran.status, args.join(' ')).toBe(2);
      expect(ran.stderr).toBe(message);
    }
    const ran = await runCommand(listenCommand, ['--port', '0', '--smn-cert', ec], cleanEnv);
    expect(ran.status).toBe(2);
    expect(ran.stderr).toMatch(/^smn-kit: --smn-cert .*ec\.pem: cannot verify SMN signatures: expected an X\.509 certificate with an RSA key.*ecdsa-with-SHA256.*\n$/);
  });
});

describe('--confirm visits subscribe_url only for a SubscriptionConfirmation that verified, on an allowed host', () => {
  it('confirms a genuine one; not an invalid one, one on another host, or one it could not verify; and says what came of each', async () => {
    const confirmations = await server((req, res) => void res.writeHead(req.url === '/gone' ? 404 : 200).end());
    const certificates = await certificateServer();
    const signingCertUrl = `${certificates.url}/cert.pem`;
    const listening = await listen('--confirm', '--expect', '4', '--timeout', '20');
    const genuine = made({ type: 'SubscriptionConfirmation', signingCertUrl, subscribeUrl: `${confirmations.url}/confirm?token=secret-token-1` });
    const changed = made({ type: 'SubscriptionConfirmation', signingCertUrl, subscribeUrl: `${confirmations.url}/confirm?token=secret-token-2` });
    changed.body.subscribe_url = `${confirmations.url}/confirm?token=changed-after-signing`;
    const elsewhere = made({ type: 'SubscriptionConfirmation', signingCertUrl, subscribeUrl: 'https://confirm.example.org/confirm?token=secret-token-3' });
    const gone = made({ type: 'SubscriptionConfirmation', signingCertUrl, subscribeUrl: `${confirmations.url}/gone` });
    for (const sent of [genuine, changed, elsewhere, gone]) expect((await send(listening.url, sent)).status).toBe(200);
    const ran = await listening.done;
    expect(confirmations.requests).toEqual(['GET /confirm?token=secret-token-1', 'GET /gone']);
    const lines = deliveryLines(ran.stdout).filter((line) => / subscription /.test(line));
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^#1 subscription confirmed: GET ${confirmations.url}/confirm -> 200 in \\d+\\.\\d ms$`)),
      '#2 subscription not confirmed: the SubscriptionConfirmation is invalid',
      '#3 subscription not confirmed: subscribe_url not visited: host confirm.example.org is not an allowed SMN host (--smn-cert-host vendor,loopback)',
      expect.stringMatching(new RegExp(`^#4 subscription not confirmed: GET ${confirmations.url}/gone -> 404 in \\d+\\.\\d ms$`)),
    ]);
    expect(summaryOf(ran.stdout)).toBe('smn-kit listen: 4 deliveries: 3 valid, 1 invalid; 1 subscription confirmed, 3 not');
    expect(ran.stdout).not.toContain('secret-token');
  });

  it('does not confirm what it could not verify (no certificate source)', async () => {
    const confirmations = await server((_req, res) => void res.writeHead(200).end());
    const listening = await listen('--confirm', '--smn-cert-host', 'none', '--expect', '1', '--timeout', '20');
    expect(listening.stdout()).toContain('SMN signatures not checked (no certificate: give --smn-cert FILE or --smn-cert-host HOSTS), not confirming subscriptions');
    expect((await send(listening.url, made({ type: 'SubscriptionConfirmation', signingCertUrl: 'https://smn.test-only.invalid/cert.pem', subscribeUrl: `${confirmations.url}/confirm` }))).status).toBe(200);
    const ran = await listening.done;
    expect(confirmations.requests).toEqual([]);
    expect(deliveryLines(ran.stdout)).toEqual([
      '#1 POST /smn smn SubscriptionConfirmation: valid (signature not checked: no certificate: give --smn-cert FILE or --smn-cert-host HOSTS) -> 200',
      '#1 subscription not confirmed: its signature was not checked (no certificate: give --smn-cert FILE or --smn-cert-host HOSTS)',
    ]);
    expect(summaryOf(ran.stdout)).toBe(
      'smn-kit listen: 1 delivery: 1 valid, 0 invalid; SMN signatures not checked (no certificate: give --smn-cert FILE or --smn-cert-host HOSTS): 1 delivery carries one; 0 subscriptions confirmed, 1 not',
    );
  });
});

describe('what listen judges in an SMN notification', () => {
  const signingCertUrl = 'https://smn.test-only.invalid/smn/cert.pem';

  it('the message against its SMS callback event\'s schema; other messages are free text; fields beyond the contract warn, and fail with --strict', async () => {
    const event = generateSmsCallbackEvent('sms_fail_event');
    const cases: [string, SmnNotification, Record<string, string>?][] = [
      ['a status that is a string', made({ signingCertUrl, message: { ...event, status: '0' } })],
      ['a free-text message', made({ signingCertUrl, message: 'the disk is full' })],
      ['an event with a field the contract does not list', made({ signingCertUrl, message: { ...event, carrier: 'CMCC' } })],
    ];
    const withoutSubscription = made({ signingCertUrl });
    const { 'X-SMN-SUBSCRIPTION-URN': _dropped, ...fewerHeaders } = withoutSubscription.headers;
    cases.push(['no X-SMN-SUBSCRIPTION-URN', withoutSubscription, fewerHeaders]);

    for (const strict of [false, true]) {
      const listening = await listen('--smn-cert', TEST_CERT, '--expect', String(cases.length), '--timeout', '20', ...(strict ? ['--strict'] : []));
      for (const [, sent, headers] of cases) await send(listening.url, sent, headers);
      const lines = deliveryLines((await listening.done).stdout);
      expect(lines[0], 'a status that is a string').toMatch(/^#1 POST \/smn smn Notification sms_fail_event: invalid: wrong-type message JSON \/status: expected .*integer.*, received "0" -> 200$/);
      expect(lines[1], 'a free-text message').toBe('#2 POST /smn smn Notification: valid -> 200');
      if (!strict) {
        expect(lines[2]).toMatch(/^#3 POST \/smn smn Notification sms_fail_event: valid, with warnings \(the kit's rules, --strict fails them\): undeclared-field message JSON \/carrier: .* -> 200$/);
        expect(lines[3]).toMatch(/^#4 POST \/smn smn Notification sms_fail_event: valid, with warnings \(the kit's rules, --strict fails them\): missing-header header X-SMN-SUBSCRIPTION-URN: .* -> 200$/);
      } else {
        expect(lines[2]).toMatch(/^#3 POST \/smn smn Notification sms_fail_event: invalid: undeclared-field message JSON \/carrier: .* -> 200$/);
        expect(lines[3]).toMatch(/^#4 POST \/smn smn Notification sms_fail_event: invalid: missing-header header X-SMN-SUBSCRIPTION-URN: .* -> 200$/);
      }
    }
  });

  it('a stale timestamp, even without a certificate; a message_id accepted before is SMN redelivering: 2xx again, judged once; a resend after a non-2xx answer is judged anew', async () => {
    const json = join(work, 'redelivery.json');
    const junit = join(work, 'redelivery.xml');
    const out = join(work, 'redelivery.jsonl');
    const listening = await listen('--smn-cert', TEST_CERT, '--refuse-invalid', '--expect', '4', '--timeout', '20', '--json', json, '--junit', junit, '--out', out);
    const stale = made({ signingCertUrl, timestamp: Date.now() - 3600_000 });
    const fresh = made({ signingCertUrl });
    const statuses: number[] = [];
    // SMN retries after a 5xx or no answer within 5 s: the same message, message_id and all, may come again.
    for (const sent of [stale, fresh, fresh, fresh]) statuses.push((await send(listening.url, sent)).status);
    expect(statuses).toEqual([400, 200, 200, 200]);
    const ran = await listening.done;
    const lines = deliveryLines(ran.stdout);
    expect(lines[0]).toMatch(/^#1 POST \/smn smn Notification sms_fail_event: invalid: stale-timestamp \/timestamp: expected within 300 s of the receiver's clock .*\(36\d\d s in the past\) -> 400$/);
    expect(lines[1]).toBe('#2 POST /smn smn Notification sms_fail_event: valid -> 200');
    expect(lines.slice(2)).toEqual([3, 4].map((n) => `#${n} POST /smn smn Notification sms_fail_event: redelivery of #2 (its message_id, accepted then; SMN redelivers after a 5xx or no answer), judged there -> 200`));
    expect(summaryOf(ran.stdout)).toBe('smn-kit listen: 4 deliveries: 1 valid, 1 invalid, 2 redeliveries of messages accepted before');
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ received: 4, redeliveries: 2, summary: { pass: 1, fail: 1 }, deliveries: [{ n: 1 }, { n: 2 }, { n: 3, redeliveryOf: 2 }, { n: 4, redeliveryOf: 2 }] });
    expect(readFileSync(junit, 'utf8')).toContain('<skipped message="redelivery of #2 (the same message_id), judged there"/>');
    // Offline, as listen judged them: the redeliveries once, with the message they repeat.
    expect(records(out).map((record) => record.redeliveryOf)).toEqual([undefined, undefined, 2, 2]);
    const validated = await runCommand(validateCommand, [out, '--smn-cert', TEST_CERT, '--json', join(work, 'redelivery-validated.json')]);
    const items = (JSON.parse(readFileSync(join(work, 'redelivery-validated.json'), 'utf8')) as { items: { status: string }[] }).items;
    expect(items.map((item) => item.status)).toEqual(['fail', 'pass', 'skip', 'skip']);
    expect(validated.status).toBe(1);

    // A receiver answering 503 gets the same notification again: that is SMN retrying, not a replay.
    const retrying = await listen('--smn-cert', TEST_CERT, '--status', '503', '--expect', '2', '--timeout', '20');
    for (let i = 0; i < 2; i++) expect((await send(retrying.url, fresh)).status).toBe(503);
    expect(deliveryLines((await retrying.done).stdout)).toEqual([1, 2].map((n) => `#${n} POST /smn smn Notification sms_fail_event: valid -> 503`));
  });

  it('tells SMN from SUBHOOK by the X-SMN-* headers or the body; SMN only POSTs', async () => {
    const listening = await listen('--smn-cert', TEST_CERT, '--expect', '3', '--timeout', '20');
    const sent = made({ signingCertUrl });
    // Without its headers, the JSON body still says it is a notification (and the headers are then missing).
    await fetch(`${listening.url}/smn`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sent.body) });
    await fetch(`${listening.url}/smn`, { method: 'GET', headers: sent.headers });
    await fetch(`${listening.url}/smn`, { method: 'POST', headers: sent.headers, body: '{"type": "Notification", ' });
    const lines = deliveryLines((await listening.done).stdout);
    expect(lines[0]).toMatch(/^#1 POST \/smn smn Notification sms_fail_event: invalid: missing-header header X-SMN-MESSAGE-TYPE \/type: .* -> 200$/);
    expect(lines[1]).toMatch(/^#2 GET \/smn smn Notification: invalid: wrong-method method: expected POST, as SMN sends every notification, received GET; malformed-json body: .* -> 200$/);
    expect(lines[2]).toMatch(/^#3 POST \/smn smn Notification: invalid: malformed-json body: expected a JSON object \(the notification\), received 25 characters: not valid JSON \(at character 25\) -> 200$/);
  });
});

describe('smn-kit listen --help on SMN notifications', () => {
  it('explains --smn-cert, --smn-cert-host (naming the vendor\'s hosts) and --confirm', () => {
    const help = listenCommand.usage;
    for (const option of ['--smn-cert FILE', '--smn-cert-host HOSTS', '--confirm']) expect(help).toContain(option);
    for (const host of ['smn.*.myhuaweicloud.com', 'smn.*.otc.t-systems.com', 'console.huaweicloud.com', '127.0.0.1']) expect(help).toContain(host);
    expect(help).toContain('fixtures/smn/test-only-certificate.pem');
  });

  it('the test-only certificate fixture is the signature vectors\' certificate', () => {
    expect(new X509Certificate(readFileSync(TEST_CERT)).raw.equals(new X509Certificate(vectors.certificate).raw)).toBe(true);
  });
});
