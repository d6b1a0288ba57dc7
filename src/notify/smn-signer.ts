// The key SMN notifications are signed with by `smn-kit fire` and `smn-kit conformance
// --receiver`: the kit's test-only key and certificate (fixtures/smn/signature-vectors.json,
// published for tests, so anything it signs proves nothing outside them), a key made for
// one run, or the user's own (--smn-key and --smn-cert, as both commands call them). The fixtures sit at the top of
// the repository and of the installed kit alike (its tarball carries fixtures/smn/),
// two folders up from this module in src/ and in dist/; the contract package, which
// the kit bundles, carries them too.
import { createHash, createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { readSmnSigningCertificate, type SmnSignatureHash } from '../notification/index.js';

/** A key and certificate that cannot sign SMN notifications; the message names the option (--smn-key, --smn-cert). */
export class SmnSignerError extends Error {
  override readonly name = 'SmnSignerError';
  readonly code = 'invalid-signer';
}

const VECTORS = 'fixtures/smn/signature-vectors.json';

export interface SmnSigner {
  privateKey: KeyObject;
  /** The hash the certificate's signature algorithm names. */
  hash: SmnSignatureHash;
  certificate: X509Certificate;
  /** 32 hex digits that name the certificate, for an SMN-shaped signing_cert_url. */
  certificateId: string;
  /** Whether it is the kit's published test key. */
  testOnly: boolean;
}

/** Where the signature vectors are: beside the kit, else in the bundled contract package. */
export function signatureVectorsPath(): string {
  const beside = fileURLToPath(new URL(`../../${VECTORS}`, import.meta.url));
  if (existsSync(beside)) return beside;
  try {
    return createRequire(import.meta.url).resolve(`smn-kit-contract/${VECTORS}`);
  } catch {
    throw new Error(`the kit's ${VECTORS} is missing (looked beside the kit, ${beside}, and in smn-kit-contract)`);
  }
}

function signerOf(privateKey: KeyObject, certificate: X509Certificate, testOnly: boolean): SmnSigner {
  const read = readSmnSigningCertificate(certificate);
  if (!read.ok) throw new SmnSignerError(`--smn-cert cannot verify SMN signatures: expected ${read.problem.expected}, got ${read.problem.received}`);
  const spki = (key: KeyObject): Buffer => key.export({ type: 'spki', format: 'der' });
  if (!spki(createPublicKey(privateKey)).equals(spki(certificate.publicKey))) {
    throw new SmnSignerError('--smn-key is not the key of --smn-cert: a receiver could not verify what it signs');
  }
  return { privateKey, hash: read.hash, certificate, certificateId: createHash('sha256').update(certificate.raw).digest('hex').slice(0, 32), testOnly };
}

let testSigner: SmnSigner | undefined;

/** The kit's test-only key and certificate, read once. */
export function testSmnSigner(): SmnSigner {
  if (testSigner) return testSigner;
  const vectors = JSON.parse(readFileSync(signatureVectorsPath(), 'utf8')) as { key: string; certificate: string };
  testSigner = signerOf(createPrivateKey(vectors.key), new X509Certificate(vectors.certificate), true);
  return testSigner;
}

/** The user's key (PEM) and certificate; an SmnSignerError when the key is not an RSA private key or not the certificate's. */
export function smnSigner(keyPem: string | Buffer, certificate: X509Certificate): SmnSigner {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(keyPem);
  } catch {
    throw new SmnSignerError('--smn-key is not a private key (expected an RSA private key, PEM)');
  }
  if (privateKey.asymmetricKeyType !== 'rsa') throw new SmnSignerError(`--smn-key must be an RSA private key, got ${privateKey.asymmetricKeyType ?? 'another'} key`);
  return signerOf(privateKey, certificate, false);
}
