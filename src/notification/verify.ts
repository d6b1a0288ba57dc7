// Body, headers and certificate -> verdict: the envelope (validate.ts), then the
// signature with the certificate's key and hash (certificate.ts) over the signing
// string (signing-string.ts), then, when asked, the timestamp window.
import { verify, type KeyObject } from 'node:crypto';
import { readSmnSigningCertificate, type SmnCertificateInput } from './certificate.js';
import type { SmnNotificationHeadersInput } from './headers.js';
import { describeReceived, type SmnNotificationProblem } from './problem.js';
import { emptyOptionalFields, messageTypeOf, smnSigningString, unsignableReason } from './signing-string.js';
import { judgeEnvelope, notificationVerdict, type SmnNotificationVerdict, type SmnVerifiedSignature } from './validate.js';

export interface VerifySmnNotificationOptions {
  /** The signing certificate (the one at `signing_cert_url`): PEM or DER, or an `X509Certificate`. */
  certificatePem: SmnCertificateInput;
  /** The request's headers (any case); when given, they must agree with the body. */
  headers?: SmnNotificationHeadersInput | undefined;
  /** When set, refuse timestamps further than this many seconds from `now()`. */
  toleranceSeconds?: number | undefined;
  /** The clock, in milliseconds (default `Date.now`). */
  now?: (() => number) | undefined;
}

// OpenSSL may refuse an odd key outright (too small for the hash, say) rather than
// answer false: for a receiver that is the same verdict, not a crash.
function verifies(hash: string, signingString: string, publicKey: KeyObject, signature: Buffer): boolean {
  try {
    return verify(hash, Buffer.from(signingString, 'utf8'), publicKey, signature);
  } catch {
    return false;
  }
}

function signatureFindings(body: Record<string, unknown>, certificate: VerifySmnNotificationOptions['certificatePem']): { problem?: SmnNotificationProblem; verified?: SmnVerifiedSignature } {
  const read = readSmnSigningCertificate(certificate);
  if (!read.ok) return { problem: read.problem };
  const signature = Buffer.from(body.signature as string, 'base64');
  const type = messageTypeOf(body)!;
  const empty = emptyOptionalFields(body, type);
  // The guide's text first (empty fields left out), then its samples (kept).
  const candidates = empty.length === 0 ? (['omit'] as const) : (['omit', 'include'] as const);
  for (const emptyFields of candidates) {
    const signingString = smnSigningString(body, { emptyFields });
    // The key is node:crypto's KeyObject; its public type is structural so that the declarations need no @types/node.
    if (verifies(read.hash, signingString, read.publicKey as KeyObject, signature)) {
      const verified: SmnVerifiedSignature = { algorithm: read.algorithm, hash: read.hash, signingString };
      if (empty.length > 0) verified.emptyFields = { fields: empty, signed: emptyFields === 'omit' ? 'omitted' : 'included' };
      return { verified };
    }
  }
  const either = empty.length > 0 ? ` (the empty ${empty.join(', ')} left out or kept)` : '';
  return {
    problem: {
      rule: 'bad-signature',
      pointer: '/signature',
      expected: `the base64 RSA PKCS#1 v1.5 ${read.hash.replace('sha', 'SHA-')} signature of the signing string of ${type.signedFields.join(', ')}${either}, by the key of the certificate (${read.algorithm})`,
      received: describeReceived('/signature', body.signature),
    },
  };
}

/** The stale-timestamp problem of a `timestamp` further than the tolerance from `now()`; undefined when within it or unreadable (a schema problem). */
export function timestampProblem(value: unknown, toleranceSeconds: number, now: () => number): SmnNotificationProblem | undefined {
  const sent = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(sent)) return undefined;
  const clock = now();
  const offset = Math.round((sent - clock) / 1000);
  if (Math.abs(offset) <= toleranceSeconds) return undefined;
  const when = offset < 0 ? `${-offset} s in the past` : `${offset} s in the future`;
  return {
    rule: 'stale-timestamp',
    pointer: '/timestamp',
    expected: `within ${toleranceSeconds} s of the receiver's clock (${new Date(clock).toISOString()})`,
    received: `${describeReceived('/timestamp', value)} (${when})`,
  };
}

/**
 * Verifies an SMN notification: its envelope (as `validateSmnNotification`), its
 * headers when given, its signature with the certificate, and its timestamp when a
 * tolerance is given. Never throws for a bad notification or certificate: every
 * fault is a problem of the verdict. Throws a TypeError when no certificate is given
 * or the tolerance is not a number of seconds, which are set-up errors.
 */
export function verifySmnNotification<Body = Record<string, unknown>>(body: unknown, options: VerifySmnNotificationOptions): SmnNotificationVerdict<Body> {
  const { certificatePem, toleranceSeconds } = options ?? {};
  if (certificatePem === undefined || certificatePem === null || (typeof certificatePem === 'string' && certificatePem.length === 0)) {
    throw new TypeError('verifySmnNotification: certificatePem (the signing certificate) is required');
  }
  if (toleranceSeconds !== undefined && !(Number.isFinite(toleranceSeconds) && toleranceSeconds >= 0)) {
    throw new TypeError('verifySmnNotification: toleranceSeconds must be a number of seconds, 0 or more');
  }
  const findings = judgeEnvelope(body, options.headers);
  if (findings.type === undefined) return notificationVerdict<Body>(body, findings);
  const record = body as Record<string, unknown>;

  let verified: SmnVerifiedSignature | undefined;
  // A missing or malformed signature is already a problem; a failed check would repeat it.
  const signatureReported = findings.problems.some((problem) => problem.pointer === '/signature' && problem.where === undefined);
  if (!signatureReported && unsignableReason(record) === undefined) {
    const found = signatureFindings(record, certificatePem);
    if (found.problem) findings.problems.push(found.problem);
    verified = found.verified;
  }
  const timestampReported = findings.problems.some((problem) => problem.pointer === '/timestamp' && problem.where === undefined);
  if (toleranceSeconds !== undefined && !timestampReported) {
    const stale = timestampProblem(record.timestamp, toleranceSeconds, options.now ?? Date.now);
    if (stale) findings.problems.push(stale);
  }
  return notificationVerdict<Body>(body, findings, verified);
}
