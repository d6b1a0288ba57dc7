// What the links in the emulator's notifications lead to, under /smn/ on the mock's own
// base URL, as SMN serves them on its hosts: the signing certificate
// (`signing_cert_url`), the confirmation of a subscription (`subscribe_url` of a
// SubscriptionConfirmation), its end (`unsubscribe_url` of a Notification) and its
// return (`subscribe_url` of an UnsubscribeConfirmation). The links carry their own
// token (notifier.ts), so they need no credentials, as SMN's do not. Only GET acts: a
// HEAD (a link checker, a mail client's preview) gets the answer GET would get, and
// changes nothing.
import type { Subscription } from '../../generated/smn.js';
import type { Notifier } from './notifier.js';
import type { RequestTarget } from '../engine/request.js';

/** What the links do to the emulator's subscriptions (EmulatorState has it). */
export interface LinkedSubscriptions {
  findSubscription(projectId: string, subscriptionUrn: string): Subscription | undefined;
  setSubscriptionStatus(projectId: string, subscriptionUrn: string, status: Subscription['status']): void;
  removeSubscription(projectId: string, subscriptionUrn: string): Subscription | undefined;
  addSubscription(projectId: string, subscription: Subscription): Subscription;
}

export const LINKS_PREFIX = '/smn/';

export interface LinkReply {
  status: number;
  body?: unknown;
  /** A body that is not JSON (the certificate). */
  raw?: { contentType: string; text: string };
}

export class LinkHandler {
  constructor(
    private readonly state: LinkedSubscriptions,
    private readonly notifier: Notifier,
    private readonly certificatePem: () => string,
  ) {}

  async handle(method: string, target: RequestTarget): Promise<LinkReply | undefined> {
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    if (target.pathname === this.notifier.certificatePath()) {
      return { status: 200, raw: { contentType: 'application/octet-stream', text: this.certificatePem() } };
    }
    const action = ({ '/smn/subscription/confirm': 'confirm', '/smn/subscription/unsubscribe': 'unsubscribe', '/smn/subscription/resubscribe': 'resubscribe' } as const)[target.pathname];
    if (!action) return undefined;
    const projectId = target.query.get('project_id') ?? '';
    const urn = target.query.get('subscription_urn') ?? '';
    if (!this.notifier.checkToken(action, projectId, urn, target.query.get('token') ?? '')) {
      return { status: 403, body: { error: 'this link is not one the emulator made (its token does not match)' } };
    }
    const acts = method === 'GET';
    if (action === 'resubscribe') {
      const present = this.state.findSubscription(projectId, urn);
      if (present) return { status: 200, body: { subscription_urn: urn, status: present.status, message: 'already subscribed' } };
      const subscription = acts ? this.notifier.takeRemoved(projectId, urn) : this.notifier.removedOne(projectId, urn);
      if (!subscription) return { status: 404, body: { error: `the emulator no longer remembers ${urn}; add the subscription again` } };
      if (acts) this.state.addSubscription(projectId, { ...subscription, status: 1 });
      return { status: 200, body: { subscription_urn: urn, status: 1, message: 'subscribed again' } };
    }
    const subscription = this.state.findSubscription(projectId, urn);
    if (!subscription) return { status: 404, body: { error: `no subscription ${urn} in project ${projectId}` } };
    if (action === 'confirm') {
      if (acts && subscription.status !== 1) this.state.setSubscriptionStatus(projectId, urn, 1);
      return { status: 200, body: { subscription_urn: urn, status: 1, message: 'subscription confirmed' } };
    }
    if (!acts) return { status: 200, body: { subscription_urn: urn, message: 'unsubscribed' } };
    const removed = this.state.removeSubscription(projectId, urn)!;
    const confirmation = await this.notifier.unsubscribed(projectId, removed);
    return { status: 200, body: { subscription_urn: urn, message: 'unsubscribed', ...(confirmation ? { unsubscribe_confirmation: confirmation } : {}) } };
  }
}
