// A small SMN written independently of the mock, conformant by default, that can be
// told to break the contract in one named way. The conformance tests run the suite
// against it to prove each check finds the fault it exists for. It can also fail one
// request of a run (the nth) the way a flaky gateway does, to prove that no failure at
// any point makes the suite lose or change what it found.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const faults = [
  'wrong-type', // subscription_count is a string
  'missing-field', // ListSmsEvent items lack topic_urn
  'undocumented-enum', // a subscription has status 7
  'server-error-on-bad-input', // limit=0 gets 500
  'accepts-bad-input', // event_type=bogus gets 200
  'problem-json', // errors come as application/problem+json
  'no-request-id-header', // no X-Request-Id header
  'bad-request-id', // request_id is a UUID with dashes
  'auth-ignored', // no credentials still get 200
  'filter-ignored', // event_type filter returns everything
  'overlapping-pages', // offset k starts at k-1
  'limit-ignored', // pages are as long as they like
  'rejects-valid-input', // limit=100 gets 400
  'wrong-error-code', // a malformed topic URN gets SMN.0005 whatever its event type
  'put-201', // UpdateSmsEvent answers 201
  'accepts-empty-callback', // callback: [] is accepted and unbinds everything
  'round-trip-mangles', // UpdateSmsEvent stores topic URNs upper-cased
  'text-plain-success', // 200 bodies labelled text/plain
  'extra-field', // an undeclared top-level field (a warning, a failure with --strict)
  'hangs-on-limit-101', // ListSubscriptions with limit=101 is never answered
  'cuts-off-body', // the page at offset=0&limit=1 stops mid-body (the connection closes)
  'huge-body', // answers with limit=100 declare and send 300 MB
  'invalid-json', // every answer's body is broken JSON (state still changes)
  'echoes-token', // ListSubscriptions answers 200 with a text that quotes the caller's token
  'reads-fail-after-write', // once a PUT was received, every ListSmsEvent answers 503
  'status-filter-wrong', // the status filter returns the subscriptions of every other status
  'create-not-idempotent', // CreateTopic of an existing name makes another topic (201, a new URN)
  'delete-keeps-topic', // DeleteTopic answers 200 and deletes nothing
  'subscribe-200', // AddSubscription of a new endpoint answers 200
  'cancel-keeps-subscription', // CancelSubscription answers 200 and cancels nothing
  'missing-topic-200', // ListSubscriptionsByTopic of a topic that does not exist answers 200 and an empty list
  'structure-without-default', // PublishMessage accepts a message_structure without "default"
  'publish-without-message-id', // PublishMessage answers 200 without message_id
  'topic-count-page-size', // ListTopics' topic_count is the size of the page
  'encoded-urns-only', // a URN with raw colons in the path (as the SDKs send it) is an unknown route
  'delete-fails', // DeleteTopic answers 500, so the run's topics cannot be deleted
  'oldest-first', // ListTopics lists the topics oldest first
  'lists-every-subscription', // ListSubscriptionsByTopic lists the subscriptions of every topic
  'delete-keeps-subscriptions', // DeleteTopic deletes the topic and leaves its subscriptions
  'remark-counts-characters', // a remark of 129 bytes (43 three-byte characters) is accepted
  'raw-urns-only', // a URN with its colons percent-encoded (%3A) in the path is an unknown route
  'uuid-message-id', // PublishMessage answers a message_id that is a UUID with dashes (unique, not 32 hex)
  'accepts-private-endpoints', // AddSubscription accepts loopback, private and link-local http(s) endpoints
  'huawei-ttl', // PublishMessage refuses a time_to_live over 86,400 s (Huawei Cloud's reading), as SMN.0099
  'update-ignored', // UpdateTopic answers 200 and changes nothing
  'accepts-loopback', // AddSubscription accepts loopback http(s) endpoints (the smn-kit mock's choice), refuses private and link-local ones
] as const;

/**
 * The operations the faulty SMN routes: the SMS callback settings and the topic, subscription
 * and publishing operations. A run against it checks these (--operations); every other
 * route is the gateway's 404.
 */
export const FAULTY_OPERATIONS = [
  'ListSmsEvent',
  'UpdateSmsEvent',
  'ListSubscriptions',
  'ListTopics',
  'CreateTopic',
  'ListTopicDetails',
  'UpdateTopic',
  'DeleteTopic',
  'ListSubscriptionsByTopic',
  'AddSubscription',
  'PublishMessage',
  'UpdateSubscription',
  'CancelSubscription',
];

export type Fault = (typeof faults)[number];

/** How the nth request fails: a gateway's 503, a connection reset, or no answer at all. */
export const failures = ['503', 'reset', 'hang'] as const;
export type Failure = (typeof failures)[number];

export interface FaultyServer {
  url: string;
  /** The bindings held now (what a run must leave as it found it). */
  bindings(): { event_type: string; topic_urn: string }[];
  /** The names of the topics requests made that it holds now (not the one it starts with). */
  topics(): string[];
  /** Requests received so far. */
  requests(): number;
  /** Each request received, `METHOD /path`, in order. */
  paths(): string[];
  /** How many unfiltered ListSmsEvent reads it answered. */
  unfilteredReads(): number;
  close(): Promise<void>;
}

export interface FaultyOptions {
  /** Fail the nth request (1-based) of this server's life, in the given way. */
  failRequest?: { nth: number; how: Failure };
  /**
   * Answer the nth unfiltered ListSmsEvent (1-based) with a stale but valid
   * `200 {"callback":[]}`, as a replica that has not caught up would: one wrong answer
   * that breaks no rule of the contract.
   */
  staleRead?: number;
  /** Route only the SMS callback operations and ListSubscriptions: a deployment without the topic operations (every topic route is the gateway's 404). */
  smsOnly?: boolean;
  /** The Server header of every answer (`smn-kit mock`: what the kit's mock says it is). */
  server?: string;
}

const HUGE_BODY_BYTES = 300 * 1024 * 1024;

const EVENT_TYPES = ['sms_success_event', 'sms_fail_event', 'sms_reply_event'];
const TOPIC = /^urn:smn:[A-Za-z0-9_-]+:[0-9a-f]{32}:[A-Za-z0-9][-_A-Za-z0-9]{0,255}$/;
const malformedCode: Record<string, string> = { sms_fail_event: 'SMN.0140', sms_success_event: 'SMN.0142', sms_reply_event: 'SMN.0144' };
const project = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
const urn = (name: string) => `urn:smn:cn-north-4:${project}:${name}`;
// The topic operations, written from the vendor's pages (not from the kit's code).
const TOPIC_NAME = /^[A-Za-z0-9][-_A-Za-z0-9]{0,254}$/;
const SUBSCRIPTION = /^urn:smn:[A-Za-z0-9_-]+:[0-9a-f]{32}:[A-Za-z0-9][-_A-Za-z0-9]{0,255}:[0-9a-f]{32}$/;
const PROTOCOLS = ['email', 'sms', 'http', 'https', 'functionstage', 'functiongraph', 'callnotify', 'wechat', 'dingding', 'feishu', 'welink', 'dingTalkBot'];
const TIME_TO_LIVE = /^[1-9][0-9]*$/;
const hex = (): string => randomUUID().replaceAll('-', '');
const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
/**
 * Hosts an http(s) subscription may not have: loopback, private and link-local (SDK model
 * AddSubscriptionRequestBody: "internal addresses, including but not limited to IPv4
 * private addresses, IPv6 local addresses and loopback addresses, are not supported"),
 * written here from that text, not from the kit's code.
 */
const INTERNAL_HOST = /^(localhost|127\.\d+\.\d+\.\d+|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(1[6-9]|2\d|3[01])\.\d+\.\d+|169\.254\.\d+\.\d+|\[::1\]|\[f[cd][0-9a-f:]*\]|\[fe[89ab][0-9a-f:]*\])$/i;

interface Topic {
  topic_urn: string;
  name: string;
  display_name: string;
  push_policy: number;
  enterprise_project_id: string;
  topic_id: string;
  create_time: string;
  update_time: string;
}

const SMS_CALLBACK = /^\/v2\/[^/]+\/notifications\/sms\/callback$/;
const SUBSCRIPTIONS = /^\/v2\/[^/]+\/notifications\/subscriptions$/;
const TOPICS = /^\/v2\/[^/]+\/notifications\/topics$/;
const ONE_TOPIC = /^\/v2\/[^/]+\/notifications\/topics\/[^/]+$/;
const TOPIC_SUBSCRIPTIONS = /^\/v2\/[^/]+\/notifications\/topics\/[^/]+\/subscriptions$/;
/** The routes of FAULTY_OPERATIONS, by method and path. */
const ROUTES: [string, RegExp][] = [
  ['GET', SMS_CALLBACK],
  ['PUT', SMS_CALLBACK],
  ['GET', SUBSCRIPTIONS],
  ['GET', TOPICS],
  ['POST', TOPICS],
  ['GET', ONE_TOPIC],
  ['PUT', ONE_TOPIC],
  ['DELETE', ONE_TOPIC],
  ['GET', TOPIC_SUBSCRIPTIONS],
  ['POST', TOPIC_SUBSCRIPTIONS],
  ['POST', /^\/v2\/[^/]+\/notifications\/topics\/[^/]+\/publish$/],
  ['PUT', /^\/v2\/[^/]+\/notifications\/topics\/[^/]+\/subscriptions\/[^/]+$/],
  ['DELETE', /^\/v2\/[^/]+\/notifications\/subscriptions\/[^/]+$/],
];

/** A server with no fault, one, or several at once. */
export async function startFaultyServer(fault?: Fault | Fault[], options: FaultyOptions = {}): Promise<FaultyServer> {
  const injected: Fault[] = fault === undefined ? [] : Array.isArray(fault) ? fault : [fault];
  const has = (name: Fault) => injected.includes(name);
  let bindings = [
    { event_type: 'sms_reply_event', topic_urn: urn('replies') },
    { event_type: 'sms_fail_event', topic_urn: urn('failures') },
    { event_type: 'sms_success_event', topic_urn: urn('receipts') },
  ];
  const subscriptions = Array.from({ length: 5 }, (_, i) => ({
    topic_urn: urn('receipts'),
    protocol: i % 2 ? 'https' : 'sms',
    subscription_urn: `${urn('receipts')}:${String(i).padStart(32, 'a')}`,
    owner: project,
    endpoint: i % 2 ? `https://hooks.example.com/${i}` : `+86134000000${i}`,
    remark: ['', 'billing alerts', 'Alerts', '', 'deploys'][i]!,
    status: has('undocumented-enum') && i === 3 ? 7 : i === 4 ? 0 : 1,
  }));

  // One topic made before the run (in 2016, as the vendor's samples), so that "newest first" can be told.
  const legacy: Topic = { topic_urn: urn('legacy'), name: 'legacy', display_name: 'legacy', push_policy: 0, enterprise_project_id: '0', topic_id: hex(), create_time: '2016-08-01T02:16:38Z', update_time: '2016-08-01T02:16:38Z' };
  let topics: Topic[] = [legacy];
  let added: (typeof subscriptions)[number][] = [];
  let written = false;
  let unfilteredReads = 0;
  const reply = (res: ServerResponse, status: number, body: Record<string, unknown>, contentType = 'application/json;charset=UTF-8') => {
    const id = has('bad-request-id') ? randomUUID() : randomUUID().replaceAll('-', '');
    const json = JSON.stringify({ ...body, request_id: id, ...(has('extra-field') && status === 200 ? { marker: 'next' } : {}) });
    const text = has('invalid-json') ? json.slice(0, -1) : json;
    const headers: Record<string, string> = { 'Content-Type': status === 200 && has('text-plain-success') ? 'text/plain' : contentType };
    if (!has('no-request-id-header')) headers['X-Request-Id'] = id;
    if (options.server) headers.Server = options.server;
    res.writeHead(status, headers).end(text);
  };
  const error = (res: ServerResponse, status: number, code: string, message: string) =>
    has('problem-json')
      ? reply(res, status, { type: 'about:blank', title: message, status, detail: code }, 'application/problem+json')
      : reply(res, status, { code, message });

  const handle = (req: IncomingMessage, res: ServerResponse, text: string): void => {
    const url = new URL(req.url ?? '/', 'http://faulty');
    if (has('hangs-on-limit-101') && url.searchParams.get('limit') === '101') return;
    if (has('cuts-off-body') && url.search === '?offset=0&limit=1') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '400' }).write('{"subscription_count": 5, "subscriptions": [');
      setTimeout(() => res.destroy(), 20);
      return;
    }
    if (has('huge-body') && url.searchParams.get('limit') === '100') return streamHugeBody(res);
    if (has('echoes-token') && req.method === 'GET' && url.pathname.endsWith('/subscriptions') && url.search === '') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Request-Id': randomUUID().replaceAll('-', '') }).end(`token ${String(req.headers['x-auth-token'])} is not valid here`);
      return;
    }
    if (/^\/v2\/[^/]+\/notifications\/(topics|subscriptions)\/[^/]/.test(url.pathname)) {
      if (has('encoded-urns-only') && /\/(topics|subscriptions)\/urn:/.test(url.pathname)) return reply(res, 404, { error_code: 'APIGW.0101', error_msg: 'The API does not exist or has not been published in the environment.' });
      if (has('raw-urns-only') && /\/(topics|subscriptions)\/urn%3A/i.test(url.pathname)) return reply(res, 404, { error_code: 'APIGW.0101', error_msg: 'The API does not exist or has not been published in the environment.' });
    }
    const topicRoute = /^\/v2\/[^/]+\/notifications\/(?:topics(?:\/([^/]+)(?:\/(subscriptions|publish)(?:\/([^/]+))?)?)?|subscriptions\/([^/]+))$/.exec(url.pathname);
    const match = /^\/v2\/[^/]+\/notifications\/(sms\/callback|subscriptions)$/.exec(url.pathname);
    // As a gateway routes: by method and path, an unknown route is 404 before credentials are looked at.
    const routed = ROUTES.some(([method, path]) => method === req.method && path.test(url.pathname) && !(options.smsOnly && path !== SMS_CALLBACK && path !== SUBSCRIPTIONS));
    if ((!match && !topicRoute) || !routed) return reply(res, 404, { error_code: 'APIGW.0101', error_msg: 'The API does not exist or has not been published in the environment.' });
    if (!req.headers['x-auth-token'] && !req.headers.authorization && !has('auth-ignored')) {
      if (has('problem-json')) return error(res, 401, 'APIGW.0301', 'Unauthorized');
      return reply(res, 401, { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: x-auth-token not found' });
    }
    if (!match) return topicOperation(req.method ?? 'GET', decodeURIComponent(topicRoute![1] ?? ''), topicRoute![2], decodeURIComponent(topicRoute![3] ?? topicRoute![4] ?? ''), url, res, text);
    const route = `${req.method} ${match[1]}`;
    if (route === 'PUT sms/callback') written = true;
    if (route === 'GET sms/callback' && written && has('reads-fail-after-write')) return reply(res, 503, { error_code: 'APIGW.0202', error_msg: 'Service unavailable, try again later.' });
    if (route === 'GET sms/callback' && url.search === '' && ++unfilteredReads === options.staleRead) return reply(res, 200, { callback: [] });
    if (route === 'GET sms/callback') {
      const filter = url.searchParams.get('event_type');
      if (filter !== null && !EVENT_TYPES.includes(filter) && !has('accepts-bad-input')) return error(res, 400, 'SMN.0100', 'The eventType parameter is invalid.');
      const shown = filter && !has('filter-ignored') ? bindings.filter((b) => b.event_type === filter) : bindings;
      return reply(res, 200, { callback: has('missing-field') ? shown.map(({ event_type }) => ({ event_type })) : shown });
    }
    if (route === 'PUT sms/callback') {
      let body: { callback?: { event_type?: string; topic_urn?: string }[] };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        return error(res, 400, 'SMN.0099', 'Parameter: request body is invalid.');
      }
      const items = body?.callback;
      if (!Array.isArray(items) || items.length > 3 || (items.length === 0 && !has('accepts-empty-callback'))) {
        return error(res, 400, 'SMN.0099', 'Parameter: request body is invalid.');
      }
      for (const item of items) {
        if (!EVENT_TYPES.includes(String(item.event_type))) return error(res, 400, 'SMN.0100', 'The eventType parameter is invalid.');
        if (item.topic_urn !== '' && !TOPIC.test(String(item.topic_urn))) {
          return error(res, 400, has('wrong-error-code') ? 'SMN.0005' : malformedCode[String(item.event_type)]!, 'Parameter: topic_urn is invalid.');
        }
      }
      if (items.length === 0) bindings = [];
      for (const item of items) {
        bindings = bindings.filter((b) => b.event_type !== item.event_type);
        const topic = has('round-trip-mangles') ? String(item.topic_urn).toUpperCase() : String(item.topic_urn);
        if (topic !== '') bindings.push({ event_type: String(item.event_type), topic_urn: topic });
      }
      return reply(res, has('put-201') ? 201 : 200, {});
    }
    if (route === 'GET subscriptions') {
      const offsetText = url.searchParams.get('offset') ?? '0';
      const limitText = url.searchParams.get('limit') ?? '100';
      const offset = Number(offsetText);
      const limit = Number(limitText);
      if (has('server-error-on-bad-input') && limit === 0) return error(res, 500, 'SMN.0018', 'Service internal error.');
      if (has('rejects-valid-input') && limit === 100) return error(res, 400, 'SMN.0015', 'Parameter: Offset or limit is invalid.');
      if (!/^\d+$/.test(offsetText) || !/^\d+$/.test(limitText) || limit < 1 || limit > 100) return error(res, 400, 'SMN.0015', 'Parameter: Offset or limit is invalid.');
      // Huawei Cloud's filters, as its page documents them (written here from the page, not from the kit's code).
      const protocol = url.searchParams.get('protocol');
      const status = url.searchParams.get('status');
      if (protocol && !['http', 'https', 'sms', 'email', 'functionstage'].includes(protocol)) return error(res, 400, 'SMN.0011', 'Parameter: Protocol is invalid.');
      if (status && !/^[0-4]$/.test(status)) return error(res, 400, 'SMN.0077', 'Parameter: Status is invalid.');
      const endpoint = url.searchParams.get('endpoint');
      const remark = url.searchParams.get('fuzzy_remark')?.toLowerCase();
      if (bytes(remark ?? '') > 128) return error(res, 400, 'SMN.0082', 'The length of the remark parameter value has reached the maximum allowed.');
      const statusMatches = (s: { status: number }) => (has('status-filter-wrong') ? s.status !== Number(status) : s.status === Number(status));
      const matching = [...subscriptions, ...added].filter(
        (s) => (!protocol || s.protocol === protocol) && (!status || statusMatches(s)) && (!endpoint || s.endpoint === endpoint) && (!remark || s.remark.toLowerCase().includes(remark)),
      );
      const start = has('overlapping-pages') && offset > 0 ? offset - 1 : offset;
      const page = matching.slice(start, has('limit-ignored') ? undefined : start + limit);
      return reply(res, 200, { subscription_count: has('wrong-type') ? String(matching.length) : matching.length, subscriptions: page });
    }
    return reply(res, 404, { error_code: 'APIGW.0101', error_msg: 'The API does not exist or has not been published in the environment.' });
  };

  const page = (url: URL, res: ServerResponse): { offset: number; limit: number } | undefined => {
    const offsetText = url.searchParams.get('offset') ?? '0';
    const limitText = url.searchParams.get('limit') ?? '100';
    const limit = Number(limitText);
    if (!/^\d+$/.test(offsetText) || !/^\d+$/.test(limitText) || limit < 1 || limit > 100) {
      error(res, 400, 'SMN.0015', 'Parameter: Offset or limit is invalid.');
      return undefined;
    }
    return { offset: Number(offsetText), limit };
  };
  const jsonBody = (text: string, res: ServerResponse): Record<string, unknown> | undefined => {
    try {
      const body = JSON.parse(text) as unknown;
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
    } catch {
      // answered below
    }
    error(res, 400, 'SMN.0099', 'Parameter: request body is invalid.');
    return undefined;
  };
  // The pages count these lengths in bytes ("at most 128 bytes", "192 bytes or 64 Chinese characters").
  const text = (value: unknown, max: number): boolean => typeof value === 'string' && bytes(value) <= max;

  function topicOperation(method: string, topicUrn: string, below: string | undefined, subscriptionUrn: string, url: URL, res: ServerResponse, raw: string): void {
    const route = `${method} ${subscriptionUrn ? (topicUrn ? 'subscription of topic' : 'subscription') : topicUrn ? (below ?? 'topic') : 'topics'}`;
    if (topicUrn && !TOPIC.test(topicUrn)) return error(res, 400, 'SMN.0005', 'Parameter: TopicUrn is invalid.');
    const topic = topics.find((t) => t.topic_urn === topicUrn);
    const missing = () => error(res, 404, 'SMN.0006', 'Topic not found.');
    switch (route) {
      case 'POST topics': {
        const body = jsonBody(raw, res);
        if (!body) return;
        if (typeof body.name !== 'string' || !TOPIC_NAME.test(body.name)) return error(res, 400, 'SMN.0002', 'Parameter: Name is invalid.');
        if (!text(body.display_name, 192)) return error(res, 400, 'SMN.0003', 'Parameter: DisplayName is invalid.');
        const existing = topics.find((t) => t.name === body.name);
        if (existing && !has('create-not-idempotent')) return reply(res, 200, { topic_urn: existing.topic_urn });
        const now = new Date().toISOString().slice(0, 19) + 'Z';
        const made = { topic_urn: urn(existing ? `${body.name}-${topics.length}` : body.name), name: body.name, display_name: String(body.display_name), push_policy: 0, enterprise_project_id: '0', topic_id: hex(), create_time: now, update_time: now };
        topics.push(made);
        return reply(res, 201, { topic_urn: made.topic_urn });
      }
      case 'GET topics': {
        const paging = page(url, res);
        if (!paging) return;
        if (bytes(url.searchParams.get('fuzzy_display_name') ?? '') > 192) return error(res, 400, 'SMN.0003', 'Parameter: DisplayName is invalid.');
        // Made in order, so the last made is the newest (the seeded one, from 2016, first of all).
        const newestFirst = has('oldest-first') ? [...topics] : [...topics].reverse();
        const shown = newestFirst.slice(paging.offset, paging.offset + paging.limit);
        return reply(res, 200, { topic_count: has('topic-count-page-size') ? shown.length : newestFirst.length, topics: shown });
      }
      case 'GET topic':
        if (!topic) return missing();
        return reply(res, 200, { ...topic });
      case 'PUT topic': {
        if (!topic) return missing();
        const body = jsonBody(raw, res);
        if (!body) return;
        if (!text(body.display_name, 192)) return error(res, 400, 'SMN.0003', 'Parameter: DisplayName is invalid.');
        if (!has('update-ignored')) Object.assign(topic, { display_name: body.display_name, update_time: new Date().toISOString().slice(0, 19) + 'Z' });
        return reply(res, 200, {});
      }
      case 'PUT subscription of topic': {
        if (!topic) return missing();
        if (!SUBSCRIPTION.test(subscriptionUrn)) return error(res, 400, 'SMN.0014', 'Parameter: SubscriptionUrn is invalid.');
        const found = added.find((s) => s.subscription_urn === subscriptionUrn && s.topic_urn === topicUrn);
        if (!found) return error(res, 404, 'SMN.0013', 'Subscription resource not found.');
        const body = jsonBody(raw, res);
        if (!body) return;
        if (typeof body.remark !== 'string') return error(res, 400, 'SMN.0017', 'Parameter: Remark is invalid.');
        if (!text(body.remark, 128)) return error(res, 400, 'SMN.0082', 'The length of the remark parameter value has reached the maximum allowed.');
        found.remark = body.remark;
        return reply(res, 200, { subscription_urn: found.subscription_urn });
      }
      case 'DELETE topic':
        if (has('delete-fails')) return error(res, 500, 'SMN.0018', 'Service internal error.');
        if (!topic) return missing();
        if (!has('delete-keeps-topic')) {
          topics = topics.filter((t) => t !== topic);
          if (!has('delete-keeps-subscriptions')) added = added.filter((s) => s.topic_urn !== topicUrn);
        }
        return reply(res, 200, {});
      case 'GET subscriptions': {
        if (!topic) return has('missing-topic-200') ? reply(res, 200, { subscription_count: 0, subscriptions: [] }) : missing();
        const paging = page(url, res);
        if (!paging) return;
        const fuzzy = url.searchParams.get('fuzzy_remark')?.toLowerCase();
        if (bytes(fuzzy ?? '') > 128) return error(res, 400, 'SMN.0082', 'The length of the remark parameter value has reached the maximum allowed.');
        const of = added.filter((s) => (s.topic_urn === topicUrn || has('lists-every-subscription')) && (!fuzzy || s.remark.toLowerCase().includes(fuzzy)));
        return reply(res, 200, { subscription_count: of.length, subscriptions: of.slice(paging.offset, paging.offset + paging.limit) });
      }
      case 'POST subscriptions': {
        if (!topic) return missing();
        const body = jsonBody(raw, res);
        if (!body) return;
        if (typeof body.protocol !== 'string' || !PROTOCOLS.includes(body.protocol)) return error(res, 400, 'SMN.0011', 'Parameter: Protocol is invalid.');
        const endpoint = body.endpoint;
        if (!text(endpoint, 2048) || endpoint === '' || (['http', 'https'].includes(body.protocol) && !String(endpoint).startsWith(`${body.protocol}://`))) {
          return error(res, 400, 'SMN.0012', 'Parameter: Endpoint is invalid.');
        }
        // The error-code table: SMN.0017 "Parameter: Remark is invalid.", SMN.0082 for one too long.
        if (body.remark !== undefined && typeof body.remark !== 'string') return error(res, 400, 'SMN.0017', 'Parameter: Remark is invalid.');
        const remarkFits = has('remark-counts-characters') ? String(body.remark).length <= 128 : text(body.remark, 128);
        if (body.remark !== undefined && !remarkFits) return error(res, 400, 'SMN.0082', 'The length of the remark parameter value has reached the maximum allowed.');
        const host = URL.parse(String(endpoint))?.hostname ?? '';
        const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(host);
        if (['http', 'https'].includes(body.protocol) && !has('accepts-private-endpoints') && !(has('accepts-loopback') && loopback) && INTERNAL_HOST.test(host)) {
          return error(res, 403, 'SMN.0069', 'Not authorized to subscribe internal endpoints.');
        }
        const existing = added.find((s) => s.topic_urn === topicUrn && s.protocol === body.protocol && s.endpoint === endpoint);
        if (existing) return reply(res, 200, { subscription_urn: existing.subscription_urn });
        const made = { topic_urn: topicUrn, protocol: body.protocol, subscription_urn: `${topicUrn}:${hex()}`, owner: project, endpoint: String(endpoint), remark: String(body.remark ?? ''), status: 0 };
        added.push(made);
        return reply(res, has('subscribe-200') ? 200 : 201, { subscription_urn: made.subscription_urn });
      }
      case 'POST publish': {
        if (!topic) return missing();
        const body = jsonBody(raw, res);
        if (!body) return;
        if (body.subject !== undefined && !text(body.subject, 512)) return error(res, 403, 'SMN.0008', 'Parameter: Subject is invalid.');
        if (body.message_structure !== undefined) {
          let structure: unknown;
          try {
            structure = typeof body.message_structure === 'string' ? JSON.parse(body.message_structure) : undefined;
          } catch {
            structure = undefined;
          }
          const fine = typeof structure === 'object' && structure !== null && (has('structure-without-default') || typeof (structure as { default?: unknown }).default === 'string');
          if (!fine) return error(res, 400, 'SMN.0021', 'MessageStructure is invalid.');
        } else if (body.message_template_name !== undefined) {
          if (typeof body.message_template_name !== 'string' || !/^[A-Za-z0-9][-_A-Za-z0-9]{0,63}$/.test(body.message_template_name)) return error(res, 400, 'SMN.0032', 'Parameter: message_template_name is invalid.');
          return error(res, 404, 'SMN.0027', 'Template not found.');
        } else if (!text(body.message, 262144)) {
          return error(res, 403, 'SMN.0009', 'Parameter: Message is invalid.');
        }
        const longest = has('huawei-ttl') ? 86400 : 604800;
        if (body.time_to_live !== undefined && !(typeof body.time_to_live === 'string' && TIME_TO_LIVE.test(body.time_to_live) && Number(body.time_to_live) <= longest)) {
          return error(res, 400, 'SMN.0099', 'Parameter: request body is invalid.');
        }
        return reply(res, 200, has('publish-without-message-id') ? {} : { message_id: has('uuid-message-id') ? randomUUID() : hex() });
      }
      case 'DELETE subscription': {
        if (!SUBSCRIPTION.test(subscriptionUrn)) return error(res, 400, 'SMN.0014', 'Parameter: SubscriptionUrn is invalid.');
        const found = added.find((s) => s.subscription_urn === subscriptionUrn);
        if (!found) return error(res, 404, 'SMN.0013', 'Subscription resource not found.');
        if (!has('cancel-keeps-subscription')) added = added.filter((s) => s !== found);
        return reply(res, 200, {});
      }
      default:
        return reply(res, 404, { error_code: 'APIGW.0101', error_msg: 'The API does not exist or has not been published in the environment.' });
    }
  }

  let received = 0;
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    received++;
    seen.push(`${req.method} ${(req.url ?? '').split('?')[0]}`);
    const failing = options.failRequest?.nth === received ? options.failRequest.how : undefined;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (failing === 'hang') return;
      if (failing === 'reset') return void req.socket.destroy();
      if (failing === '503') return reply(res, 503, { error_code: 'APIGW.0202', error_msg: 'Service unavailable, try again later.' });
      handle(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bindings: () => bindings.map((b) => ({ ...b })),
    topics: () => topics.filter((t) => t !== legacy).map((t) => t.name),
    requests: () => received,
    paths: () => [...seen],
    unfilteredReads: () => unfilteredReads,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** 300 MB of a JSON-looking body, sent as fast as the reader takes it, until it hangs up. */
function streamHugeBody(res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(HUGE_BODY_BYTES) });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let sent = 0;
  const pump = (): void => {
    while (sent < HUGE_BODY_BYTES && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}
