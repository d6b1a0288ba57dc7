// `smn-kit fire sms_*_event` as SMN sends (issue 12, item 5), over real sockets: signed
// with the kit's test-only key by default (checked here with a verifier written from the
// vendor's guide, not the library's code), or with --smn-key/--smn-cert; every SMN
// tamper kind flagged by `smn-kit listen` with the rule fire names, and again by
// `smn-kit validate` on listen's --out file; the errors of the new options.
import { execFileSync } from 'node:child_process';
import { verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fireCommand } from '../src/commands/fire.js';
import { listenCommand } from '../src/commands/listen.js';
import { validateCommand } from '../src/commands/validate.js';
import { smsCallbackEventTypes } from '../src/generate/sms-callback.js';
import { SMN_TAMPER_KINDS, SMN_TAMPER_RULES } from '../src/fire/tamper.js';
import { cleanEnv, runCommand, serveInProcess, type Ran } from './support/command.js';
import { vectors } from './support/smn-vectors.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const TEST_CERT = join(root, 'fixtures/smn/test-only-certificate.pem');
const work = mkdtempSync(join(tmpdir(), 'smn-kit-fire-smn-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const fire = (args: string[]): Promise<Ran> => runCommand(fireCommand, args, cleanEnv);
const deliveryLines = (stdout: string): string[] => stdout.split('\n').filter((line) => /^#\s*\d+ /.test(line));

interface Captured {
  headers: IncomingHttpHeaders;
  body: Record<string, string>;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A receiver that keeps what it gets and answers 200. */
async function capture(): Promise<{ url: string; received: Captured[] }> {
  const received: Captured[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(text) as Record<string, string> });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/smn`, received };
}

// --- a verifier written from the vendor's guide --------------------------------------
// The type's fields in this order, each as "key\nvalue\n" (a Notification's subject
// only when present), RSA PKCS#1 v1.5 with the hash of the certificate's algorithm.
function guideVerifies(body: Record<string, string>, certificatePem: string, hash: string): boolean {
  const fields = body.type === 'Notification' ? ['message', 'message_id', 'subject', 'timestamp', 'topic_urn', 'type'] : ['message', 'message_id', 'subscribe_url', 'timestamp', 'topic_urn', 'type'];
  const text = fields
    .filter((field) => body[field] !== undefined)
    .map((field) => `${field}\n${body[field]}\n`)
    .join('');
  return verify(hash, Buffer.from(text, 'utf8'), new X509Certificate(certificatePem).publicKey, Buffer.from(body.signature!, 'base64'));
}

describe('smn-kit fire sms_*_event signs as SMN does', () => {
  it('with the kit\'s test-only key by default: the guide\'s algorithm verifies it with fixtures/smn/test-only-certificate.pem', async () => {
    const receiver = await capture();
    const topic = 'urn:smn:eu-de:0123456789abcdef0123456789abcdef:sms_receipts';
    const ran = await fire(['sms_success_event', '--count', '2', '--topic-urn', topic, '--to', receiver.url]);
    expect(ran.status).toBe(0);
    expect(receiver.received).toHaveLength(2);
    const certificate = readFileSync(TEST_CERT, 'utf8');
    for (const { headers, body } of receiver.received) {
      expect(guideVerifies(body, certificate, 'sha256')).toBe(true);
      expect(guideVerifies({ ...body, message: body.message!.replace('"status":1', '"status":0') }, certificate, 'sha256')).toBe(false);
      expect(headers['x-smn-subscription-urn']).toMatch(new RegExp(`^${topic}:[0-9a-f]{32}$`));
      expect(body.signing_cert_url).toMatch(/^https:\/\/smn\.test-only\.invalid\/smn\/SMN_eu-de_[0-9a-f]{32}\.pem$/);
    }
    // One subscriber: every notification of the run names the same subscription.
    expect(new Set(receiver.received.map((r) => r.headers['x-smn-subscription-urn'])).size).toBe(1);
  });

  it('with --smn-key and --smn-cert: your key, with the hash your certificate names; --smn-cert-url sets signing_cert_url', async () => {
    const key = join(work, 'key.pem');
    const certificate = join(work, 'certificate.pem');
    execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key], { stdio: 'ignore' });
    execFileSync('openssl', ['req', '-x509', '-new', '-key', key, '-sha384', '-days', '2', '-subj', '/CN=fire test (sha384WithRSA)', '-out', certificate], { stdio: 'ignore' });
    const receiver = await capture();
    const ran = await fire(['sms_reply_event', '--smn-key', key, '--smn-cert', certificate, '--smn-cert-url', 'http://127.0.0.1:9/my.pem', '--to', receiver.url]);
    expect(ran.status).toBe(0);
    const { body } = receiver.received[0]!;
    const pem = readFileSync(certificate, 'utf8');
    expect(guideVerifies(body, pem, 'sha384')).toBe(true);
    expect(guideVerifies(body, pem, 'sha256')).toBe(false);
    expect(guideVerifies(body, vectors.certificate, 'sha256')).toBe(false);
    expect(body.signing_cert_url).toBe('http://127.0.0.1:9/my.pem');
    // smn-kit listen with that certificate agrees.
    const listening = await serveInProcess(listenCommand, ['--port', '0', '--smn-cert', certificate, '--expect', '1', '--timeout', '20'], cleanEnv);
    expect((await fire(['sms_reply_event', '--smn-key', key, '--smn-cert', certificate, '--to', `${listening.url}/smn`])).status).toBe(0);
    expect(deliveryLines((await listening.done).stdout)).toEqual(['#1 POST /smn smn Notification sms_reply_event: valid -> 200']);
  });

  it('refuses options that do not fit, with one line and exit 2, before sending', async () => {
    const otherKeyCert = join(work, 'other.pem');
    writeFileSync(otherKeyCert, vectors.other_certificates.other_key!.certificate);
    const key = join(work, 'test-key.pem');
    writeFileSync(key, vectors.key);
    const to = ['--to', 'http://127.0.0.1:9/smn'];
    for (const [args, message] of [
      [['sms_fail_event', '--smn-key', key], "give --smn-key and --smn-cert together: the key signs, its certificate names the hash (leave both out for the kit's test key)"],
      [['sms_fail_event', '--smn-key', key, '--smn-cert', otherKeyCert], '--smn-key is not the key of --smn-cert: a receiver could not verify what it signs'],
      [['sms_fail_event', '--smn-key', TEST_CERT, '--smn-cert', TEST_CERT], '--smn-key is not a private key (expected an RSA private key, PEM)'],
      [['sms_fail_event', '--smn-cert-url', 'ftp://example.com/c.pem'], '--smn-cert-url must be an http:// or https:// URL, got a ftp: URL'],
      [['sms_fail_event', '--tamper', 'reused-token'], '--tamper reused-token applies to SUBHOOK events; sms_fail_event is an SMS callback event, which takes signature, changed-field, header-mismatch, stale-timestamp, missing-field, replayed-message'],
      [['delivered', '--key', 'k', '--tamper', 'changed-field'], '--tamper changed-field applies to SMS callback events; SUBHOOK events take signature, reused-token, stale-timestamp, missing-field, wrong-type'],
      [['delivered', '--key', 'k', '--smn-cert-url', 'https://example.com/c.pem'], '--smn-cert-url applies to SMS callback events (SMN notifications), not to SUBHOOK events'],
      [['delivered', '--key', 'k', '--smn-key', key, '--smn-cert', TEST_CERT], '--smn-key and --smn-cert apply to SMS callback events (SMN notifications), not to SUBHOOK events'],
    ] as const) {
      const ran = await fire([...args, ...to]);
      expect(ran.stderr, args.join(' ')).toBe(`smn-kit: ${message}\n`);
      expect(ran.status).toBe(2);
    }
  });
});

describe('fire --tamper at smn-kit listen: every SMN kind, every SMS callback event, flagged by its rule', () => {
  it('listen refuses each for the rule fire names, and validate finds the same on listen\'s --out file', async () => {
    const types = smsCallbackEventTypes();
    const cases = SMN_TAMPER_KINDS.flatMap((kind) => types.map((eventType) => ({ kind, eventType })));
    // One delivery each: replayed-message is an old notification sent again, not the same one twice
    // (which is SMN redelivering, and gets 2xx).
    const expected = cases.length;
    const out = join(work, 'tampered.jsonl');
    const json = join(work, 'tampered.json');
    const listening = await serveInProcess(listenCommand, ['--port', '0', '--smn-cert', TEST_CERT, '--refuse-invalid', '--out', out, '--json', json, '--expect', String(expected), '--timeout', '60'], cleanEnv);
    for (const { kind, eventType } of cases) {
      const ran = await fire([eventType, '--tamper', kind, '--to', `${listening.url}/smn`]);
      expect(ran.stdout, `${kind} ${eventType}`).toMatch(new RegExp(`tamper ${kind} -> 400 in \\d+\\.\\d ms: refused, as it should be`));
      expect(ran.status, `${kind} ${eventType}`).toBe(0);
    }
    const ran = await listening.done;
    expect(ran.status).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { deliveries: { status: string; event: string; smsEvent: string; problems: { rule: string }[] }[] };
    const deliveries = [...report.deliveries];
    for (const { kind, eventType } of cases) {
      const delivery = deliveries.shift();
      // Exactly the rule the kind names: nothing else about the delivery is wrong.
      expect(delivery?.problems.map((p) => p.rule), `${kind} ${eventType}`).toEqual([SMN_TAMPER_RULES[kind]]);
      expect(delivery).toMatchObject({ event: 'Notification', smsEvent: eventType });
    }

    // Offline, the --out file gives every delivery the same verdict.
    const validated = await runCommand(validateCommand, [out, '--smn-cert', TEST_CERT, '--json', join(work, 'validated.json')]);
    expect(validated.status).toBe(1);
    const items = (JSON.parse(readFileSync(join(work, 'validated.json'), 'utf8')) as { items: { status: string; problems: { rule: string }[] }[] }).items;
    expect(items.map((item) => item.problems.map((p) => p.rule))).toEqual(report.deliveries.map((d) => d.problems.map((p) => p.rule)));
  }, 120_000);
});
