// The emulator's signing identity: the RSA key that signs its notifications, the
// self-signed X.509 certificate (sha256WithRSA, as SMN's) receivers verify them with,
// served at a path shaped like SMN's (`/smn/SMN_<region>_<32 hex>.pem`), and the secret
// the confirmation and unsubscribe links are made with. The same certificate serves
// HTTPS (`--https-port`): it names localhost, 127.0.0.1 and ::1, so a client told to
// trust it (NODE_EXTRA_CA_CERTS, curl --cacert) can fetch the certificate over https as
// it would from SMN.
// The key and certificate are made by src/notify/self-signed.ts.
import { createHash, createPrivateKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { generateSelfSigned } from '../../notify/self-signed.js';
import { EMULATOR_REGION } from '../options.js';

/** How the identity is kept in a state file. */
export interface StoredSigningIdentity {
  private_key_pem: string;
  certificate_pem: string;
  /** Hex: the key of the confirmation and unsubscribe links. */
  link_secret: string;
}

export interface SigningIdentity {
  privateKey: KeyObject;
  certificatePem: string;
  /** `SMN_<region>_<32 hex>.pem`, the hex from the certificate's fingerprint. */
  certificateName: string;
  linkSecret: Buffer;
  /** Made here (true) rather than given by the user. */
  generated: boolean;
  stored(): StoredSigningIdentity;
}

export class SigningIdentityError extends Error {
  override readonly name = 'SigningIdentityError';
}

function identityOf(privateKeyPem: string, certificatePem: string, linkSecret: Buffer, generated: boolean): SigningIdentity {
  let privateKey: KeyObject;
  let certificate: X509Certificate;
  try {
    privateKey = createPrivateKey(privateKeyPem);
  } catch {
    throw new SigningIdentityError('the signing key cannot be read: expected an RSA private key in PEM');
  }
  try {
    certificate = new X509Certificate(certificatePem);
  } catch {
    throw new SigningIdentityError('the signing certificate cannot be read: expected an X.509 certificate in PEM');
  }
  if (privateKey.asymmetricKeyType !== 'rsa') throw new SigningIdentityError(`the signing key must be an RSA key (SMN signs with RSA), got ${privateKey.asymmetricKeyType ?? 'another kind'}`);
  if (!certificate.checkPrivateKey(privateKey)) throw new SigningIdentityError('the signing certificate does not belong to the signing key');
  const fingerprint = createHash('sha256').update(certificate.raw).digest('hex').slice(0, 32);
  return {
    privateKey,
    certificatePem,
    certificateName: `SMN_${EMULATOR_REGION}_${fingerprint}.pem`,
    linkSecret,
    generated,
    stored: () => ({ private_key_pem: privateKeyPem, certificate_pem: certificatePem, link_secret: linkSecret.toString('hex') }),
  };
}

/** A new key and self-signed certificate (about 0.1 s: made on first use, not at start). */
export function generateSigningIdentity(): SigningIdentity {
  const made = generateSelfSigned({ commonName: 'smn-kit emulator TEST ONLY, not Huawei Cloud', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] });
  return identityOf(made.privateKeyPem, made.certificatePem, randomBytes(32), true);
}

/** The identity a state file kept. */
export function restoreSigningIdentity(stored: StoredSigningIdentity): SigningIdentity {
  return identityOf(stored.private_key_pem, stored.certificate_pem, Buffer.from(stored.link_secret, 'hex'), true);
}

/** The user's key and certificate, from PEM files; the link secret is new for each run. */
export function readSigningIdentity(keyFile: string, certificateFile: string): SigningIdentity {
  const read = (file: string, what: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new SigningIdentityError(`cannot read the signing ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  };
  return identityOf(read(keyFile, 'key'), read(certificateFile, 'certificate'), randomBytes(32), false);
}
