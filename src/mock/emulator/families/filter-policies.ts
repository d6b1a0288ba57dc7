// Subscription filter policies (Huawei Cloud): BatchCreateSubscriptionsFilterPolices,
// BatchUpdateSubscriptionsFilterPolices, BatchDeleteSubscriptionsFilterPolices. Each
// subscription's policies are kept here, by project and subscription URN; the
// subscriptions family lists them in its items (`filter_polices`, through `policiesOf`),
// and a publication's `message_attributes` are matched against them (message-filter.ts,
// read by publish.ts). Policies go with their subscription: a deleted topic
// (forgetTopic) or a removed subscription (forgetSubscription) takes them along.
import type { DeleteSubscriptionsFilterPolicesRequest, FilterPolicy, Subscription, SubscriptionsFilterPolicesRequest } from '../../../generated/smn.js';
import { Family, type Answer, type FamilyCore, type FamilyModule, type Handler, type OperationRequest } from '../family.js';
import { StateLimitError } from '../limits.js';
import { projectKey } from '../projects.js';

/** The filter policies of one subscription, with its topic (so that a deleted topic takes them along). */
export interface SubscriptionPolicies {
  subscription_urn: string;
  topic_urn: string;
  filter_polices: FilterPolicy[];
}

export type FilterPolicyChange =
  /** Gives each subscription these policies, in place of any it had. */
  | { kind: 'set-filter-polices'; project: string; items: SubscriptionPolicies[] }
  | { kind: 'delete-filter-polices'; project: string; subscription_urns: string[] };

/** Absent when none. */
export interface FilterPoliciesPart {
  subscription_filter_polices?: SubscriptionPolicies[];
}

export const FILTER_POLICY_LIMITS = {
  /**
   * Subscriptions with filter policies, all projects together (at most 5 policies each):
   * as many as the emulator keeps subscriptions. SMN documents no quota of its own.
   */
  subscriptionsWithPolicies: { max: 100_000, code: 'SMN.0007' },
} as const;

/** What this family reads of the subscriptions. */
export interface PolicedSubscriptions {
  find(projectId: string, subscriptionUrn: string): Subscription | undefined;
}

/** One item of the batch operations' answers (SDK model BatchResult). */
interface BatchResult {
  subscription_urn: string;
  code: string;
  message: string;
}

const DONE = { code: '200', message: 'success' };

export class FilterPolicies extends Family<FilterPolicyChange, FilterPoliciesPart> {
  readonly kinds = ['set-filter-polices', 'delete-filter-polices'] as const;
  override readonly quotaCode = FILTER_POLICY_LIMITS.subscriptionsWithPolicies.code;
  /** By project key, then subscription URN. */
  private byProject = new Map<string, Map<string, SubscriptionPolicies>>();
  private count = 0;

  constructor(
    private readonly core: FamilyCore<FilterPolicyChange>,
    private readonly families: { subscriptions: PolicedSubscriptions },
  ) {
    super();
  }

  override admit(change: FilterPolicyChange): void {
    if (change.kind !== 'set-filter-polices') return;
    const kept = this.byProject.get(projectKey(change.project));
    const adding = new Set(change.items.map((item) => item.subscription_urn).filter((urn) => !kept?.has(urn))).size;
    const { max, code } = FILTER_POLICY_LIMITS.subscriptionsWithPolicies;
    if (this.count + adding > max) throw new StateLimitError(code, `the emulator keeps the filter policies of at most ${max} subscriptions, all projects together; POST /_mock/reset to start again`);
  }

  override shrinks(change: FilterPolicyChange): boolean {
    return change.kind === 'delete-filter-polices';
  }

  override apply(change: FilterPolicyChange): void {
    const key = projectKey(change.project);
    let kept = this.byProject.get(key);
    if (change.kind === 'set-filter-polices') {
      if (!kept) this.byProject.set(key, (kept = new Map<string, SubscriptionPolicies>()));
      for (const item of change.items) {
        if (!kept.has(item.subscription_urn)) this.count += 1;
        kept.set(item.subscription_urn, item);
      }
      return;
    }
    for (const urn of change.subscription_urns) this.drop(key, urn);
  }

  private drop(key: string, subscriptionUrn: string): void {
    const kept = this.byProject.get(key);
    if (kept?.delete(subscriptionUrn)) {
      this.count -= 1;
      if (kept.size === 0) this.byProject.delete(key);
    }
  }

  override reset(): void {
    this.byProject = new Map();
    this.count = 0;
  }

  /** Part of applying a topic's deletion: the policies of its subscriptions go with them. */
  override forgetTopic(projectId: string, topicUrn: string): void {
    const key = projectKey(projectId);
    for (const item of [...(this.byProject.get(key)?.values() ?? [])]) if (item.topic_urn === topicUrn) this.drop(key, item.subscription_urn);
  }

  /** Part of applying a subscription's removal: its policies go with it. */
  override forgetSubscription(projectId: string, subscriptionUrn: string): void {
    this.drop(projectKey(projectId), subscriptionUrn);
  }

  override projectPart(key: string): FilterPoliciesPart {
    const kept = this.byProject.get(key);
    return kept?.size ? { subscription_filter_polices: [...kept.values()] } : {};
  }

  override restoreProject(key: string, part: FilterPoliciesPart): void {
    if (!part.subscription_filter_polices?.length) return;
    const kept = new Map(part.subscription_filter_polices.map((item) => [item.subscription_urn, item]));
    this.byProject.set(key, kept);
    this.count += kept.size;
  }

  override pastLimit(): boolean {
    return this.count > FILTER_POLICY_LIMITS.subscriptionsWithPolicies.max;
  }

  /** The subscription's filter policies, or undefined when it has none. */
  policiesOf(projectId: string, subscriptionUrn: string): FilterPolicy[] | undefined {
    return this.byProject.get(projectKey(projectId))?.get(subscriptionUrn)?.filter_polices;
  }

  override readonly handlers: Readonly<Record<string, Handler>> = {
    BatchCreateSubscriptionsFilterPolices: (request) => this.set(request),
    BatchUpdateSubscriptionsFilterPolices: (request) => this.set(request),
    BatchDeleteSubscriptionsFilterPolices: ({ contract, projectId, body }) => {
      const { subscription_urns: urns } = body as DeleteSubscriptionsFilterPolicesRequest;
      const results = urns.map((urn) => this.known(contract, projectId, urn) ?? { subscription_urn: urn, ...DONE });
      const dropped = urns.filter((urn) => this.policiesOf(projectId, urn) !== undefined);
      if (dropped.length > 0) this.core.change({ kind: 'delete-filter-polices', project: projectId, subscription_urns: dropped });
      return { body: { request_id: '', batch_result: results } };
    },
  };

  /**
   * BatchCreate and BatchUpdate: each subscription the project has gets its policies (in
   * place of any it had), in one change; each it does not have is answered in its item.
   */
  private set({ contract, operation, projectId, body }: OperationRequest): Answer {
    const { polices } = body as SubscriptionsFilterPolicesRequest;
    for (const [index, item] of polices.entries()) {
      const names = item.filter_polices.map((policy) => policy.name);
      const twice = names.find((name, at) => names.indexOf(name) !== at);
      // "The policy name must be unique": a body the contract cannot say wrong in its schema.
      if (twice !== undefined) return { error: contract.bodyErrors.get(operation.iid ?? '') ?? contract.bodyError, reason: `the filter policies of ${item.subscription_urn} name ${twice} twice`, where: ['body', 'polices', String(index), 'filter_polices'] };
    }
    const results: BatchResult[] = [];
    const items: SubscriptionPolicies[] = [];
    for (const item of polices) {
      const missing = this.known(contract, projectId, item.subscription_urn);
      if (missing) {
        results.push(missing);
        continue;
      }
      const subscription = this.families.subscriptions.find(projectId, item.subscription_urn)!;
      items.push({ subscription_urn: item.subscription_urn, topic_urn: subscription.topic_urn, filter_polices: item.filter_polices.map(({ name, string_equals }) => ({ name, string_equals: [...string_equals] })) });
      results.push({ subscription_urn: item.subscription_urn, ...DONE });
    }
    if (items.length > 0) this.core.change({ kind: 'set-filter-polices', project: projectId, items });
    return { body: { request_id: '', batch_result: results } };
  }

  /** The item's answer when the project has no such subscription (the code and message of `x-not-found`), else undefined. */
  private known(contract: OperationRequest['contract'], projectId: string, subscriptionUrn: string): BatchResult | undefined {
    if (this.families.subscriptions.find(projectId, subscriptionUrn)) return undefined;
    const code = contract.notFoundErrors.get('subscription_urn')!;
    const documented = contract.errors.get(code)?.body as { message?: string } | undefined;
    return { subscription_urn: subscriptionUrn, code, message: documented?.message ?? code };
  }
}

export const filterPolicies = {
  create: (core, families) => new FilterPolicies(core, families),
  limits: FILTER_POLICY_LIMITS,
} satisfies FamilyModule<FilterPolicies, { subscriptions: PolicedSubscriptions }>;
