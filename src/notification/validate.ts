// A notification's envelope -> verdict: the type is looked up by `type`, the body
// validated against that type's schema alone (so that a fault is reported once, not
// once per branch of the oneOf), fields the type does not declare noted as warnings,
// then, when headers are given, the headers checked against the body.
import { smnNotificationContract } from './contract.js';
import { checkHeaders, type SmnNotificationHeadersInput } from './headers.js';
import { describeReceived, pointerTo, problemsOf, type SmnNotificationProblem } from './problem.js';
import type { SmnSignatureHash } from './certificate.js';

/** How a signature verified: with which algorithm, over which signing string. */
export interface SmnVerifiedSignature {
  /** The certificate's signature algorithm, such as `sha256WithRSAEncryption`. */
  algorithm: string;
  hash: SmnSignatureHash;
  /** The signing string the signature verified against. */
  signingString: string;
  /**
   * Set when optional signed fields were present but empty (a Notification's empty
   * `subject`): whether the matching signing string left them out (as the guide's text
   * says) or kept them (as its Java and Go samples do).
   */
  emptyFields?: { fields: string[]; signed: 'omitted' | 'included' };
}

/**
 * The verdict on one notification. `Body` is the type a valid body has; pass the
 * generated `SmnNotification` union. Warnings never make a verdict invalid.
 */
export type SmnNotificationVerdict<Body = Record<string, unknown>> =
  | { valid: true; type: string; payload: Body; problems: []; warnings: SmnNotificationProblem[]; verified?: SmnVerifiedSignature }
  | { valid: false; type: string | undefined; problems: SmnNotificationProblem[]; warnings: SmnNotificationProblem[]; verified?: SmnVerifiedSignature };

export interface EnvelopeFindings {
  type: string | undefined;
  problems: SmnNotificationProblem[];
  warnings: SmnNotificationProblem[];
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The schema and header findings on a body; the first half of every verdict. */
export function judgeEnvelope(body: unknown, headers?: SmnNotificationHeadersInput): EnvelopeFindings {
  if (!isObject(body)) {
    return { type: undefined, problems: [{ rule: 'not-an-object', pointer: '', expected: 'a JSON object (the notification body)', received: describeReceived('', body) }], warnings: [] };
  }
  const { types } = smnNotificationContract();
  const problems: SmnNotificationProblem[] = [];
  const warnings: SmnNotificationProblem[] = [];
  const type = typeof body.type === 'string' ? types.get(body.type) : undefined;
  if (!type) {
    problems.push({
      rule: body.type === undefined ? 'missing-field' : 'unknown-type',
      pointer: '/type',
      expected: `one of ${JSON.stringify([...types.keys()])}`,
      received: describeReceived('/type', body.type),
    });
  } else {
    if (!type.validate(body)) problems.push(...problemsOf(type.validate.errors ?? [], body, type.type));
    for (const field of Object.keys(body)) {
      if (type.fields.includes(field)) continue;
      const owners = [...types.values()].filter((other) => other.fields.includes(field)).map((other) => other.type);
      warnings.push({
        rule: 'undeclared-field',
        pointer: pointerTo(field),
        expected: `only the fields of ${type.type}: ${type.fields.join(', ')}${owners.length > 0 ? ` ("${field}" belongs to ${owners.join(', ')})` : ''}`,
        received: `field "${field}"`,
      });
    }
  }
  if (headers !== undefined) {
    const found = checkHeaders(body, headers);
    problems.push(...found.problems);
    warnings.push(...found.warnings);
  }
  return { type: type?.type, problems, warnings };
}

export function notificationVerdict<Body>(body: unknown, findings: EnvelopeFindings, verified?: SmnVerifiedSignature): SmnNotificationVerdict<Body> {
  const extra = verified ? { verified } : {};
  return findings.problems.length === 0 && findings.type !== undefined
    ? { valid: true, type: findings.type, payload: body as Body, problems: [], warnings: findings.warnings, ...extra }
    : { valid: false, type: findings.type, problems: findings.problems, warnings: findings.warnings, ...extra };
}

/**
 * Validates an SMN notification's envelope without its signature: the body against
 * the schema of its type, and, when `headers` are given (the request's, any case),
 * the headers against the body. Never throws; every fault is a problem of the verdict.
 */
export function validateSmnNotification<Body = Record<string, unknown>>(body: unknown, headers?: SmnNotificationHeadersInput): SmnNotificationVerdict<Body> {
  return notificationVerdict<Body>(body, judgeEnvelope(body, headers));
}
