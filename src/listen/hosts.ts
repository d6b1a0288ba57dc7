// The hosts `listen` trusts as SMN: it fetches signing certificates only from them, and
// `--confirm` visits subscribe_url only on them. Anyone can sign a notification with a
// certificate of their own and point signing_cert_url at it, so the host, not the
// certificate, is what a receiver checks (the vendor's guide says so). The vendor's
// hosts are reached over https only, as SMN serves them; loopback (the emulator) and
// hosts the user names over http or https.

/**
 * The vendor's hosts: SMN's regional endpoints, which serve the signing certificates
 * (`https://smn.<region>.myhuaweicloud.com/smn/SMN_<region>_<32 hex>.pem`), and the
 * consoles the guides' subscribe_url and unsubscribe_url point to. Huawei Cloud, its
 * European site, and Open Telekom Cloud. `*` is one DNS label (a region).
 */
export const VENDOR_SMN_HOSTS: readonly string[] = [
  'smn.*.myhuaweicloud.com',
  'smn.*.myhuaweicloud.eu',
  'console.huaweicloud.com',
  'console-intl.huaweicloud.com',
  'smn.*.otc.t-systems.com',
  'console.otc.t-systems.com',
];

/** This machine: where the emulator (`smn-kit mock`) serves its certificate and links. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1'];

/** Names that stand for a group of hosts in --smn-cert-host. */
export const HOST_GROUPS: Readonly<Record<string, readonly string[]>> = { vendor: VENDOR_SMN_HOSTS, loopback: LOOPBACK_HOSTS };

export const DEFAULT_SMN_HOSTS = 'vendor,loopback';
/** The value that allows no host: nothing is fetched or visited. */
export const NO_SMN_HOSTS = 'none';

interface HostRule {
  labels: string[];
  /** Plain http is accepted (loopback, hosts the user named); the vendor's hosts are https only. */
  http: boolean;
}

export interface SmnHosts {
  /** Undefined when `url` may be requested; otherwise why not, in words. */
  refusal(url: unknown): string | undefined;
  /** Whether no host at all is allowed (`none`). */
  readonly none: boolean;
  /** How the list was given, for the start line. */
  readonly text: string;
}

/** A list of hosts that cannot be read (its message names the bad entry). */
export class SmnHostsError extends Error {
  override readonly name = 'SmnHostsError';
  readonly code = 'invalid-hosts';
}

const HOSTNAME = /^(?:\*|[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.(?:\*|[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?))*$/;
const IPV6 = /^[0-9a-f:.]+$/;

function ruleOf(entry: string, http: boolean): HostRule {
  const host = entry.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (host.includes(':')) {
    if (!IPV6.test(host)) throw new SmnHostsError(`"${entry}" is not a host name, an IP address or a group (${Object.keys(HOST_GROUPS).join(', ')})`);
    return { labels: [host], http };
  }
  if (!HOSTNAME.test(host)) throw new SmnHostsError(`"${entry}" is not a host name (such as smn.example.com or smn.*.example.com), an IP address or a group (${Object.keys(HOST_GROUPS).join(', ')})`);
  return { labels: host.split('.'), http };
}

const matches = (rule: HostRule, labels: string[]): boolean => rule.labels.length === labels.length && rule.labels.every((label, i) => label === '*' || label === labels[i]);

/**
 * Reads a comma-separated list of hosts (`smn.example.com`, `smn.*.example.com` where
 * `*` is one label, an IP address) and groups (`vendor`, `loopback`), or `none`.
 * Throws an SmnHostsError naming a bad entry.
 */
export function parseSmnHosts(text: string = DEFAULT_SMN_HOSTS): SmnHosts {
  const entries = text.split(',').map((entry) => entry.trim()).filter(Boolean);
  if (entries.length === 0) throw new SmnHostsError(`give hosts, groups (${Object.keys(HOST_GROUPS).join(', ')}) or ${NO_SMN_HOSTS}`);
  const none = entries.length === 1 && entries[0] === NO_SMN_HOSTS;
  const rules: HostRule[] = [];
  if (!none) {
    for (const entry of entries) {
      if (entry === NO_SMN_HOSTS) throw new SmnHostsError(`${NO_SMN_HOSTS} stands alone: it allows no host`);
      const group = HOST_GROUPS[entry];
      if (group) rules.push(...group.map((host) => ruleOf(host, entry !== 'vendor')));
      else rules.push(ruleOf(entry, true));
    }
  }
  return {
    none,
    text: entries.join(','),
    refusal(url) {
      if (none) return `no host is allowed (--smn-cert-host ${NO_SMN_HOSTS})`;
      if (typeof url !== 'string') return 'no URL';
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return 'not an absolute URL';
      }
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return `a ${parsed.protocol} URL, neither https nor http`;
      if (parsed.username || parsed.password) return 'a URL with credentials in it';
      const host = parsed.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
      const labels = host.includes(':') ? [host] : host.split('.');
      const rule = rules.find((candidate) => matches(candidate, labels));
      if (!rule) return `host ${host} is not an allowed SMN host (--smn-cert-host ${entries.join(',')})`;
      if (parsed.protocol === 'http:' && !rule.http) return `plain http to the vendor's host ${host}, which SMN serves over https only`;
      return undefined;
    },
  };
}
