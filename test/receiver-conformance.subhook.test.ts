// `smn-kit conformance --receiver URL --product sms` (issue 21) proven able to fail, as
// the SMN suite is with a faulty SMN: against a SUBHOOK receiver written from the
// vendor's documents (subhook-receiver.ts), no check fails; against the same receiver
// with one common bug, the check that names that bug fails (or warns, where the bug
// breaks no vendor rule, and fails with --strict); against `smn-kit listen
// --refuse-invalid` nothing fails, and against `smn-kit listen` the forgeries are
// accepted and fail. The reports are written in every case, also when the receiver
// hangs or dies mid-run. Real deliveries over real sockets.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { conformanceCommand } from '../src/commands/conformance.js';
import { listenCommand } from '../src/commands/listen.js';
import { cleanEnv, runCli, runCommand, serveInProcess, start, type Ran } from './support/command.js';
import { simpleCommand } from './support/examples.js';
import { parseStrictXml } from './support/xml.js';
import { startSubhookReceiver, type RunningReceiver, type SubhookForm, type SubhookReceiverFault } from './subhook-receiver.js';

const KEY = 'receiver-conformance-key-5e2f';
const env = { ...cleanEnv, SUBHOOK_KEY: KEY };
const work = mkdtempSync(join(tmpdir(), 'smn-kit-receiver-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const receivers: RunningReceiver[] = [];
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
/** Runs the receiver checks; resolves with what the command printed and its --json report. */
async function conform(url: string, ...args: string[]): Promise<Ran & { results: Result[]; json: Record<string, any>; junit: string }> {
  const name = join(work, `run-${++runs}`);
  const ran = await runCommand(conformanceCommand, ['--receiver', url, '--product', 'sms', '--timeout', '2000', '--json', `${name}.json`, '--junit', `${name}.xml`, ...args], env);
  const json = JSON.parse(readFileSync(`${name}.json`, 'utf8')) as Record<string, any>;
  return { ...ran, json, results: json.results as Result[], junit: readFileSync(`${name}.xml`, 'utf8') };
}

const failures = (results: Result[]) => results.filter((r) => r.status === 'fail' || r.status === 'error');
const named = (results: Result[], check: string) => results.filter((r) => r.check === check);

async function receiver(fault?: SubhookReceiverFault, takes?: readonly SubhookForm[], app?: string): Promise<RunningReceiver> {
  const started = await startSubhookReceiver(KEY, fault, takes, app);
  receivers.push(started);
  return started;
}

describe('a SUBHOOK receiver written from the vendor documents', () => {
  it('passes every check, with no failure and no warning; every event in every encoding was sent', async () => {
    const ran = await conform((await receiver()).url);
    expect(failures(ran.results), ran.stdout).toEqual([]);
    expect(ran.results.filter((r) => r.status === 'warn')).toEqual([]);
    expect(ran.status).toBe(0);
    // 8 events x 4 encodings, then the variants, the forgeries, malformed input, the time.
    expect(named(ran.results, 'valid_event_accepted').map((r) => r.operation)).toHaveLength(32);
    expect(new Set(ran.results.map((r) => r.check))).toEqual(
      new Set([
        'valid_event_accepted',
        'string_values_accepted',
        'newer_field_accepted',
        'wrong_signature_refused',
        'foreign_key_signature_refused',
        'missing_token_refused',
        'missing_signature_refused',
        'reused_signature_refused',
        'stale_timestamp_refused',
        'replayed_token_refused',
        'malformed_form_refused',
        'malformed_json_refused',
        'oversized_body_refused',
        'invalid_utf8_refused',
        'answers_in_time',
      ]),
    );
    expect(ran.stdout).toMatch(/^smn-kit conformance: receiver http:\/\/127\.0\.0\.1:\d+\/subhook \(product sms; each answer awaited 2000 ms\)\n/);
    expect(ran.stdout).toMatch(/\n\d+ checks: \d+ pass, 0 fail, 0 error, 0 warn, 0 skip\n$/);
    expect(ran.stdout + ran.junit + JSON.stringify(ran.json)).not.toContain(KEY);
  });
});

// "The receiver chooses the request form in the vendor console: POST or GET. For POST the
// body is one of application/x-www-form-urlencoded, application/json, multipart/form-data"
// (reference/subhook.md, from the vendor's SUBHOOK pages): a receiver that reads one form
// is correct, set so; the kit must not fail it, and must not let a refusal of a form it
// does not read stand for a signature check.
describe('a SUBHOOK receiver set to one request form, as SUBMAIL\'s console sets it', () => {
  it('form only (what the vendor\'s $_POST examples read): nothing fails; each other form warns once with the hint --encoding form, the rest point there; --strict fails them', async () => {
    const url = (await receiver(undefined, ['form'])).url;
    const ran = await conform(url);
    expect(failures(ran.results), ran.stdout).toEqual([]);
    expect(ran.status).toBe(0);
    const warned = ran.results.filter((r) => r.status === 'warn');
    expect(warned.every((r) => r.check === 'valid_event_accepted' && !r.operation.endsWith(' form'))).toBe(true);
    expect(warned).toHaveLength(24);
    const firsts = warned.filter((r) => r.reproducer);
    expect(firsts.map((r) => r.operation)).toEqual(['sms request json', 'sms request multipart', 'sms request get']);
    expect(firsts[0]!.message).toMatch(/POST json; received 415 in .*: this receiver takes no JSON pushes \(all 8 valid ones got 4xx\) and takes form; fine if SUBMAIL's console is set to send it that .*: say so with --encoding form/);
    expect(firsts[2]!.message).toMatch(/GET, fields in the query; received 405 in .*: this receiver takes no GET pushes/);
    expect(warned.find((r) => r.operation === 'sms mo json')!.message).toMatch(/: this receiver takes no JSON pushes \(see sms request json\)/);
    // Values as strings are a JSON matter: not sent to a receiver that takes no JSON.
    expect(named(ran.results, 'string_values_accepted').every((r) => r.status === 'skip')).toBe(true);
    // The forgeries went as forms, which it reads.
    expect(named(ran.results, 'wrong_signature_refused')[0]).toMatchObject({ operation: 'sms request form', status: 'pass' });
    const strict = await conform(url, '--strict');
    expect(new Set(failures(strict.results).map((r) => r.check))).toEqual(new Set(['valid_event_accepted']));
  });

  it('--encoding form: only forms are sent, and every check passes with no warning; a form named there that the receiver refuses fails', async () => {
    const url = (await receiver(undefined, ['form'])).url;
    const ran = await conform(url, '--encoding', 'form');
    expect(ran.results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(named(ran.results, 'valid_event_accepted').map((r) => r.operation.split(' ')[2])).toEqual(Array(8).fill('form'));
    const both = await conform(url, '--encoding', 'json,form');
    expect(failures(both.results).map((r) => r.operation)).toEqual(Array.from(named(both.results, 'valid_event_accepted').filter((r) => r.operation.endsWith(' json')), (r) => r.operation));
    expect(failures(both.results)).toHaveLength(8);
    expect(both.status).toBe(1);
  });

  it('JSON only and no signature check: the forgeries are sent as JSON, accepted, and fail (a 415 to a form would have passed them)', async () => {
    const ran = await conform((await receiver('no-signature-check', ['json'])).url);
    for (const check of ['wrong_signature_refused', 'foreign_key_signature_refused']) {
      expect(named(ran.results, check)[0], check).toMatchObject({ operation: 'sms request json', status: 'fail', message: expect.stringMatching(/POST json; received 200 in .*: accepted; signature = md5\(token \+ key\)/) });
    }
    expect(ran.status).toBe(1);
  });

  it('a receiver that enforces its body limit by closing the connection: a warning on the 1 MiB body, and answers_in_time is not failed for it', async () => {
    const ran = await conform((await receiver('closes-on-large-body')).url);
    expect(failures(ran.results), ran.stdout).toEqual([]);
    expect(named(ran.results, 'oversized_body_refused')[0]).toMatchObject({ status: 'warn', message: expect.stringMatching(/the receiver closed the connection instead of answering 413/) });
    expect(named(ran.results, 'answers_in_time')[0]).toMatchObject({ status: 'pass' });
  });
});

// Seed 004's table lists no content for request, no operator or location for delivered,
// no tag for unkown; the current event pages do (spec/subhook/sms/*.json,
// x-not-in-every-document). A receiver that refuses what its document does not list
// breaks neither reading for sure: "what either allows is accepted, with a warning
// naming both" (the strictness policy).
describe('a SUBHOOK receiver written from seed 004\'s table alone, refusing the fields it does not list', () => {
  it('nothing fails, also with --strict: each of those events is sent again without the disputed fields and warns, naming both documents; the later checks send such pushes', async () => {
    const url = (await receiver('seed-004-fields-only')).url;
    const ran = await conform(url, '--strict');
    // With --strict, only the kit's own rule on fields no document gives the event fails (newer_field_accepted).
    expect(failures(ran.results).filter((r) => r.check !== 'newer_field_accepted'), ran.stdout).toEqual([]);
    const warned = ran.results.filter((r) => r.status === 'warn');
    expect(new Set(warned.map((r) => r.operation.split(' ')[1]))).toEqual(new Set(['request', 'delivered', 'unkown']));
    expect(warned).toHaveLength(12);
    expect(warned.find((r) => r.operation === 'sms delivered form')!.message).toMatch(
      /received 400 in .* \(it said: "delivered carries operator, which seed 004 does not list"\); sent then without operator, location, a valid, signed .*; received 200 .*: it refuses operator and location, which the vendor's documents disagree on \(operator, location: The current domestic SMS event page lists it; seed 004's table of events does not\./,
    );
    expect(named(ran.results, 'string_values_accepted').every((r) => r.status === 'pass')).toBe(true);
  });
});

describe('a SUBHOOK receiver that takes pushes of its own app only', () => {
  it('--set app=ID: every check passes; without it the pushes of other apps are refused and fail; a field the checks make, or a bad value, is one line and exit 2', async () => {
    const url = (await receiver(undefined, undefined, '10495')).url;
    const ran = await conform(url, '--set', 'app=10495');
    expect(failures(ran.results), ran.stdout).toEqual([]);
    expect(ran.results.filter((r) => r.status === 'warn')).toEqual([]);
    const other = await conform(url);
    expect(failures(other.results).map((r) => r.operation)).toContain('sms request form');
    for (const [set, line] of [
      ['token=abc', /^smn-kit: --set token: the checks make token themselves/],
      ['app=not-a-number', /^smn-kit: --set app: sms \w+ expects a string matching/],
      ['colour=red', /^smn-kit: --set colour: no sms event has a field "colour"/],
    ] as const) {
      const refused = await runCommand(conformanceCommand, ['--receiver', url, '--product', 'sms', '--set', set], env);
      expect(refused.status, set).toBe(2);
      expect(refused.stderr, set).toMatch(line);
    }
  });
});

describe('the same receiver, international SMS', () => {
  it('--product intersms: every event of that product, nothing fails, also with --strict', async () => {
    const ran = await conform((await receiver()).url, '--product', 'intersms', '--strict');
    expect(failures(ran.results), ran.stdout).toEqual([]);
    expect(ran.results.filter((r) => r.check === 'valid_event_accepted').map((r) => r.operation.split(' ')[1])).toEqual(
      expect.arrayContaining(['request', 'delivered', 'dropped', 'sending', 'template_accept', 'template_reject']),
    );
    expect(ran.results.every((r) => r.operation.startsWith('intersms'))).toBe(true);
  });
});

describe('a SUBHOOK receiver with one common bug: the check that names it', () => {
  it('one that accepts everything fails every forgery and malformed input, naming the vendor\'s signature rule; the replays warn', async () => {
    const ran = await conform((await receiver('accepts-everything')).url);
    expect(ran.status).toBe(1);
    for (const check of ['wrong_signature_refused', 'foreign_key_signature_refused', 'missing_token_refused', 'missing_signature_refused']) {
      const [result] = named(ran.results, check);
      expect(result?.status, check).toBe('fail');
      expect(result?.message).toMatch(/: accepted; signature = md5\(token \+ key\), which the receiver recomputes and compares \(the vendor's rule\)/);
      expect(result?.reproducer).toMatch(/^curl -sS -i -X POST 'http:\/\/127\.0\.0\.1:\d+\/subhook' -H 'user-agent: smn-kit conformance' -H 'content-type: application\/x-www-form-urlencoded' --data-binary 'events=request&/);
    }
    for (const check of ['malformed_form_refused', 'malformed_json_refused', 'invalid_utf8_refused']) {
      expect(named(ran.results, check)[0], check).toMatchObject({ status: 'fail', message: expect.stringMatching(/received 200 in .*: expected 4xx; the receiver accepted a delivery it cannot have verified/) });
    }
    for (const check of ['reused_signature_refused', 'stale_timestamp_refused', 'replayed_token_refused']) {
      expect(named(ran.results, check)[0], check).toMatchObject({ status: 'warn', message: expect.stringMatching(/accepted; .*\(the kit's rule, not the vendor's: a warning; --strict fails it\)$/) });
    }
    // Two deliveries in the reproducer of a replay: the original, then the copy.
    expect(named(ran.results, 'replayed_token_refused')[0]!.reproducer!.split(' ; ')).toHaveLength(2);
  });

  it('one that refuses everything fails every valid event, in every encoding', async () => {
    const ran = await conform((await receiver('refuses-everything')).url);
    expect(ran.status).toBe(1);
    const valid = named(ran.results, 'valid_event_accepted');
    expect(valid.every((r) => r.status === 'fail')).toBe(true);
    expect(valid[0]!.message).toMatch(/^sent a valid, signed sms request event, POST form; received 400 in \d+\.\d ms \(it said: "ok"\): expected 2xx\. SUBMAIL pushes its events so/);
    // Its refusals of forgeries prove nothing: no verdict, rather than a pass.
    for (const check of ['wrong_signature_refused', 'missing_token_refused', 'replayed_token_refused']) {
      expect(named(ran.results, check)[0], check).toMatchObject({ status: 'error', message: 'no verdict: the receiver took no valid push in any encoding, so a refusal here would prove nothing' });
    }
  });

  it('one that crashes on multipart fails there, the checks after it are errors, and the reports are complete', async () => {
    const ran = await conform((await receiver('crashes-on-multipart')).url);
    expect(ran.status).toBe(1);
    const first = ran.results.findIndex((r) => r.status !== 'pass');
    expect(ran.results[first]).toMatchObject({ operation: 'sms request multipart', check: 'valid_event_accepted', status: 'fail', message: expect.stringMatching(/POST multipart; received (no answer: the connection closed \(ECONNRESET|socket hang up\)|no connection \(ECONNREFUSED\): the receiver, which answered the deliveries before, went away on this one \(it crashed\?\))/) });
    // Errors after it (no verdict: nothing was sent), but for answers_in_time, which judges the answers that came.
    expect(ran.results.slice(first + 1, -1).map((r) => `${r.check} ${r.status}`)).toEqual(ran.results.slice(first + 1, -1).map((r) => `${r.check} error`));
    expect(ran.results.at(-2)).toMatchObject({ status: 'error', message: expect.stringMatching(/^not sent: the receiver did not answer the last 3 deliveries/) });
    // Every check is in both reports, failed or not.
    expect(ran.json.results).toHaveLength(ran.results.length);
    expect(ran.json.summary).toMatchObject({ fail: 1, error: ran.results.length - first - 2 });
    expect(parseStrictXml(ran.junit).attributes.tests).toBe(String(ran.results.length));
  });

  it('one that does not check signatures fails the signature checks', async () => {
    const ran = await conform((await receiver('no-signature-check')).url);
    for (const check of ['wrong_signature_refused', 'foreign_key_signature_refused']) expect(named(ran.results, check)[0]?.status, check).toBe('fail');
    expect(named(ran.results, 'valid_event_accepted').every((r) => r.status === 'pass')).toBe(true);
  });

  it('one that accepts stale timestamps gets a warning that says why (the vendor does not require a window), and a failure with --strict', async () => {
    const url = (await receiver('accepts-stale-timestamps')).url;
    const ran = await conform(url);
    expect(failures(ran.results)).toEqual([]);
    expect(ran.results.filter((r) => r.status === 'warn')).toEqual([
      expect.objectContaining({
        check: 'stale_timestamp_refused',
        message: expect.stringMatching(/^sent a signed \(its timestamp a day old\) sms request event, POST form; received 200 in .*: accepted; the vendor neither signs the timestamp nor asks receivers to check it/),
      }),
    ]);
    expect(ran.status).toBe(0);
    const strict = await conform(url, '--strict');
    expect(failures(strict.results).map((r) => r.check)).toEqual(['stale_timestamp_refused']);
    expect(strict.status).toBe(1);
  });

  it('one that fails (5xx) on a field it does not know fails newer_field_accepted', async () => {
    const ran = await conform((await receiver('5xx-on-newer-field')).url);
    const newer = named(ran.results, 'newer_field_accepted');
    expect(newer.length).toBeGreaterThan(0);
    expect(newer.every((r) => r.status === 'fail')).toBe(true);
    expect(newer[0]!.message).toMatch(/received 500 in .*: the receiver fails on a field it does not know; other SUBHOOK events carry "\w+": a newer vendor release may add a field/);
    expect(failures(ran.results).every((r) => r.check === 'newer_field_accepted')).toBe(true);
  });

  it('one that stops answering: three silent deliveries, then nothing more is sent; the reports are complete', async () => {
    const hanging = await receiver('hangs');
    const ran = await conform(hanging.url, '--timeout', '300');
    expect(ran.status).toBe(1);
    expect(hanging.received()).toBe(8);
    expect(ran.results.slice(5, 8).map((r) => r.message)).toEqual(Array(3).fill(expect.stringMatching(/received no answer: timed out after 300 ms: a receiver answers every delivery, and in time/)));
    expect(ran.results.slice(8, -1).every((r) => r.status === 'error' && /^not sent: the receiver did not answer the last 3 deliveries/.test(r.message))).toBe(true);
    expect(ran.results.at(-1)).toMatchObject({ check: 'answers_in_time', status: 'fail', message: expect.stringMatching(/^3 of 8 deliveries got no answer within 300 ms/) });
    expect(ran.json.results).toHaveLength(ran.results.length);
  });
});

describe('smn-kit listen as the receiver', () => {
  it('with --refuse-invalid: every check passes', async () => {
    const listening = await serveInProcess(listenCommand, ['--port', '0', '--refuse-invalid'], env);
    const ran = await conform(`${listening.url}/subhook`);
    listening.stop();
    await listening.done;
    expect(failures(ran.results), ran.stdout).toEqual([]);
    expect(ran.status).toBe(0);
  });

  it('without it (a recorder that answers 200): the forgeries are accepted, and fail', async () => {
    const listening = await serveInProcess(listenCommand, ['--port', '0'], env);
    const ran = await conform(`${listening.url}/subhook`);
    listening.stop();
    await listening.done;
    expect(ran.status).toBe(1);
    expect(failures(ran.results).map((r) => r.check)).toEqual([
      'wrong_signature_refused',
      'foreign_key_signature_refused',
      'missing_token_refused',
      'missing_signature_refused',
      'malformed_form_refused',
      'malformed_json_refused',
      'invalid_utf8_refused',
    ]);
  });
});

describe('conformance --receiver: usage', () => {
  it('a receiver not running is one line and exit 2, and the reports say so', async () => {
    const gone = await receiver();
    await gone.close();
    const name = join(work, 'gone');
    const ran = await runCommand(conformanceCommand, ['--receiver', gone.url, '--product', 'sms', '--json', `${name}.json`, '--junit', `${name}.xml`], env);
    expect(ran.status).toBe(2);
    expect(ran.stderr).toMatch(/^smn-kit: --receiver: cannot reach the receiver at http:\/\/127\.0\.0\.1:\d+\/subhook \(ECONNREFUSED\); is it running, and is the URL right\?\n$/);
    expect(JSON.parse(readFileSync(`${name}.json`, 'utf8'))).toMatchObject({ results: [{ check: 'receiver_reachable', status: 'error' }], summary: { error: 1 } });
    expect(parseStrictXml(readFileSync(`${name}.xml`, 'utf8')).attributes).toMatchObject({ tests: '1', errors: '1' });
  });

  it('refuses options that do not fit, with one line and exit 2', async () => {
    for (const [args, message] of [
      [['--receiver', 'http://127.0.0.1:9/h'], '--product is required with --receiver: sms, intersms, smn'],
      [['--receiver', 'http://127.0.0.1:9/h', '--product', 'mms'], '--product must be sms, intersms, smn, got "mms"'],
      [['--receiver', 'ftp://127.0.0.1/h', '--product', 'sms'], '--receiver must be an http:// or https:// URL, got a ftp: URL'],
      [['--receiver', 'http://127.0.0.1:9/h', '--product', 'sms', '--target', 'http://127.0.0.1:4010'], '--target is for an SMN implementation (--target); a receiver run takes --receiver URL --product P'],
      [['--receiver', 'http://127.0.0.1:9/h', '--product', 'sms', '--smn-host', '127.0.0.1'], '--smn-host applies to --product smn, not to sms'],
      [['--receiver', 'http://127.0.0.1:9/h', '--product', 'smn', '--key', 'k'], '--key applies to SUBHOOK products, not to smn'],
      [['--target', 'http://127.0.0.1:4010', '--product', 'sms'], '--product is for a receiver run: give --receiver URL --product P (or leave --product out)'],
    ] as const) {
      const ran = await runCommand(conformanceCommand, [...args], env);
      expect(ran.stderr, args.join(' ')).toBe(`smn-kit: ${message}\n`);
      expect(ran.status).toBe(2);
    }
    const noKey = await runCommand(conformanceCommand, ['--receiver', 'http://127.0.0.1:9/h', '--product', 'sms'], cleanEnv);
    expect(noKey.stderr).toBe('smn-kit: the SUBHOOK key is required for --product sms: the receiver checks signatures with it; give --key-file, SUBHOOK_KEY or --key\n');
    expect(noKey.status).toBe(2);
  });
});

describe('the receiver examples of smn-kit conformance --help', () => {
  it('run as shown against the receivers their comment names, smn-kit listen on free ports: both pass', async () => {
    const usage = conformanceCommand.usage;
    const block = usage.split('\nReceiver examples')[1]!.split('\n\n')[0]!;
    const lines = block.split('\n').filter((line) => line.startsWith('  ')).map((line) => line.trim());
    expect(lines).toHaveLength(2);
    expect(block).toContain('smn-kit listen --refuse-invalid');
    expect(block).toContain('smn-kit listen --confirm --refuse-invalid');
    const subhook = await serveInProcess(listenCommand, ['--port', '0', '--refuse-invalid'], { ...cleanEnv, SUBHOOK_KEY: 'your-subhook-secret' });
    const smn = await serveInProcess(listenCommand, ['--port', '0', '--confirm', '--refuse-invalid'], cleanEnv);
    const ports: Record<string, string> = { '8787': new URL(subhook.url).port, '9000': new URL(smn.url).port };
    for (const line of lines) {
      const { assignments, argv } = simpleCommand(line.replace(/127\.0\.0\.1:(8787|9000)/, (_, port: string) => `127.0.0.1:${ports[port]}`).replace(/receiver\.(xml|json)/, (name) => join(work, name)));
      expect(argv[0]).toBe('smn-kit');
      const ran = await runCli(argv.slice(1), { ...cleanEnv, ...assignments });
      expect(ran.status, `${line}\n${ran.stdout}${ran.stderr}`).toBe(0);
    }
    subhook.stop();
    smn.stop();
    await Promise.all([subhook.done, smn.done]);
    expect(parseStrictXml(readFileSync(join(work, 'receiver.xml'), 'utf8')).attributes).toMatchObject({ failures: '0', errors: '0' });
    expect(JSON.parse(readFileSync(join(work, 'receiver.json'), 'utf8'))).toMatchObject({ product: 'smn', summary: { fail: 0, error: 0 } });
  });
});

describe('conformance --receiver: a run cut short', () => {
  it('stopped (Ctrl-C) while the receiver hangs: the checks left are errors, the reports complete, saying so', async () => {
    const hanging = await receiver('hangs');
    const name = join(work, 'stopped');
    const running = start(conformanceCommand, ['--receiver', hanging.url, '--product', 'sms', '--timeout', '1000', '--json', `${name}.json`, '--junit', `${name}.xml`], env);
    while (hanging.received() < 6) await new Promise((resolve) => setTimeout(resolve, 10));
    running.stop();
    const ran = await running.done;
    expect(ran.status).toBe(1);
    const report = JSON.parse(readFileSync(`${name}.json`, 'utf8')) as { results: Result[]; ended: string };
    expect(report.ended).toBe('the run was stopped');
    expect(report.results.length).toBeGreaterThan(50);
    expect(report.results.slice(6, -1).every((r) => r.status === 'error' && r.message === 'not sent: the run was stopped')).toBe(true);
    expect(hanging.received()).toBe(6);
    expect(parseStrictXml(readFileSync(`${name}.xml`, 'utf8')).attributes.tests).toBe(String(report.results.length));
  });

  it('when the kit cannot play SMN (its port taken): one line, exit 2, and the reports say why', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    const endpoint = await receiver();
    const name = join(work, 'taken');
    const ran = await runCommand(conformanceCommand, ['--receiver', endpoint.url, '--product', 'smn', '--smn-port', String(port), '--json', `${name}.json`], cleanEnv);
    taken.close();
    expect(ran.status).toBe(2);
    expect(ran.stderr).toMatch(new RegExp(`^smn-kit: --receiver: the kit could not play SMN: listen EADDRINUSE: address already in use 127\\.0\\.0\\.1:${port}\\n$`));
    expect(JSON.parse(readFileSync(`${name}.json`, 'utf8'))).toMatchObject({ results: [{ check: 'run_started', status: 'error' }] });
  });
});
