// What a conformance run with --allow-writes makes on the target, and only that: topics,
// message templates and mobile push applications named `smn_kit_conformance_<run>_<what>`
// (the run a random id), subscriptions of the run's topics to
// `https://example.invalid/smn-kit-conformance/<run>/<what>` (a host that never resolves,
// RFC 2606: nothing is delivered anywhere), device endpoints of the run's applications,
// tags, attributes, filter policies and probes of the run's topics and subscriptions, and
// messages published to them. Every resource the target made for a request of this run
// is remembered, whatever the answer said (a target that wrongly accepts an invalid
// CreateTopic still made something), and deleted at the end (`cleanup`); what cannot be
// deleted is reported with the requests that delete it. What hangs on a topic (its
// subscriptions, tags, attributes, policies) goes with it. Nothing the run did not make is
// ever written: reads use what is there, writes only the run's own names.
import { randomBytes } from 'node:crypto';
import type { SmnOperation } from '../contract/smn-responses.js';
import { RequestFailed, reproducer, type Exchange, type SentRequest, type TargetClient } from './target.js';

export const KIT_TOPIC_PREFIX = 'smn_kit_conformance_';
export const KIT_ENDPOINT_BASE = 'https://example.invalid/smn-kit-conformance';

/** What a check needs from the target is not there: `skip` (nothing to check with) or `error` (the sandbox could not be made). */
export class Unavailable extends Error {
  override readonly name = 'Unavailable';
  constructor(
    message: string,
    readonly outcome: 'skip' | 'error',
  ) {
    super(message);
  }
}

/** A resource the run made and could not delete: what it is and the request that deletes it. */
export interface Leftover {
  urn: string;
  reason: string;
  request: SentRequest;
}

/**
 * What the run can make, in the order cleanup deletes them (what hangs on another
 * first): the operation that makes one, the answer's field with its id, the body field
 * with the run's name (or the path parameter of the run's resource it hangs on), the
 * operation that deletes one, and how to find the run's by name when an answer did not
 * say what was made.
 */
const KINDS = [
  { kind: 'endpoint', create: 'CreateApplicationEndpoint', id: 'endpoint_urn', parent: 'application_urn', remove: 'DeleteApplicationEndpoint' },
  { kind: 'application', create: 'CreateApplication', id: 'application_urn', name: 'name', remove: 'DeleteApplication', list: { operation: 'ListApplications', field: 'applications' } },
  { kind: 'template', create: 'CreateMessageTemplate', id: 'message_template_id', name: 'message_template_name', remove: 'DeleteMessageTemplate', list: { operation: 'ListMessageTemplates', field: 'message_templates' } },
  { kind: 'subscription', create: 'AddSubscription', id: 'subscription_urn', parent: 'topic_urn', remove: 'CancelSubscription' },
  { kind: 'topic', create: 'CreateTopic', id: 'topic_urn', name: 'name', remove: 'DeleteTopic', list: { operation: 'ListTopics', field: 'topics' } },
] as const;

type Kind = (typeof KINDS)[number];
export type KindName = Kind['kind'];
/** The kind a path parameter names the run's resource of (`topic_urn`: topic). */
const kindByParameter = new Map<string, Kind>(KINDS.map((k) => [k.id, k]));

const ATTEMPTS = 3;
const isSuccess = (status: number): boolean => status >= 200 && status < 300;
/** SMN's own 404 says the resource is gone; the gateway's (APIGW.0101) only that the route is unknown. */
const isGone = (exchange: Exchange): boolean => exchange.response.status === 404 && typeof (exchange.response.json as { code?: unknown } | undefined)?.code === 'string';

/** The path parameters of a path sent to an operation, decoded; undefined when one cannot be read. */
function pathParameters(operation: SmnOperation, pathname: string): Record<string, string> | undefined {
  const template = operation.path.split('/');
  const sent = pathname.split('/');
  const parameters: Record<string, string> = {};
  try {
    template.forEach((part, i) => {
      if (part.startsWith('{')) parameters[part.slice(1, -1)] = decodeURIComponent(sent[i] ?? '');
    });
  } catch {
    return undefined; // a path the run broke on purpose names nothing of the run's
  }
  return parameters;
}

export class Sandbox {
  /** The run's id, in every name it writes. */
  readonly run = randomBytes(4).toString('hex');
  /** What the run made that still exists: by kind, each id with the id of what it hangs on. */
  private readonly made = new Map<KindName, Map<string, string | undefined>>(KINDS.map((k) => [k.kind, new Map()]));
  /** The kinds the run asked the target to make (an answer may not have said what was made). */
  private readonly asked = new Set<KindName>();
  private readonly once = new Map<string, Promise<unknown>>();
  private counter = 0;

  constructor(
    private readonly client: TargetClient,
    private readonly operation: (operationId: string) => SmnOperation,
    private readonly allowWrites: boolean,
    /** Whether an answer is the gateway's "no such API" (operations.ts isMissingRoute). */
    private readonly missingRoute: (exchange: Exchange) => boolean = () => false,
    /** The operation a request calls (the contract's routing). */
    private readonly find: (method: string, pathname: string) => SmnOperation | undefined = () => undefined,
  ) {
    client.watch({ sending: (request) => this.sending(request), answered: (exchange) => this.observe(exchange) });
  }

  /** A name of this run (a topic's, a template's, an application's), new at each call. */
  topicName(what: string): string {
    return `${KIT_TOPIC_PREFIX}${this.run}_${what}_${++this.counter}`;
  }

  /** An https endpoint of this run that receives nothing, new at each call. */
  endpoint(what: string): string {
    return `${KIT_ENDPOINT_BASE}/${this.run}/${what}_${++this.counter}`;
  }

  /** Whether a name is one this run gives. */
  isRunName(name: unknown): boolean {
    return typeof name === 'string' && name.startsWith(`${KIT_TOPIC_PREFIX}${this.run}_`);
  }

  private memo<T>(key: string, make: () => Promise<T>): Promise<T> {
    let value = this.once.get(key) as Promise<T> | undefined;
    if (!value) this.once.set(key, (value = make()));
    return value;
  }

  private sending(request: SentRequest): void {
    const url = new URL(request.url);
    const operation = this.find(request.method, url.pathname);
    const kind = KINDS.find((k) => k.create === operation?.operationId);
    if (kind) this.asked.add(kind.kind);
  }

  /** Learns from every answer what the target made for the run, and what it deleted. */
  private observe(exchange: Exchange): void {
    const { request, response } = exchange;
    const url = new URL(request.url);
    const operation = this.find(request.method, url.pathname);
    if (!operation) return;
    const path = pathParameters(operation, url.pathname);
    if (!path) return;
    const made = KINDS.find((k) => k.create === operation.operationId);
    const id = (response.json as Record<string, unknown> | undefined)?.[made?.id ?? ''];
    if (made && isSuccess(response.status) && typeof id === 'string' && this.ownsNew(made, path, request.body)) this.made.get(made.kind)!.set(id, 'parent' in made ? path[made.parent] : undefined);
    const removed = KINDS.find((k) => k.remove === operation.operationId);
    const target = removed && path[removed.id];
    if (removed && target !== undefined && (isSuccess(response.status) || isGone(exchange))) this.forget(removed.kind, target);
  }

  /** Whether what a create made is the run's: named by the run, or made on a resource of the run's (or, a subscription, to an endpoint of the run's). */
  private ownsNew(kind: Kind, path: Record<string, string>, text: string | undefined): boolean {
    let body: Record<string, unknown> | undefined;
    try {
      body = JSON.parse(text ?? '') as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    if ('name' in kind) return this.isRunName(body?.[kind.name]);
    const parent = kindByParameter.get(kind.parent)!;
    return this.made.get(parent.kind)!.has(path[kind.parent] ?? '') || String(body?.endpoint).startsWith(`${KIT_ENDPOINT_BASE}/${this.run}/`);
  }

  /** Forgets a resource deleted, and what hung on it. */
  private forget(kind: KindName, id: string): void {
    this.made.get(kind)!.delete(id);
    for (const child of KINDS) {
      if (!('parent' in child) || kindByParameter.get(child.parent)?.kind !== kind) continue;
      for (const [urn, parent] of this.made.get(child.kind)!) if (parent === id) this.made.get(child.kind)!.delete(urn);
    }
  }

  private send(operationId: string, parameters: Record<string, string>, body?: unknown, query?: string): Promise<Exchange> {
    const operation = this.operation(operationId);
    return this.client.send({ method: operation.method, path: this.client.path(operation.path, parameters), body: body === undefined ? undefined : JSON.stringify(body), query });
  }

  private requireWrites(what: string): void {
    if (!this.allowWrites) throw new Unavailable(`this needs ${what} of the run's own, and writes are not allowed (--allow-writes)`, 'skip');
  }

  /**
   * Sends a request that makes something the run needs and returns the answer's `field`;
   * Unavailable when the target does not route it (a skip: the operation's own checks
   * say so) or did not make it (an error).
   */
  private async make(operationId: string, parameters: Record<string, string>, body: unknown, field: string, what: string, contentType?: string): Promise<{ urn: string; exchange: Exchange }> {
    const operation = this.operation(operationId);
    const exchange = await this.client.send({ method: operation.method, path: this.client.path(operation.path, parameters), body: JSON.stringify(body), contentType });
    const urn = (exchange.response.json as Record<string, unknown> | undefined)?.[field];
    // One reason for every check that needs one, so that they read as one: the operation's own checks say the rest.
    if (this.missingRoute(exchange)) throw new Unavailable(`the target does not route ${operationId}, and this needs ${what} of the run's own`, 'skip');
    if (!isSuccess(exchange.response.status) || typeof urn !== 'string') {
      throw new Unavailable(`${operationId} answered ${exchange.response.status} without a ${field}: the run has no ${what.replace(/^an? /, '')} of its own to work with`, 'error');
    }
    return { urn, exchange };
  }

  /** CreateTopic of a new topic of the run; the exchange, and the URN the target answered with. */
  createTopic(what: string, contentType?: string): Promise<{ urn: string; exchange: Exchange }> {
    this.requireWrites('a topic');
    return this.make('CreateTopic', {}, { name: this.topicName(what), display_name: 'smn-kit conformance' }, 'topic_urn', 'a topic', contentType);
  }

  /** AddSubscription of a new https endpoint of the run (it receives nothing) to `topicUrn`. */
  subscribe(topicUrn: string, what: string, contentType?: string): Promise<{ urn: string; exchange: Exchange }> {
    this.requireWrites('a subscription');
    return this.make('AddSubscription', { topic_urn: topicUrn }, { protocol: 'https', endpoint: this.endpoint(what), remark: 'smn-kit conformance' }, 'subscription_urn', 'a subscription', contentType);
  }

  /** CreateMessageTemplate of a new template of the run, for every protocol (`default`). */
  createTemplate(what: string): Promise<{ urn: string; exchange: Exchange }> {
    this.requireWrites('a message template');
    return this.make('CreateMessageTemplate', {}, { message_template_name: this.topicName(what), protocol: 'default', content: 'smn-kit conformance {topic_id}' }, 'message_template_id', 'a message template');
  }

  /** CreateApplication of a new HMS application of the run, with made-up credentials. */
  createApplication(what: string): Promise<{ urn: string; exchange: Exchange }> {
    this.requireWrites('a mobile push application');
    const body = { name: this.topicName(what), platform: 'HMS', platform_principal: String(100_000_000 + (randomBytes(3).readUIntBE(0, 3) % 900_000_000)), platform_credential: randomBytes(16).toString('hex') };
    return this.make('CreateApplication', {}, body, 'application_urn', 'an application');
  }

  /** CreateApplicationEndpoint of a new device endpoint of the run (a made-up HMS token) under `applicationUrn`. */
  createEndpoint(applicationUrn: string, what: string): Promise<{ urn: string; exchange: Exchange }> {
    this.requireWrites('a device endpoint');
    const token = `AFeT${randomBytes(33).toString('hex').replace(/[a-f]/g, (c) => String(c.charCodeAt(0) % 10))}`;
    return this.make('CreateApplicationEndpoint', { application_urn: applicationUrn }, { token, user_data: `smn-kit conformance ${what}` }, 'endpoint_urn', 'a device endpoint');
  }

  /** The run's main topic, made once: the one its subscriptions and publications go to. */
  mainTopic(): Promise<{ urn: string; exchange: Exchange }> {
    return this.memo('main topic', () => this.createTopic('main'));
  }

  /** The main topic's first subscription, made once. */
  mainSubscription(): Promise<{ urn: string; exchange: Exchange }> {
    return this.memo('main subscription', async () => this.subscribe((await this.mainTopic()).urn, 'main'));
  }

  /** The run's main message template, made once. */
  mainTemplate(): Promise<{ urn: string; exchange: Exchange }> {
    return this.memo('main template', () => this.createTemplate('main'));
  }

  /** The run's main application, made once. */
  mainApplication(): Promise<{ urn: string; exchange: Exchange }> {
    return this.memo('main application', () => this.createApplication('main'));
  }

  /** The main application's first device endpoint, made once. */
  mainEndpoint(): Promise<{ urn: string; exchange: Exchange }> {
    return this.memo('main endpoint', async () => this.createEndpoint((await this.mainApplication()).urn, 'main'));
  }

  /**
   * A subscription of the main topic with a filter policy (BatchCreateSubscriptionsFilterPolices),
   * new at each call: what updating or removing filter policies needs.
   */
  async filteredSubscription(): Promise<string> {
    const { urn } = await this.subscribe((await this.mainTopic()).urn, 'filtered');
    const exchange = await this.send('BatchCreateSubscriptionsFilterPolices', {}, { polices: [{ subscription_urn: urn, filter_polices: [{ name: 'kit_conformance', string_equals: ['conformance'] }] }] });
    if (this.missingRoute(exchange)) throw new Unavailable('the target does not route BatchCreateSubscriptionsFilterPolices, and this needs a subscription with a filter policy', 'skip');
    if (!isSuccess(exchange.response.status)) throw new Unavailable(`BatchCreateSubscriptionsFilterPolices answered ${exchange.response.status}: the run has no subscription with a filter policy to work with`, 'error');
    return urn;
  }

  /** A tag of the run (CreateResourceTag) on a resource, new at each call: its key. */
  async tag(resourceType: string, resourceId: string): Promise<string> {
    this.requireWrites('a tag');
    const key = `smn_kit_${this.run}_${++this.counter}`;
    const exchange = await this.send('CreateResourceTag', { resource_type: resourceType, resource_id: resourceId }, { tag: { key, value: 'conformance' } });
    if (this.missingRoute(exchange)) throw new Unavailable("the target does not route CreateResourceTag, and this needs a tag of the run's own", 'skip');
    if (!isSuccess(exchange.response.status)) throw new Unavailable(`CreateResourceTag answered ${exchange.response.status}: the run has no tag of its own to work with`, 'error');
    return key;
  }

  /** The access policy of the run's topic set (UpdateTopicAttribute), so that one can be deleted: the attribute's name. */
  async topicAttribute(topicUrn: string, name: string, value: string): Promise<string> {
    this.requireWrites('a topic attribute');
    const exchange = await this.send('UpdateTopicAttribute', { topic_urn: topicUrn, name }, { value });
    if (this.missingRoute(exchange)) throw new Unavailable(`the target does not route UpdateTopicAttribute, and this needs a ${name} of the run's own to delete`, 'skip');
    if (!isSuccess(exchange.response.status)) throw new Unavailable(`UpdateTopicAttribute answered ${exchange.response.status}: the run has no ${name} of its own to delete`, 'error');
    return name;
  }

  /** A probe of an endpoint of the run's (PublishHttpDetect) on the run's topic: its task id. */
  detectionTask(topicUrn: string): Promise<string> {
    return this.memo(`detection ${topicUrn}`, async () => {
      if (!this.allowWrites) throw new Unavailable("this needs a probe of the run's own (PublishHttpDetect), and writes are not allowed (--allow-writes)", 'skip');
      return (await this.make('PublishHttpDetect', { topic_urn: topicUrn }, { protocol: 'https', endpoint: this.endpoint('detected') }, 'task_id', 'a probe')).urn;
    });
  }

  /** The `topic_id` of a topic (ListTopicDetails, or ListTopics when the target does not route it), for its tags. */
  topicId(topicUrn: string): Promise<string> {
    return this.memo(`topic id ${topicUrn}`, async () => {
      const details = await this.send('ListTopicDetails', { topic_urn: topicUrn });
      const id = (details.response.json as { topic_id?: unknown } | undefined)?.topic_id;
      if (details.response.status === 200 && typeof id === 'string') return id;
      for (let offset = 0; offset < 3000; offset += 100) {
        const topics = await this.listed('ListTopics', {}, 'topics', offset);
        const found = topics?.find((t) => t.topic_urn === topicUrn)?.topic_id;
        if (typeof found === 'string') return found;
        if (!topics || topics.length < 100) break;
      }
      throw new Unavailable(`the topic_id of ${topicUrn} could not be read (ListTopicDetails answered ${details.response.status}, and ListTopics does not list it)`, 'error');
    });
  }

  /** A page of a list operation's items, or undefined when the answer has none. */
  private async listed(operationId: string, parameters: Record<string, string>, field: string, offset = 0): Promise<Record<string, unknown>[] | undefined> {
    const exchange = await this.send(operationId, parameters, undefined, `offset=${offset}&limit=100`);
    const items = (exchange.response.json as Record<string, unknown> | undefined)?.[field];
    return exchange.response.status === 200 && Array.isArray(items) ? (items as Record<string, unknown>[]) : undefined;
  }

  /**
   * A topic to read: the run's main topic when writes are allowed (with three
   * subscriptions, so that pages can be compared), else the first topic the target
   * lists; none there is a skip.
   */
  readableTopic(): Promise<string> {
    return this.memo('readable topic', async () => {
      if (this.allowWrites) {
        await this.populate();
        return (await this.mainTopic()).urn;
      }
      return this.firstListed('ListTopics', {}, 'topics', 'topic_urn', 'topic');
    });
  }

  /** A resource to read (a subscription, a template, an application, a device endpoint): the run's own when writes are allowed, else the first the target lists. */
  readable(kind: 'subscription' | 'template' | 'application' | 'endpoint'): Promise<string> {
    return this.memo(`readable ${kind}`, async () => {
      switch (kind) {
        case 'subscription':
          return this.allowWrites ? (await this.mainSubscription()).urn : this.firstListed('ListSubscriptions', {}, 'subscriptions', 'subscription_urn', 'subscription');
        case 'template':
          return this.allowWrites ? (await this.mainTemplate()).urn : this.firstListed('ListMessageTemplates', {}, 'message_templates', 'message_template_id', 'message template');
        case 'application':
          return this.allowWrites ? (await this.mainApplication()).urn : this.firstListed('ListApplications', {}, 'applications', 'application_urn', 'application');
        case 'endpoint':
          return this.allowWrites ? (await this.mainEndpoint()).urn : this.firstListed('ListApplicationEndpoints', { application_urn: await this.readable('application') }, 'endpoints', 'endpoint_urn', 'device endpoint');
      }
    });
  }

  private async firstListed(operationId: string, parameters: Record<string, string>, field: string, id: string, what: string): Promise<string> {
    const exchange = await this.send(operationId, parameters);
    const first = ((exchange.response.json as Record<string, unknown> | undefined)?.[field] as Record<string, unknown>[] | undefined)?.[0]?.[id];
    if (exchange.response.status !== 200 || typeof first !== 'string') {
      throw new Unavailable(`no ${what} to read: ${operationId} answered ${exchange.response.status} with ${typeof first === 'string' ? `${field}` : `no ${what}`}; run with --allow-writes to use one of the run's own`, 'skip');
    }
    return first;
  }

  /** With writes allowed, at least three topics of the run and three subscriptions on the main one, so that pages can be compared. */
  populate(): Promise<void> {
    return this.memo('populated', async () => {
      if (!this.allowWrites) return;
      const main = (await this.mainTopic()).urn;
      await this.mainSubscription();
      for (let i = 0; i < 2; i++) await this.subscribe(main, 'page');
      for (let i = 0; i < 2; i++) await this.createTopic('page');
    });
  }

  /** A well-formed URN of a topic the project does not have: the main topic's (or a listed one's), another name of the run's. */
  async absentTopicUrn(): Promise<string> {
    const known = this.allowWrites ? (await this.mainTopic()).urn : await this.readableTopic().catch(() => undefined);
    if (!known) throw new Unavailable('no topic URN to make an absent one from (the region and project part): ListTopics lists none; run with --allow-writes', 'skip');
    return `${known.slice(0, known.lastIndexOf(':') + 1)}${this.topicName('absent')}`;
  }

  /** A well-formed URN of a subscription the project does not have. */
  async absentSubscriptionUrn(): Promise<string> {
    return `${await this.absentTopicUrn()}:${randomBytes(16).toString('hex')}`;
  }

  /**
   * An id of the kind of `parameter` that names nothing the project has, made from one
   * the target gave (its form is the target's, which the vendor does not document for
   * templates, applications and endpoints): its last part replaced by one of the same
   * shape (32 hexadecimal characters, or a name of the run's).
   */
  async absent(parameter: string): Promise<string> {
    if (parameter === 'topic_urn') return this.absentTopicUrn();
    if (parameter === 'subscription_urn') return this.absentSubscriptionUrn();
    const kind = ({ message_template_id: 'template', application_urn: 'application', endpoint_urn: 'endpoint' } as const)[parameter as 'message_template_id'];
    if (!kind) throw new Unavailable(`no ${parameter} to make an absent one from`, 'skip');
    const known = await this.readable(kind);
    const cut = known.lastIndexOf(':') + 1;
    const last = known.slice(cut);
    const other = /^[0-9a-fA-F]+$/.test(last) ? randomBytes(Math.ceil(last.length / 2)).toString('hex').slice(0, last.length) : this.topicName('absent');
    return `${known.slice(0, cut)}${other}`;
  }

  /** What the run made and has not deleted yet, by kind. */
  madeNow(): Record<KindName, string[]> {
    return Object.fromEntries(KINDS.map((k) => [k.kind, [...this.made.get(k.kind)!.keys()]])) as Record<KindName, string[]>;
  }

  /** Whether the run made the resource (and has not deleted it). */
  owns(kind: KindName, id: string): boolean {
    return this.made.get(kind)!.has(id);
  }

  /**
   * Deletes what the run made and still exists, what hangs on another first: device
   * endpoints of applications that are not the run's, the applications, the templates,
   * subscriptions on topics that are not the run's, then the topics (what hangs on them
   * goes with them). A 404 is as good as deleted. Never throws; what is left is returned
   * with the request that deletes it.
   */
  async cleanup(): Promise<{ deleted: string[]; left: Leftover[] }> {
    const deleted: string[] = [];
    const left: Leftover[] = [];
    const remove = async (kind: Kind, urn: string): Promise<void> => {
      const operation = this.operation(kind.remove);
      const parameters = { [kind.id]: urn };
      const request: SentRequest = {
        method: operation.method,
        url: `${this.client.options.target}${this.client.path(operation.path, parameters)}`,
        headers: { 'X-Auth-Token': '***' },
      };
      let reason = '';
      let encodeColons = false;
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        try {
          const exchange = await this.client.send({ method: operation.method, path: this.client.path(operation.path, parameters, { encodeColons }) });
          if (isSuccess(exchange.response.status) || isGone(exchange)) {
            deleted.push(urn);
            this.forget(kind.kind, urn);
            return;
          }
          const { status } = exchange.response;
          reason = `${kind.remove} answered ${status}`;
          // A route that does not take raw colons may take them percent-encoded.
          if (status === 404 && !encodeColons) {
            encodeColons = true;
            continue;
          }
          if (status < 500 && status !== 429) break;
        } catch (error) {
          if (!(error instanceof RequestFailed)) throw error;
          reason = `${kind.remove} got no usable answer: ${error.message}`;
        }
      }
      left.push({ urn, reason, request });
    };
    for (const kind of KINDS) {
      const parent = 'parent' in kind ? kindByParameter.get(kind.parent)! : undefined;
      for (const [urn, of] of [...this.made.get(kind.kind)!]) {
        // What hangs on a resource of the run's goes with it (a topic's subscriptions); the rest is deleted one by one.
        if (parent && of !== undefined && this.made.get(parent.kind)!.has(of)) continue;
        if (!left.some((l) => l.urn === urn)) await remove(kind, urn);
      }
      // What the target made without saying which (an answer that was not JSON, or cut off) is found by its name, which only this run uses.
      if ('list' in kind) for (const urn of await this.unaccounted(kind)) if (!left.some((l) => l.urn === urn)) await remove(kind, urn);
    }
    return { deleted, left };
  }

  /** Resources a list operation lists with a name of this run, the pages read while they are full (at most 3,000 items). */
  private async unaccounted(kind: Extract<Kind, { list: unknown }>): Promise<string[]> {
    if (!this.allowWrites || !this.asked.has(kind.kind)) return [];
    const found: string[] = [];
    for (let offset = 0; offset < 3000; offset += 100) {
      let items: Record<string, unknown>[] | undefined;
      try {
        items = await this.listed(kind.list.operation, {}, kind.list.field, offset);
      } catch (error) {
        if (error instanceof RequestFailed) return found;
        throw error;
      }
      if (!items) return found;
      for (const item of items) if (typeof item[kind.id] === 'string' && this.isRunName(item[kind.name])) found.push(item[kind.id] as string);
      if (items.length < 100) return found;
    }
    return found;
  }
}

/** What is left, as a sentence a person can act on: each URN and the curl that deletes it. */
export function describeLeftovers(left: Leftover[]): string {
  return left.map((l) => `${l.urn} (${l.reason}): ${reproducer(l.request)}`).join('; ');
}
