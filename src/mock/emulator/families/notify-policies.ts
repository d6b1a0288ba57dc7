// Notify policies: CreateNotifyPolicy, ShowNotifyPolicy, UpdateNotifyPolicy,
// DeleteNotifyPolicy (Huawei Cloud "Creating a Notification Policy" and the pages after
// it): the order in which a topic's voice-notification subscriptions are called, round
// after round. A topic has at most one (ShowNotifyPolicy answers one): creating one on a
// topic that has one replaces its rounds and keeps its id, as UpdateNotifyPolicy does
// (the kit's choice: the vendor says nothing of a second). Every subscription URN must be
// a subscription of the topic (404 SMN.0013 otherwise). ShowNotifyPolicy lists the rounds
// by order, each subscription with its endpoint, remark and status as they are now (one
// cancelled since is left out), and answers only the request id for a topic without one.
// An id that is not the topic's policy is 404. It goes with its topic.
import type { NotifyPolicyRequest, Subscription } from '../../../generated/smn.js';
import { Family, notFound, topicNotFound, type Answer, type FamilyCore, type FamilyModule, type Handler, type OperationRequest } from '../family.js';
import { StateLimitError } from '../limits.js';
import { projectKey } from '../projects.js';
import { newResourceId } from '../stamps.js';

/** A topic's notify policy, as set. */
export interface TopicNotifyPolicy extends NotifyPolicyRequest {
  topic_urn: string;
  id: string;
}

export type NotifyPolicyChange =
  /** Sets the topic's policy (a new one, or the rounds of the one it has). */
  | { kind: 'set-notify-policy'; project: string; policy: TopicNotifyPolicy }
  | { kind: 'delete-notify-policy'; project: string; topic_urn: string };

/** Absent when the project has none. */
export interface NotifyPoliciesPart {
  notify_policies?: TopicNotifyPolicy[];
}

export const NOTIFY_POLICY_LIMITS = {
  /** Topics with a notify policy, all projects together. */
  notifyPolicies: { max: 10_000, code: 'SMN.0001' },
} as const;

/** What this family reads of the topics and their subscriptions. */
export interface PolicyTopics {
  knows(projectId: string, topicUrn: string): boolean;
}
export interface PolicySubscriptions {
  find(projectId: string, subscriptionUrn: string): Subscription | undefined;
}

export class NotifyPolicyFamily extends Family<NotifyPolicyChange, NotifyPoliciesPart> {
  readonly kinds = ['set-notify-policy', 'delete-notify-policy'] as const;
  override readonly quotaCode = NOTIFY_POLICY_LIMITS.notifyPolicies.code;
  /** By project key, then topic URN. */
  private byProject = new Map<string, Map<string, TopicNotifyPolicy>>();
  private count = 0;

  constructor(
    private readonly core: FamilyCore<NotifyPolicyChange>,
    private readonly families: { topics: PolicyTopics; subscriptions: PolicySubscriptions },
  ) {
    super();
  }

  override admit(change: NotifyPolicyChange): void {
    const { max, code } = NOTIFY_POLICY_LIMITS.notifyPolicies;
    if (change.kind === 'set-notify-policy' && !this.of(change.project, change.policy.topic_urn) && this.count >= max) {
      throw new StateLimitError(code, `the emulator keeps the notify policies of at most ${max} topics, all projects together; delete some, or POST /_mock/reset`);
    }
  }

  override shrinks(change: NotifyPolicyChange): boolean {
    return change.kind === 'delete-notify-policy';
  }

  override apply(change: NotifyPolicyChange): void {
    const key = projectKey(change.project);
    let policies = this.byProject.get(key);
    if (!policies) this.byProject.set(key, (policies = new Map<string, TopicNotifyPolicy>()));
    if (change.kind === 'delete-notify-policy') {
      if (policies.delete(change.topic_urn)) this.count -= 1;
      return;
    }
    if (!policies.has(change.policy.topic_urn)) this.count += 1;
    policies.set(change.policy.topic_urn, change.policy);
  }

  override forgetTopic(projectId: string, topicUrn: string): void {
    if (this.byProject.get(projectKey(projectId))?.delete(topicUrn)) this.count -= 1;
  }

  override reset(): void {
    this.byProject = new Map();
    this.count = 0;
  }

  override projectPart(key: string): NotifyPoliciesPart {
    const policies = this.byProject.get(key);
    return policies?.size ? { notify_policies: [...policies.values()] } : {};
  }

  override restoreProject(key: string, part: NotifyPoliciesPart): void {
    if (!part.notify_policies) return;
    this.byProject.set(key, new Map(part.notify_policies.map((p) => [p.topic_urn, p])));
    this.count += part.notify_policies.length;
  }

  override pastLimit(): boolean {
    return this.count > NOTIFY_POLICY_LIMITS.notifyPolicies.max;
  }

  /** The topic's policy, if any. */
  of(projectId: string, topicUrn: string): TopicNotifyPolicy | undefined {
    return this.byProject.get(projectKey(projectId))?.get(topicUrn);
  }

  override readonly handlers: Readonly<Record<string, Handler>> = {
    // Huawei Cloud "Creating a Notification Policy": status code 201.
    CreateNotifyPolicy: (request) => this.set(request, 201),
    ShowNotifyPolicy: ({ contract, projectId, path }) => {
      const topicUrn = path.topic_urn!;
      if (!this.families.topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
      const policy = this.of(projectId, topicUrn);
      if (!policy) return { body: { request_id: '' } };
      const polling = [...policy.polling]
        .sort((a, b) => a.order - b.order)
        .map(({ order, subscription_urns }) => ({
          order,
          subscriptions: subscription_urns.flatMap((urn) => {
            const subscription = this.families.subscriptions.find(projectId, urn);
            return subscription ? [{ subscription_urn: urn, endpoint: subscription.endpoint, remark: subscription.remark ?? '', status: subscription.status }] : [];
          }),
        }));
      return { body: { request_id: '', id: policy.id, protocol: policy.protocol, polling } };
    },
    UpdateNotifyPolicy: (request) => {
      const { contract, projectId, path } = request;
      const topicUrn = path.topic_urn!;
      if (!this.families.topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
      if (this.of(projectId, topicUrn)?.id !== path.notify_policy_id) return notFound(contract, 'notify_policy_id', `topic ${topicUrn} has no notify policy ${path.notify_policy_id}`);
      const answer = this.set(request);
      return 'error' in answer ? answer : { body: { request_id: '' } };
    },
    DeleteNotifyPolicy: ({ contract, projectId, path }) => {
      const topicUrn = path.topic_urn!;
      if (!this.families.topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
      if (this.of(projectId, topicUrn)?.id !== path.notify_policy_id) return notFound(contract, 'notify_policy_id', `topic ${topicUrn} has no notify policy ${path.notify_policy_id}`);
      this.core.change({ kind: 'delete-notify-policy', project: projectId, topic_urn: topicUrn });
      return { body: { request_id: '' } };
    },
  };

  /** Sets the topic's policy (CreateNotifyPolicy, UpdateNotifyPolicy); answers its id. */
  private set({ contract, projectId, path, body }: OperationRequest, status = 200): Answer {
    const topicUrn = path.topic_urn!;
    if (!this.families.topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
    const { protocol, polling } = body as NotifyPolicyRequest;
    for (const [round, { subscription_urns }] of polling.entries()) {
      for (const [index, urn] of subscription_urns.entries()) {
        if (this.families.subscriptions.find(projectId, urn)?.topic_urn !== topicUrn) {
          return { error: 'SMN.0013', status: 404, reason: `${urn} is not a subscription of topic ${topicUrn}`, where: ['body', 'polling', String(round), 'subscription_urns', String(index)] };
        }
      }
    }
    const id = this.of(projectId, topicUrn)?.id ?? newResourceId();
    const policy: TopicNotifyPolicy = { topic_urn: topicUrn, id, protocol, polling: polling.map(({ order, subscription_urns }) => ({ order, subscription_urns: [...subscription_urns] })) };
    this.core.change({ kind: 'set-notify-policy', project: projectId, policy });
    return { status, body: { request_id: '', id } };
  }
}

export const notifyPolicies = {
  create: (core, families) => new NotifyPolicyFamily(core, families),
  limits: NOTIFY_POLICY_LIMITS,
} satisfies FamilyModule<NotifyPolicyFamily, { topics: PolicyTopics; subscriptions: PolicySubscriptions }>;
