// What a conformance run with --allow-writes makes on the target, and only that: topics
// named `smn_kit_conformance_<run>_<what>` (the run a random id), subscriptions of those
// topics to `https://example.invalid/smn-kit-conformance/<run>/<what>` (a host that
// never resolves, RFC 2606: nothing is delivered anywhere), and messages published to
// them. Every topic or subscription the target made for a request of this run is
// remembered, whatever the answer said (a target that wrongly accepts an invalid
// CreateTopic still made something), and deleted at the end (`cleanup`); what cannot be
// deleted is reported with the requests that delete it. Nothing the run did not make is
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

const ATTEMPTS = 3;
const isSuccess = (status: number): boolean => status >= 200 && status < 300;

export class Sandbox {
  /** The run's id, in every name it writes. */
  readonly run = randomBytes(4).toString('hex');
  /** Topics the run made that still exist, by URN. */
  private readonly topics = new Set<string>();
  /** Subscriptions the run made that still exist, by URN, with their topic. */
  private readonly subscriptions = new Map<string, string>();
  private readonly once = new Map<string, Promise<unknown>>();
  private counter = 0;

  constructor(
    private readonly client: TargetClient,
    private readonly operation: (operationId: string) => SmnOperation,
    private readonly allowWrites: boolean,
    /** Whether an answer is the gateway's "no such API" (operations.ts isMissingRoute). */
    private readonly missingRoute: (exchange: Exchange) => boolean = () => false,
  ) {
    client.watch({ answered: (exchange) => this.observe(exchange) });
  }

  /** A topic name of this run, new at each call. */
  topicName(what: string): string {
    return `${KIT_TOPIC_PREFIX}${this.run}_${what}_${++this.counter}`;
  }

  /** An https endpoint of this run that receives nothing, new at each call. */
  endpoint(what: string): string {
    return `${KIT_ENDPOINT_BASE}/${this.run}/${what}_${++this.counter}`;
  }

  private memo<T>(key: string, make: () => Promise<T>): Promise<T> {
    let value = this.once.get(key) as Promise<T> | undefined;
    if (!value) this.once.set(key, (value = make()));
    return value;
  }

  /** Learns from every answer what the target made for the run, and what it deleted. */
  private observe({ request, response }: Exchange): void {
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url).pathname);
    } catch {
      return; // a path the run broke on purpose names nothing of the run's
    }
    const json = response.json as { topic_urn?: unknown; subscription_urn?: unknown } | undefined;
    const body = (() => {
      try {
        return JSON.parse(request.body ?? '') as { name?: unknown; endpoint?: unknown; subscriptions?: { endpoint?: unknown }[] };
      } catch {
        return undefined;
      }
    })();
    if (!isSuccess(response.status)) return;
    if (request.method === 'POST' && path.endsWith('/notifications/topics') && typeof json?.topic_urn === 'string' && String(body?.name).startsWith(`${KIT_TOPIC_PREFIX}${this.run}_`)) {
      this.topics.add(json.topic_urn);
    }
    const subscribed = /\/notifications\/topics\/(.+)\/subscriptions$/.exec(path);
    if (request.method === 'POST' && subscribed && typeof json?.subscription_urn === 'string' && String(body?.endpoint).startsWith(`${KIT_ENDPOINT_BASE}/${this.run}/`)) {
      this.subscriptions.set(json.subscription_urn, subscribed[1]!);
    }
    const topic = /\/notifications\/topics\/([^/]+)$/.exec(path);
    if (request.method === 'DELETE' && topic) {
      this.topics.delete(topic[1]!);
      for (const [urn, of] of this.subscriptions) if (of === topic[1]) this.subscriptions.delete(urn);
    }
    const subscription = /\/notifications\/subscriptions\/([^/]+)$/.exec(path);
    if (request.method === 'DELETE' && subscription) this.subscriptions.delete(subscription[1]!);
  }

  private send(operationId: string, parameters: Record<string, string>, body?: unknown): Promise<Exchange> {
    const operation = this.operation(operationId);
    return this.client.send({ method: operation.method, path: this.client.path(operation.path, parameters), body: body === undefined ? undefined : JSON.stringify(body) });
  }

  private requireWrites(): void {
    if (!this.allowWrites) throw new Unavailable('this needs a topic of the run, and writes are not allowed (--allow-writes)', 'skip');
  }

  /** CreateTopic of a new topic of the run; the exchange, and the URN the target answered with. */
  async createTopic(what: string, contentType?: string): Promise<{ urn: string; exchange: Exchange }> {
    this.requireWrites();
    const operation = this.operation('CreateTopic');
    const body = { name: this.topicName(what), display_name: 'smn-kit conformance' };
    const exchange = await this.client.send({ method: operation.method, path: this.client.path(operation.path), body: JSON.stringify(body), contentType });
    const urn = (exchange.response.json as { topic_urn?: unknown } | undefined)?.topic_urn;
    // One reason for every check that needs a topic, so that they read as one: CreateTopic's own checks say the rest.
    if (this.missingRoute(exchange)) throw new Unavailable("the target does not route CreateTopic, and this needs a topic of the run's own", 'skip');
    if (!isSuccess(exchange.response.status) || typeof urn !== 'string') {
      throw new Unavailable(`CreateTopic of ${body.name} answered ${exchange.response.status} without a topic_urn: the run has no topic of its own to work with`, 'error');
    }
    return { urn, exchange };
  }

  /** AddSubscription of a new https endpoint of the run (it receives nothing) to `topicUrn`. */
  async subscribe(topicUrn: string, what: string, contentType?: string): Promise<{ urn: string; exchange: Exchange }> {
    this.requireWrites();
    const operation = this.operation('AddSubscription');
    const body = { protocol: 'https', endpoint: this.endpoint(what), remark: 'smn-kit conformance' };
    const exchange = await this.client.send({ method: operation.method, path: this.client.path(operation.path, { topic_urn: topicUrn }), body: JSON.stringify(body), contentType });
    const urn = (exchange.response.json as { subscription_urn?: unknown } | undefined)?.subscription_urn;
    if (this.missingRoute(exchange)) throw new Unavailable("the target does not route AddSubscription, and this needs a subscription of the run's own", 'skip');
    if (!isSuccess(exchange.response.status) || typeof urn !== 'string') {
      throw new Unavailable(`AddSubscription to ${topicUrn} answered ${exchange.response.status} without a subscription_urn: the run has no subscription of its own to work with`, 'error');
    }
    return { urn, exchange };
  }

  /** The run's main topic, made once: the one its subscriptions and publications go to. */
  mainTopic(): Promise<{ urn: string; exchange: Exchange }> {
    return this.memo('main topic', () => this.createTopic('main'));
  }

  /** The main topic's first subscription, made once. */
  mainSubscription(): Promise<{ urn: string; exchange: Exchange }> {
    return this.memo('main subscription', async () => this.subscribe((await this.mainTopic()).urn, 'main'));
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
      const exchange = await this.send('ListTopics', {});
      const first = (exchange.response.json as { topics?: { topic_urn?: unknown }[] } | undefined)?.topics?.[0]?.topic_urn;
      if (exchange.response.status !== 200 || typeof first !== 'string') {
        throw new Unavailable(`no topic to read: ListTopics answered ${exchange.response.status} with ${typeof first === 'string' ? 'topics' : 'no topic'}; run with --allow-writes to use one of the run's own`, 'skip');
      }
      return first;
    });
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

  /** Whether the run made something it has not deleted yet. */
  made(): { topics: string[]; subscriptions: string[] } {
    return { topics: [...this.topics], subscriptions: [...this.subscriptions.keys()] };
  }

  /**
   * Deletes what the run made and still exists: subscriptions on topics that are not the
   * run's, then the run's topics (their subscriptions go with them). A 404 is as good as
   * deleted. Never throws; what is left is returned with the request that deletes it.
   */
  async cleanup(): Promise<{ deleted: string[]; left: Leftover[] }> {
    const deleted: string[] = [];
    const left: Leftover[] = [];
    const remove = async (operationId: string, parameter: string, urn: string): Promise<void> => {
      const operation = this.operation(operationId);
      const request: SentRequest = {
        method: operation.method,
        url: `${this.client.options.target}${this.client.path(operation.path, { [parameter]: urn })}`,
        headers: { 'X-Auth-Token': '***' },
      };
      let reason = '';
      let encodeColons = false;
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        try {
          const exchange = await this.client.send({ method: operation.method, path: this.client.path(operation.path, { [parameter]: urn }, { encodeColons }) });
          const { status, json } = exchange.response;
          // SMN's 404 says the resource is gone; the gateway's (APIGW.0101) only that the route is unknown.
          const gone = status === 404 && typeof (json as { code?: unknown } | undefined)?.code === 'string';
          if (isSuccess(status) || gone) {
            deleted.push(urn);
            this.topics.delete(urn);
            this.subscriptions.delete(urn);
            return;
          }
          reason = `${operationId} answered ${status}`;
          // A route that does not take raw colons may take them percent-encoded.
          if (status === 404 && !encodeColons) {
            encodeColons = true;
            continue;
          }
          if (status < 500 && status !== 429) break;
        } catch (error) {
          if (!(error instanceof RequestFailed)) throw error;
          reason = `${operationId} got no usable answer: ${error.message}`;
        }
      }
      left.push({ urn, reason, request });
    };
    for (const [urn, topic] of this.subscriptions) if (!this.topics.has(topic)) await remove('CancelSubscription', 'subscription_urn', urn);
    for (const urn of [...this.topics]) await remove('DeleteTopic', 'topic_urn', urn);
    // A topic the target made without saying which (an answer that was not JSON, or cut
    // off) is found by its name, which only this run uses.
    for (const urn of await this.unaccounted()) if (!left.some((l) => l.urn === urn)) await remove('DeleteTopic', 'topic_urn', urn);
    return { deleted, left };
  }

  /** Topics ListTopics lists with a name of this run, the pages read while they are full (at most the 3,000 topics of SMN's quota). */
  private async unaccounted(): Promise<string[]> {
    if (!this.allowWrites || this.counter === 0) return [];
    const found: string[] = [];
    for (let offset = 0; offset < 3000; offset += 100) {
      let topics: { name?: unknown; topic_urn?: unknown }[] | undefined;
      try {
        const exchange = await this.client.send({ method: 'GET', path: this.client.path(this.operation('ListTopics').path), query: `offset=${offset}&limit=100` });
        topics = (exchange.response.json as { topics?: typeof topics } | undefined)?.topics;
      } catch (error) {
        if (error instanceof RequestFailed) return found;
        throw error;
      }
      if (!Array.isArray(topics)) return found;
      for (const topic of topics) {
        if (typeof topic.topic_urn === 'string' && String(topic.name).startsWith(`${KIT_TOPIC_PREFIX}${this.run}_`)) found.push(topic.topic_urn);
      }
      if (topics.length < 100) return found;
    }
    return found;
  }
}

/** What is left, as a sentence a person can act on: each URN and the curl that deletes it. */
export function describeLeftovers(left: Leftover[]): string {
  return left.map((l) => `${l.urn} (${l.reason}): ${reproducer(l.request)}`).join('; ');
}
