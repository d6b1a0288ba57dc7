// Rules the vendor's pages state about behaviour a schema cannot show, each a check of
// its own, each citing the page:
// - topics_newest_first: ListTopics "sorted by the creation time in descending order";
// - subscriptions_of_topic_only: ListSubscriptionsByTopic lists "subscriptions of a
//   specified topic", no other's;
// - topic_deletion_cascades: DeleteTopic deletes "a topic and its subscribers";
// - encoded_urns_accepted: a URN in a path is the same with its colons percent-encoded;
// - private_endpoints_refused: "internal addresses ... are not supported" as http(s)
//   endpoints (403 SMN.0069).
import { fieldSchema } from '../../contract/body-fields.js';
import { smnResponses, type SmnOperation } from '../../contract/smn-responses.js';
import { fail, guarded, label, listOf, pass, skip, warn, type Check } from '../check.js';
import type { CheckContext } from '../context.js';
import { ADD_SUBSCRIPTION, DELETE_TOPIC, isWrite, LIST_SUBSCRIPTIONS, LIST_SUBSCRIPTIONS_BY_TOPIC, LIST_TOPICS } from '../operations.js';
import type { Exchange } from '../target.js';

const LIST_TOPICS_PAGE = 'Open Telekom Cloud api-ref "Querying Topics": "The topics are sorted by the creation time in descending order"';
const BY_TOPIC_PAGE = 'Open Telekom Cloud api-ref "Querying Subscriptions of a Specified Topic": "Query the list of subscriptions of a specified topic"';
const DELETE_TOPIC_PAGE = 'Open Telekom Cloud api-ref "Deleting a Topic": "Delete a topic and its subscribers"';
const PRIVATE_PAGE = 'SDK model AddSubscriptionRequestBody (Huawei Cloud): "internal addresses, including but not limited to IPv4 private addresses, IPv6 local addresses and loopback addresses, are not supported"; error-code table: 403 SMN.0069 "Not authorized to subscribe internal endpoints."';

const time = (value: unknown): number | undefined => (typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? Date.parse(value) : undefined);
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const topicsNewestFirst: Check = {
  name: 'topics_newest_first',
  operations: [LIST_TOPICS],
  run: async (context) => {
    // Judged by creation time, not by where the run's own topic is: another client may make one meanwhile.
    if (context.options.allowWrites) await context.sandbox.populate();
    let read = await context.get(LIST_TOPICS, 'offset=0&limit=100');
    let times = (listOf(read, 'topics') ?? []).map((t) => time(t.create_time));
    if (new Set(times.filter((t) => t !== undefined)).size < 2 && context.options.allowWrites) {
      // Topics made within one second share their create_time: one made in the next second can be told apart.
      await pause(1000 - (Date.now() % 1000) + 50);
      await context.sandbox.createTopic('newest');
      read = await context.get(LIST_TOPICS, 'offset=0&limit=100');
      times = (listOf(read, 'topics') ?? []).map((t) => time(t.create_time));
    }
    const topics = listOf(read, 'topics');
    if (!topics) return fail(`offset=0&limit=100: expected 200 with a topics list, received ${read.response.status}`, read);
    for (let i = 1; i < topics.length; i++) {
      const [before, after] = [times[i - 1], times[i]];
      if (before !== undefined && after !== undefined && after > before) {
        return fail(`/topics/${i} (created ${String(topics[i]!.create_time)}) is listed after /topics/${i - 1} (created ${String(topics[i - 1]!.create_time)}): newest first, by create_time (${LIST_TOPICS_PAGE})`, read);
      }
    }
    const distinct = new Set(times.filter((t) => t !== undefined)).size;
    if (distinct < 2) return warn(`the ${topics.length} topic(s) of the first page have ${distinct} creation time(s): the order cannot be judged; add topics made at other times (or run with --allow-writes)`, read);
    return pass(`the ${topics.length} topics of the first page are newest first by create_time (${distinct} distinct times)`);
  },
};

export const subscriptionsOfTopicOnly: Check = {
  name: 'subscriptions_of_topic_only',
  operations: [LIST_SUBSCRIPTIONS_BY_TOPIC],
  run: async (context, operation) => {
    const topic = await context.sandbox.readableTopic();
    // With writes, another topic of the run's with a subscription of its own: one that leaks shows.
    const other = context.options.allowWrites ? await context.sandbox.createTopic('other') : undefined;
    const stranger = other && (await context.sandbox.subscribe(other.urn, 'other'));
    const read = await context.request(operation, { query: 'offset=0&limit=100', path: { topic_urn: topic } });
    const items = listOf(read, 'subscriptions');
    if (!items) return fail(`expected 200 with a subscriptions list, received ${read.response.status}`, read);
    const foreign = items.findIndex((s) => s.topic_urn !== topic || (stranger && s.subscription_urn === stranger.urn));
    if (foreign !== -1) {
      return fail(`/subscriptions/${foreign} is ${String(items[foreign]!.subscription_urn)} of topic ${String(items[foreign]!.topic_urn)}, not of ${topic} (${BY_TOPIC_PAGE})`, read);
    }
    if (items.length === 0) return warn(`${topic} has no subscription: that only its own are listed cannot be judged; add one (or run with --allow-writes)`, read);
    return pass(`the ${items.length} subscription(s) listed are ${topic}'s${stranger ? `; ${stranger.urn} of another topic is not among them` : ''}`);
  },
};

/**
 * Whether ListSubscriptions lists a subscription: by its endpoint filter where the target
 * has that filter (Huawei Cloud), else page by page (at most 10,000 subscriptions).
 */
async function listsSubscription(context: CheckContext, urn: string, endpoint: string): Promise<{ listed: boolean; exchange: Exchange }> {
  const filtered = await context.get(LIST_SUBSCRIPTIONS, `${new URLSearchParams({ endpoint }).toString()}&offset=0&limit=100`);
  const items = listOf(filtered, 'subscriptions');
  if (items?.some((s) => s.subscription_urn === urn)) return { listed: true, exchange: filtered };
  // A filter that works lists only that endpoint's subscriptions: then its answer is the whole truth.
  if (items && items.every((s) => s.endpoint === endpoint) && items.length < 100) return { listed: false, exchange: filtered };
  let last = filtered;
  for (let offset = 0; offset < 10_000; offset += 100) {
    last = await context.get(LIST_SUBSCRIPTIONS, `offset=${offset}&limit=100`);
    const page = listOf(last, 'subscriptions');
    if (page?.some((s) => s.subscription_urn === urn)) return { listed: true, exchange: last };
    if (!page || page.length < 100) break;
  }
  return { listed: false, exchange: last };
}

export const topicDeletionCascades: Check = {
  name: 'topic_deletion_cascades',
  operations: [DELETE_TOPIC],
  run: guarded(async (context, operation) => {
    const topic = await context.sandbox.createTopic('cascade');
    const subscription = await context.sandbox.subscribe(topic.urn, 'cascade');
    const { endpoint } = JSON.parse(subscription.exchange.request.body!) as { endpoint: string };
    const before = await listsSubscription(context, subscription.urn, endpoint);
    if (!before.listed) return fail(`ListSubscriptions does not list ${subscription.urn}, just added: the deletion cannot be judged`, before.exchange);
    const deleted = await context.request(operation, { path: { topic_urn: topic.urn } });
    if (deleted.response.status !== 200) return fail(`DeleteTopic of ${topic.urn} must get 200; received ${deleted.response.status}`, deleted);
    const after = await listsSubscription(context, subscription.urn, endpoint);
    if (after.listed) return fail(`ListSubscriptions still lists ${subscription.urn} after DeleteTopic of its topic answered 200 (${DELETE_TOPIC_PAGE})`, after.exchange);
    return pass(`deleted ${topic.urn} with a subscription: ListSubscriptions no longer lists ${subscription.urn}`);
  }),
};

/** The path parameters of an operation that hold URNs, whose colons a client may percent-encode. */
const urnParameters = (operation: SmnOperation): string[] =>
  operation.parameters.filter((p) => p.in === 'path' && /_urn$/.test(p.name)).map((p) => p.name);

export const encodedUrnsAccepted: Check = {
  name: 'encoded_urns_accepted',
  // The reads that name a URN in their path: the same request with the colons encoded must get the same answer.
  operations: smnResponses()
    .operations.filter((operation) => urnParameters(operation).length > 0 && !isWrite(operation))
    .map((operation) => operation.operationId),
  run: async (context, operation) => {
    const raw = await context.baseline(operation.operationId);
    if (raw.response.status !== 200) return skip(`not judged: the valid request itself got ${raw.response.status} (status_code_conformance says why)`);
    const path = await context.parameters(operation);
    const encoded = await context.request(operation, { path, encodeColons: true });
    if (encoded.response.status !== raw.response.status) {
      return fail(
        `${label(encoded)}: the URN with its colons percent-encoded (%3A) must get what ${label(raw)} gets (${raw.response.status}); received ${encoded.response.status}. It is the same path: the vendor's request signing encodes every path segment so (":" as %3A), and HTTP clients that encode path segments send it`,
        encoded,
      );
    }
    return pass(`the URN raw and with its colons as %3A get the same ${raw.response.status}`);
  },
};

/** Private, loopback and link-local http(s) endpoints, none of which reaches anything of anyone's. */
const PRIVATE_ENDPOINTS = [
  { kind: 'loopback', protocol: 'http', host: '127.0.0.1:9' },
  { kind: 'loopback', protocol: 'https', host: '[::1]:9' },
  { kind: 'private', protocol: 'http', host: '10.255.255.254:9' },
  { kind: 'private', protocol: 'https', host: '192.168.255.254:9' },
  { kind: 'link-local', protocol: 'http', host: '169.254.255.254:9' },
  { kind: 'link-local', protocol: 'https', host: '[fe80::1]:9' },
] as const;

/**
 * Whether the target says it is the smn-kit mock (its `Server` header): the one target
 * that may accept loopback endpoints, as a kit choice the contract records
 * (`x-private-endpoints`), so that a receiver on the developer's machine can subscribe.
 */
const isKitMock = (exchange: Exchange): boolean => /^smn-kit\b/.test(exchange.response.headers.server ?? '');

export const privateEndpointsRefused: Check = {
  name: 'private_endpoints_refused',
  operations: [ADD_SUBSCRIPTION],
  run: guarded(async (context, operation) => {
    const rule = fieldSchema(operation.requestBody ?? {}, 'endpoint')?.['x-private-endpoints'] as { error?: string; 'x-kit-choice'?: string } | undefined;
    const documented = rule?.error ? context.responses.contract.errors.get(rule.error) : undefined;
    if (!documented || !('code' in documented.body)) return pass('the contract states no rule for private endpoints');
    const expected = { status: documented.status ?? 403, code: documented.body.code };
    const topic = (await context.sandbox.mainTopic()).urn;
    const tolerated: string[] = [];
    let first: Exchange | undefined;
    for (const { kind, protocol, host } of PRIVATE_ENDPOINTS) {
      const endpoint = `${protocol}://${host}/smn-kit-conformance/${context.sandbox.run}/private`;
      const exchange = await context.request(operation, { path: { topic_urn: topic }, body: JSON.stringify({ protocol, endpoint, remark: 'smn-kit conformance' }) });
      const { status, json } = exchange.response;
      const code = (json as { code?: unknown } | undefined)?.code;
      if (status === expected.status && code === expected.code) continue;
      const accepted = status >= 200 && status < 300;
      if (accepted && kind === 'loopback' && isKitMock(exchange)) {
        tolerated.push(endpoint);
        first ??= exchange;
        continue;
      }
      const received = `${status}${typeof code === 'string' ? ` ${code}` : ''}`;
      return fail(`${kind} endpoint ${endpoint}: expected ${expected.status} with code ${expected.code}, received ${received} (${PRIVATE_PAGE})`, exchange);
    }
    if (tolerated.length > 0) {
      const message = `loopback endpoints accepted (${tolerated.join(', ')}): the smn-kit mock's choice (${rule?.['x-kit-choice'] ?? 'x-private-endpoints'}); SMN refuses them with ${expected.code}. Private and link-local ones refused`;
      return context.options.strict ? fail(`${message} (--strict)`, first) : warn(message, first);
    }
    return pass(`${PRIVATE_ENDPOINTS.length} private, loopback and link-local endpoints refused with ${expected.status} ${expected.code}`);
  }),
};
