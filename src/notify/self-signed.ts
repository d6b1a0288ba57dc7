// A new RSA key and a self-signed X.509 certificate for it (sha256WithRSA, as SMN's
// signing certificate is): the signing identity of the emulator, and of each run of
// `smn-kit conformance --receiver`, which plays SMN and an attacker with one each.
//
// node:crypto makes the key but cannot make a certificate; node-forge (no dependencies
// of its own) writes it, loaded only then (it takes a while to load, and most runs
// never make a certificate).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

export interface SelfSignedOptions {
  /** The subject's (and issuer's) common name: say there what the certificate is for. */
  commonName: string;
  /** Host names and IP addresses the certificate names, for serving HTTPS with it. */
  dnsNames?: string[];
  ipAddresses?: string[];
  validDays?: number;
}

export interface SelfSigned {
  privateKeyPem: string;
  certificatePem: string;
}

const DEFAULT_VALID_DAYS = 3650;

/**
 * A certificate's serial number from random bytes, as the hexadecimal node-forge takes:
 * an even number of digits, and a first byte from 0x01 to 0x7f, so that its DER INTEGER
 * is positive and minimal. (An odd count of digits, as `0` + 30 random ones, gave about
 * one certificate in thirty a leading zero byte that OpenSSL refuses to read.)
 */
export function certificateSerial(random: Uint8Array): string {
  const bytes = Buffer.from(random);
  bytes[0] = (bytes[0]! & 0x7f) || 0x01;
  return bytes.toString('hex');
}

/** A new RSA-2048 key and its self-signed certificate, valid from a day ago (about 0.1 s). */
export function generateSelfSigned(options: SelfSignedOptions): SelfSigned {
  const forge = createRequire(import.meta.url)('node-forge') as typeof import('node-forge');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(privateKeyPem);
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  certificate.serialNumber = certificateSerial(randomBytes(16));
  const now = Date.now();
  certificate.validity.notBefore = new Date(now - 24 * 3600 * 1000);
  certificate.validity.notAfter = new Date(now + (options.validDays ?? DEFAULT_VALID_DAYS) * 24 * 3600 * 1000);
  const name = [
    { name: 'commonName', value: options.commonName },
    { name: 'organizationName', value: 'smn-kit' },
  ];
  certificate.setSubject(name);
  certificate.setIssuer(name);
  const altNames = [...(options.dnsNames ?? []).map((value) => ({ type: 2, value })), ...(options.ipAddresses ?? []).map((ip) => ({ type: 7, ip }))];
  certificate.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
  ]);
  certificate.sign(forgeKey, forge.md.sha256.create());
  return { privateKeyPem, certificatePem: forge.pki.certificateToPem(certificate) };
}
