// Signing a notification as SMN does: RSA PKCS#1 v1.5 over the UTF-8 signing string,
// base64. The key never appears in an error.
import { createPrivateKey, KeyObject, sign } from 'node:crypto';
import { promisify } from 'node:util';
import type { SmnSignatureHash } from './certificate.js';
import type { KeyObjectLike } from './crypto-types.js';
import { smnSigningString, type SmnSigningStringOptions } from './signing-string.js';

export interface SignSmnNotificationOptions extends SmnSigningStringOptions {
  /** The hash the signing certificate's algorithm names. Default `sha256`, as SMN's certificate (sha256WithRSA). */
  hash?: SmnSignatureHash | undefined;
}

const HASHES: ReadonlySet<string> = new Set<SmnSignatureHash>(['sha1', 'sha256', 'sha384', 'sha512']);

/** A private key: PEM text or bytes, or node:crypto's `KeyObject`. */
export type SmnPrivateKeyInput = string | Uint8Array | KeyObjectLike;

function privateKeyOf(key: SmnPrivateKeyInput): KeyObject {
  let object: KeyObject;
  try {
    if (key instanceof KeyObject) object = key;
    else if (typeof key === 'string' || key instanceof Uint8Array) object = createPrivateKey(typeof key === 'string' ? key : Buffer.from(key));
    else throw new TypeError('not a KeyObject of node:crypto');
  } catch {
    throw new TypeError('signSmnNotification: the private key cannot be read (expected an RSA private key, PEM)');
  }
  if (object.type !== 'private' || object.asymmetricKeyType !== 'rsa') {
    throw new TypeError(`signSmnNotification: the key must be an RSA private key, got a ${object.type} ${object.asymmetricKeyType ?? ''} key`.replace(/ +key$/, ' key'));
  }
  return object;
}

/**
 * The notification with `signature` set: the base64 RSA PKCS#1 v1.5 signature of its
 * signing string (see `smnSigningString`) with `privateKey`. Pass a `KeyObject` to
 * sign many notifications without parsing the PEM each time. Throws a TypeError for a
 * body that cannot be signed or a key that is not an RSA private key.
 */
export function signSmnNotification<Body extends object>(body: Body, privateKey: SmnPrivateKeyInput, options: SignSmnNotificationOptions = {}): Body & { signature: string } {
  const hash = options.hash ?? 'sha256';
  if (!HASHES.has(hash)) throw new TypeError(`signSmnNotification: hash must be one of ${[...HASHES].join(', ')}`);
  const text = smnSigningString(body, options);
  const signature = sign(hash, Buffer.from(text, 'utf8'), privateKeyOf(privateKey)).toString('base64');
  return { ...body, signature };
}

const signInPool = promisify((algorithm: string, data: Buffer, key: KeyObject, callback: (error: Error | null, signature: Buffer) => void) => sign(algorithm, data, key, callback));

/**
 * `signSmnNotification`, with the RSA work done on libuv's thread pool rather than the
 * calling thread: a sender signing many notifications at once uses every core.
 */
export async function signSmnNotificationAsync<Body extends object>(body: Body, privateKey: SmnPrivateKeyInput, options: SignSmnNotificationOptions = {}): Promise<Body & { signature: string }> {
  const hash = options.hash ?? 'sha256';
  if (!HASHES.has(hash)) throw new TypeError(`signSmnNotification: hash must be one of ${[...HASHES].join(', ')}`);
  const text = smnSigningString(body, options);
  const signature = (await signInPool(hash, Buffer.from(text, 'utf8'), privateKeyOf(privateKey))).toString('base64');
  return { ...body, signature };
}
