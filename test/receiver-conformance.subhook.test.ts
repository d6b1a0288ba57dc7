// `smn-kit conformance --receiver URL --product sms` (issue 21) proven able to fail, as
// the SMN suite is with a faulty SMN: against a SUBHOOK receiver written from the
// vendor's documents (subhook-receiver.ts), no check fails; against the same receiver
// with one common bug, the check that names that bug fails (or warns, where the bug
// breaks no vendor rule, and fails with --strict); against `smn-kit listen
// --refuse-invalid` nothing fails, and against `smn-kit listen` the forgeries are
// accepted and fail. The reports are written in every case, also when the receiver
// hangs or dies mid-run. Real deliveries over real sockets.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { conformanceCommand } from '../src/commands/conformance.js';
import { listenCommand } from '../src/commands/listen.js';
import { cleanEnv, runCommand, serveInProcess, type Ran } from './support/command.js';
import { parseStrictXml } from './support/xml.js';
import { startSubhookReceiver, type RunningReceiver, type SubhookReceiverFault } from './subhook-receiver.js';

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

async function receiver(fault?: SubhookReceiverFault): Promise<RunningReceiver> {
  const started = await startSubhookReceiver(KEY, fault);
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
