// The API forms of the links in SMN's messages: ConfirmSubscription and SubscribeTopic
// (the `token` of a SubscriptionConfirmation's subscribe_url, or of the link in a
// confirmation e-mail or SMS) and UnsubscribeSubscription and UnsubscribeTopic (a
// subscription URN, as the unsubscribe_url of a notification names it). Their paths
// carry no project, and they need no credentials (the vendor's pages list no request
// header for them): the token, or the URN, names the subscription. The token is the one
// the emulator's own links carry (delivery/notifier.ts), so a client that reads it out
// of the confirmation and calls the API confirms the subscription, as it would by
// following the link. This family keeps no state: it changes the subscriptions'.
import type { Subscription } from '../../../generated/smn.js';
import { tokenSubscriptionId } from '../../delivery/notifier.js';
import { Family, notFound, type Answer, type FamilyModule, type Handler, type OperationRequest } from '../family.js';

/** What this family reads and changes of the subscriptions. */
export interface LinkedSubscriptions {
  subscriptions: {
    withId(id: string): { projectId: string; subscription: Subscription }[];
    locate(subscriptionUrn: string): { projectId: string; subscription: Subscription } | undefined;
    setStatus(projectId: string, subscriptionUrn: string, status: Subscription['status']): void;
    remove(projectId: string, subscriptionUrn: string): Subscription | undefined;
  };
}

export class SubscriptionLinks extends Family {
  readonly kinds = [] as const;

  constructor(private readonly families: LinkedSubscriptions) {
    super();
  }

  override readonly handlers: Readonly<Record<string, Handler>> = {
    ConfirmSubscription: (request) => this.confirm(request),
    SubscribeTopic: (request) => this.confirm(request),
    UnsubscribeSubscription: (request) => this.unsubscribe(request),
    UnsubscribeTopic: (request) => this.unsubscribe(request),
  };

  /**
   * The subscription the token names is confirmed (status 1; one confirmed already stays
   * so). A token the emulator did not make, or one given with another topic or endpoint
   * than its subscription's, is invalid: 403 SMN.0022 ("Parameter: token is invalid.").
   */
  private confirm({ contract, operation, query, notifier }: OperationRequest): Answer {
    const token = query.get('token') ?? '';
    const invalid = (reason: string): Answer => ({ error: contract.parameterError(operation.iid, 'query', 'token')!, status: 403, reason, where: ['query', 'token'] });
    const id = tokenSubscriptionId(token);
    const named = id === undefined ? undefined : this.families.subscriptions.withId(id).find(({ projectId, subscription }) => notifier.checkToken('confirm', projectId, subscription.subscription_urn, token));
    if (!named) return invalid('the token is not one of a confirmation link the emulator sent (or its subscription is gone)');
    const { projectId, subscription } = named;
    const topicUrn = query.get('topic_urn');
    if (topicUrn !== null && topicUrn !== subscription.topic_urn) return invalid(`the token confirms a subscription of ${subscription.topic_urn}, not of ${topicUrn}`);
    const endpoint = query.get('endpoint');
    if (endpoint !== null && endpoint !== subscription.endpoint) return invalid('the token confirms a subscription of another endpoint');
    if (subscription.status !== 1 && subscription.status !== 2) this.families.subscriptions.setStatus(projectId, subscription.subscription_urn, 1);
    return { body: { request_id: '', subscription_urn: subscription.subscription_urn } };
  }

  /**
   * The subscription ends, as after CancelSubscription: an http(s) endpoint receives a
   * signed UnsubscribeConfirmation whose subscribe_url takes it back. One no project
   * has: 404 SMN.0013.
   */
  private async unsubscribe({ contract, query, notifier }: OperationRequest): Promise<Answer> {
    const urn = query.get('subscription_urn') ?? '';
    const found = this.families.subscriptions.locate(urn);
    if (!found) return { ...notFound(contract, 'subscription_urn', `no subscription ${urn} in any project`), where: ['query', 'subscription_urn'] };
    const removed = this.families.subscriptions.remove(found.projectId, urn)!;
    await notifier.unsubscribed(found.projectId, removed);
    const again = notifier.link('resubscribe', found.projectId, urn);
    return { body: { message: `You have unsubscribed from topic ${removed.topic_urn}: ${removed.endpoint} no longer receives its messages. To subscribe again, visit ${again}` } };
  }
}

export const subscriptionLinks = {
  create: (_core, families) => new SubscriptionLinks(families),
} satisfies FamilyModule<SubscriptionLinks, LinkedSubscriptions>;
