// Authentication as the API gateway in front of SMN does it, in the mode the mock was
// started with. The credential headers are the contract's security schemes.
import { constantTimeEqual } from '../../contract/constant-time.js';
import type { IncomingMessage } from 'node:http';
import { verifyRequestSignature } from '../../auth/aksk.js';

export const AUTH_MODES = ['none', 'presence', 'token', 'aksk'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export interface AuthConfig {
  mode: AuthMode;
  /** The only X-Auth-Token accepted in `token` mode. */
  token?: string;
  /** The key pair whose signatures `aksk` mode accepts. */
  ak?: string;
  sk?: string;
}

/** Why a request was refused: the 401 example of the contract that answers it, and the reason. */
export interface AuthFailure {
  error: 'token_missing' | 'token_invalid' | 'aksk_signature_invalid';
  reason: string;
}

/** Signed requests older or newer than this are refused, as the gateway does. */
const SIGNATURE_WINDOW_MS = 15 * 60 * 1000;

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

function signingTime(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : Number.NaN;
}

/** Who may use the inspection endpoints under /_mock/. */
export type AdminAccess =
  | { mode: 'open' }
  /** Requests with `X-Admin-Token: <token>` or `Authorization: Bearer <token>`. */
  | { mode: 'token'; token: string }
  /** Requests the API itself would accept (the mock listens beyond loopback, no admin token given). */
  | { mode: 'api'; auth: AuthConfig };

/** Why a request to /_mock/ is refused, or undefined when it may go on. */
export function authorizeAdmin(req: IncomingMessage, body: string, access: AdminAccess): string | undefined {
  if (access.mode === 'open') return undefined;
  if (access.mode === 'token') {
    const bearer = /^Bearer\s+(.+)$/i.exec(header(req, 'authorization') ?? '')?.[1];
    const given = header(req, 'x-admin-token') ?? bearer;
    if (!given) return 'the inspection endpoints need X-Admin-Token (or Authorization: Bearer) with the --admin-token the mock was started with';
    return constantTimeEqual(given, access.token) ? undefined : 'X-Admin-Token is not the --admin-token the mock was started with';
  }
  const refused = authenticate(req, body, access.auth);
  return refused && `the mock listens beyond loopback, so the inspection endpoints need the API's credentials: ${refused.reason}`;
}

export function authenticate(req: IncomingMessage, body: string, config: AuthConfig): AuthFailure | undefined {
  if (config.mode === 'none') return undefined;
  const token = header(req, 'x-auth-token');
  const authorization = header(req, 'authorization');
  if (!token && !authorization) return { error: 'token_missing', reason: 'neither X-Auth-Token nor Authorization is present' };
  if (config.mode === 'presence') return undefined;
  if (config.mode === 'token') {
    if (!token) return { error: 'token_missing', reason: 'X-Auth-Token is missing (this mock accepts tokens only: --auth token)' };
    return constantTimeEqual(token, config.token ?? '') ? undefined : { error: 'token_invalid', reason: 'X-Auth-Token is not the token this mock was started with (--token)' };
  }
  if (!authorization) return { error: 'token_invalid', reason: 'this mock accepts AK/SK signed requests only (--auth aksk); X-Auth-Token is not enough' };
  const verdict = verifyRequestSignature({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body }, (ak) => (ak === config.ak ? config.sk : undefined));
  if (!verdict.ok) return { error: 'aksk_signature_invalid', reason: verdict.reason };
  const signedAt = signingTime(header(req, 'x-sdk-date') ?? '');
  if (!(Math.abs(Date.now() - signedAt) <= SIGNATURE_WINDOW_MS)) {
    return { error: 'aksk_signature_invalid', reason: 'X-Sdk-Date is more than 15 minutes away from now' };
  }
  return undefined;
}
