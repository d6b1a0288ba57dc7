// Signing certificates fetched from the `signing_cert_url` of live notifications, for
// `listen`: only from an allowed host (hosts.ts), no redirect followed (it could lead
// anywhere), at most MAX_CERTIFICATE_BYTES read, the whole answer within a deadline
// (a host that drips its answer is cut off there), and kept once read
// (SMN signs with one certificate for a long time). A fetch that fails is the problem
// of the delivery that needed it, never an error of the receiver: the next delivery
// tries again.
import { X509Certificate } from 'node:crypto';
import { printableUrl } from '../net/deliver.js';
import { OutgoingError, send } from '../net/outgoing.js';
import { readSmnSigningCertificate } from '../notification/index.js';
import type { SmnCertificateLookup, SmnCertificateSource } from '../judge/smn-notification.js';
import type { Problem } from '../judge/verdict.js';
import type { SmnHosts } from './hosts.js';

/** A PEM certificate is 1-2 KB, a chain a few; nothing near this is one. */
export const MAX_CERTIFICATE_BYTES = 64 * 1024;
export const CERTIFICATE_TIMEOUT_MS = 5000;
/** Certificates kept; the oldest is forgotten first. */
export const CERTIFICATE_CACHE_SIZE = 100;

export interface CertificateFetcherOptions {
  hosts: SmnHosts;
  maxBytes?: number;
  timeoutMs?: number;
  capacity?: number;
}

export interface CertificateFetcher {
  /** The certificate at a notification's signing_cert_url, or why there is none. */
  lookup: SmnCertificateSource;
  /** How many certificates are kept now. */
  readonly size: number;
}

const unavailable = (url: string, received: string): SmnCertificateLookup => ({
  problem: {
    rule: 'certificate-unavailable',
    pointer: '/signing_cert_url',
    where: 'certificate',
    expected: `the X.509 certificate at ${printableUrl(new URL(url))} (status 200, at most the size limit, no redirect)`,
    received,
  } satisfies Problem,
});

/** GETs `url` and resolves with its body, or with what went wrong in words. */
async function download(url: string, maxBytes: number, timeoutMs: number): Promise<{ bytes: Buffer } | { failed: string }> {
  let answer;
  try {
    answer = await send({ method: 'GET', url: new URL(url), headers: { accept: 'application/x-pem-file, application/pkix-cert, */*' }, deadlineMs: timeoutMs, maxBodyBytes: maxBytes });
  } catch (error) {
    if (!(error instanceof OutgoingError)) throw error;
    if (error.kind === 'deadline') return { failed: `no complete answer within ${timeoutMs} ms` };
    if (error.kind === 'too-large') return { failed: error.detail.declared !== undefined ? `${error.detail.declared} bytes announced, over the ${maxBytes}-byte limit` : `more than ${maxBytes} bytes` };
    if (error.kind === 'broken' && error.detail.status !== undefined) return { failed: 'the answer broke off' };
    return { failed: error.detail.code ?? error.message };
  }
  if (answer.status >= 300 && answer.status < 400) return { failed: `a redirect (${answer.status}), which is not followed` };
  if (answer.status !== 200) return { failed: `status ${answer.status}` };
  return { bytes: answer.body };
}

async function fetchCertificate(url: string, maxBytes: number, timeoutMs: number): Promise<SmnCertificateLookup> {
  const downloaded = await download(url, maxBytes, timeoutMs);
  if ('failed' in downloaded) return unavailable(url, downloaded.failed);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(downloaded.bytes);
  } catch {
    return unavailable(url, `${downloaded.bytes.length} bytes that are not an X.509 certificate (PEM or DER)`);
  }
  // One SMN signatures cannot use (an EC key...) is a finding about the sender, named by the library.
  const read = readSmnSigningCertificate(certificate);
  return read.ok ? { certificate } : { problem: read.problem };
}

/** A fetcher of signing certificates from the allowed hosts. */
export function createCertificateFetcher(options: CertificateFetcherOptions): CertificateFetcher {
  const maxBytes = options.maxBytes ?? MAX_CERTIFICATE_BYTES;
  const timeoutMs = options.timeoutMs ?? CERTIFICATE_TIMEOUT_MS;
  const capacity = options.capacity ?? CERTIFICATE_CACHE_SIZE;
  // A Map iterates in insertion order: its first entry is the oldest. Lookups in
  // flight are kept too, so that deliveries arriving together fetch once.
  const kept = new Map<string, Promise<SmnCertificateLookup>>();

  function lookup(url: unknown): SmnCertificateLookup | Promise<SmnCertificateLookup> {
    const refused = options.hosts.refusal(url);
    if (refused !== undefined) return { unchecked: typeof url === 'string' ? `signing_cert_url not fetched: ${refused}` : 'no signing_cert_url to fetch the certificate from' };
    const key = url as string;
    const known = kept.get(key);
    if (known) return known;
    const fetching: Promise<SmnCertificateLookup> = fetchCertificate(key, maxBytes, timeoutMs).then((result) => {
      // Only a certificate is kept: after a failure the next delivery tries again.
      if (!('certificate' in result) && kept.get(key) === fetching) kept.delete(key);
      return result;
    });
    kept.set(key, fetching);
    if (kept.size > capacity) kept.delete(kept.keys().next().value as string);
    return fetching;
  }

  return {
    lookup,
    get size() {
      return kept.size;
    },
  };
}
