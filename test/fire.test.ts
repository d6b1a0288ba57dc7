// `smn-kit fire` as a user runs it: the command line in this process (option parsing,
// output, exit status), sending over real sockets to a receiver in this process that
// judges each delivery with smn-kit's SUBHOOK library (see fire-receiver.ts). The whole
// matrix (every event, encoding, tamper kind...) runs in fire.library.test.ts; here each
// product goes through the command line once per encoding, and its own behaviour is
// checked: lines, exit codes, one-line errors, help. The built fire binary runs in
// fire.listen.test.ts.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSubhook } from '../src/subhook/index.js';
import { subhookContract } from '../src/subhook/contract.js';
import { smnResponses } from '../src/contract/smn-responses.js';
import { fireCommand } from '../src/commands/fire.js';
import { SUBHOOK_ENCODINGS } from '../src/notify/subhook-push.js';
import { smsCallbackEventTypes } from '../src/generate/sms-callback.js';
import { TAMPER_KINDS } from '../src/fire/tamper.js';
import { startJudgingReceiver, type JudgingReceiver } from './fire-receiver.js';
import { cleanEnv, runCommand, type Ran } from './support/command.js';

const KEY = 'fire-test-key-7f3a9c0e5b';
const products = [...subhookContract().keys()];
const eventsOf = (product: string): string[] => [...(subhookContract().get(product)?.events.keys() ?? [])];

/** `smn-kit fire ...args`, in an environment without SUBHOOK_KEY unless `env` gives one. */
const fire = (args: string[], env: Record<string, string> = {}): Promise<Ran> => runCommand(fireCommand, args, { ...cleanEnv, ...env });

const deliveryLines = (stdout: string): string[] => stdout.split('\n').filter((line) => /^#\s*\d+ /.test(line));

// Each case sends over real sockets; give loaded machines room.
const SPAWN_TIMEOUT = 90_000;

let receiver: JudgingReceiver;
beforeAll(async () => {
  receiver = await startJudgingReceiver(KEY);
});
afterAll(() => receiver.close());

describe('smn-kit fire all: every encoding, the products in turn', () => {
  SUBHOOK_ENCODINGS.forEach((encoding, i) => {
    const product = products[i % products.length] ?? 'sms';
    it(`${product} all --encoding ${encoding}: each delivery decodes, validates with the key, and is fresh`, async () => {
      const bucket = receiver.bucket();
      const before = Math.floor(Date.now() / 1000);
      const run = await fire(['all', '--product', product, '--encoding', encoding, '--key', KEY, '--to', bucket.url(`judge/${product}`)]);
      const events = eventsOf(product);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(bucket.received.map((r) => r.fields?.events)).toEqual(events);
      for (const delivery of bucket.received) expect(delivery.problems, String(delivery.fields?.events)).toEqual([]);
      expect(bucket.received.every((r) => r.method === (encoding === 'get' ? 'GET' : 'POST'))).toBe(true);
      // A new token each time, the current time, and in JSON the numbers the vendor sends.
      expect(new Set(bucket.received.map((r) => r.fields?.token)).size).toBe(events.length);
      for (const { fields } of bucket.received) {
        expect(Number(fields?.timestamp)).toBeGreaterThanOrEqual(before);
        expect(Number(fields?.timestamp)).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
        expect(typeof fields?.timestamp).toBe(encoding === 'json' ? 'number' : 'string');
      }
      // One line per delivery: the event, the encoding, the receiver's status and time.
      const lines = deliveryLines(run.stdout);
      expect(lines).toHaveLength(events.length);
      events.forEach((event, i) => expect(lines[i]).toMatch(new RegExp(`^#${String(i + 1).padStart(String(events.length).length)} ${product} ${event} ${encoding} -> 204 in \\d+\\.\\d ms$`)));
      expect(run.stdout).toMatch(new RegExp(`${events.length} deliveries in .*: every answer as expected\\n$`));
    }, SPAWN_TIMEOUT);
  });
});

describe('smn-kit fire: answers, exit codes and errors', () => {
  it('takes the key from SUBHOOK_KEY, and never prints it, a token or a signature', async () => {
    const bucket = receiver.bucket();
    const run = await fire(['all', '--to', bucket.url('judge/sms')], { SUBHOOK_KEY: KEY });
    expect(run.status).toBe(0);
    expect(bucket.received.map((r) => r.problems)).toEqual(eventsOf('sms').map(() => []));
    const output = run.stdout + run.stderr;
    expect(output).not.toContain(KEY);
    for (const { fields } of bucket.received) {
      expect(output).not.toContain(String(fields?.token));
      expect(output).not.toContain(String(fields?.signature));
    }
  }, SPAWN_TIMEOUT);

  it('a tampered delivery the receiver refuses: exit 0, the line says so', async () => {
    const bucket = receiver.bucket();
    const run = await fire(['request', '--tamper', 'signature', '--key', KEY, '--to', bucket.url('judge/sms')]);
    expect(bucket.received.map((r) => r.problems.map((p) => p.rule))).toEqual([['bad-signature']]);
    expect(deliveryLines(run.stdout)).toEqual([expect.stringMatching(/^#1 sms request form tamper signature -> 422 in \d+\.\d ms: refused, as it should be$/)]);
    expect(run.status).toBe(0);
  }, SPAWN_TIMEOUT);

  it('a tampered delivery the receiver accepts: exit 1, the line names the rule it missed', async () => {
    const bucket = receiver.bucket();
    const run = await fire(['request', '--tamper', 'signature', '--key', KEY, '--to', bucket.url('status/200')]);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/tamper signature -> 200 in .* ms: accepted, but a receiver should refuse it \(bad-signature\)\n/);
  }, SPAWN_TIMEOUT);

  it('exits 1 when the receiver answers a status other than 2xx', async () => {
    const bucket = receiver.bucket();
    const run = await fire(['delivered', '--count', '2', '--key', KEY, '--to', bucket.url('status/503')]);
    expect(run.status).toBe(1);
    expect(deliveryLines(run.stdout)).toEqual([expect.stringMatching(/^#1 sms delivered form -> 503 in \d+\.\d ms: not 2xx$/), expect.stringMatching(/^#2 sms delivered form -> 503 /)]);
    expect(run.stdout).toContain('2 of 2 not as expected');
    expect(bucket.received).toHaveLength(2);
  }, SPAWN_TIMEOUT);

  it('exits 2 with one line for an EVENT the spec does not define, hinting at the other product', async () => {
    const bucket = receiver.bucket();
    const run = await fire(['mo', '--product', 'intersms', '--key', KEY, '--to', bucket.url('judge/intersms')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      `smn-kit: unknown EVENT "mo": expected all, an event of intersms (${eventsOf('intersms').join(', ')}) or an SMS callback event (${smsCallbackEventTypes().join(', ')}); mo is an event of sms: add --product sms\n`,
    );
    expect(run.stdout).toBe('');
    expect(bucket.received).toHaveLength(0);
  }, SPAWN_TIMEOUT);

  it('exits 2 with one line for a --set the schema refuses, before sending anything', async () => {
    const bucket = receiver.bucket();
    const run = await fire(['all', '--set', 'app=ten', '--key', KEY, '--to', bucket.url('judge/sms')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('smn-kit: --set app: sms request expects a string matching ^[0-9]{1,20}$, got "ten" (bad-format)\n');
    expect(bucket.received).toHaveLength(0);
  }, SPAWN_TIMEOUT);

  it('exits 2 with one line when the receiver cannot be reached, hiding the query', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const run = await fire(['request', '--key', KEY, '--to', `http://127.0.0.1:${port}/hook?secret=s3cr3t`]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`smn-kit: --to http://127.0.0.1:${port}/hook: cannot reach the receiver (ECONNREFUSED); is it running, and is the URL right?\n`);
    expect(run.stdout + run.stderr).not.toContain('s3cr3t');
  }, SPAWN_TIMEOUT);

  it('exits 2 with one line for a bad option value', async () => {
    const run = await fire(['request', '--count', '0', '--key', KEY, '--to', 'http://127.0.0.1:9/']);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('smn-kit: --count must be an integer from 1 to 100000, got "0"\n');
  }, SPAWN_TIMEOUT);

  it('--help explains every option with its default, and gives examples', async () => {
    const run = await fire(['--help']);
    expect(run.status).toBe(0);
    for (const option of Object.keys(fireCommand.options)) expect(run.stdout).toContain(`--${option}`);
    for (const encoding of SUBHOOK_ENCODINGS) expect(run.stdout).toMatch(new RegExp(`^ +${encoding} +(POST|GET)`, 'm'));
    for (const kind of TAMPER_KINDS) expect(run.stdout).toMatch(new RegExp(`^ +${kind} +\\S`, 'm'));
    for (const product of products) expect(run.stdout).toContain(`${product.padEnd(17)} ${eventsOf(product).join(', ')}`);
    for (const eventType of smsCallbackEventTypes()) expect(run.stdout).toContain(eventType);
    for (const fact of ['(default form', '(default 1)', '(default sms)', '(default 10000)', 'SUBHOOK_KEY']) expect(run.stdout).toContain(fact);
    expect(run.stdout).toMatch(/\nExample:\n {2}\S/);
  }, SPAWN_TIMEOUT);

  it('sms_fail_event: an SMN notification whose message is a failed receipt', async () => {
    const bucket = receiver.bucket();
    const run = await fire(['sms_fail_event', '--to', bucket.url('smn')]);
    expect(run.status).toBe(0);
    expect(deliveryLines(run.stdout)).toEqual([expect.stringMatching(/^#1 smn sms_fail_event -> 204 in \d+\.\d ms$/)]);
    const [delivery] = bucket.received;
    expect(delivery?.headers['x-smn-message-type']).toBe('Notification');
    const body = JSON.parse(delivery?.body.toString() ?? '') as { message: string };
    expect(smnResponses().validateSchema('SmnNotification', body)).toEqual([]);
    expect(JSON.parse(body.message)).toMatchObject({ event_type: 'sms_fail_event', status: 0 });
  }, SPAWN_TIMEOUT);

  it('re-signs the event when --set changes the token', async () => {
    const bucket = receiver.bucket();
    const token = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
    const run = await fire(['mo', '--set', `token=${token}`, '--key', KEY, '--to', bucket.url('judge/sms')]);
    expect(run.status).toBe(0);
    expect(bucket.received[0]?.fields).toMatchObject({ token, signature: signSubhook(token, KEY) });
  }, SPAWN_TIMEOUT);
});
