// A subscription's custom headers (`extension.header` of AddSubscription): SMN sends them
// with every message to an http(s) subscription once it is confirmed (Notification,
// UnsubscribeConfirmation), never with the SubscriptionConfirmation. The emulator keeps
// them in the subscription's `extension`, as AddSubscription gave them.
//
// The vendor's rule, the same in both editions (Open Telekom Cloud api-ref "Adding a
// Subscription", Huawei Cloud SDK model SubscriptionExtension): at most 10 headers, a
// name that starts with `x-` and not `x-smn`, values ASCII, names and values together
// at most 1,024 characters. The contract refuses others at AddSubscription; here the same
// rule decides what goes on the wire, for subscriptions that came another way (POST
// /_mock/subscriptions, a state file, a seed): a header that breaks it is not sent, so a
// subscription can never replace a header SMN sets (X-SMN-*, Content-Type) or one that
// frames the request (Host, Content-Length).
import type { Subscription, SubscriptionRequestExtension } from '../../generated/smn.js';

export type CustomHeaders = NonNullable<SubscriptionRequestExtension['header']>;

/** A subscription's extension as the emulator keeps it: the listed fields and the custom headers. */
export type StoredExtension = NonNullable<Subscription['extension']> & { header?: CustomHeaders };

const MOST = 10;
const TOTAL_CHARACTERS = 1024;
const NAME = /^x-(?!smn)[a-z0-9]+(?:-[a-z0-9]+)*$/i;
const VALUE = /^[\x20-\x7E]*$/;

/** The extension AddSubscription's `extension` makes: its custom headers (http(s) only) and verification flag, or undefined when neither is given. */
export function storedExtension(protocol: string, given: SubscriptionRequestExtension | undefined): StoredExtension | undefined {
  const header = (protocol === 'http' || protocol === 'https') && given?.header && Object.keys(given.header).length > 0 ? { ...given.header } : undefined;
  const verification = given?.verification_code_enabled;
  if (header === undefined && verification === undefined) return undefined;
  return { ...(verification === undefined ? {} : { verification_code_enabled: verification }), ...(header ? { header } : {}) };
}

/** The subscription as ListSubscriptions shows it: without its custom headers, which the vendor's listing does not carry (their values are often a shared secret). */
export function listedSubscription(subscription: Subscription): Subscription {
  const extension: StoredExtension | undefined = subscription.extension;
  if (extension?.header === undefined) return subscription;
  const { header: _header, ...rest } = extension;
  const { extension: _extension, ...listed } = subscription;
  return Object.keys(rest).length > 0 ? { ...listed, extension: rest } : listed;
}

/** The custom headers that go with a message to this subscription, in the order given, as far as the vendor's rule allows. */
export function customHeaders(subscription: Subscription): Record<string, string> {
  const extension: StoredExtension | undefined = subscription.extension;
  return allowedHeaders(extension?.header);
}

/** The headers of an `extension.header` (a subscription's, a probe's) that may be sent, in the order given, as far as the vendor's rule allows. */
export function allowedHeaders(given: unknown): Record<string, string> {
  const sent: Record<string, string> = {};
  if (!given || typeof given !== 'object') return sent;
  const names = new Set<string>();
  let total = 0;
  for (const [name, value] of Object.entries(given as Record<string, unknown>)) {
    if (names.size === MOST) break;
    if (typeof value !== 'string' || !NAME.test(name) || !VALUE.test(value) || names.has(name.toLowerCase())) continue;
    if (total + name.length + value.length > TOTAL_CHARACTERS) continue;
    total += name.length + value.length;
    names.add(name.toLowerCase());
    sent[name] = value;
  }
  return sent;
}
