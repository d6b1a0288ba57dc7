// The emulator's signing certificate (and each receiver-conformance run's) is made with
// node-forge, and read back with node:crypto's X509Certificate, which refuses a DER
// INTEGER with a needless leading zero byte ("illegal padding"). The serial number used
// to be `0` + 30 random hexadecimal digits: an odd count, which forge padded into such a
// zero byte when the first random digit was 0 and the next byte small: about one mock
// in thirty could not sign, and answered PublishMessage with 500.
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { certificateSerial, generateSelfSigned } from '../src/notify/self-signed.js';

const forge = createRequire(import.meta.url)('node-forge') as typeof import('node-forge');

describe('the self-signed certificate', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const withSerial = (serial: string): string => {
    const certificate = forge.pki.createCertificate();
    certificate.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
    certificate.serialNumber = serial;
    certificate.validity.notBefore = new Date();
    certificate.validity.notAfter = new Date(Date.now() + 86_400_000);
    certificate.setSubject([{ name: 'commonName', value: 'serial' }]);
    certificate.setIssuer([{ name: 'commonName', value: 'serial' }]);
    certificate.sign(key, forge.md.sha256.create());
    return forge.pki.certificateToPem(certificate);
  };

  it('has a serial node:crypto reads, whatever the random bytes (the old serial of a leading zero byte was refused)', () => {
    expect(() => new X509Certificate(withSerial(`0${'00'}${'1f'.repeat(14)}`))).toThrow(/padding/);
    for (const first of [0x00, 0x01, 0x0f, 0x7f, 0x80, 0xff]) {
      for (const second of [0x00, 0x7f, 0x80, 0xff]) {
        const serial = certificateSerial(Uint8Array.from([first, second, ...Array<number>(14).fill(first)]));
        expect(serial).toMatch(/^(0[1-9a-f]|[1-7][0-9a-f])([0-9a-f]{2}){15}$/);
        expect(new X509Certificate(withSerial(serial)).serialNumber.toLowerCase().replace(/^0+/, '')).toBe(serial.replace(/^0+/, ''));
      }
    }
  });

  it('is sha256WithRSA, names its hosts, and is read back', () => {
    const made = generateSelfSigned({ commonName: 'test', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const certificate = new X509Certificate(made.certificatePem);
    expect(certificate.subjectAltName).toContain('DNS:localhost');
    expect(certificate.checkPrivateKey(createPrivateKey(made.privateKeyPem))).toBe(true);
  });
});
