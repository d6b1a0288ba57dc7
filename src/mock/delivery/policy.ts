// Where the emulator may send notifications. By default only to this machine: a mock
// that POSTs wherever a subscription points is a port scanner and a request forger for
// anyone who can add a subscription. Other hosts are allowed only by the user, by name
// or all at once (`--allow-hosts`). A mock that listens beyond loopback and checks no
// credential delivers only where the user named, loopback included: anyone on the
// network could otherwise make it POST to this machine's own ports and tell open ones
// from closed by the time taken.
import { internalAddress } from '../../net/addresses.js';

/**
 * `loopback`: this machine only; `any`: every host; a list: those hosts and loopback;
 * `none`: nowhere (an exposed mock anyone may use, given no --allow-hosts); `{ only }`:
 * those hosts and no other, loopback included (the same mock, given --allow-hosts).
 */
export type DeliveryPolicy = 'loopback' | 'any' | 'none' | string[] | { only: string[] };

/** What `none` answers a delivery: why nothing is sent, and the two ways to allow it. */
export const EXPOSED_WITHOUT_CREDENTIALS =
  'the mock listens beyond loopback and checks no credential (--auth none or presence), so it delivers nowhere, this machine included: start it with --allow-hosts (e.g. --allow-hosts 127.0.0.1) or --auth token or aksk';

/**
 * The policy in force: the user's (`given`), or loopback. A mock anyone on the network
 * may use (exposed, no credential checked) reaches loopback only where the user named it.
 */
export function deliveryPolicy(given: DeliveryPolicy | undefined, exposed: boolean, credentialsChecked: boolean): DeliveryPolicy {
  const open = exposed && !credentialsChecked;
  if (given === undefined) return open ? 'none' : 'loopback';
  return open && Array.isArray(given) ? { only: given } : given;
}

/** Whether a host name or address (as in a URL or `--host`) is this machine's loopback. */
export const isLoopbackHost = (host: string): boolean => internalAddress(host) === 'loopback';

const PROTOCOLS: Record<string, string> = { http: 'http:', https: 'https:' };

/**
 * Why the emulator will not deliver to `endpoint` of an http(s) subscription, or
 * undefined when it will: it must be an http(s) URL of the subscription's protocol, to
 * a host the policy allows.
 */
export function refusedEndpoint(protocol: string, endpoint: string, policy: DeliveryPolicy): string | undefined {
  const scheme = PROTOCOLS[protocol];
  if (!scheme) return undefined;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return `endpoint must be an ${protocol} URL`;
  }
  if (url.protocol !== scheme) return `endpoint must be an ${protocol} URL (a ${protocol} subscription), not ${url.protocol.slice(0, -1)}`;
  if (policy === 'none') return EXPOSED_WITHOUT_CREDENTIALS;
  const named = (hosts: string[]): boolean => hosts.some((host) => host.toLowerCase() === url.hostname.toLowerCase());
  if (typeof policy === 'object' && 'only' in policy) {
    if (named(policy.only)) return undefined;
    return `the mock listens beyond loopback and checks no credential, so it delivers only to the --allow-hosts named (${policy.only.join(', ')}), and ${url.hostname} is not one of them; add it to --allow-hosts, or use --auth token or aksk`;
  }
  if (policy === 'any' || isLoopbackHost(url.hostname)) return undefined;
  if (Array.isArray(policy) && named(policy)) return undefined;
  return `the mock delivers to loopback only, and ${url.hostname} is not allowed; start it with --allow-hosts ${url.hostname} (or --allow-hosts '*') to deliver there`;
}
