// The signing certificate: its public key, and the hash its own signature algorithm
// names, which is the hash SMN signs notifications with (the vendor's samples read it
// from the certificate). Node 20's X509Certificate parses the certificate but does not
// expose that algorithm, so its object identifier is read from the DER (der.ts).
import { X509Certificate } from 'node:crypto';
import type { KeyObjectLike, X509CertificateLike } from './crypto-types.js';
import { DER_CONTEXT_0, DER_INTEGER, DER_OID, DER_SEQUENCE, decodeOid, readElement } from './der.js';
import type { SmnNotificationProblem } from './problem.js';

export type SmnSignatureHash = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** PKCS#1 RSA signature algorithms (RFC 8017), by object identifier. */
const SUPPORTED: Record<string, { name: string; hash: SmnSignatureHash }> = {
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', hash: 'sha1' },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', hash: 'sha512' },
};

/** Names of algorithms a certificate may have that SMN signatures cannot use, for readable verdicts. */
const UNSUPPORTED_NAMES: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
  '1.2.840.10040.4.3': 'dsa-with-sha1',
  '2.16.840.1.101.3.4.3.2': 'dsa-with-sha256',
};

const SUPPORTED_TEXT = 'an X.509 certificate with an RSA key, signed with sha1WithRSAEncryption, sha256WithRSAEncryption, sha384WithRSAEncryption or sha512WithRSAEncryption';

export type SmnSigningCertificate =
  | { ok: true; /** Such as `sha256WithRSAEncryption`. */ algorithm: string; hash: SmnSignatureHash; /** node:crypto's `KeyObject`. */ publicKey: KeyObjectLike }
  | { ok: false; problem: SmnNotificationProblem };

/** What a certificate may be given as: PEM or DER text or bytes, or node:crypto's `X509Certificate`. */
export type SmnCertificateInput = string | Uint8Array | X509CertificateLike;

/**
 * The object identifier of a certificate's signature algorithm: the
 * `signatureAlgorithm` after the TBSCertificate, which RFC 5280 requires to equal the
 * `signature` field inside it (checked: a certificate naming two is not read).
 */
export function certificateSignatureOid(der: Uint8Array): string {
  const certificate = readElement(der, 0, der.length, DER_SEQUENCE);
  const tbs = readElement(der, certificate.start, certificate.end, DER_SEQUENCE);
  const algorithm = readElement(der, tbs.end, certificate.end, DER_SEQUENCE);
  let at = tbs.start;
  if (der[at] === DER_CONTEXT_0) at = readElement(der, at, tbs.end).end;
  at = readElement(der, at, tbs.end, DER_INTEGER).end;
  const inner = readElement(der, at, tbs.end, DER_SEQUENCE);
  const outerBytes = Buffer.from(der.subarray(algorithm.start, algorithm.end));
  if (!outerBytes.equals(Buffer.from(der.subarray(inner.start, inner.end)))) {
    throw new RangeError('the certificate names two different signature algorithms');
  }
  return decodeOid(der, readElement(der, algorithm.start, algorithm.end, DER_OID));
}

const problem = (rule: 'unreadable-certificate' | 'unsupported-certificate-algorithm', expected: string, received: string): SmnSigningCertificate => ({
  ok: false,
  problem: { rule, pointer: '/signing_cert_url', expected, received, where: 'certificate' },
});

function read(certificate: SmnCertificateInput): SmnSigningCertificate {
  let x509: X509Certificate;
  try {
    if (certificate instanceof X509Certificate) x509 = certificate;
    else if (typeof certificate === 'string' || certificate instanceof Uint8Array) x509 = new X509Certificate(certificate);
    else throw new TypeError('not an X509Certificate of node:crypto');
  } catch {
    return problem('unreadable-certificate', 'an X.509 certificate, PEM or DER', 'something that is not one');
  }
  let oid: string;
  try {
    oid = certificateSignatureOid(x509.raw);
  } catch (error) {
    return problem('unreadable-certificate', 'an X.509 certificate whose signature algorithm can be read', (error as Error).message);
  }
  const supported = SUPPORTED[oid];
  if (!supported) return problem('unsupported-certificate-algorithm', SUPPORTED_TEXT, `a certificate signed with ${UNSUPPORTED_NAMES[oid] ?? 'an unknown algorithm'} (${oid})`);
  const keyType = x509.publicKey.asymmetricKeyType;
  if (keyType !== 'rsa') return problem('unsupported-certificate-algorithm', SUPPORTED_TEXT, `a certificate with a ${keyType ?? 'unknown'} key`);
  return { ok: true, algorithm: supported.name, hash: supported.hash, publicKey: x509.publicKey };
}

// Receivers verify every notification with the same certificate or two: parsing it
// once is most of the difference with a bare crypto.verify.
const CACHE_SIZE = 16;
const byText = new Map<string, SmnSigningCertificate>();
const byObject = new WeakMap<object, SmnSigningCertificate>();

/**
 * Reads a signing certificate (PEM or DER text or bytes, or an `X509Certificate`):
 * its key and the hash SMN signatures made with it use. Never throws: a certificate
 * that cannot be read, or whose algorithm SMN signatures cannot use, is a problem.
 */
export function readSmnSigningCertificate(certificate: SmnCertificateInput): SmnSigningCertificate {
  if (typeof certificate === 'string') {
    const known = byText.get(certificate);
    if (known) return known;
    const result = read(certificate);
    if (byText.size >= CACHE_SIZE) byText.delete(byText.keys().next().value as string);
    byText.set(certificate, result);
    return result;
  }
  const known = byObject.get(certificate);
  if (known) return known;
  const result = read(certificate);
  byObject.set(certificate, result);
  return result;
}

