// The stateless mock SMN (pure Prism answers) over a real socket: every case a client
// would hit, checked on status, headers and body, and every body checked against the
// contract's schema for that operation and status.
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smnSpecPath } from '../src/contract/smn.js';
import { startMock, type RunningMock } from '../src/mock/server.js';

const project = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
const callbackPath = `/v2/${project}/notifications/sms/callback`;
const subscriptionsPath = `/v2/${project}/notifications/subscriptions`;
const token = { 'X-Auth-Token': 'MIIEhQYJKoZIhvcNAQcCoIIEdjCCBHICAQExDTALBglghkgBZQMEAgEwggLXBgkqhkiG9w0BBwGgggLIBIICxHsidG9rZW4iOnsiZXhwaXJlc19hdCI6' };
const json = { 'Content-Type': 'application/json;charset=UTF-8' };
const urn = (name: string) => `urn:smn:regionId:${project}:${name}`;

let mock: RunningMock;
let responseSchemas: Map<string, object>;
const ajv = new Ajv2020({ strict: false, allErrors: true });

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function call(method: string, path: string, headers: Record<string, string> = token, body?: string): Promise<Answer> {
  const response = await fetch(`${mock.url}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const put = (body: unknown, headers: Record<string, string> = { ...token, ...json }) =>
  call('PUT', callbackPath, headers, typeof body === 'string' ? body : JSON.stringify(body));

/** The answer obeys the contract: schema of its operation and status, JSON, X-Request-Id = body request_id. */
function expectContractShape(answer: Answer, operationId: string): void {
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  const requestId = answer.headers.get('x-request-id');
  expect(requestId).toMatch(/^[0-9a-f]{32}$/);
  expect(answer.body.request_id).toBe(requestId);
  const schema = responseSchemas.get(`${operationId} ${answer.status}`);
  expect(schema, `the contract declares ${answer.status} for ${operationId}`).toBeDefined();
  const validate = ajv.compile(schema!);
  expect(validate(answer.body), ajv.errorsText(validate.errors)).toBe(true);
}

function expectSmnError(answer: Answer, operationId: string, status: number, code: string): void {
  expect(answer.status).toBe(status);
  expect(answer.body.code).toBe(code);
  expect(answer.body.message).toEqual(expect.any(String));
  expectContractShape(answer, operationId);
}

beforeAll(async () => {
  mock = await startMock({ port: 0, stateless: true });
  const document = (await SwaggerParser.dereference(smnSpecPath)) as unknown as {
    paths: Record<string, Record<string, { operationId: string; responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
  };
  responseSchemas = new Map();
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item)) {
      if (!operation.operationId) continue;
      for (const [status, response] of Object.entries(operation.responses)) {
        // A response without a JSON body (the tag writes, the certificate downloads) has no schema to check here.
        const json = response.content?.['application/json'];
        if (json) responseSchemas.set(`${operation.operationId} ${status}`, json.schema);
      }
    }
  }
});

afterAll(() => mock.close());

describe('ListSmsEvent', () => {
  it('answers the documented example with a fresh request id', async () => {
    const first = await call('GET', callbackPath);
    const second = await call('GET', callbackPath);
    expect(first.status).toBe(200);
    expectContractShape(first, 'ListSmsEvent');
    expect(first.body.callback).toEqual([
      { event_type: 'sms_reply_event', topic_urn: urn('test_reply') },
      { event_type: 'sms_fail_event', topic_urn: urn('test_fail') },
      { event_type: 'sms_success_event', topic_urn: urn('test_success') },
    ]);
    expect(second.body.request_id).not.toBe(first.body.request_id);
  });

  it('accepts the bare "?" old clients send', async () => {
    const answer = await call('GET', `${callbackPath}?`);
    expect(answer.status).toBe(200);
    expect(answer.body.callback).toHaveLength(3);
  });

  it.each(['sms_success_event', 'sms_fail_event', 'sms_reply_event'])('returns only %s bindings when filtered', async (eventType) => {
    const answer = await call('GET', `${callbackPath}?event_type=${eventType}`);
    expect(answer.status).toBe(200);
    expectContractShape(answer, 'ListSmsEvent');
    expect(answer.body.callback).toEqual([{ event_type: eventType, topic_urn: expect.stringMatching(/^urn:smn:/) }]);
  });

  it.each(['bogus', 'approval_event', 'SMS_FAIL_EVENT'])('refuses event_type=%j with 400 SMN.0100', async (value) => {
    expectSmnError(await call('GET', `${callbackPath}?event_type=${value}`), 'ListSmsEvent', 400, 'SMN.0100');
  });

  it('treats an empty event_type as no filter', async () => {
    const answer = await call('GET', `${callbackPath}?event_type=`);
    expect(answer.status).toBe(200);
    expect(answer.body.callback).toHaveLength(3);
  });

  it('serves another documented example on request (Prefer: example=)', async () => {
    const answer = await call('GET', callbackPath, { ...token, Prefer: 'example=nothing_bound' });
    expect(answer.status).toBe(200);
    expect(answer.body.callback).toEqual([]);
  });
});

describe('ListSubscriptions', () => {
  it('answers the documented page, with the explicit offset=0&limit=100 clients send', async () => {
    const answer = await call('GET', `${subscriptionsPath}?offset=0&limit=100`);
    expect(answer.status).toBe(200);
    expectContractShape(answer, 'ListSubscriptions');
    expect(answer.body.subscription_count).toBe(2);
    expect((answer.body.subscriptions as { protocol: string }[]).map((s) => s.protocol)).toEqual(['sms', 'email']);
  });

  it('pages the example by offset and limit, subscription_count staying the total', async () => {
    const first = await call('GET', `${subscriptionsPath}?offset=0&limit=1`);
    const second = await call('GET', `${subscriptionsPath}?offset=1&limit=1`);
    const past = await call('GET', `${subscriptionsPath}?offset=2&limit=1`);
    expect((first.body.subscriptions as { protocol: string }[]).map((s) => s.protocol)).toEqual(['sms']);
    expect((second.body.subscriptions as { protocol: string }[]).map((s) => s.protocol)).toEqual(['email']);
    expect(past.body.subscriptions).toEqual([]);
    for (const page of [first, second, past]) {
      expect(page.body.subscription_count).toBe(2);
      expectContractShape(page, 'ListSubscriptions');
    }
  });

  it.each(['limit=1', 'limit=100', 'offset=0'])('accepts the boundary %s', async (query) => {
    expect((await call('GET', `${subscriptionsPath}?${query}`)).status).toBe(200);
  });

  it.each(['limit=0', 'limit=101', 'limit=abc', 'limit=1.5', 'offset=-1', 'offset=x', 'offset=-1&limit=0'])(
    'refuses %s with 400 SMN.0015',
    async (query) => {
      expectSmnError(await call('GET', `${subscriptionsPath}?${query}`), 'ListSubscriptions', 400, 'SMN.0015');
    },
  );
});

describe('UpdateSmsEvent', () => {
  const allThree = {
    callback: [
      { event_type: 'sms_reply_event', topic_urn: urn('test_reply') },
      { event_type: 'sms_fail_event', topic_urn: urn('test_fail') },
      { event_type: 'sms_success_event', topic_urn: urn('test_success') },
    ],
  };

  it.each(['application/json', 'application/json;charset=UTF-8', 'application/json; charset=utf-8', 'application/json;charset=utf-8 '])(
    'accepts the documented body sent as %j',
    async (contentType) => {
      const answer = await put(allThree, { ...token, 'Content-Type': contentType });
      expect(answer.status).toBe(200);
      expectContractShape(answer, 'UpdateSmsEvent');
      expect(Object.keys(answer.body)).toEqual(['request_id']);
    },
  );

  it('accepts an empty topic_urn, which removes a binding', async () => {
    expect((await put({ callback: [{ event_type: 'sms_reply_event', topic_urn: '' }] })).status).toBe(200);
  });

  it.each([
    ['sms_fail_event', 'SMN.0140'],
    ['sms_success_event', 'SMN.0142'],
    ['sms_reply_event', 'SMN.0144'],
  ])('refuses a malformed topic URN for %s with %s', async (eventType, code) => {
    const body = { callback: [{ event_type: 'sms_reply_event', topic_urn: urn('fine') }, { event_type: eventType, topic_urn: 'urn:smn:regionId:not-a-project:x' }] };
    expectSmnError(await put(body), 'UpdateSmsEvent', 400, code);
  });

  it('attributes a missing topic_urn to its event type', async () => {
    expectSmnError(await put({ callback: [{ event_type: 'sms_success_event' }] }), 'UpdateSmsEvent', 400, 'SMN.0142');
  });

  it.each([
    ['approval_event', { callback: [{ event_type: 'approval_event', topic_urn: urn('t') }] }],
    ['an unknown type', { callback: [{ event_type: 'sms_event', topic_urn: 'garbage' }] }],
    ['a missing type', { callback: [{ topic_urn: urn('t') }] }],
  ])('refuses %s as event_type with SMN.0100', async (_name, body) => {
    expectSmnError(await put(body), 'UpdateSmsEvent', 400, 'SMN.0100');
  });

  it.each([
    ['no body', undefined],
    ['an empty body', ''],
    ['a body that is not JSON', '{"callback": ['],
    ['a JSON array', '[]'],
    ['an empty callback list', { callback: [] }],
    ['four items', { callback: Array(4).fill({ event_type: 'sms_fail_event', topic_urn: '' }) }],
    ['callback that is not a list', { callback: 'sms_fail_event' }],
    ['an item that is not an object', { callback: ['sms_fail_event'] }],
  ])('refuses %s with an SMN-shaped 400', async (_name, body) => {
    const answer = body === undefined ? await call('PUT', callbackPath, { ...token, ...json }) : await put(body);
    expectSmnError(answer, 'UpdateSmsEvent', 400, 'SMN.0099');
    expect(answer.headers.get('sl-violations')).toBeTruthy();
  });

  it('refuses a body sent as text/plain', async () => {
    const answer = await put(allThree, { ...token, 'Content-Type': 'text/plain' });
    expectSmnError(answer, 'UpdateSmsEvent', 400, 'SMN.0099');
    expect(answer.headers.get('sl-violations')).toContain('text/plain');
  });

  it('refuses a body over the size limit with 413 and a JSON gateway body', async () => {
    const huge = JSON.stringify({ callback: [{ event_type: 'sms_fail_event', topic_urn: 'x'.repeat(2 * 1024 * 1024) }] });
    const answer = await put(huge);
    expect(answer.status).toBe(413);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.body).toMatchObject({ error_code: 'APIGW.0201', request_id: answer.headers.get('x-request-id') });
    expectContractShape(answer, 'UpdateSmsEvent');
  });
});

describe('authentication and routing, as the API gateway answers', () => {
  it.each([
    ['GET', callbackPath, undefined],
    ['GET', subscriptionsPath, undefined],
    ['PUT', callbackPath, '{"callback":[]}'],
  ])('answers %s %s without credentials with 401 APIGW.0301', async (method, path, body) => {
    const answer = await call(method, path, json, body);
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error_code: 'APIGW.0301', error_msg: expect.stringContaining('x-auth-token not found') });
    expectContractShape(answer, method === 'PUT' ? 'UpdateSmsEvent' : 'ListSmsEvent');
  });

  it('treats an empty X-Auth-Token as none', async () => {
    expect((await call('GET', callbackPath, { 'X-Auth-Token': '' })).status).toBe(401);
  });

  it('accepts an AK/SK signed request as the SDKs send it', async () => {
    const answer = await call('GET', `${subscriptionsPath}?offset=0&limit=100`, {
      'Content-Type': 'application/json',
      'X-Project-Id': project,
      'X-Sdk-Date': '20261124T093000Z',
      Authorization: 'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=6b1f2b2d0c5e',
    });
    expect(answer.status).toBe(200);
  });

  it('refuses a malformed X-Sdk-Date as a signature failure (401)', async () => {
    const answer = await call('GET', callbackPath, { Authorization: 'SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=00', 'X-Sdk-Date': '2026-11-24' });
    expect(answer.status).toBe(401);
    expect(answer.body.error_code).toBe('APIGW.0301');
  });

  it('answers 403 SMN.0001 when X-Project-Id differs from the path', async () => {
    const answer = await call('GET', callbackPath, { ...token, 'X-Project-Id': '0123456789abcdef0123456789abcdef' });
    expectSmnError(answer, 'ListSmsEvent', 403, 'SMN.0001');
  });

  it('answers a malformed project id with 400 SMN.0090', async () => {
    expectSmnError(await call('GET', '/v2/not_a_project!/notifications/sms/callback'), 'ListSmsEvent', 400, 'SMN.0090');
  });

  it.each([
    ['GET', '/v3'],
    ['PUT', `/v2/${project}/notifications/topics`],
    ['PATCH', `/v2/${project}/notifications/message_template`],
    ['DELETE', callbackPath],
    ['POST', subscriptionsPath],
    ['GET', `${callbackPath}/`],
    ['GET', `${subscriptionsPath}/?limit=1`],
  ])('answers %s %s with 404 APIGW.0101', async (method, path) => {
    const answer = await call(method, path);
    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.body).toEqual({
      error_code: 'APIGW.0101',
      error_msg: 'The API does not exist or has not been published in the environment.',
      request_id: answer.headers.get('x-request-id'),
    });
  });

  it('answers the documented 500 on request (Prefer: code=500)', async () => {
    expectSmnError(await call('GET', callbackPath, { ...token, Prefer: 'code=500' }), 'ListSmsEvent', 500, 'SMN.0018');
  });

  it('never answers with application/problem+json', async () => {
    const answers = await Promise.all([
      call('GET', `${subscriptionsPath}?limit=0`),
      call('GET', callbackPath, {}),
      put('nope'),
      call('PATCH', callbackPath),
      call('GET', callbackPath, { ...token, Prefer: 'code=418' }),
    ]);
    for (const answer of answers) {
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer.body).not.toHaveProperty('type');
      expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    }
  });
});
