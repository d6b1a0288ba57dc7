// Subscription users: the account's "subscription user list" (Huawei Cloud; kept in the
// console, or with a global API the SDK does not have), each a protocol and an endpoint,
// and AddSubscriptionFromSubscriptionUser, which subscribes the users named by id to a
// topic ("Importing Subscriptions"). The emulator's list is per project, filled with
// POST /_mock/subscription-users (admin/subscription-users.ts): a project starts with none.
import type { AddSubscriptionFromSubscriptionUserRequest, SubscriptionToAdd } from '../../../generated/smn.js';
import { newRequestId } from '../../engine/reply.js';
import { Family, topicNotFound, type Answer, type FamilyCore, type FamilyModule, type Handler, type OperationRequest } from '../family.js';
import { StateLimitError } from '../limits.js';
import { projectKey } from '../projects.js';

/** A subscription user: who AddSubscriptionFromSubscriptionUser subscribes, by its id. */
export interface SubscriptionUser {
  id: string;
  /** A name for people; the subscriptions made from the user do not carry it. */
  name: string;
  protocol: SubscriptionToAdd['protocol'];
  endpoint: string;
}

export type SubscriptionUserChange = { kind: 'subscription-user'; project: string; user: SubscriptionUser };

/** Absent when none. */
export interface SubscriptionUsersPart {
  subscription_users?: SubscriptionUser[];
}

export const SUBSCRIPTION_USER_LIMITS = {
  /** The kit's bound (the vendor documents none): subscription users, all projects together; past it SMN.0159 ("The number of endpoints has reached the maximum allowed"). */
  subscriptionUsers: { max: 1000, code: 'SMN.0159' },
} as const;

/** The answer to an id the account has no subscription user for: in its item of the results, as the response model allows. */
export const UNKNOWN_USER = { http_code: 404, error_code: 'SMN.0013' } as const;

/** What this family reads of the others: whether the topic exists, and how one endpoint is subscribed (as AddSubscription does it). */
export interface SubscriptionUserReads {
  topics: { knows(projectId: string, topicUrn: string): boolean };
  subscriptions: {
    subscribe(request: OperationRequest, topicUrn: string, one: SubscriptionToAdd): Promise<{ urn: string; created: boolean } | { error: string; status?: number; reason: string }>;
  };
}

export class SubscriptionUsers extends Family<SubscriptionUserChange, SubscriptionUsersPart> {
  readonly kinds = ['subscription-user'] as const;
  override readonly quotaCode = SUBSCRIPTION_USER_LIMITS.subscriptionUsers.code;
  /** By project key, in the order they were added. */
  private byProject = new Map<string, SubscriptionUser[]>();
  private count = 0;

  constructor(
    private readonly core: FamilyCore<SubscriptionUserChange>,
    private readonly families: SubscriptionUserReads,
  ) {
    super();
  }

  override admit(change: SubscriptionUserChange): void {
    const { max, code } = SUBSCRIPTION_USER_LIMITS.subscriptionUsers;
    if (!this.find(change.project, change.user.id) && this.count >= max) throw new StateLimitError(code, `the emulator keeps at most ${max} subscription users, all projects together`);
  }

  override apply(change: SubscriptionUserChange): void {
    const key = projectKey(change.project);
    let users = this.byProject.get(key);
    if (!users) this.byProject.set(key, (users = []));
    const at = users.findIndex((u) => u.id === change.user.id);
    if (at === -1) {
      users.push(change.user);
      this.count += 1;
    } else {
      users[at] = change.user;
    }
  }

  override reset(): void {
    this.byProject = new Map();
    this.count = 0;
  }

  override projectPart(key: string): SubscriptionUsersPart {
    const users = this.byProject.get(key);
    return users?.length ? { subscription_users: users } : {};
  }

  override restoreProject(key: string, part: SubscriptionUsersPart): void {
    if (!part.subscription_users) return;
    this.byProject.set(key, part.subscription_users);
    this.count += part.subscription_users.length;
  }

  override pastLimit(): boolean {
    return this.count > SUBSCRIPTION_USER_LIMITS.subscriptionUsers.max;
  }

  /** Adds a subscription user, or replaces the project's one of that id. */
  add(projectId: string, user: SubscriptionUser): void {
    this.core.change({ kind: 'subscription-user', project: projectId, user });
  }

  find(projectId: string, id: string): SubscriptionUser | undefined {
    return this.byProject.get(projectKey(projectId))?.find((u) => u.id === id);
  }

  override readonly handlers: Readonly<Record<string, Handler>> = {
    AddSubscriptionFromSubscriptionUser: (request) => this.subscribeUsers(request),
  };

  /**
   * Each user named in `ids` subscribed to the topic as AddSubscription subscribes an
   * endpoint (201 added, 200 the topic has it already, a confirmation sent where the
   * protocol needs one), one result per id in the order given; an id the project has no
   * user for, or a subscription SMN refuses, is an error in its own result (`http_code`,
   * `error_code`, `error_msg`), the others go on.
   */
  private async subscribeUsers(request: OperationRequest): Promise<Answer> {
    const { contract, projectId, path, body } = request;
    const topicUrn = path.topic_urn!;
    if (!this.families.topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
    const results: Record<string, unknown>[] = [];
    for (const id of (body as AddSubscriptionFromSubscriptionUserRequest).ids) {
      const user = this.find(projectId, id);
      if (!user) {
        results.push({ ...UNKNOWN_USER, request_id: newRequestId(), error_msg: `no subscription user ${id} in the account (add one with POST /_mock/subscription-users)` });
        continue;
      }
      const added = await this.families.subscriptions.subscribe(request, topicUrn, { protocol: user.protocol, endpoint: user.endpoint });
      if ('error' in added) {
        const documented = contract.errors.get(added.error);
        const message = (documented?.body as { message?: string } | undefined)?.message;
        results.push({ http_code: documented?.status ?? added.status ?? 400, request_id: newRequestId(), error_code: added.error, error_msg: message ? `${message} (${added.reason})` : added.reason });
      } else {
        results.push({ http_code: added.created ? 201 : 200, request_id: newRequestId(), subscription_urn: added.urn });
      }
    }
    return { body: { subscriptions_result: results } };
  }
}

export const subscriptionUsers = {
  create: (core, families) => new SubscriptionUsers(core, families),
  limits: SUBSCRIPTION_USER_LIMITS,
} satisfies FamilyModule<SubscriptionUsers, SubscriptionUserReads>;
