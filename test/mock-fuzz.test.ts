// Random requests at a real mock, a fixed number of them: random methods, request targets
// (paths of the contract and of /_mock/, broken encodings, absolute-form, garbage),
// headers (credentials, Content-Type, Prefer, anything), bodies (JSON near the contract,
// any JSON, any bytes) and whole byte sequences that are no HTTP at all. Every answer
// must be JSON with a status docs/mock.md documents, never a 500 the client did not ask
// for, and the mock must still serve afterwards. fast-check prints the seed and the
// smallest failing request when one breaks a rule.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../src/mock/server.js';
import { rawExchange, type RawAnswer } from './support/raw-http.js';

// A number of runs rather than a time: every run sends as many requests, however busy the
// machine (four seconds gave 5,000 requests on an idle 2-core machine and under 1,500 on a
// busy one). SMN_FUZZ_RUNS raises it for a longer hunt.
const FUZZ_RUNS = Number(process.env.SMN_FUZZ_RUNS ?? 2000);
const project = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
// A topic the fuzz's own CreateTopic requests make (name `fuzz`), and URNs around it.
const topicUrn = `urn:smn:cn-north-4:${project}:fuzz`;
const subscriptionUrn = `${topicUrn}:0123456789abcdef0123456789abcdef`;
const urnLike = fc.oneof(
  fc.constantFrom(topicUrn, encodeURIComponent(topicUrn), subscriptionUrn, `urn:smn:cn-north-4:${project}:other`, 'urn:smn:x', 'urn%3Asmn', 'urn:smn:cn-north-4:%zz:t', ''),
  fc.stringMatching(/^urn:smn:[A-Za-z0-9%:_-]{0,60}$/),
);
/** The topic operations' paths, with URNs good and bad. */
const topicPath = fc.oneof(
  fc.constant(`/v2/${project}/notifications/topics`),
  urnLike.map((urn) => `/v2/${project}/notifications/topics/${urn}`),
  fc.tuple(urnLike, fc.constantFrom('subscriptions', 'publish')).map(([urn, below]) => `/v2/${project}/notifications/topics/${urn}/${below}`),
  urnLike.map((urn) => `/v2/${project}/notifications/subscriptions/${urn}`),
);
const DOCUMENTED = new Set([200, 201, 204, 400, 401, 403, 404, 408, 413, 431]);

const latin1 = (min: number, max: number) => fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), minLength: min, maxLength: max });
const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);

const segment = fc.oneof(
  fc.constantFrom(project, 'p', 'abc%', '%zz', '%00', '..', '.', '', 'notifications', 'sms', 'callback', 'subscriptions', 'topics', 'publish', topicUrn, '%E4%B8%AD', '\xe4\xff'),
  fc.stringMatching(/^[A-Za-z0-9%._~:-]{0,20}$/),
);
const query = fc.oneof(
  fc.constant(''),
  fc.constant('?'),
  fc
    .array(fc.tuple(fc.constantFrom('offset', 'limit', 'event_type', 'protocol', 'status', 'project_id', 'fuzzy_name', 'fuzzy_display_name', 'topic_id', 'name', 'x'), fc.oneof(fc.constantFrom('0', '1', '100', '101', '-1', '1e1', '%2B5', '', 'sms_fail_event', 'approval_event', '%'), latin1(0, 8))), { maxLength: 4 })
    .map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`),
);
const path = fc.oneof(
  fc.constantFrom(
    `/v2/${project}/notifications/sms/callback`,
    `/v2/${project}/notifications/subscriptions`,
    '/v2/p/notifications/sms/callback',
    '/_mock/state',
    '/_mock/requests',
    '/_mock/subscriptions',
    '/_mock/topics',
    '/_mock/sms/events',
    '/_mock/outbox',
    '/_mock/templates',
    '/_mock/reset',
    '/',
  ),
  topicPath,
  fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => `/${parts.join('/')}`),
);
const target = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(path, query).map(([p, q]) => p + q) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('http://a:99999', 'http://[', 'http://%zz', 'http://x'), path).map(([a, p]) => a + p) },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('*', 'example.com:443'), latin1(1, 30).filter((t) => !t.includes(' '))) },
);
const method = fc.oneof({ weight: 8, arbitrary: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE') }, { weight: 1, arbitrary: token });

const headerValue = latin1(0, 40);
const headers = fc.record(
  {
    'X-Auth-Token': fc.oneof(fc.constant('a-token'), fc.constant(''), headerValue),
    Authorization: fc.oneof(fc.constant('SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=00'), fc.constant('Bearer x'), headerValue),
    'Content-Type': fc.oneof(fc.constantFrom('application/json', 'application/json;charset=UTF-8', 'application/problem+json', 'text/plain', 'multipart/form-data'), headerValue),
    'X-Project-Id': fc.oneof(fc.constant(project), headerValue),
    'X-Sdk-Date': fc.oneof(fc.constant('20261202T000000Z'), headerValue),
    'X-Security-Token': headerValue,
    Prefer: fc.oneof(fc.constantFrom('code=500', 'code=400', 'code=404', 'code=201', 'code=abc', 'example=nothing_bound', 'example=nope', 'dynamic=true'), headerValue),
    'X-Admin-Token': headerValue,
    Expect: fc.constant('100-continue'),
    [`X-${'r'}`]: headerValue,
  },
  { requiredKeys: [] },
);
const callbackItem = fc.record({ event_type: fc.oneof(fc.constantFrom('sms_fail_event', 'sms_success_event', 'sms_reply_event', 'approval_event', ''), fc.string()), topic_urn: fc.oneof(fc.constant(`urn:smn:cn-north-4:${project}:t`), fc.constant(''), fc.string()) }, { requiredKeys: [] });
const text = fc.oneof(fc.constantFrom('fuzz', 'x', '', '{', '{"default":"d","sms":"s"}', '{"sms":1}', 'http://127.0.0.1:9/x', 'https://127.0.0.1:9/x', '+8613800000000', 'a@b.c'), fc.string({ maxLength: 20 }));
const topicBody = fc
  .record(
    {
      name: fc.oneof(fc.constant('fuzz'), text),
      display_name: text,
      protocol: fc.constantFrom('http', 'https', 'sms', 'email', 'functionstage', 'x', 42),
      endpoint: text,
      remark: text,
      subject: text,
      message: text,
      message_structure: text,
      message_template_name: fc.oneof(fc.constant('tpl'), text),
      tags: fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxKeys: 3 }),
      time_to_live: fc.oneof(fc.constantFrom('3600', '0', '604801', '1e3'), fc.integer()),
      subscriptions: fc.array(fc.record({ protocol: fc.constantFrom('sms', 'http'), endpoint: text }, { requiredKeys: [] }), { maxLength: 3 }),
      content: text,
    },
    { requiredKeys: [] },
  )
  .map((v) => Buffer.from(JSON.stringify(v)));
const body = fc.oneof(
  fc.constant(Buffer.alloc(0)),
  topicBody,
  fc.array(callbackItem, { maxLength: 5 }).map((callback) => Buffer.from(JSON.stringify({ callback }))),
  fc.record({ topic_urn: fc.string(), protocol: fc.constantFrom('http', 'https', 'sms', 'email', 'x'), endpoint: fc.oneof(fc.constantFrom('http://127.0.0.1:9/x', 'file:///etc/passwd', 'not a url'), fc.string()), status: fc.integer({ min: -2, max: 9 }) }, { requiredKeys: [] }).map((v) => Buffer.from(JSON.stringify(v))),
  fc.json({ maxDepth: 4 }).map((text) => Buffer.from(text)),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  fc.integer({ min: 60, max: 3000 }).map((depth) => Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`)),
);

interface Sent {
  /** The request as text, for the report of a failing case. */
  shown: string;
  method: string;
  bytes: Buffer;
  prefer?: string;
}
const sent = (method: string, bytes: Buffer, prefer?: string): Sent => ({ shown: bytes.toString('latin1'), method, bytes, prefer });

const encode = (m: string, t: string, h: Record<string, string | undefined>, b: Buffer): Sent => {
  const lines = [`${m} ${t} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...Object.entries(h).map(([k, v]) => `${k}: ${v}`), `Content-Length: ${b.length}`];
  return sent(m, Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), b]), h.Prefer);
};
// Most requests get past routing and authentication, so that what lies behind (Prism's
// validation, the state, Prefer) is reached; the rest are wild.
const apiRequest = fc
  .tuple(
    fc.constantFrom('GET', 'PUT', 'GET', 'PUT', 'POST', 'DELETE'),
    fc.oneof(fc.constantFrom(`/v2/${project}/notifications/sms/callback`, `/v2/${project}/notifications/subscriptions`, '/v2/p-1/notifications/sms/callback'), topicPath),
    query,
    headers,
    body,
  )
  .map(([m, p, q, h, b]) => encode(m, p + q, { ...h, 'X-Auth-Token': 'a-token' }, b));
const request = fc.oneof(
  { weight: 5, arbitrary: apiRequest },
  { weight: 4, arbitrary: fc.tuple(method, target, headers, body).map(([m, t, h, b]) => encode(m, t, h, b)) },
  { weight: 1, arbitrary: fc
      .uint8Array({ minLength: 1, maxLength: 200 })
      // Empty lines before a request line are allowed to be ignored (RFC 9112 2.2): bytes that are only those send no request.
      .filter((bytes) => bytes.some((b) => b !== 13 && b !== 10))
      .map((bytes) => sent('', Buffer.concat([Buffer.from(bytes), Buffer.from('\r\n\r\n')]))) },
);

function judge(one: Sent, answer: RawAnswer | undefined): void {
  expect(answer, 'the mock answered').toBeDefined();
  const { status, headers: h, body: text } = answer!;
  const asked500 = /code\s*=\s*"?500/.test(one.prefer ?? '');
  expect(DOCUMENTED.has(status) || (status === 500 && asked500), `status ${status} is documented`).toBe(true);
  if (status === 204 || one.method === 'HEAD') return;
  expect(h['content-type']).toMatch(/^application\/json/);
  expect(() => JSON.parse(text), `a JSON body, got ${text.slice(0, 80)}`).not.toThrow();
}

function fuzz(name: string, options: Parameters<typeof startMock>[0]): void {
  describe(name, () => {
    let mock: RunningMock;
    beforeAll(async () => {
      mock = await startMock({ port: 0, ...options });
    });
    afterAll(() => mock.close());

    it(`answers ${FUZZ_RUNS} random requests, each with JSON and a documented status`, async () => {
      let runs = 0;
      const started = performance.now();
      await fc.assert(
        fc.asyncProperty(request, async (one) => {
          runs++;
          judge(one, await rawExchange(mock.url, one.bytes, 3000));
        }),
        { numRuns: FUZZ_RUNS },
      );
      console.log(`${name}: ${runs} random requests in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      expect(runs).toBe(FUZZ_RUNS);
      const after = await fetch(`${mock.url}/v2/${project}/notifications/subscriptions`, { headers: { 'X-Auth-Token': 'a' } });
      expect(after.status).toBe(200);
    }, 120_000);
  });
}

fuzz('the emulator (default)', {});
fuzz('the stateless mock', { stateless: true });
