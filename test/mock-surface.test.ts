// The whole API of the vendor's SDK (issue 20) against the mock, over its socket: every
// operation of the contract is routed and answered, in stateful mode as in stateless
// until the emulator keeps its family's state; a fixed path segment beats a variable;
// and the rules the engine cannot state, lengths the vendor counts in UTF-8 bytes, get
// the vendor's codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smnResponses, type Parameter, type SmnOperation } from '../src/contract/smn-responses.js';
import { startMock, type RunningMock } from '../src/mock/server.js';

const project = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
const token = { 'X-Auth-Token': 'a-token' };
const json = { ...token, 'Content-Type': 'application/json' };
const responses = smnResponses();

let stateful: RunningMock;
let stateless: RunningMock;
beforeAll(async () => {
  [stateful, stateless] = await Promise.all([startMock({ port: 0 }), startMock({ port: 0, stateless: true })]);
});
afterAll(async () => {
  await Promise.all([stateful?.close(), stateless?.close()]);
});

async function call(mock: RunningMock, method: string, path: string, body?: unknown, headers: Record<string, string> = body === undefined ? token : json) {
  const response = await fetch(`${mock.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (a certificate): kept as text.
  }
  return { status: response.status, contentType: response.headers.get('content-type'), requestId: response.headers.get('x-request-id'), body: parsed as Record<string, unknown> | string | undefined };
}

/** A valid request of the operation, from the contract alone: each parameter's example, the first example body. */
function validRequest(operation: SmnOperation): { path: string; body?: unknown } {
  const exampleOf = (parameter: Parameter): string => String((parameter as Parameter & { example?: unknown }).example ?? parameter.schema.default ?? parameter.schema.enum?.[0 as never] ?? 'x');
  let path = operation.path;
  for (const parameter of operation.parameters.filter((p) => p.in === 'path')) path = path.replace(`{${parameter.name}}`, encodeURIComponent(exampleOf(parameter)).replaceAll('%3A', ':'));
  const query = operation.parameters.filter((p) => p.in === 'query' && p.required).map((p) => `${p.name}=${encodeURIComponent(exampleOf(p))}`);
  return { path: query.length > 0 ? `${path}?${query.join('&')}` : path, body: operation.requestExample };
}

const withoutRequestId = (body: unknown): unknown => (typeof body === 'object' && body !== null && 'request_id' in body ? { ...body, request_id: undefined } : body);

// An operation no family of the emulator answers gets what the stateless mock answers.
const emulated = (operationId: string): boolean => stateful.state?.handler(operationId) !== undefined;

describe('every operation of the SDK, over the socket', () => {
  it('is routed and answered with a success status and body the contract declares, stateful as stateless', async () => {
    expect(responses.operations).toHaveLength(73);
    const wrong: string[] = [];
    for (const operation of responses.operations) {
      const { path, body } = validRequest(operation);
      const [a, b] = [await call(stateful, operation.method, path, body), await call(stateless, operation.method, path, body)];
      const expected = operation.responses.has(201) ? 201 : 200;
      if (b.status !== expected) wrong.push(`${operation.operationId} stateless: ${b.status} ${JSON.stringify(b.body)?.slice(0, 120)}`);
      if (!b.requestId) wrong.push(`${operation.operationId}: no X-Request-Id`);
      if (typeof b.body === 'object' && responses.validate(operation.operationId, b.status, b.body).length > 0) wrong.push(`${operation.operationId}: the body does not match its schema`);
      if (!emulated(operation.operationId) && (a.status !== b.status || JSON.stringify(withoutRequestId(a.body)) !== JSON.stringify(withoutRequestId(b.body)) || a.contentType !== b.contentType)) {
        wrong.push(`${operation.operationId} stateful ${a.status} ${a.contentType} differs from stateless ${b.status} ${b.contentType}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 60_000);

  it('serves the certificate downloads as PEM, not as JSON (stateless: the contract\'s example)', async () => {
    const answer = await call(stateless, 'GET', '/v2/notifications/certifications/download/SMN_cn-north-4_7f2a6d9c4b1e4f0a8c3d5e6f7a8b9c0d.pem');
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('application/octet-stream');
    expect(String(answer.body)).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  it('routes a fixed segment before a variable: DELETE .../subscriptions/filter_polices is BatchDeleteSubscriptionsFilterPolices, not CancelSubscription', async () => {
    const path = `/v2/${project}/notifications/subscriptions/filter_polices`;
    expect(responses.find('DELETE', path)?.operationId).toBe('BatchDeleteSubscriptionsFilterPolices');
    expect(responses.find('DELETE', `/v2/${project}/notifications/subscriptions/urn:smn:r:${project}:t:${'a'.repeat(32)}`)?.operationId).toBe('CancelSubscription');
    const urn = `urn:smn:cn-north-4:${project}:test_fail:${'0'.repeat(32)}`;
    for (const mock of [stateful, stateless]) {
      const removed = await call(mock, 'DELETE', path, { subscription_urns: [urn] });
      expect(removed.status).toBe(200);
      expect(removed.body).toHaveProperty('batch_result');
      // Its own body rule, not a subscription URN's SMN.0014.
      expect(await call(mock, 'DELETE', path)).toMatchObject({ status: 400, body: { code: 'SMN.0099' } });
    }
    // As the SDK sends it: colons unencoded in a URN, and the fixed segment still wins for PUT and POST.
    expect(responses.find('PUT', path)?.operationId).toBe('BatchUpdateSubscriptionsFilterPolices');
    expect(responses.find('POST', path)?.operationId).toBe('BatchCreateSubscriptionsFilterPolices');
  });
});

describe('lengths the vendor counts in UTF-8 bytes, and the codes it gives', () => {
  const topics = `/v2/${project}/notifications/topics`;
  const topic = `urn:smn:cn-north-4:${project}:test_fail`;

  it('display_name: 64 Chinese characters (192 bytes) are accepted, 65 (195 bytes) get 400 SMN.0003', async () => {
    // SDK model CreateTopicRequestBody: "显示名的长度为192byte或64个中文".
    expect((await call(stateful, 'POST', topics, { name: 'bytes_ok', display_name: '中'.repeat(64) })).status).toBe(201);
    for (const mock of [stateful, stateless]) {
      expect(await call(mock, 'POST', topics, { name: 'bytes_long', display_name: '中'.repeat(65) })).toMatchObject({ status: 400, body: { code: 'SMN.0003' } });
    }
  });

  it('subject: 171 Chinese characters (513 bytes) get 403 SMN.0008', async () => {
    // "The message subject cannot exceed 512 bytes" (Open Telekom Cloud api-ref, Publishing Messages Using a Template).
    for (const mock of [stateful, stateless]) {
      expect(await call(mock, 'POST', `${topics}/${topic}/publish`, { subject: '中'.repeat(171), message: 'm' })).toMatchObject({ status: 403, body: { code: 'SMN.0008' } });
    }
    expect((await call(stateful, 'POST', `${topics}/${topic}/publish`, { subject: '中'.repeat(170), message: 'm' })).status).toBe(200);
  });

  it('remark: 43 Chinese characters (129 bytes) get 400 SMN.0082; a remark that is not a string, 400 SMN.0017', async () => {
    // "The remarks must be UTF-8-coded and can contain up to 128 bytes" (api-ref, Adding a Subscription); error-code table:
    // SMN.0017 "Parameter: Remark is invalid.", SMN.0082 "The length of the remark parameter value has reached the maximum allowed."
    const add = `${topics}/${topic}/subscriptions`;
    for (const mock of [stateful, stateless]) {
      expect(await call(mock, 'POST', add, { protocol: 'sms', endpoint: '+8613800000001', remark: '中'.repeat(43) })).toMatchObject({ status: 400, body: { code: 'SMN.0082' } });
      expect(await call(mock, 'POST', add, { protocol: 'sms', endpoint: '+8613800000001', remark: 'x'.repeat(129) })).toMatchObject({ status: 400, body: { code: 'SMN.0082' } });
      expect(await call(mock, 'POST', add, { protocol: 'sms', endpoint: '+8613800000001', remark: 42 })).toMatchObject({ status: 400, body: { code: 'SMN.0017' } });
      const update = `${topics}/${topic}/subscriptions/${topic}:${'1'.repeat(32)}`;
      expect(await call(mock, 'PUT', update, { remark: ['a'] })).toMatchObject({ status: 400, body: { code: 'SMN.0017' } });
      expect(await call(mock, 'PUT', update, { remark: '中'.repeat(43) })).toMatchObject({ status: 400, body: { code: 'SMN.0082' } });
    }
    expect((await call(stateful, 'POST', add, { protocol: 'sms', endpoint: '+8613800000001', remark: '中'.repeat(42) })).status).toBe(201);
  });

  it('fuzzy_remark: more than 128 bytes gets 400 SMN.0082, on ListSubscriptions and ListSubscriptionsByTopic', async () => {
    for (const path of [`/v2/${project}/notifications/subscriptions`, `${topics}/${topic}/subscriptions`]) {
      expect(await call(stateless, 'GET', `${path}?fuzzy_remark=${encodeURIComponent('中'.repeat(43))}`)).toMatchObject({ status: 400, body: { code: 'SMN.0082' } });
    }
  });

  it('custom headers: 1,024 characters of names and values in all are accepted, one more is refused', async () => {
    // "The total length of all key/value pairs cannot exceed 1,024 characters" (api-ref, Adding a Subscription).
    const headers = (total: number) => ({ 'x-a': 'v'.repeat(total - 3) });
    const add = (total: number) => ({ protocol: 'https', endpoint: 'https://example.com/smn', extension: { header: headers(total) } });
    expect((await call(stateless, 'POST', `${topics}/${topic}/subscriptions`, add(1024))).status).toBe(201);
    const refused = await call(stateless, 'POST', `${topics}/${topic}/subscriptions`, add(1025));
    expect(refused).toMatchObject({ status: 400, body: { code: 'SMN.0099' } });
  });
});

describe('the other fidelity items of the contract, over the socket', () => {
  it('a topic name of 256 characters inside a URN is valid syntax (404 SMN.0006: no such topic); of 257, 400 SMN.0005', async () => {
    const urn = (length: number) => `urn:smn:cn-north-4:${project}:${'t'.repeat(length)}`;
    expect(await call(stateful, 'DELETE', `/v2/${project}/notifications/topics/${urn(256)}`)).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
    expect(await call(stateful, 'DELETE', `/v2/${project}/notifications/topics/${urn(257)}`)).toMatchObject({ status: 400, body: { code: 'SMN.0005' } });
  });

  it('the protocol filter takes functionstage and refuses values the vendor does not list (dms, application)', async () => {
    const list = `/v2/${project}/notifications/subscriptions`;
    expect((await call(stateful, 'GET', `${list}?protocol=functionstage`)).status).toBe(200);
    for (const value of ['dms', 'application']) expect(await call(stateful, 'GET', `${list}?protocol=${value}`)).toMatchObject({ status: 400, body: { code: 'SMN.0011' } });
  });

  it('ListSubscriptionsByTopic filters by fuzzy_remark (Huawei Cloud, SDK model ListSubscriptionsByTopicRequest), in the emulator', async () => {
    const alerts = `urn:smn:cn-north-4:${project}:alerts`;
    const all = (await call(stateful, 'GET', `/v2/${project}/notifications/topics/${alerts}/subscriptions`)).body as { subscriptions: { remark: string }[] };
    const filtered = (await call(stateful, 'GET', `/v2/${project}/notifications/topics/${alerts}/subscriptions?fuzzy_remark=SERVERLESS`)).body as { subscription_count: number; subscriptions: { remark: string }[] };
    expect(all.subscriptions.length).toBeGreaterThan(1);
    expect(filtered.subscriptions.map((s) => s.remark)).toEqual(['serverless handler']);
  });

  it('PublishMessage takes locale, message_attributes and the robots\' keys of message_structure', async () => {
    const created = (await call(stateful, 'POST', `/v2/${project}/notifications/topics`, { name: 'attributes', display_name: 'a' })).body as { topic_urn: string };
    const published = await call(stateful, 'POST', `/v2/${project}/notifications/topics/${created.topic_urn}/publish`, {
      message_structure: JSON.stringify({ default: 'd', dingding: { msgType: 'text', text: 'd' }, wechat: 'w' }),
      locale: 'en-us',
      message_attributes: [{ name: 'alarm', type: 'STRING', value: 'os' }],
    });
    expect(published.status).toBe(200);
    expect(await call(stateful, 'POST', `/v2/${project}/notifications/topics/${created.topic_urn}/publish`, { message: 'm', message_attributes: [{ name: 'alarm', type: 'NUMBER', value: 1 }] })).toMatchObject({ status: 400, body: { code: 'SMN.0099' } });
  });
});
