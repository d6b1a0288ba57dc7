// The two hosts a receiver meets when the kit plays SMN: SMN's, which serves its signing
// certificate at an SMN-shaped path and the links of its messages (subscribe_url,
// unsubscribe_url), on a host the receiver is told to trust (default 127.0.0.1); and an
// attacker's, which serves a certificate of the attacker's own on a host the receiver
// must not trust (default 127.0.0.2, loopback too, so the receiver can reach it and the
// kit sees whether it does). Each run has its own identities: a new key and certificate
// for SMN (unless the user gives one the receiver is configured with) and for the attacker.
// With `https`, both hosts serve HTTPS with SMN's certificate (SMN's certificate URL is
// always https), which the receiver trusts: the attacker's host is then refused for what
// it is, not for its TLS, when that certificate names it too.
import { X509Certificate } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { listenOn } from '../../net/listen.js';
import { generateSelfSigned } from '../../notify/self-signed.js';
import { smnSigner, type SmnSigner } from '../../notify/smn-signer.js';

/** The region in the certificate's name, as SMN names its certificates (`SMN_<region>_<32 hex>.pem`). */
export const REGION = 'cn-north-4';

/** A request one of the hosts got. */
export interface HostRequest {
  method: string;
  /** The path and query as received. */
  target: string;
}

export interface ServedHost {
  /** `http://127.0.0.1:40123`, or undefined when the host could not be listened on. */
  origin?: string;
  /** Why there is no origin. */
  unavailable?: string;
  /** What the host was asked for, in order. */
  requests: HostRequest[];
  signer: SmnSigner;
  /** Where the host serves its signer's certificate. */
  certificateUrl: string;
}

export interface SmnHosts {
  smn: ServedHost & { origin: string };
  attacker: ServedHost;
  /** A link of SMN's host (`subscription/confirm`...) with a token of its own, to tell its visit apart. */
  link(action: string, token: string): string;
  /** Whether a GET of a link with this token came. */
  visited(token: string): boolean;
  close(): Promise<void>;
}

export interface SmnHostsOptions {
  /** The host the receiver trusts as SMN's (listened on, and named in the URLs). */
  host: string;
  /** Its port; 0 for a free one. */
  port: number;
  /** The host it must not trust. */
  attackerHost: string;
  /** SMN's key and certificate; default a new pair for this run. */
  signer?: SmnSigner;
  /** Serve both hosts over HTTPS with SMN's key and certificate. */
  https?: boolean;
}

/** The TLS identity of both hosts, when they serve HTTPS. */
interface Tls {
  key: string;
  cert: string;
}

/** A new key and certificate, saying what they are for. */
function freshSigner(commonName: string): SmnSigner {
  const made = generateSelfSigned({ commonName });
  return smnSigner(made.privateKeyPem, new X509Certificate(made.certificatePem));
}

const urlHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);

async function serve(host: string, port: number, signer: SmnSigner, requests: HostRequest[], tls: Tls | undefined): Promise<{ server: Server; origin: string; path: string }> {
  const path = `/smn/SMN_${REGION}_${signer.certificateId}.pem`;
  const pem = signer.certificate.toString();
  const handler: RequestListener = (req, res) => {
    requests.push({ method: req.method ?? '', target: req.url ?? '/' });
    req.resume();
    const pathname = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && pathname === path) res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(pem);
    else if (req.method === 'GET' && pathname?.startsWith('/smn/subscription/')) res.writeHead(200, { 'content-type': 'application/json' }).end('{"message":"done"}');
    else res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
  };
  // An https.Server is a tls.Server, which listens and closes as an http.Server does.
  const server = tls ? (createHttpsServer(tls, handler) as unknown as Server) : createServer(handler);
  const listened = new URL(await listenOn(server, port, host)).port;
  // Named as the receiver was told (localhost stays localhost), with the port listened on.
  return { server, origin: `${tls ? 'https' : 'http'}://${urlHost(host)}:${listened}`, path };
}

/** Starts both hosts. SMN's must start (it is what the receiver is told to trust); the attacker's is reported unavailable when its address cannot be listened on. */
export async function startSmnHosts(options: SmnHostsOptions): Promise<SmnHosts> {
  const servers: Server[] = [];
  const smnSignerInUse = options.signer ?? freshSigner('smn-kit conformance: SMN for one run, TEST ONLY');
  const attackerSigner = freshSigner('smn-kit conformance: an attacker, TEST ONLY');
  const smnRequests: HostRequest[] = [];
  const attackerRequests: HostRequest[] = [];
  const tls: Tls | undefined = options.https ? { key: smnSignerInUse.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert: smnSignerInUse.certificate.toString() } : undefined;
  const smn = await serve(options.host, options.port, smnSignerInUse, smnRequests, tls);
  servers.push(smn.server);
  let attacker: ServedHost;
  try {
    const served = await serve(options.attackerHost, 0, attackerSigner, attackerRequests, tls);
    servers.push(served.server);
    attacker = { origin: served.origin, requests: attackerRequests, signer: attackerSigner, certificateUrl: `${served.origin}${served.path}` };
  } catch (error) {
    // Nothing listens there: the receiver's fetch fails, and the kit cannot see it.
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    attacker = { unavailable: `cannot listen on ${options.attackerHost} (${reason})`, requests: attackerRequests, signer: attackerSigner, certificateUrl: `${tls ? 'https' : 'http'}://${urlHost(options.attackerHost)}:9/smn/SMN_${REGION}_${attackerSigner.certificateId}.pem` };
  }
  return {
    smn: { origin: smn.origin, requests: smnRequests, signer: smnSignerInUse, certificateUrl: `${smn.origin}${smn.path}` },
    attacker,
    link: (action, token) => `${smn.origin}/smn/subscription/${action}?token=${token}`,
    visited: (token) => smnRequests.some((request) => request.method === 'GET' && new URLSearchParams(request.target.split('?')[1] ?? '').get('token') === token),
    close: async () => {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
    },
  };
}
