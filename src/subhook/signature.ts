// SUBHOOK signatures: signature = md5(token + key) in lower-case hex, where key is the
// SUBHOOK secret from the vendor console. Only the token is signed.
import { hash } from 'node:crypto';
import { constantTimeEqual } from '../contract/constant-time.js';

function requireNonEmpty(value: unknown, name: string, caller: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`${caller}: ${name} must be a non-empty string`);
  }
}

/** The signature SUBMAIL sends with `token`: md5(token + key) as 32 lower-case hex digits. */
export function signSubhook(token: string, key: string): string {
  requireNonEmpty(token, 'token', 'signSubhook');
  requireNonEmpty(key, 'key (the SUBHOOK secret)', 'signSubhook');
  return hash('md5', token + key, 'hex');
}

/**
 * Whether `fields.signature` is md5(fields.token + key). False when either field is
 * missing, not a string or empty. Throws only for an empty key, which is a set-up error.
 */
export function verifySubhookSignature(fields: Record<string, unknown>, key: string): boolean {
  requireNonEmpty(key, 'key (the SUBHOOK secret)', 'verifySubhookSignature');
  if (fields === null || typeof fields !== 'object') return false;
  const { token, signature } = fields;
  if (typeof token !== 'string' || token.length === 0 || typeof signature !== 'string') return false;
  return constantTimeEqual(signSubhook(token, key), signature);
}
