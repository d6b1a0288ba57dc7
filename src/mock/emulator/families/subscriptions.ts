// Subscriptions: ListSubscriptions, AddSubscription, ListSubscriptionsByTopic,
// UpdateSubscription, CancelSubscription, DeleteSubscriptionsByTopic and the batch
// cancellations, and what /_mock/subscriptions, the confirmation links and the deletion
// of a topic do to them. A project's subscriptions are the shared seed until they first
// change, then its own list (oldest first, as ListSubscriptions lists them); reading a
// project creates nothing. The seed belongs to whoever asks: each project sees it with
// its own project id as the owner and in the URNs, never another project's.
import { randomBytes } from 'node:crypto';
import { fieldError } from '../../../contract/body-fields.js';
import { subscriptionFilter } from '../../../contract/subscription-filters.js';
import type { AddSubscriptionRequest, BatchDeleteSubscriptionsRequest, FilterPolicy, Subscription, SubscriptionToAdd, UpdateSubscriptionRequest } from '../../../generated/smn.js';
import { internalAddress } from '../../../net/addresses.js';
import { listedSubscription, storedExtension } from '../../delivery/headers.js';
import { mapLimited } from '../../delivery/notifier.js';
import { refusedEndpoint } from '../../delivery/policy.js';
import { pageOf, shapeList, type Shaper } from '../../engine/examples.js';
import { newRequestId } from '../../engine/reply.js';
import { Family, notFound, topicNotFound, type Answer, type FamilyCore, type FamilyModule, type Handler, type OperationRequest } from '../family.js';
import { StateLimitError } from '../limits.js';
import { projectKey, urnProjectId } from '../projects.js';

export type SubscriptionChange =
  | { kind: 'subscribe'; project: string; subscription: Subscription }
  | { kind: 'status'; project: string; subscription_urn: string; status: Subscription['status'] }
  /** UpdateSubscription. */
  | { kind: 'remark'; project: string; subscription_urn: string; remark: string }
  | { kind: 'unsubscribe'; project: string; subscription_urn: string };

/** Absent while the project still has the seed's. */
export interface SubscriptionsPart {
  subscriptions?: Subscription[];
}

export const SUBSCRIPTION_LIMITS = {
  /**
   * SMN's quota: "By default, 10,000 subscriptions can be added to a topic" (both
   * editions' "Adding a Subscription"), past it 403 SMN.0007 ("Add no more than 10,000
   * subscriptions to a topic", error-code table).
   */
  subscriptionsPerTopic: { max: 10_000, code: 'SMN.0007' },
  /** The kit's bound on memory: subscriptions of the projects whose subscriptions changed, all projects together. */
  subscriptions: { max: 100_000, code: 'SMN.0007' },
} as const;

/** What this family reads of the topics. */
export interface KnownTopics {
  knows(projectId: string, topicUrn: string): boolean;
}

/** What this family reads of the filter policies (filter-policies.ts): a subscription's, listed in its `filter_polices`. */
export interface ListedPolicies {
  policiesOf(projectId: string, subscriptionUrn: string): FilterPolicy[] | undefined;
}

/**
 * The protocols whose endpoint confirms a subscription (a link it follows, a code it
 * enters). Others (functions, chat robots) have nobody to confirm: status 2 from the
 * start, "no confirmation needed" (SDK model ListSubscriptionsRequest: "2：不需要确认").
 */
const CONFIRMING = new Set(['http', 'https', 'email', 'sms', 'callnotify']);

/** Subscriptions an UnsubscribeConfirmation goes to at once, when many are cancelled together. */
const CONCURRENCY = 8;

/** One subscription added (or found already there), or the documented error that refused it. */
export type Subscribed = { urn: string; created: boolean } | Extract<Answer, { error: string }>;

export class Subscriptions extends Family<SubscriptionChange, SubscriptionsPart> {
  readonly kinds = ['subscribe', 'status', 'remark', 'unsubscribe'] as const;
  override readonly quotaCode = SUBSCRIPTION_LIMITS.subscriptions.code;
  /** By project key: the projects whose subscriptions changed. */
  private own = new Map<string, Subscription[]>();
  /** Subscriptions held in projects' own lists, all projects together. */
  private count = 0;
  /** How many subscriptions each topic has in the projects' own lists, by `${project key}\n${topic URN}`. */
  private perTopic = new Map<string, number>();

  constructor(
    private readonly core: FamilyCore<SubscriptionChange>,
    private readonly seed: Subscription[],
    private readonly families: { topics: KnownTopics; filterPolicies: ListedPolicies },
  ) {
    super();
  }

  override admit(change: SubscriptionChange): void {
    // A change to one subscription makes the project's list its own, the seed copied.
    const copying = this.own.has(projectKey(change.project)) ? 0 : this.seed.length;
    const adding = change.kind === 'subscribe' ? 1 : 0;
    const { max, code } = SUBSCRIPTION_LIMITS.subscriptions;
    if (this.count + copying + adding > max) {
      throw new StateLimitError(code, `the emulator holds at most ${max} subscriptions of changed projects (the seed counts once per project that changes); POST /_mock/reset to start again`);
    }
    if (change.kind === 'subscribe') {
      const topic = change.subscription.topic_urn;
      const perTopic = SUBSCRIPTION_LIMITS.subscriptionsPerTopic;
      if (this.onTopic(change.project, topic) >= perTopic.max) throw new StateLimitError(perTopic.code, `topic ${topic} has ${perTopic.max} subscriptions, SMN's quota per topic`);
    }
  }

  override shrinks(change: SubscriptionChange): boolean {
    return change.kind === 'unsubscribe';
  }

  override apply(change: SubscriptionChange): void {
    const list = this.ownList(change.project);
    const key = projectKey(change.project);
    switch (change.kind) {
      case 'subscribe':
        list.push(change.subscription);
        this.count += 1;
        this.countOnTopic(key, change.subscription.topic_urn, 1);
        return;
      case 'status':
      case 'remark': {
        const subscription = list.find((s) => s.subscription_urn === change.subscription_urn);
        if (subscription && change.kind === 'status') subscription.status = change.status;
        if (subscription && change.kind === 'remark') subscription.remark = change.remark;
        return;
      }
      case 'unsubscribe': {
        const at = list.findIndex((s) => s.subscription_urn === change.subscription_urn);
        if (at !== -1) {
          const [removed] = list.splice(at, 1);
          this.count -= 1;
          this.countOnTopic(key, removed!.topic_urn, -1);
          this.core.subscriptionDeleted(change.project, change.subscription_urn);
        }
        return;
      }
    }
  }

  private countOnTopic(key: string, topicUrn: string, by: number): void {
    const at = `${key}\n${topicUrn}`;
    const now = (this.perTopic.get(at) ?? 0) + by;
    if (now > 0) this.perTopic.set(at, now);
    else this.perTopic.delete(at);
  }

  override reset(): void {
    this.own = new Map();
    this.count = 0;
    this.perTopic = new Map();
  }

  override projectPart(key: string): SubscriptionsPart {
    const own = this.own.get(key);
    return own ? { subscriptions: own } : {};
  }

  override restoreProject(key: string, part: SubscriptionsPart): void {
    if (!part.subscriptions) return;
    this.own.set(key, part.subscriptions);
    this.count += part.subscriptions.length;
    for (const s of part.subscriptions) this.countOnTopic(key, s.topic_urn, 1);
  }

  override pastLimit(): boolean {
    return this.count > SUBSCRIPTION_LIMITS.subscriptions.max || [...this.perTopic.values()].some((n) => n > SUBSCRIPTION_LIMITS.subscriptionsPerTopic.max);
  }

  /** The project's own list of subscriptions, made from the seed at its first change. */
  private ownList(projectId: string): Subscription[] {
    const key = projectKey(projectId);
    let list = this.own.get(key);
    if (!list) {
      this.own.set(key, (list = this.seed.map(ownedBy(projectId))));
      this.count += this.seed.length;
      for (const s of list) this.countOnTopic(key, s.topic_urn, 1);
    }
    return list;
  }

  /** The project's subscriptions, the seed made its own when they never changed. */
  all(projectId: string): readonly Subscription[] {
    return this.own.get(projectKey(projectId)) ?? this.seed.map(ownedBy(projectId));
  }

  /** How many subscriptions the project's topic has. */
  onTopic(projectId: string, topicUrn: string): number {
    const key = projectKey(projectId);
    if (this.own.has(key)) return this.perTopic.get(`${key}\n${topicUrn}`) ?? 0;
    return this.all(projectId).filter((s) => s.topic_urn === topicUrn).length;
  }

  /** A page of the subscriptions that pass `filter`, oldest first, and how many pass it. */
  page(projectId: string, offset: number, limit: number, filter: (s: Subscription) => boolean = () => true): { total: number; page: Subscription[] } {
    const own = this.own.get(projectKey(projectId));
    // The seed is filtered and paged as it is (no filter reads the project's id), and
    // only the page is made the project's: a large seed costs nothing per request.
    const matching = (own ?? this.seed).filter(filter);
    const page = matching.slice(offset, offset + limit);
    return { total: matching.length, page: own ? page : page.map(ownedBy(projectId)) };
  }

  /** The project's subscription with this URN, if any. */
  find(projectId: string, subscriptionUrn: string): Subscription | undefined {
    return this.all(projectId).find((s) => s.subscription_urn === subscriptionUrn);
  }

  /**
   * The subscription with this URN, in whichever project has it, for the operations
   * whose path names no project (UnsubscribeSubscription): a project's own list, else the
   * seed of the project whose 32-hexadecimal id the URN carries.
   */
  locate(subscriptionUrn: string): { projectId: string; subscription: Subscription } | undefined {
    for (const [key, list] of this.own) {
      const subscription = list.find((s) => s.subscription_urn === subscriptionUrn);
      if (subscription) return { projectId: key, subscription };
    }
    const id = subscriptionUrn.split(':')[3] ?? '';
    const subscription = /^[0-9a-fA-F]{32}$/.test(id) ? this.find(id, subscriptionUrn) : undefined;
    return subscription && { projectId: projectKey(id), subscription };
  }

  /**
   * The subscriptions whose URN ends in this id, in the projects whose subscriptions
   * changed (a confirmation link is only ever sent for one of them), for
   * ConfirmSubscription: the token names the id, its HMAC the rest.
   */
  withId(id: string): { projectId: string; subscription: Subscription }[] {
    const suffix = `:${id}`;
    const found: { projectId: string; subscription: Subscription }[] = [];
    for (const [key, list] of this.own) for (const subscription of list) if (subscription.subscription_urn.endsWith(suffix)) found.push({ projectId: key, subscription });
    return found;
  }

  /** Adds a subscription as the newest of the project. */
  add(projectId: string, subscription: Subscription): Subscription {
    this.core.change({ kind: 'subscribe', project: projectId, subscription });
    return subscription;
  }

  setStatus(projectId: string, subscriptionUrn: string, status: Subscription['status']): void {
    this.core.change({ kind: 'status', project: projectId, subscription_urn: subscriptionUrn, status });
  }

  /** Removes the subscription; returns it as it was, or undefined when there was none. */
  remove(projectId: string, subscriptionUrn: string): Subscription | undefined {
    const found = this.find(projectId, subscriptionUrn);
    if (found) this.core.change({ kind: 'unsubscribe', project: projectId, subscription_urn: subscriptionUrn });
    return found && { ...found };
  }

  /** As the list operations show a subscription: without its custom headers (listedSubscription), with its filter policies when it has some. */
  private listed(projectId: string, subscription: Subscription): Subscription {
    const policies = this.families.filterPolicies.policiesOf(projectId, subscription.subscription_urn);
    const listed = listedSubscription(subscription);
    return policies ? { ...listed, filter_polices: policies } : listed;
  }

  /** Part of applying a topic's deletion (its change is the topics'): every subscription of the topic goes with it. */
  override forgetTopic(projectId: string, topicUrn: string): void {
    if (!this.all(projectId).some((s) => s.topic_urn === topicUrn)) return;
    const list = this.ownList(projectId);
    const kept = list.filter((s) => s.topic_urn !== topicUrn);
    const key = projectKey(projectId);
    this.own.set(key, kept);
    this.count -= list.length - kept.length;
    this.perTopic.delete(`${key}\n${topicUrn}`);
  }

  override readonly handlers: Readonly<Record<string, Handler>> = {
    ListSubscriptions: ({ operation, projectId, query }) => {
      const { total, page } = this.page(projectId, ...pageOf(operation, query), subscriptionFilter(query));
      return { body: { request_id: '', subscription_count: total, subscriptions: page.map((s) => this.listed(projectId, s)) } };
    },
    AddSubscription: (request) => this.addSubscriptions(request, request.body as AddSubscriptionRequest),
    ListSubscriptionsByTopic: ({ contract, operation, projectId, path, query }) => {
      const topicUrn = path.topic_urn!;
      if (!this.families.topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
      // Its one filter (Huawei Cloud's fuzzy_remark) means what it means for ListSubscriptions.
      const byRemark = subscriptionFilter(new URLSearchParams({ fuzzy_remark: query.get('fuzzy_remark') ?? '' }));
      const { total, page } = this.page(projectId, ...pageOf(operation, query), (s) => s.topic_urn === topicUrn && byRemark(s));
      return { body: { request_id: '', subscription_count: total, subscriptions: page.map((s) => this.listed(projectId, s)) } };
    },
    UpdateSubscription: ({ contract, projectId, path, body }) => {
      const found = this.ofTopic(contract, projectId, path.topic_urn!, path.subscription_urn!);
      if ('error' in found) return found;
      this.core.change({ kind: 'remark', project: projectId, subscription_urn: found.subscription_urn, remark: (body as UpdateSubscriptionRequest).remark });
      return { body: { request_id: '', subscription_urn: found.subscription_urn } };
    },
    CancelSubscription: async ({ contract, projectId, path, notifier }) => {
      const urn = path.subscription_urn!;
      const removed = this.remove(projectId, urn);
      if (!removed) return notFound(contract, 'subscription_urn', `no subscription ${urn} in project ${projectId}`);
      await notifier.unsubscribed(projectId, removed);
      return { body: { request_id: '' } };
    },
    DeleteSubscriptionsByTopic: async ({ contract, projectId, path, notifier }) => {
      const found = this.ofTopic(contract, projectId, path.topic_urn!, path.subscription_urn!);
      if ('error' in found) return found;
      await notifier.unsubscribed(projectId, this.remove(projectId, found.subscription_urn)!);
      return { body: { request_id: '' } };
    },
    BatchDeleteSubscriptions: (request) => this.cancelEach(request),
    BatchDeleteSubscriptionsByTopic: (request) => {
      const topicUrn = request.path.topic_urn!;
      if (!this.families.topics.knows(request.projectId, topicUrn)) return topicNotFound(request.contract, request.projectId, topicUrn);
      return this.cancelEach(request, topicUrn);
    },
  };

  /** The project's subscription of the topic named in the path, or the documented 404 (the topic's SMN.0006 first, then the subscription's SMN.0013). */
  private ofTopic(contract: OperationRequest['contract'], projectId: string, topicUrn: string, subscriptionUrn: string): Subscription | Extract<Answer, { error: string }> {
    if (!this.families.topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn) as Extract<Answer, { error: string }>;
    const found = this.find(projectId, subscriptionUrn);
    if (!found || found.topic_urn !== topicUrn) return notFound(contract, 'subscription_urn', `no subscription ${subscriptionUrn} of topic ${topicUrn} in project ${projectId}`) as Extract<Answer, { error: string }>;
    return found;
  }

  /**
   * BatchDeleteSubscriptions(ByTopic): each subscription cancelled as CancelSubscription
   * does, one result per URN in the order given: http_code 200 and a request id, or the
   * status, code and message of SMN.0013 for one the project (or the topic) does not
   * have, a URN given twice included ("the deletion result of each subscription endpoint
   * is displayed in the response body", Huawei Cloud API reference). The http(s)
   * endpoints' UnsubscribeConfirmations go out a few at a time once all are cancelled.
   */
  private async cancelEach({ contract, projectId, body, notifier }: OperationRequest, topicUrn?: string): Promise<Answer> {
    const missing = contract.errors.get(contract.notFoundErrors.get('subscription_urn')!)!;
    const { code, message } = missing.body as { code: string; message: string };
    const removed: Subscription[] = [];
    // Looked up once: a batch may name thousands.
    const present = new Map(this.all(projectId).map((s) => [s.subscription_urn, s]));
    const results = (body as BatchDeleteSubscriptionsRequest).subscription_urns.map(({ subscription_urn: urn }) => {
      const found = present.get(urn);
      if (!found || (topicUrn !== undefined && found.topic_urn !== topicUrn)) return { request_id: newRequestId(), http_code: missing.status ?? 404, code, message };
      present.delete(urn);
      this.core.change({ kind: 'unsubscribe', project: projectId, subscription_urn: urn });
      removed.push({ ...found });
      return { request_id: newRequestId(), http_code: 200 };
    });
    await mapLimited(removed, CONCURRENCY, (subscription) => notifier.unsubscribed(projectId, subscription));
    return { body: { subscriptions_result: results } };
  }

  /**
   * AddSubscription: the subscription (and, with Open Telekom Cloud's `subscriptions`, the
   * others) added, a confirmation sent to each that needs one; one the topic has already
   * (same protocol and endpoint) is answered with 200 and its URN, as SMN's idempotent
   * operation does. Every endpoint is checked before any is added, and the topic's quota
   * for all of them together.
   */
  private async addSubscriptions(request: OperationRequest, body: AddSubscriptionRequest): Promise<Answer> {
    const { contract, projectId } = request;
    const topicUrn = request.path.topic_urn!;
    if (!this.families.topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
    const all = [body, ...(body.subscriptions ?? [])];
    for (const one of all) {
      const refused = this.refusedEndpoint(request, one);
      if (refused) return refused;
    }
    const existing = (one: SubscriptionToAdd): Subscription | undefined => this.all(projectId).find((s) => s.topic_urn === topicUrn && s.protocol === one.protocol && s.endpoint === one.endpoint);
    const adding = new Set(all.filter((one) => !existing(one)).map((one) => `${one.protocol}\n${one.endpoint}`)).size;
    const { max, code } = SUBSCRIPTION_LIMITS.subscriptionsPerTopic;
    if (adding > 0 && this.onTopic(projectId, topicUrn) + adding > max) {
      return { error: code, status: 403, reason: `topic ${topicUrn} has ${this.onTopic(projectId, topicUrn)} subscriptions; SMN's quota is ${max} per topic`, where: ['path', 'topic_urn'] };
    }
    let first: { urn: string; created: boolean } | undefined;
    for (const one of all) {
      const added = await this.subscribe(request, topicUrn, one, false);
      if ('error' in added) return added;
      first ??= added;
    }
    return { status: first!.created ? 201 : 200, body: { request_id: '', subscription_urn: first!.urn } };
  }

  /**
   * One endpoint subscribed to a topic the project has (AddSubscription, and the
   * subscription users' import): the subscription the topic has already for the same
   * protocol and endpoint, or a new one, unconfirmed with a confirmation sent where the
   * protocol needs one (confirmed at once with --auto-confirm), status 2 where it does
   * not. With `check`, the endpoint is checked first, as AddSubscription checks it.
   */
  async subscribe(request: OperationRequest, topicUrn: string, one: SubscriptionToAdd, check = true): Promise<Subscribed> {
    const { projectId } = request;
    if (check) {
      const refused = this.refusedEndpoint(request, one);
      if (refused) return refused;
    }
    const existing = this.all(projectId).find((s) => s.topic_urn === topicUrn && s.protocol === one.protocol && s.endpoint === one.endpoint);
    if (existing) return { urn: existing.subscription_urn, created: false };
    const confirming = CONFIRMING.has(one.protocol);
    // Its custom headers (extension.header) are kept for the messages it will receive.
    const extension = storedExtension(one.protocol, one.extension);
    const subscription: Subscription = {
      topic_urn: topicUrn,
      protocol: one.protocol,
      subscription_urn: `${topicUrn}:${randomBytes(16).toString('hex')}`,
      owner: urnProjectId(projectId),
      endpoint: one.endpoint,
      remark: one.remark ?? '',
      status: !confirming ? 2 : request.autoConfirm ? 1 : 0,
      ...(extension === undefined ? {} : { extension }),
    };
    try {
      this.add(projectId, subscription);
    } catch (error) {
      if (error instanceof StateLimitError) return { error: error.code, status: 403, reason: error.message, where: ['path', 'topic_urn'] };
      throw error;
    }
    if (subscription.status === 0) await request.notifier.confirmation(projectId, subscription);
    return { urn: subscription.subscription_urn, created: true };
  }

  /**
   * Why SMN would not subscribe this endpoint, as its documented error: an http(s)
   * endpoint that is not a URL of its protocol (SMN.0012, the field's error), or one on
   * an internal address (403 SMN.0069, the contract's `x-private-endpoints`: "internal
   * addresses, including but not limited to IPv4 private addresses, IPv6 local addresses
   * and loopback addresses, are not supported"). The emulator takes loopback (a kit
   * choice: the receiver under test runs on the developer's machine) and any host it may
   * deliver to (--allow-hosts names it).
   */
  private refusedEndpoint({ responses, notifier }: OperationRequest, one: SubscriptionToAdd): Extract<Answer, { error: string }> | undefined {
    // Any public host may be subscribed (a real account's may be anywhere); where notifications may go is decided when they are sent.
    const malformed = refusedEndpoint(one.protocol, one.endpoint, 'any');
    if (malformed) return { error: fieldError(responses.componentSchema('SubscriptionToAdd'), ['endpoint'])!, reason: malformed, where: ['body', 'endpoint'] };
    if (one.protocol !== 'http' && one.protocol !== 'https') return undefined;
    const host = new URL(one.endpoint).hostname;
    const kind = internalAddress(host);
    if (kind === undefined || kind === 'loopback' || notifier.delivers(one.protocol, one.endpoint)) return undefined;
    const { error } = responses.componentSchema('SubscriptionEndpoint')['x-private-endpoints'] as { error: string };
    return { error, status: 403, reason: `${host} is a ${kind} address: SMN subscribes endpoints reachable from the internet (the emulator also takes loopback, and the hosts --allow-hosts names)`, where: ['body', 'endpoint'] };
  }
}

/** A seed subscription as the project's own: its id as the owner and in the topic and subscription URNs. */
function ownedBy(projectId: string): (subscription: Subscription) => Subscription {
  const id = urnProjectId(projectId);
  // urn:smn:<region>:<project>...: the project part replaced (by hand: a regex replace per URN showed in the mock's profile).
  const rewrite = (urn: string): string => {
    const regionEnd = urn.startsWith('urn:smn:') ? urn.indexOf(':', 8) : -1;
    if (regionEnd <= 8 || regionEnd + 1 >= urn.length || urn[regionEnd + 1] === ':') return urn;
    const projectEnd = urn.indexOf(':', regionEnd + 1);
    return `${urn.slice(0, regionEnd + 1)}${id}${projectEnd === -1 ? '' : urn.slice(projectEnd)}`;
  };
  return (subscription) => ({ ...subscription, owner: id, topic_urn: rewrite(subscription.topic_urn), subscription_urn: rewrite(subscription.subscription_urn) });
}

const listShape: Shaper = (operation, body, query) =>
  Array.isArray(body.subscriptions) ? shapeList(operation, query, body, 'subscriptions', 'subscription_count', subscriptionFilter(query)) : body;

export const subscriptions = {
  create: (core, families, { seed }) => new Subscriptions(core, seed, families),
  limits: SUBSCRIPTION_LIMITS,
  shapes: { ListSubscriptions: listShape, ListSubscriptionsByTopic: listShape },
} satisfies FamilyModule<Subscriptions, { topics: KnownTopics; filterPolicies: ListedPolicies }>;
