// Subscriptions: ListSubscriptions, AddSubscription, ListSubscriptionsByTopic,
// CancelSubscription, and what /_mock/subscriptions, the confirmation links and the
// deletion of a topic do to them. A project's subscriptions are the shared seed until
// they first change, then its own list (oldest first, as ListSubscriptions lists them);
// reading a project creates nothing. The seed belongs to whoever asks: each project sees
// it with its own project id as the owner and in the URNs, never another project's.
import { randomBytes } from 'node:crypto';
import { fieldError } from '../../../contract/body-fields.js';
import { subscriptionFilter } from '../../../contract/subscription-filters.js';
import type { AddSubscriptionRequest, FilterPolicy, Subscription } from '../../../generated/smn.js';
import { listedSubscription, storedExtension } from '../../delivery/headers.js';
import { refusedEndpoint } from '../../delivery/policy.js';
import { pageOf, shapeList, type Shaper } from '../../engine/examples.js';
import { Family, notFound, topicNotFound, type Answer, type FamilyCore, type FamilyModule, type Handler, type OperationRequest } from '../family.js';
import { StateLimitError } from '../limits.js';
import { projectKey, urnProjectId } from '../projects.js';

export type SubscriptionChange =
  | { kind: 'subscribe'; project: string; subscription: Subscription }
  | { kind: 'status'; project: string; subscription_urn: string; status: Subscription['status'] }
  | { kind: 'unsubscribe'; project: string; subscription_urn: string };

/** Absent while the project still has the seed's. */
export interface SubscriptionsPart {
  subscriptions?: Subscription[];
}

export const SUBSCRIPTION_LIMITS = {
  /** Subscriptions of the projects whose subscriptions changed, all projects together. */
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

/** The protocols whose endpoint confirms a subscription; others (functions, robots) have nobody to confirm, so start confirmed. */
const CONFIRMING = new Set(['http', 'https', 'email', 'sms', 'callnotify']);

export class Subscriptions extends Family<SubscriptionChange, SubscriptionsPart> {
  readonly kinds = ['subscribe', 'status', 'unsubscribe'] as const;
  override readonly quotaCode = SUBSCRIPTION_LIMITS.subscriptions.code;
  /** By project key: the projects whose subscriptions changed. */
  private own = new Map<string, Subscription[]>();
  /** Subscriptions held in projects' own lists, all projects together. */
  private count = 0;

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
  }

  override shrinks(change: SubscriptionChange): boolean {
    return change.kind === 'unsubscribe';
  }

  override apply(change: SubscriptionChange): void {
    const list = this.ownList(change.project);
    switch (change.kind) {
      case 'subscribe':
        list.push(change.subscription);
        this.count += 1;
        return;
      case 'status': {
        const subscription = list.find((s) => s.subscription_urn === change.subscription_urn);
        if (subscription) subscription.status = change.status;
        return;
      }
      case 'unsubscribe': {
        const at = list.findIndex((s) => s.subscription_urn === change.subscription_urn);
        if (at !== -1) {
          list.splice(at, 1);
          this.count -= 1;
          this.core.subscriptionDeleted(change.project, change.subscription_urn);
        }
        return;
      }
    }
  }

  override reset(): void {
    this.own = new Map();
    this.count = 0;
  }

  override projectPart(key: string): SubscriptionsPart {
    const own = this.own.get(key);
    return own ? { subscriptions: own } : {};
  }

  override restoreProject(key: string, part: SubscriptionsPart): void {
    if (!part.subscriptions) return;
    this.own.set(key, part.subscriptions);
    this.count += part.subscriptions.length;
  }

  override pastLimit(): boolean {
    return this.count > SUBSCRIPTION_LIMITS.subscriptions.max;
  }

  /** The project's own list of subscriptions, made from the seed at its first change. */
  private ownList(projectId: string): Subscription[] {
    const key = projectKey(projectId);
    let list = this.own.get(key);
    if (!list) {
      this.own.set(key, (list = this.seed.map(ownedBy(projectId))));
      this.count += this.seed.length;
    }
    return list;
  }

  /** The project's subscriptions, the seed made its own when they never changed. */
  all(projectId: string): readonly Subscription[] {
    return this.own.get(projectKey(projectId)) ?? this.seed.map(ownedBy(projectId));
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
    this.own.set(projectKey(projectId), kept);
    this.count -= list.length - kept.length;
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
    CancelSubscription: async ({ contract, projectId, path, notifier }) => {
      const urn = path.subscription_urn!;
      const removed = this.remove(projectId, urn);
      if (!removed) return notFound(contract, 'subscription_urn', `no subscription ${urn} in project ${projectId}`);
      await notifier.unsubscribed(projectId, removed);
      return { body: { request_id: '' } };
    },
  };

  /**
   * AddSubscription: the subscription (and, with Open Telekom Cloud's `subscriptions`, the
   * others) added unconfirmed, a confirmation sent to each; one the topic has already
   * (same protocol and endpoint) is answered with 200 and its URN, as SMN's idempotent
   * operation does.
   */
  private async addSubscriptions(request: OperationRequest, body: AddSubscriptionRequest): Promise<Answer> {
    const { contract, projectId } = request;
    const topicUrn = request.path.topic_urn!;
    if (!this.families.topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
    const all = [body, ...(body.subscriptions ?? [])];
    for (const one of all) {
      // Any host may be subscribed (a real account's may be anywhere); where notifications may go is decided when they are sent.
      const refused = refusedEndpoint(one.protocol, one.endpoint, 'any');
      if (refused) return { error: fieldError(request.responses.componentSchema('SubscriptionToAdd'), ['endpoint'])!, reason: refused, where: ['body', 'endpoint'] };
    }
    let first: { urn: string; created: boolean } | undefined;
    for (const one of all) {
      const existing = this.all(projectId).find((s) => s.topic_urn === topicUrn && s.protocol === one.protocol && s.endpoint === one.endpoint);
      if (existing) {
        first ??= { urn: existing.subscription_urn, created: false };
        continue;
      }
      const confirming = CONFIRMING.has(one.protocol) && !request.autoConfirm;
      // Its custom headers (extension.header) are kept for the messages it will receive.
      const extension = storedExtension(one.protocol, one.extension);
      const subscription: Subscription = {
        topic_urn: topicUrn,
        protocol: one.protocol,
        subscription_urn: `${topicUrn}:${randomBytes(16).toString('hex')}`,
        owner: urnProjectId(projectId),
        endpoint: one.endpoint,
        remark: one.remark ?? '',
        status: confirming ? 0 : 1,
        ...(extension === undefined ? {} : { extension }),
      };
      this.add(projectId, subscription);
      first ??= { urn: subscription.subscription_urn, created: true };
      if (confirming) await request.notifier.confirmation(projectId, subscription);
    }
    return { status: first!.created ? 201 : 200, body: { request_id: '', subscription_urn: first!.urn } };
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
