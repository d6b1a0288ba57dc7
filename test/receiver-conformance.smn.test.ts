// `smn-kit conformance --receiver URL --product smn` (issue 21) proven able to fail: the
// kit plays SMN (a key and certificate made for the run, served with the links of its
// messages on 127.0.0.1, the host the receiver is told to trust) and an attacker (its
// own certificate on 127.0.0.2). Against an endpoint written from the vendor's guide
// (smn-receiver.ts) nothing fails; with one common bug, the check that names it fails;
// `smn-kit listen --confirm --refuse-invalid` passes, and `smn-kit listen --confirm`
// (which answers 200 to what it finds invalid) fails on the forgeries.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { conformanceCommand } from '../src/commands/conformance.js';
import { listenCommand } from '../src/commands/listen.js';
import { cleanEnv, runCommand, serveInProcess, type Ran } from './support/command.js';
import { parseStrictXml } from './support/xml.js';
import { vectors } from './support/smn-vectors.js';
import { generateSelfSigned } from '../src/notify/self-signed.js';
import { startSmnReceiver, type RunningSmnReceiver, type SmnReceiverFault } from './smn-receiver.js';

const work = mkdtempSync(join(tmpdir(), 'smn-kit-receiver-smn-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const receivers: RunningSmnReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

interface Result {
  operation: string;
  check: string;
  status: string;
  message: string;
  reproducer: string | null;
}

let runs = 0;
async function conform(url: string, ...args: string[]): Promise<Ran & { results: Result[]; junit: string }> {
  const name = join(work, `run-${++runs}`);
  const ran = await runCommand(conformanceCommand, ['--receiver', url, '--product', 'smn', '--timeout', '2000', '--confirm-wait', '1000', '--json', `${name}.json`, '--junit', `${name}.xml`, ...args], cleanEnv);
  const json = JSON.parse(readFileSync(`${name}.json`, 'utf8')) as { results: Result[] };
  return { ...ran, results: json.results, junit: readFileSync(`${name}.xml`, 'utf8') };
}

const failures = (results: Result[]) => results.filter((r) => r.status === 'fail' || r.status === 'error');
const one = (results: Result[], check: string) => results.find((r) => r.check === check);

async function receiver(fault?: SmnReceiverFault): Promise<RunningSmnReceiver> {
  const started = await startSmnReceiver(['127.0.0.1'], fault);
  receivers.push(started);
  return started;
}

describe('an SMN endpoint written from the vendor guide, told to trust 127.0.0.1', () => {
  it('passes every check, with no failure and no warning; it confirmed the genuine subscription only', async () => {
    const endpoint = await receiver();
    const ran = await conform(endpoint.url);
    expect(failures(ran.results), ran.stdout).toEqual([]);
    expect(ran.results.filter((r) => r.status === 'warn')).toEqual([]);
    expect(ran.status).toBe(0);
    expect(ran.results.map((r) => `${r.operation} ${r.check}`)).toEqual([
      'smn SubscriptionConfirmation subscription_confirmed',
      'smn SubscriptionConfirmation forged_confirmation_not_visited',
      'smn Notification sms_success_event valid_notification_accepted',
      'smn Notification sms_fail_event valid_notification_accepted',
      'smn Notification sms_reply_event valid_notification_accepted',
      'smn Notification sms_success_event custom_headers_accepted',
      'smn Notification sms_success_event redelivery_accepted',
      'smn Notification sms_success_event tampered_message_refused',
      'smn Notification sms_success_event foreign_key_signature_refused',
      'smn Notification sms_success_event foreign_certificate_host_refused',
      'smn Notification sms_success_event unknown_signature_version_refused',
      'smn Notification sms_success_event header_mismatch_refused',
      // Last, as SMN sends it; this receiver refuses a topic's Notifications after it.
      'smn UnsubscribeConfirmation unsubscribe_confirmation_accepted',
      'smn answers_in_time',
    ]);
    expect(endpoint.confirmations).toHaveLength(1);
    expect(one(ran.results, 'foreign_certificate_host_refused')!.message).toMatch(/: refused; nothing fetched from 127\.0\.0\.2:\d+$/);
    expect(ran.stdout).toMatch(/^smn-kit conformance: receiver http:\/\/127\.0\.0\.1:\d+\/smn \(product smn; the kit plays SMN on http:\/\/127\.0\.0\.1:\d+ \(trust 127\.0\.0\.1 as SMN's host\), an attacker on http:\/\/127\.0\.0\.2:\d+; each answer awaited 2000 ms\)\n/);
  });

  it('configured with SMN\'s certificate instead, fetching none (--smn-key, --smn-cert sign with its pair): passes too', async () => {
    const key = join(work, 'key.pem');
    const certificate = join(work, 'certificate.pem');
    writeFileSync(key, vectors.key);
    writeFileSync(certificate, vectors.certificate);
    // It trusts 127.0.0.1 for subscribe_url only: certificates it never fetches.
    const endpoint = await startSmnReceiver(['127.0.0.1'], undefined, vectors.certificate);
    receivers.push(endpoint);
    const ran = await conform(endpoint.url, '--smn-key', key, '--smn-cert', certificate);
    expect(failures(ran.results)).toEqual([]);
    // A run of its own key: the pinned receiver refuses what it signs, every valid message included.
    const fresh = await conform(endpoint.url);
    expect(failures(fresh.results).map((r) => r.check)).toContain('valid_notification_accepted');
  });
});

// "The receiver downloads the X.509 certificate from signing_cert_url (always over HTTPS,
// and the guide tells receivers to check who serves it)" (reference/smn-notifications.md,
// from the guide's "HTTP/HTTPS messages"): a receiver that fetches over HTTPS only is
// correct, and --smn-https serves the kit's hosts so, with the pair it trusts.
describe('an SMN endpoint that fetches certificates over HTTPS only', () => {
  const tlsPair = () => {
    const made = generateSelfSigned({ commonName: 'receiver test: SMN over HTTPS', ipAddresses: ['127.0.0.1', '127.0.0.2'] });
    const key = join(work, `https-key-${++runs}.pem`);
    const certificate = join(work, `https-cert-${runs}.pem`);
    writeFileSync(key, made.privateKeyPem);
    writeFileSync(certificate, made.certificatePem);
    return { key, certificate, pem: made.certificatePem };
  };

  it('--smn-https with the pair it trusts: every check passes, the confirmation visited over HTTPS; without --smn-https it refuses the kit\'s http certificate URL', async () => {
    const pair = tlsPair();
    const endpoint = await startSmnReceiver(['127.0.0.1'], undefined, undefined, { ca: pair.pem });
    receivers.push(endpoint);
    const ran = await conform(endpoint.url, '--smn-key', pair.key, '--smn-cert', pair.certificate, '--smn-https');
    expect(failures(ran.results), ran.stdout).toEqual([]);
    expect(ran.results.filter((r) => r.status === 'warn')).toEqual([]);
    expect(ran.stdout).toMatch(/the kit plays SMN on https:\/\/127\.0\.0\.1:\d+ \(trust 127\.0\.0\.1 as SMN's host\), an attacker on https:\/\/127\.0\.0\.2:\d+/);
    expect(endpoint.confirmations).toEqual([expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+\/smn\/subscription\/confirm\?/)]);
    const plain = await conform(endpoint.url, '--smn-key', pair.key, '--smn-cert', pair.certificate);
    expect(failures(plain.results).map((r) => r.check)).toContain('valid_notification_accepted');
  });

  it('one that fetches from any host, over HTTPS: foreign_certificate_host_refused fails (the attacker\'s host passes TLS, so its host is what is judged)', async () => {
    const pair = tlsPair();
    const endpoint = await startSmnReceiver(['127.0.0.1'], 'fetches-any-host', undefined, { ca: pair.pem });
    receivers.push(endpoint);
    const ran = await conform(endpoint.url, '--smn-key', pair.key, '--smn-cert', pair.certificate, '--smn-https');
    expect(one(ran.results, 'foreign_certificate_host_refused')).toMatchObject({ status: 'fail' });
  });

  it('--smn-https without the pair, or with a certificate that does not name --smn-host: one line, exit 2', async () => {
    const endpoint = await receiver();
    const alone = await runCommand(conformanceCommand, ['--receiver', endpoint.url, '--product', 'smn', '--smn-https'], cleanEnv);
    expect(alone.status).toBe(2);
    expect(alone.stderr).toMatch(/--smn-https serves HTTPS with --smn-key and --smn-cert/);
    const pair = tlsPair();
    const elsewhere = await runCommand(conformanceCommand, ['--receiver', endpoint.url, '--product', 'smn', '--smn-key', pair.key, '--smn-cert', pair.certificate, '--smn-https', '--smn-host', 'localhost'], cleanEnv);
    expect(elsewhere.status).toBe(2);
    expect(elsewhere.stderr).toMatch(/does not name localhost \(--smn-host\)/);
  });
});

describe('an SMN endpoint that takes messages of its own topics only', () => {
  it('--smn-topic-urn names its topic: every check passes; without it, the valid messages (of a topic made for the run) are refused and fail', async () => {
    const topic = 'urn:smn:cn-north-4:0123456789abcdef0123456789abcdef:orders_callbacks';
    const endpoint = await startSmnReceiver(['127.0.0.1'], undefined, undefined, undefined, [topic]);
    receivers.push(endpoint);
    const ran = await conform(endpoint.url, '--smn-topic-urn', topic);
    expect(failures(ran.results), ran.stdout).toEqual([]);
    expect(ran.results.filter((r) => r.status === 'warn')).toEqual([]);
    const other = await conform(endpoint.url);
    expect(failures(other.results).map((r) => r.check)).toContain('valid_notification_accepted');
    const wrong = await runCommand(conformanceCommand, ['--receiver', endpoint.url, '--product', 'smn', '--smn-topic-urn', 'orders'], cleanEnv);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/--smn-topic-urn must be a topic URN/);
  });
});

describe('an SMN endpoint with one common bug: the check that names it', () => {
  it('one that accepts everything fails every forgery, and confirms a forged subscription', async () => {
    const ran = await conform((await receiver('accepts-everything')).url);
    expect(ran.status).toBe(1);
    expect(failures(ran.results).map((r) => r.check)).toEqual([
      'forged_confirmation_not_visited',
      'tampered_message_refused',
      'foreign_key_signature_refused',
      'foreign_certificate_host_refused',
      'unknown_signature_version_refused',
      'header_mismatch_refused',
    ]);
    expect(one(ran.results, 'forged_confirmation_not_visited')!.message).toMatch(/and the receiver visited its subscribe_url: it confirms subscriptions nobody verified/);
    expect(one(ran.results, 'tampered_message_refused')!.reproducer).toMatch(/^curl -sS -i -X POST 'http:\/\/127\.0\.0\.1:\d+\/smn' -H 'user-agent: smn-kit conformance' -H 'content-type: application\/json; charset=UTF-8' -H 'X-SMN-MESSAGE-TYPE: Notification' -H 'X-SMN-MESSAGE-ID: [0-9a-f]{32}' -H 'X-SMN-TOPIC-URN: urn:smn:cn-north-4:[0-9a-f]{32}:smn_kit_receiver_conformance' -H 'X-SMN-SUBSCRIPTION-URN: [^']+' --data-binary '\{"type":"Notification","signature":"/);
  });

  it('the subscription\'s custom headers (--smn-header) go with every message but the confirmation; their values show nowhere', async () => {
    const secret = 'hook-secret-value-7c1d';
    const ran = await conform((await receiver('accepts-everything')).url, '--smn-header', `X-Hook-Token: ${secret}`);
    const reproducers = ran.results.map((r) => r.reproducer).filter((r): r is string => r !== null);
    expect(reproducers.length).toBeGreaterThan(3);
    for (const reproducer of reproducers) {
      if (reproducer.includes('{"type":"SubscriptionConfirmation"')) expect(reproducer).not.toContain('X-Hook-Token');
      else expect(reproducer).toContain("-H 'X-Hook-Token: ***'");
    }
    expect(ran.stdout + ran.junit + JSON.stringify(ran.results)).not.toContain(secret);
    expect(one(ran.results, 'custom_headers_accepted')!.message).toMatch(/with the subscription's custom headers \(extension\.header, as SMN sends them: 10 headers, 10\d\d characters\)/);
  });

  it('one that refuses everything fails the valid messages and the confirmation', async () => {
    const ran = await conform((await receiver('refuses-everything')).url);
    expect(failures(ran.results).map((r) => `${r.check} ${r.status}`)).toEqual([
      'subscription_confirmed fail',
      'valid_notification_accepted fail',
      'valid_notification_accepted fail',
      'valid_notification_accepted fail',
      'custom_headers_accepted fail',
      'redelivery_accepted error',
      // Its refusals of forgeries prove nothing: no verdict, rather than a pass.
      'tampered_message_refused error',
      'foreign_key_signature_refused error',
      'foreign_certificate_host_refused error',
      'unknown_signature_version_refused error',
      'header_mismatch_refused error',
      'unsubscribe_confirmation_accepted fail',
    ]);
    expect(one(ran.results, 'tampered_message_refused')!.message).toMatch(/: refused; but no verdict: the receiver took no valid Notification, so a refusal here proves nothing$/);
    // A 4xx to a valid message names the options for receivers set up otherwise.
    expect(one(ran.results, 'valid_notification_accepted')!.message).toMatch(
      /^sent a valid Notification carrying an sms_success_event, signed by SMN; received 400 in .*: expected 2xx\. SMN does not retry a 4xx: the event is lost, and a 5xx is retried until SMN gives up \(if the receiver is set up otherwise: one that fetches certificates over HTTPS only refuses the kit's http certificate URL: --smn-https; one that takes its own topics only: --smn-topic-urn\)$/,
    );
  });

  it('one that does not check signatures fails the tampered message and the other key', async () => {
    const ran = await conform((await receiver('no-signature-check')).url);
    expect(failures(ran.results).map((r) => r.check)).toEqual(['forged_confirmation_not_visited', 'tampered_message_refused', 'foreign_key_signature_refused', 'foreign_certificate_host_refused']);
  });

  it('one that fetches certificates from any host fails foreign_certificate_host_refused, naming the fetch', async () => {
    const ran = await conform((await receiver('fetches-any-host')).url);
    expect(failures(ran.results).map((r) => r.check)).toEqual(['foreign_certificate_host_refused']);
    expect(one(ran.results, 'foreign_certificate_host_refused')!.message).toMatch(
      /^sent a Notification signed by an attacker, its signing_cert_url on 127\.0\.0\.2:\d+ .*; received 200 in .*; and the receiver requested GET \/smn\/SMN_cn-north-4_[0-9a-f]{32}\.pem from 127\.0\.0\.2:\d+: it fetches certificates from any host/,
    );
  });

  it('one that ignores confirmations fails subscription_confirmed, saying what SMN does then; --confirmation out-of-band passes it', async () => {
    const url = (await receiver('ignores-confirmations')).url;
    const ran = await conform(url);
    expect(failures(ran.results).map((r) => r.check)).toEqual(['subscription_confirmed']);
    expect(one(ran.results, 'subscription_confirmed')!.message).toMatch(/, but no GET of its subscribe_url \(http:\/\/127\.0\.0\.1:\d+\/smn\/subscription\/confirm\) came within 1000 ms: SMN keeps the subscription unconfirmed \(status 0\)/);
    const outOfBand = await conform(url, '--confirmation', 'out-of-band');
    expect(failures(outOfBand.results)).toEqual([]);
    expect(parseStrictXml(outOfBand.junit).attributes).toMatchObject({ tests: '14', failures: '0', errors: '0' });
  });
});

describe('smn-kit listen as the SMN endpoint', () => {
  it('with --confirm --refuse-invalid: every check passes', async () => {
    const listening = await serveInProcess(listenCommand, ['--port', '0', '--confirm', '--refuse-invalid'], cleanEnv);
    const ran = await conform(`${listening.url}/smn`);
    listening.stop();
    const listened = await listening.done;
    expect(failures(ran.results), ran.stdout).toEqual([]);
    expect(ran.results.filter((r) => r.status === 'warn')).toEqual([]);
    expect(listened.stdout).toMatch(/#1 subscription confirmed: GET http:\/\/127\.0\.0\.1:\d+\/smn\/subscription\/confirm -> 200/);
  });

  it('with --confirm only (200 to everything): the forgeries are accepted, and fail', async () => {
    const listening = await serveInProcess(listenCommand, ['--port', '0', '--confirm'], cleanEnv);
    const ran = await conform(`${listening.url}/smn`);
    listening.stop();
    await listening.done;
    expect(ran.status).toBe(1);
    expect(failures(ran.results).map((r) => r.check)).toEqual(['forged_confirmation_not_visited', 'tampered_message_refused', 'foreign_key_signature_refused', 'foreign_certificate_host_refused', 'unknown_signature_version_refused', 'header_mismatch_refused']);
    // Accepted, never confirmed: listen does not visit what it could not verify.
    expect(one(ran.results, 'forged_confirmation_not_visited')!.message).not.toMatch(/visited its subscribe_url/);
  });
});
