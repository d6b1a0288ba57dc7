// An SMN notification endpoint written from the vendor's user guide (appendix "HTTP/HTTPS
// messages", as summed up in /work/shared/reference/smn-notifications.md), not from the
// kit's code, as a team would write theirs: POST with a JSON body; the X-SMN-* headers
// must repeat the body; signature_version v1 (V1 in one edition); the certificate
// fetched only from a host it trusts as SMN's, and kept; RSA over the signing string of
// the type's fields (key and value lines, each ending in \n), SHA-256 as the published
// certificate names it; a message_id it took before is SMN redelivering (200 again, no
// second processing); a SubscriptionConfirmation that verified is confirmed by a GET of
// its subscribe_url, on a trusted host; once unsubscribed from a topic (a verified
// UnsubscribeConfirmation), it refuses that topic's Notifications with 410, as SMN sends
// none after it. With a fault it has one common bug.
import { createVerify, X509Certificate } from 'node:crypto';
import { createServer, get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { AddressInfo } from 'node:net';

export type SmnReceiverFault =
  /** 200 to anything, and visits the subscribe_url of any SubscriptionConfirmation. */
  | 'accepts-everything'
  | 'refuses-everything'
  | 'no-signature-check'
  | 'fetches-any-host'
  | 'ignores-confirmations';

const SIGNED: Record<string, string[]> = {
  Notification: ['message', 'message_id', 'subject', 'timestamp', 'topic_urn', 'type'],
  SubscriptionConfirmation: ['message', 'message_id', 'subscribe_url', 'timestamp', 'topic_urn', 'type'],
  UnsubscribeConfirmation: ['message', 'message_id', 'subscribe_url', 'timestamp', 'topic_urn', 'type'],
};
const HEADERS: Record<string, string> = { 'x-smn-message-type': 'type', 'x-smn-message-id': 'message_id', 'x-smn-topic-urn': 'topic_urn' };

export interface RunningSmnReceiver {
  url: string;
  /** The subscribe_url visits it made. */
  confirmations: string[];
  close(): Promise<void>;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A GET over http, or over https trusting `ca` (the receiver's trust store). */
const get = (url: string, ca: string | undefined, callback: (response: IncomingMessage) => void) =>
  url.startsWith('https:') ? httpsGet(url, ca === undefined ? {} : { ca }, callback) : httpGet(url, callback);

function download(url: string, ca: string | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const request = get(url, ca, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Refusal(400, `certificate: status ${response.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve(Buffer.concat(chunks)));
    });
    request.setTimeout(2000, () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}

async function bodyOf(request: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of request as AsyncIterable<Buffer>) text += chunk.toString('utf8');
  try {
    const body = JSON.parse(text) as unknown;
    if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // refused below
  }
  throw new Refusal(400, 'not a JSON object');
}

/**
 * `trusted`: the host names trusted as SMN's, where certificates and subscribe_url may be
 * fetched. `pinned`: SMN's certificate (PEM), given to the receiver: it then fetches none.
 * `httpsOnly`: it fetches certificates over HTTPS only ("always over HTTPS", the guide),
 * trusting `ca` for TLS (as NODE_EXTRA_CA_CERTS would).
 */
export async function startSmnReceiver(trusted: string[], fault?: SmnReceiverFault, pinned?: string, httpsOnly?: { ca: string }, topics?: string[]): Promise<RunningSmnReceiver> {
  const certificates = new Map<string, X509Certificate>();
  const pinnedCertificate = pinned === undefined ? undefined : new X509Certificate(pinned);
  const seen = new Set<string>();
  const unsubscribed = new Set<string>();
  const confirmations: string[] = [];
  const trusts = (url: unknown): boolean => {
    try {
      return trusted.includes(new URL(String(url)).hostname);
    } catch {
      return false;
    }
  };
  const confirm = (url: string): void => {
    confirmations.push(url);
    get(url, httpsOnly?.ca, (response) => response.resume()).on('error', () => undefined);
  };

  async function handle(request: IncomingMessage): Promise<{ status: number; after?: () => void }> {
    if (request.method !== 'POST') throw new Refusal(405, 'POST only');
    const body = await bodyOf(request);
    if (fault === 'refuses-everything') return { status: 400 };
    if (fault === 'accepts-everything') return { status: 200, after: () => body.type === 'SubscriptionConfirmation' && typeof body.subscribe_url === 'string' && confirm(body.subscribe_url) };
    const fields = SIGNED[String(body.type)];
    if (!fields) throw new Refusal(400, 'unknown type');
    for (const [header, field] of Object.entries(HEADERS)) {
      if (request.headers[header] !== undefined && request.headers[header] !== body[field]) throw new Refusal(400, `${header} disagrees with ${field}`);
    }
    if (body.signature_version !== 'v1' && body.signature_version !== 'V1') throw new Refusal(400, 'unknown signature version');
    // `topics`: it takes messages of the topics it subscribed to only.
    if (topics && !topics.includes(String(body.topic_urn))) throw new Refusal(403, 'not a topic of ours');
    if (fault !== 'no-signature-check') {
      const certificateUrl = String(body.signing_cert_url);
      let certificate = pinnedCertificate ?? certificates.get(certificateUrl);
      if (!certificate) {
        if (fault !== 'fetches-any-host' && !trusts(certificateUrl)) throw new Refusal(403, 'certificate not from SMN');
        if (httpsOnly && !certificateUrl.startsWith('https:')) throw new Refusal(403, 'certificate not over HTTPS');
        certificates.set(certificateUrl, (certificate = new X509Certificate(await download(certificateUrl, httpsOnly?.ca))));
      }
      let signed = '';
      for (const field of fields) {
        const value = body[field];
        if (field === 'subject' && (value === undefined || value === '')) continue;
        signed += `${field}\n${String(value)}\n`;
      }
      if (!createVerify('RSA-SHA256').update(signed, 'utf8').verify(certificate.publicKey, String(body.signature), 'base64')) throw new Refusal(403, 'bad signature');
    }
    if (body.type === 'Notification' && unsubscribed.has(String(body.topic_urn))) throw new Refusal(410, 'unsubscribed from this topic');
    if (body.type === 'UnsubscribeConfirmation') unsubscribed.add(String(body.topic_urn));
    const id = String(body.message_id);
    if (seen.has(id)) return { status: 200 };
    seen.add(id);
    const confirming = body.type === 'SubscriptionConfirmation' && fault !== 'ignores-confirmations' && trusts(body.subscribe_url);
    return { status: 200, after: confirming ? () => confirm(String(body.subscribe_url)) : undefined };
  }

  const server = createServer((request, response) => {
    handle(request).then(
      ({ status, after }) => {
        response.writeHead(status).end();
        after?.();
      },
      (error: unknown) => void response.writeHead(error instanceof Refusal ? error.status : 500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/smn`,
    confirmations,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
