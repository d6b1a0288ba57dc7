// The whole `smn-kit fire` matrix in this process: planFire + runFire (what the command
// runs) over real sockets to a receiver that judges with smn-kit's SUBHOOK library
// (fire-receiver.ts); the option errors through the command itself; the SMN envelope
// module the emulator reuses; and the generators against their schemas.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSubhook, validateSubhookEvent } from '../src/subhook/index.js';
import { subhookContract } from '../src/subhook/contract.js';
import { smnResponses } from '../src/contract/smn-responses.js';
import { processIo, UsageError } from '../src/commands/command.js';
import { cleanEnv } from './support/command.js';
import { fireCommand } from '../src/commands/fire.js';
import { planFire, type FireOptions, type FirePlan } from '../src/fire/plan.js';
import { makeNext, startMaking } from '../src/fire/make.js';
import { runFire, type FireResult } from '../src/fire/run.js';
import { FireError } from '../src/fire/errors.js';
import { SUBHOOK_ENCODINGS } from '../src/notify/subhook-push.js';
import { createRandom } from '../src/generate/random.js';
import { generateSmsCallbackEvent, smsCallbackEventTypes } from '../src/generate/sms-callback.js';
import { generateSubhookEvent, subhookEventShape } from '../src/generate/subhook-event.js';
import { STALE_SECONDS, TAMPER_KINDS, TAMPER_RULES } from '../src/fire/tamper.js';
import { vary } from '../src/generate/values.js';
import { DeliveryError, deliverSmnNotification, smnNotification } from '../src/notify/envelope.js';
import { startJudgingReceiver, type JudgingReceiver } from './fire-receiver.js';

const KEY = 'fire-library-key-2c81d4';
const products = [...subhookContract().keys()];
const eventsOf = (product: string): string[] => [...(subhookContract().get(product)?.events.keys() ?? [])];

let receiver: JudgingReceiver;
beforeAll(async () => {
  receiver = await startJudgingReceiver(KEY);
});
afterAll(() => receiver.close());

/** Plans and runs like the command does, collecting the delivery lines. */
async function fireHere(options: Omit<FireOptions, 'to'> & { to: string }, rate?: number): Promise<FireResult & { lines: string[] }> {
  const lines: string[] = [];
  const result = await runFire(planFire({ ...options, to: new URL(options.to) }), { rate, out: (line) => lines.push(line) });
  return { ...result, lines };
}

describe('every event of both products in every encoding', () => {
  for (const product of products) {
    for (const encoding of SUBHOOK_ENCODINGS) {
      it(`${product} ${encoding}: decodes and validates with the key on a real receiver`, async () => {
        const bucket = receiver.bucket();
        const result = await fireHere({ event: 'all', product, encoding, key: KEY, to: bucket.url(`judge/${product}`) });
        expect(bucket.received.map((r) => r.fields?.events)).toEqual(eventsOf(product));
        expect(bucket.received.map((r) => r.problems)).toEqual(eventsOf(product).map(() => []));
        expect(result).toMatchObject({ sent: eventsOf(product).length, unexpected: 0 });
      });
    }
  }

  it('values look real: mobile numbers, 32-character tokens, new hexadecimal send ids, numbers in JSON', async () => {
    const bucket = receiver.bucket();
    await fireHere({ event: 'request', count: 30, encoding: 'json', key: KEY, to: bucket.url('judge/sms') });
    for (const { fields } of bucket.received) {
      expect(fields?.address).toMatch(/^(?:\+86)?1[0-9]{10}$/);
      expect(fields?.token).toMatch(/^[0-9a-f]{32}$/);
      expect(fields?.send_id).toMatch(/^[0-9a-f]{32}$/);
      expect(fields?.app).toEqual(expect.any(Number));
    }
    expect(new Set(bucket.received.map((r) => r.fields?.send_id)).size).toBe(30);
    expect(new Set(bucket.received.map((r) => r.fields?.token)).size).toBe(30);
  });
});

describe('--tamper: each bad delivery is refused by the library, for the rule the kind names', () => {
  for (const kind of TAMPER_KINDS) {
    for (const product of products) {
      it(`${kind}, every ${product} event`, async () => {
        const bucket = receiver.bucket();
        const result = await fireHere({ event: 'all', product, tamper: kind, key: KEY, to: bucket.url(`judge/${product}`) });
        const events = eventsOf(product);
        const tampered = kind === 'reused-token' ? bucket.received.filter((_, i) => i % 2 === 1) : bucket.received;
        expect(tampered.map((r) => r.problems.map((p) => p.rule))).toEqual(events.map(() => [TAMPER_RULES[kind]]));
        expect(tampered.map((r) => r.status)).toEqual(events.map(() => 422));
        if (kind === 'reused-token') {
          // The original goes through; the replay is another event carrying its token and signature.
          const originals = bucket.received.filter((_, i) => i % 2 === 0);
          expect(originals.map((r) => r.status)).toEqual(events.map(() => 204));
          originals.forEach((original, i) => {
            expect(tampered[i]?.fields?.token).toBe(original.fields?.token);
            expect(tampered[i]?.fields?.signature).toBe(original.fields?.signature);
          });
        }
        if (kind === 'wrong-type') expect(bucket.received.every((r) => r.headers['content-type'] === 'application/json')).toBe(true);
        if (kind === 'stale-timestamp') {
          for (const { fields } of tampered) expect(Math.floor(Date.now() / 1000) - Number(fields?.timestamp)).toBeGreaterThanOrEqual(STALE_SECONDS);
        }
        // Refused as a receiver should: a success for fire.
        expect(result.unexpected).toBe(0);
        expect(result.lines.filter((line) => line.includes(`tamper ${kind} -> 422`) && line.endsWith(': refused, as it should be'))).toHaveLength(events.length);
      });
    }
  }

  it('only the tampered field is wrong: without it the event would be valid', async () => {
    const bucket = receiver.bucket();
    await fireHere({ event: 'all', tamper: 'signature', key: KEY, to: bucket.url('judge/sms') });
    for (const { fields } of bucket.received) {
      expect(validateSubhookEvent({ ...fields, signature: signSubhook(String(fields?.token), KEY) }, { product: 'sms', key: KEY }).valid).toBe(true);
    }
  });

  it('wrong-type needs JSON; other combinations are refused before sending', () => {
    const to = new URL('http://127.0.0.1:9/');
    expect(() => planFire({ to, event: 'request', tamper: 'wrong-type', encoding: 'get', key: KEY })).toThrow(
      new FireError('--tamper wrong-type needs --encoding json: get deliveries carry every value as a string, so no value can be of the wrong type'),
    );
    expect(() => planFire({ to, event: undefined, scenario: 'lifecycle', tamper: 'signature', key: KEY })).toThrow(/--scenario and --tamper cannot be combined/);
  });
});

describe('--scenario lifecycle', () => {
  for (const product of products) {
    it(`${product}: request -> sending -> delivered or dropped, one send_id per message, in order`, async () => {
      const bucket = receiver.bucket();
      await fireHere({ event: undefined, scenario: 'lifecycle', count: 6, seed: 11, product, key: KEY, to: bucket.url(`judge/${product}`) });
      expect(bucket.received).toHaveLength(18);
      expect(bucket.received.every((r) => r.problems.length === 0)).toBe(true);
      const messages = [0, 1, 2, 3, 4, 5].map((m) => bucket.received.slice(m * 3, m * 3 + 3).map((r) => r.fields ?? {}));
      for (const message of messages) {
        expect(message.map((f) => f.events).slice(0, 2)).toEqual(['request', 'sending']);
        expect(['delivered', 'dropped']).toContain(message[2]?.events);
        expect(new Set(message.map((f) => f.send_id)).size).toBe(1);
        expect(new Set(message.map((f) => f.address)).size).toBe(1);
        expect(new Set(message.map((f) => f.app)).size).toBe(1);
      }
      expect(new Set(messages.map((m) => m[0]?.send_id)).size).toBe(6);
      // Six messages with seed 11 end both ways: the outcome is drawn, not fixed.
      expect(new Set(messages.map((m) => m[2]?.events)).size).toBe(2);
    });
  }

  it('EVENT chooses the outcome', async () => {
    const bucket = receiver.bucket();
    await fireHere({ event: 'dropped', scenario: 'lifecycle', count: 2, key: KEY, to: bucket.url('judge/sms') });
    expect(bucket.received.map((r) => r.fields?.events)).toEqual(['request', 'sending', 'dropped', 'request', 'sending', 'dropped']);
  });

  it('refuses an EVENT that is not an outcome, and all', () => {
    const to = new URL('http://127.0.0.1:9/');
    expect(() => planFire({ to, event: 'sending', scenario: 'lifecycle', key: KEY })).toThrow(
      new FireError('with --scenario lifecycle, EVENT is how the message ends: delivered or dropped (or leave it out for a random one), got "sending"'),
    );
    expect(() => planFire({ to, event: 'all', scenario: 'lifecycle', key: KEY })).toThrow(/EVENT is how each message ends, not all/);
  });
});

describe('--set', () => {
  it('replaces values, as numbers where the schema allows them', async () => {
    const bucket = receiver.bucket();
    await fireHere({ event: 'request', encoding: 'json', sets: ['app=12345', 'tag=a=b', 'address=+8613812345678'], key: KEY, to: bucket.url('judge/sms') });
    expect(bucket.received[0]?.fields).toMatchObject({ app: 12345, tag: 'a=b', address: '+8613812345678' });
    expect(bucket.received[0]?.problems).toEqual([]);
  });

  it('a digit string stays a string for a string field, and travels as text in a form', async () => {
    const bucket = receiver.bucket();
    await fireHere({ event: 'request', encoding: 'json', sets: ['tag=10001'], key: KEY, to: bucket.url('judge/sms') });
    expect(bucket.received[0]?.fields?.tag).toBe('10001');
    await fireHere({ event: 'request', sets: ['app=12345'], key: KEY, to: bucket.url('judge/sms') });
    expect(bucket.received[1]?.fields?.app).toBe('12345');
  });

  it('with all, applies to the events that have the field and leaves the others alone', async () => {
    const bucket = receiver.bucket();
    await fireHere({ event: 'all', product: 'intersms', sets: ['template_id=TPL001'], key: KEY, to: bucket.url('judge/intersms') });
    for (const { fields, problems } of bucket.received) {
      const hasField = subhookContract().get('intersms')?.events.get(String(fields?.events))?.fields.includes('template_id');
      expect(fields?.template_id).toBe(hasField ? 'TPL001' : undefined);
      expect(problems).toEqual([]);
    }
  });

  it.each([
    [{ event: 'request', sets: ['colour=red'] }, '--set colour: sms request has no field "colour"; its fields are address, app, send_id, content, tag, timestamp, token, signature'],
    [{ event: 'all', sets: ['colour=red'] }, `--set colour: none of the sms events fired (${eventsOf('sms').join(', ')}) has a field "colour"`],
    [{ event: 'request', sets: ['app=ten'] }, '--set app: sms request expects a string matching ^[0-9]{1,20}$, got "ten" (bad-format)'],
    [{ event: 'request', sets: ['token=short'] }, '--set token: sms request expects at least 32 characters, got a string of 5 characters (bad-length)'],
    [{ event: 'request', sets: ['signature=0123456789abcdef0123456789abcdef'] }, /^--set signature: sms request expects md5\(token \+ key\).*\(bad-signature\); to send a bad signature on purpose, use --tamper signature$/],
    [{ event: 'request', sets: ['events=mo'] }, "--set events: the event's name is chosen by EVENT, not by --set"],
    [{ event: 'request', sets: ['tag'] }, '--set "tag": expected field=value, such as --set tag=order-1024'],
    [{ event: 'request', sets: ['tag=a', 'tag=b'] }, '--set tag: given more than once'],
    [{ event: 'sms_reply_event', sets: ['status=1'] }, '--set status: SMS callback event sms_reply_event has no field "status"; its fields are nation_code, mobile, reply, sign_id, deliver_time'],
    [{ event: 'sms_success_event', sets: ['status=7'] }, '--set status: sms_success_event expects one of [0,1], got 7 (enum)'],
    [{ event: 'sms_success_event', sets: ['event_type=sms_fail_event'] }, "--set event_type: the event's name is chosen by EVENT, not by --set"],
  ])('%j is refused before sending: %s', (options, message) => {
    const attempt = () => planFire({ ...options, key: KEY, to: new URL('http://127.0.0.1:9/') });
    expect(attempt).toThrow(FireError);
    expect(attempt).toThrow(message);
  });
});

describe('--seed, --count, --rate', () => {
  it('the same seed makes the same requests; another seed other ones', () => {
    const to = new URL('http://127.0.0.1:9/hook');
    const requests = (plan: FirePlan) => {
      const making = startMaking(plan);
      return plan.deliveries.map(() => makeNext(plan, making, 1_790_000_000_000));
    };
    const built = (seed: number) => requests(planFire({ event: 'all', encoding: 'multipart', count: 2, seed, key: KEY, to }));
    expect(built(42)).toEqual(built(42));
    expect(built(42).map((r) => r.body)).not.toEqual(built(43).map((r) => r.body));
    const smn = (seed: number) => requests(planFire({ event: 'sms_reply_event', seed, to }));
    expect(smn(7)).toEqual(smn(7));
    // A plan is a value: made twice, it makes the same requests (the lifecycle's shared
    // send_id, the reused token and the replayed notification included).
    for (const options of [{ scenario: 'lifecycle', event: undefined, count: 3, key: KEY }, { event: 'request', tamper: 'reused-token', key: KEY }, { event: 'sms_fail_event', tamper: 'replayed-message' }] as const) {
      const plan = planFire({ ...options, seed: 5, to });
      expect(requests(plan)).toEqual(requests(plan));
    }
  });

  it('--count repeats every event; --rate spaces the deliveries', async () => {
    const bucket = receiver.bucket();
    const before = Date.now();
    const result = await fireHere({ event: 'request', count: 6, key: KEY, to: bucket.url('judge/sms') }, 25);
    expect(result.sent).toBe(6);
    expect(bucket.received).toHaveLength(6);
    // 25 per second: one every 40 ms from the start, so the sixth is not sent before 5
    // intervals (200 ms) have passed, however late a busy machine sends the others (a
    // delivery may leave up to 1 ms early, and each clock reading drops under 1 ms).
    expect(bucket.received[5]!.at - before).toBeGreaterThanOrEqual(198);
  });
});

describe('a receiver that does not answer', () => {
  it('within --timeout: a line saying so, counted as not as expected; the run goes on', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hook`;
      const lines: string[] = [];
      const result = await runFire(planFire({ event: 'request', count: 2, key: KEY, to: new URL(url) }), { timeoutMs: 150, out: (line) => lines.push(line) });
      expect(result).toMatchObject({ sent: 2, asExpected: 0, unexpected: 2 });
      expect(lines).toEqual(['#1 sms request form -> no answer (timed out after 150 ms)', '#2 sms request form -> no answer (timed out after 150 ms)']);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});

describe('the command: each bad option is one UsageError naming the option and the rule', () => {
  const values = { to: 'http://127.0.0.1:9/', key: KEY };
  it.each([
    [{}, ['request', 'delivered'], 'fire takes one EVENT, got 2: request delivered; run smn-kit fire --help'],
    [{ to: undefined }, ['request'], '--to URL is required: the receiver to send to, such as --to http://127.0.0.1:8787/subhook'],
    [{ to: 'ftp://example.com/' }, ['request'], '--to must be an http:// or https:// URL, got a ftp: URL'],
    [{ to: 'example.com' }, ['request'], '--to must be an absolute http:// or https:// URL, got "example.com"'],
    [{ key: '' }, ['request'], '--key is empty; give the SUBHOOK secret or leave it out'],
    [{ key: undefined }, ['request'], '--key is required for SUBHOOK events: the SUBHOOK secret signs each one (signature = md5(token + key)); put it in a file for --key-file, set SUBHOOK_KEY, or pass --key K'],
    [{ key: undefined, 'key-file': '/nonexistent/subhook.key' }, ['request'], '--key-file /nonexistent/subhook.key: cannot be read (ENOENT)'],
    [{ 'key-file': 'package.json' }, ['request'], 'give the SUBHOOK secret once: --key or --key-file, not both'],
    [{ key: undefined, 'key-file': 'package.json' }, ['request'], '--key-file package.json has more than one line; put only the SUBHOOK secret in it'],
    [{ encoding: 'xml' }, ['request'], '--encoding must be one of form, json, multipart, get, got "xml"'],
    [{ product: 'mms' }, ['request'], '--product must be one of sms, intersms, got "mms"'],
    [{ count: '1.5' }, ['request'], '--count must be an integer from 1 to 100000, got "1.5"'],
    [{ rate: '0' }, ['request'], '--rate must be a number of deliveries per second above 0 and at most 100000, got "0"'],
    [{ seed: '-1' }, ['request'], '--seed must be an integer from 0 to 4294967295, got "-1"'],
    [{ scenario: 'storm' }, ['request'], '--scenario must be lifecycle, got "storm"'],
    [{ tamper: 'sabotage' }, ['request'], '--tamper must be one of signature, reused-token, stale-timestamp, missing-field, wrong-type (SUBHOOK events) or signature, changed-field, header-mismatch, stale-timestamp, missing-field, replayed-message (SMS callback events), got "sabotage"'],
    [{ timeout: '0' }, ['request'], '--timeout must be an integer from 1 to 600000, got "0"'],
    [{}, ['nope'], /^unknown EVENT "nope": expected all, an event of sms \(request, .*\) or an SMS callback event \(sms_success_event, sms_fail_event, sms_reply_event\)$/],
    // A misspelt event gets the closest name, as a misspelt option does; before the missing key.
    [{}, ['deliverd'], /^unknown EVENT "deliverd": expected all, .*; did you mean delivered\?$/],
    [{ key: undefined }, ['deliverd'], /^unknown EVENT "deliverd": .*; did you mean delivered\?$/],
    [{}, ['sms_fail_evnt'], /^unknown EVENT "sms_fail_evnt": .*; did you mean sms_fail_event\?$/],
    [{}, [], /^EVENT is missing: name an event of sms/],
    [{ encoding: 'json' }, ['sms_success_event'], '--encoding applies to SUBHOOK events; sms_success_event is an SMS callback event, sent as an SMN notification (JSON)'],
    [{ 'topic-urn': 'urn:smn:x' }, ['sms_success_event'], /^--topic-urn must be a string matching .* \(urn:smn:<region>:<32 hex project id>:<topic>\), got "urn:smn:x"$/],
  ])('%j %j', async (change, positionals, message) => {
    // An environment without SUBHOOK_KEY, whatever the machine running the tests has.
    const run = fireCommand.run({ ...values, ...change }, positionals, { ...processIo(), env: cleanEnv });
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(message);
  });
});

describe('the command: the SUBHOOK key from a file', () => {
  it('--key-file signs with the key the file holds (an editor\'s final newline left out): the receiver verifies every delivery', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smn-kit-fire-key-'));
    const keyFile = join(dir, 'subhook.key');
    writeFileSync(keyFile, `${KEY}\n`);
    const bucket = receiver.bucket();
    const io = { ...processIo(), stdout: new PassThrough(), env: cleanEnv };
    const status = await fireCommand.run({ to: bucket.url('judge/sms'), 'key-file': keyFile, count: '3' }, ['request'], io);
    expect(status).toBe(0);
    expect(bucket.received.map((r) => [r.status, r.problems])).toEqual([[204, []], [204, []], [204, []]]);
  });
});

describe('SMS callback events: SMN notifications at a receiver', () => {
  const responses = smnResponses();
  for (const eventType of smsCallbackEventTypes()) {
    it(`${eventType}: the envelope, its headers and the event obey the contract`, async () => {
      const bucket = receiver.bucket();
      const topicUrn = 'urn:smn:cn-north-4:0123456789abcdef0123456789abcdef:sms_receipts';
      const result = await fireHere({ event: eventType, count: 3, topicUrn, to: bucket.url('smn') });
      expect(result).toMatchObject({ sent: 3, unexpected: 0 });
      expect(result.lines).toEqual([0, 1, 2].map((i) => expect.stringMatching(new RegExp(`^#${i + 1} smn ${eventType} -> 204 in \\d+\\.\\d ms$`))));
      for (const delivery of bucket.received) {
        expect(delivery.method).toBe('POST');
        expect(delivery.headers['content-type']).toMatch(/^application\/json/);
        const body = JSON.parse(delivery.body.toString()) as Record<string, unknown>;
        expect(responses.validateSchema('SmnNotification', body)).toEqual([]);
        expect(body).toMatchObject({ type: 'Notification', signature_version: 'v1', topic_urn: topicUrn, subject: eventType });
        expect(delivery.headers['x-smn-message-type']).toBe('Notification');
        expect(delivery.headers['x-smn-message-id']).toBe(body.message_id);
        expect(delivery.headers['x-smn-topic-urn']).toBe(topicUrn);
        const event = JSON.parse(String(body.message)) as Record<string, unknown>;
        expect(responses.validateSchema('SmsCallbackMessage', event)).toEqual([]);
        expect(event.event_type).toBe(eventType);
        expect(event.mobile).toMatch(/^1[0-9]{2}\*{4}[0-9]{4}$/);
        expect(Math.abs(Date.parse(String(event.deliver_time)) - Date.now())).toBeLessThan(10_000);
        if ('status' in event) expect(event.status).toBe(eventType === 'sms_fail_event' ? 0 : 1);
        if ('submit_time' in event) expect(Date.parse(String(event.submit_time))).toBeLessThan(Date.parse(String(event.deliver_time)));
      }
      expect(new Set(bucket.received.map((r) => r.headers['x-smn-message-id'])).size).toBe(3);
    });
  }

  it('--set changes the event inside the envelope, typed by the schema', async () => {
    const bucket = receiver.bucket();
    await fireHere({ event: 'sms_fail_event', sets: ['fee_num=3', 'status_desc=REJECTD'], to: bucket.url('smn') });
    const event = JSON.parse((JSON.parse(bucket.received[0]!.body.toString()) as { message: string }).message) as Record<string, unknown>;
    expect(event).toMatchObject({ fee_num: 3, status_desc: 'REJECTD', status: 0 });
  });
});

describe('src/notify/envelope.ts: the API the emulator uses', () => {
  const topicUrn = 'urn:smn:regionId:f96188c7ccaf4ffba0c9aa149ab2bd57:test_reply';

  it('smnNotification wraps any event: headers, envelope, message as JSON text', () => {
    const event = { event_type: 'sms_reply_event', nation_code: '86', mobile: '138****5678', reply: 'TD', sign_id: 'x', deliver_time: '2026-01-01T00:00:00Z' };
    const { headers, body } = smnNotification(topicUrn, event, { messageId: 'ab'.repeat(16), timestamp: Date.parse('2026-01-01T00:00:01.500Z'), endpoint: 'http://127.0.0.1:4010/' });
    expect(headers).toEqual({
      'content-type': 'application/json; charset=UTF-8',
      'X-SMN-MESSAGE-TYPE': 'Notification',
      'X-SMN-MESSAGE-ID': 'ab'.repeat(16),
      'X-SMN-TOPIC-URN': topicUrn,
      'X-SMN-SUBSCRIPTION-URN': expect.stringMatching(new RegExp(`^${topicUrn}:[0-9a-f]{32}$`)),
    });
    expect(body).toMatchObject({ type: 'Notification', topic_urn: topicUrn, message_id: 'ab'.repeat(16), subject: 'sms_reply_event', timestamp: '2026-01-01T00:00:01Z' });
    expect(JSON.parse(body.message)).toEqual(event);
    expect(body.unsubscribe_url).toMatch(/^http:\/\/127\.0\.0\.1:4010\/smn\/subscription\/unsubscribe\?subscription_urn=urn%3Asmn%3A/);
    expect(Buffer.from(body.signature, 'base64')).toHaveLength(256);
    expect(smnResponses().validateSchema('SmnNotification', body)).toEqual([]);
  });

  it('a SubscriptionConfirmation carries subscribe_url instead; a string message goes as it is', () => {
    const { headers, body } = smnNotification(topicUrn, 'hello', { type: 'SubscriptionConfirmation', subject: 'confirm' });
    expect(headers['X-SMN-MESSAGE-TYPE']).toBe('SubscriptionConfirmation');
    expect(body).toMatchObject({ message: 'hello', subject: 'confirm' });
    expect(body.subscribe_url).toMatch(/confirm/);
    expect(body.unsubscribe_url).toBeUndefined();
  });

  it('without a generator, every call gets new ids', () => {
    const ids = Array.from({ length: 2000 }, () => smnNotification(topicUrn, generateSmsCallbackEvent('sms_reply_event')).body.message_id);
    expect(new Set(ids).size).toBe(2000);
  });

  it('refuses what the contract refuses, naming the field', () => {
    expect(() => smnNotification('urn:smn:bad', {})).toThrow(new TypeError('smnNotification: /topic_urn must be a string matching ^urn:smn:[A-Za-z0-9_-]+:[0-9a-fA-F]{32}:[A-Za-z0-9][-_A-Za-z0-9]{0,255}$, got "urn:smn:bad"'));
    expect(() => smnNotification(topicUrn, {}, { messageId: 'nope' })).toThrow(/\/message_id must be a string matching/);
    expect(() => smnNotification(topicUrn, {}, { type: 'Gossip' })).toThrow(/\/type must be one of \["SubscriptionConfirmation","Notification","UnsubscribeConfirmation"\]/);
  });

  it('deliverSmnNotification posts it and resolves with the status and time, whatever the status', async () => {
    const bucket = receiver.bucket();
    const notification = smnNotification(topicUrn, generateSmsCallbackEvent('sms_success_event'));
    const answer = await deliverSmnNotification(bucket.url('smn'), notification, { timeoutMs: 5000 });
    expect(answer.status).toBe(204);
    expect(answer.ms).toBeGreaterThan(0);
    expect(JSON.parse(bucket.received[0]!.body.toString())).toEqual(notification.body);
    expect(bucket.received[0]?.headers['x-smn-topic-urn']).toBe(topicUrn);
    await expect(deliverSmnNotification(bucket.url('status/500'), notification)).resolves.toMatchObject({ status: 500 });
  });

  it('deliverSmnNotification rejects with a DeliveryError when nothing listens', async () => {
    const notification = smnNotification(topicUrn, {});
    const failure = deliverSmnNotification('http://127.0.0.1:9/smn', notification, { timeoutMs: 2000 });
    await expect(failure).rejects.toBeInstanceOf(DeliveryError);
    await expect(failure).rejects.toMatchObject({ kind: 'unreachable', target: 'http://127.0.0.1:9/smn' });
  });
});

describe('the generators against their schemas', () => {
  it('every SUBHOOK event, generated 200 times with one seed, is valid and signed', () => {
    const random = createRandom(5);
    for (const product of products) {
      for (const event of eventsOf(product)) {
        const shape = subhookEventShape(product, event)!;
        for (let i = 0; i < 200; i++) {
          const fields = generateSubhookEvent(shape, { key: KEY, random });
          expect(validateSubhookEvent(fields, { product, key: KEY }).problems).toEqual([]);
        }
      }
    }
  });

  it('every SMS callback event, generated 200 times, is valid against SmsCallbackMessage', () => {
    const random = createRandom(5);
    for (const eventType of smsCallbackEventTypes()) {
      for (let i = 0; i < 200; i++) {
        expect(smnResponses().validateSchema('SmsCallbackMessage', generateSmsCallbackEvent(eventType, { random }))).toEqual([]);
      }
    }
  });

  it('vary keeps what a value looks like and changes its variable part', () => {
    const random = createRandom(1);
    const phones = Array.from({ length: 20 }, () => vary('+8613800138000', random));
    for (const phone of phones) expect(phone).toMatch(/^\+86138[0-9]{8}$/);
    expect(new Set(phones).size).toBeGreaterThan(15);
    expect(vary('067ef7e2f286a9a56eabb07dc9657852', random)).toMatch(/^[0-9a-f]{32}$/);
    expect(vary('067ef7e2f286a9a56eabb07dc9657852', random)).not.toBe('067ef7e2f286a9a56eabb07dc9657852');
    expect(vary('134****8888', random)).toMatch(/^134\*{4}88[0-9]{2}$/);
    expect(vary('86', random)).toBe('86');
    expect(vary(10001, random)).toEqual(expect.any(Number));
    expect(String(vary(10001, random))).toMatch(/^10[0-9]{3}$/);
  });
});
