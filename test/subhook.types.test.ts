// The generated SUBHOOK types against the fixtures. The objects below are typed with the
// generated maps, so `tsc --noEmit` (npm test's lint) proves each vendor sample fits its
// type; the tests prove they are the fixture files, so the two cannot drift apart.
import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  interSmsSubhookEventNames,
  smsSubhookEventNames,
  type InterSmsSubhookEvent,
  type InterSmsSubhookEventMap,
  type SmsSubhookEvent,
  type SmsSubhookEventMap,
} from '../generated/subhook.js';
import { validateSubhookEvent } from '../src/index.js';

const token = '067ef7e2f286a9a56eabb07dc9657852';
const signature = 'a70d09a9345adfdd353d34a505dac4ca';
const send_id = '093c0a7df143c087d6cba9cdf0cf3738';

const smsSamples = {
  request: { events: 'request', address: '13800138000', send_id, app: 10001, timestamp: 1415014855, token, signature },
  delivered: { events: 'delivered', address: '13800138000', send_id, tag: 'xxxxx', app: 10001, timestamp: 1415014855, token, signature },
  dropped: { events: 'dropped', address: '13800138000', send_id, report: ' UNDELIV', app: 10001, tag: 'xxx', timestamp: 1415014855, token, signature },
  sending: { events: 'sending', address: '13800138000', send_id, app: 10001, tag: 'xxx', timestamp: 1415014855, token, signature },
  mo: { events: 'mo', address: '13800138000', app: 10001, content: 'xxxxxx', timestamp: 1415014855, token, signature },
  unkown: { events: 'unkown', address: '13800138000', send_id, app: 10001, timestamp: 1415014855, token, signature },
  template_accept: { events: 'template_accept', template_id: 'H5OSN4', timestamp: 1415014855, token, signature },
  template_reject: { events: 'template_reject', reason: '签名不正确', template_id: 'H5OSN4', timestamp: 1415014855, token, signature },
} satisfies { [Event in keyof SmsSubhookEventMap]: SmsSubhookEventMap[Event] };

const interSmsSamples = {
  request: { events: 'request', address: '+13800138000', send_id, app: 10001, timestamp: 1415014855, token, signature },
  delivered: { events: 'delivered', address: '+13800138000', send_id, app: 10001, content: '[SUBMAIL] your code is 0001', template_id: 'xxxx', timestamp: 1415235639, token, signature },
  dropped: { events: 'dropped', address: '13800138000', send_id, app: 10001, report: 'UNKNOWN', content: '[SUBMAIL] your code is 0001', template_id: 'xxxx', timestamp: 1415014855, token, signature },
  sending: { events: 'sending', address: '+13800138000', send_id, app: 10001, timestamp: 1415014855, token, signature },
  template_accept: { events: 'template_accept', timestamp: '1646244212', template_id: 'DG4LQ', token, signature },
  template_reject: { events: 'template_reject', timestamp: '1646244212', template_id: 'DG4LQ', token, signature, reason: '缺少主题内容' },
} satisfies { [Event in keyof InterSmsSubhookEventMap]: InterSmsSubhookEventMap[Event] };

const fixture = (product: string, event: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/subhook/${product}/valid/${event}.json`, import.meta.url), 'utf8'));

describe('generated types', () => {
  it('type every valid fixture: the typed samples are the fixture files', () => {
    for (const event of smsSubhookEventNames) expect(smsSamples[event], `sms/${event}`).toEqual(fixture('sms', event));
    for (const event of interSmsSubhookEventNames) expect(interSmsSamples[event], `intersms/${event}`).toEqual(fixture('intersms', event));
  });

  it('discriminate the union on events', () => {
    // The unknown-status event is spelled unkown or unknown in the vendor's documents: its payload takes both.
    expectTypeOf<SmsSubhookEvent['events']>().toEqualTypeOf<(typeof smsSubhookEventNames)[number] | 'unknown'>();
    expectTypeOf<InterSmsSubhookEvent['events']>().toEqualTypeOf<(typeof interSmsSubhookEventNames)[number]>();
    const reportOf = (event: SmsSubhookEvent): string | undefined => (event.events === 'dropped' ? event.report : undefined);
    expect(reportOf(smsSamples.dropped)).toBe(' UNDELIV');
    expect(reportOf(smsSamples.delivered)).toBeUndefined();
  });

  it('give app and timestamp as a number or a string, and tag as optional where the samples omit it', () => {
    expectTypeOf<SmsSubhookEventMap['request']['timestamp']>().toEqualTypeOf<number | string>();
    expectTypeOf<InterSmsSubhookEventMap['sending']['app']>().toEqualTypeOf<number | string>();
    expectTypeOf<SmsSubhookEventMap['request']['tag']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<SmsSubhookEventMap['delivered']['tag']>().toEqualTypeOf<string | undefined>();
    // @ts-expect-error replies carry no send_id
    const reply: SmsSubhookEventMap['mo'] = { ...smsSamples.mo, send_id };
    // @ts-expect-error international SMS has no mo event
    const interReply: InterSmsSubhookEvent = smsSamples.mo;
    expect([reply.events, interReply.events]).toEqual(['mo', 'mo']);
  });

  it('type the payload of a valid verdict', () => {
    const verdict = validateSubhookEvent<SmsSubhookEvent>(fixture('sms', 'dropped'), { product: 'sms' });
    expect(verdict.valid && verdict.payload.events === 'dropped' && verdict.payload.report.trim()).toBe('UNDELIV');
  });
});
