// The compiled SMN response validators: what they accept, what they name when a body
// breaks the contract, and how an unlabelled body is matched to its operation.
import { describe, expect, it } from 'vitest';
import { guessSmnOperation, smnResponses } from '../src/contract/smn-responses.js';

const responses = smnResponses();
const urn = 'urn:smn:regionId:762bdb3251034f268af0e395c53ea09b:test_topic_v1';
const subscription = {
  topic_urn: urn,
  protocol: 'sms',
  subscription_urn: `${urn}:2e778e84408e44058e6cbc6d3c377837`,
  owner: '762bdb3251034f268af0e395c53ea09b',
  endpoint: '+8613400000000',
  remark: '',
  status: 0,
};
const page = { request_id: '4650b14bf221492fb819c231d167e6fe', subscription_count: 1, subscriptions: [subscription] };

describe('smnResponses', () => {
  it('finds operations by method and concrete path', () => {
    expect(responses.find('GET', '/v2/abc/notifications/subscriptions')?.operationId).toBe('ListSubscriptions');
    expect(responses.find('put', '/v2/abc/notifications/sms/callback')?.operationId).toBe('UpdateSmsEvent');
    expect(responses.find('DELETE', '/v2/abc/notifications/sms/callback')).toBeUndefined();
    expect(responses.find('GET', '/v2/abc/notifications/subscriptions/')).toBeUndefined();
  });

  it('accepts a conformant page and names each problem of a broken one with its pointer', () => {
    expect(responses.validate('ListSubscriptions', 200, page)).toEqual([]);
    const broken = { ...page, subscription_count: '1', subscriptions: [{ ...subscription, status: 7, owner: undefined }] };
    const problems = responses.validate('ListSubscriptions', 200, JSON.parse(JSON.stringify(broken)));
    expect(problems).toEqual(
      expect.arrayContaining([
        { rule: 'type', pointer: '/subscription_count', expected: 'a value of type integer', received: '"1"' },
        { rule: 'enum', pointer: '/subscriptions/0/status', expected: 'one of [0,1,2,3,4]', received: '7' },
        { rule: 'required', pointer: '/subscriptions/0/owner', expected: 'field "owner"', received: 'nothing' },
      ]),
    );
  });

  it('refuses a status the operation does not declare', () => {
    expect(responses.validate('ListSmsEvent', 201, {})).toEqual([
      { rule: 'status', pointer: '', expected: 'one of the statuses ListSmsEvent declares: 200, 400, 401, 403, 500', received: '201' },
    ]);
  });

  it('lists fields the contract does not declare, but not the extensions real services send', () => {
    const extended = { ...page, marker: 'x', subscriptions: [{ ...subscription, filter_polices: [{ name: 'a', string_equals: ['b'] }], extension: {}, color: 'red' }] };
    expect(responses.undeclaredFields('ListSubscriptions', 200, extended)).toEqual(['/subscriptions/0/color', '/marker']);
  });

  it('tells which operation an unlabelled body answers', () => {
    expect(guessSmnOperation(page)).toBe('ListSubscriptions');
    expect(guessSmnOperation({ request_id: 'ce7f2f7343224f8c9597b05a9a0bcc2e', callback: [] })).toBe('ListSmsEvent');
    expect(guessSmnOperation({ request_id: 'ce7f2f7343224f8c9597b05a9a0bcc2e' })).toBe('UpdateSmsEvent');
    expect(guessSmnOperation({ events: 'delivered' })).toBeUndefined();
    expect(guessSmnOperation([page])).toBeUndefined();
  });

  it('validates named component schemas', () => {
    expect(responses.validateSchema('SmnError', { request_id: 'ce7f2f7343224f8c9597b05a9a0bcc2e', code: 'SMN.0015', message: 'x' })).toEqual([]);
    expect(responses.validateSchema('SmnError', { type: 'about:blank', title: 'Bad Request', status: 400 }).map((p) => p.pointer)).toEqual([
      '/request_id',
      '/code',
      '/message',
    ]);
  });
});
