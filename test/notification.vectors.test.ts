// The SMN signature vectors (fixtures/smn/signature-vectors.json, made by OpenSSL and
// Python, see make-notification-fixtures.py) checked both ways: the library gives the
// vectors' signing strings and signatures and verifies them; and what the library
// signs verifies with `openssl dgst -verify` and with a verifier written here from
// the vendor's guide, which shares no code with the library.
import { execFileSync, spawnSync } from 'node:child_process';
import { createVerify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSmnNotification, smnSigningString, verifySmnNotification } from '../src/library.js';
import { vectors, certificateNamed, type Body, type Vector } from './support/smn-vectors.js';

// --- A receiver's verifier, from the guide (appendix "HTTP/HTTPS messages") -----------
// The fields each type signs, as the guide lists them; an absent field is skipped.
const GUIDE_SIGNED_FIELDS: Record<string, string[]> = {
  Notification: ['message', 'message_id', 'subject', 'timestamp', 'topic_urn', 'type'],
  SubscriptionConfirmation: ['message', 'message_id', 'subscribe_url', 'timestamp', 'topic_urn', 'type'],
  UnsubscribeConfirmation: ['message', 'message_id', 'subscribe_url', 'timestamp', 'topic_urn', 'type'],
};

/** The guide's text: a subject is left out when it is empty. `samples`: its Java and Go code, which leave it out only when absent. */
function guideString(body: Body, reading: 'text' | 'samples' = 'text'): string {
  return GUIDE_SIGNED_FIELDS[body.type as string]!.filter((field) => body[field] !== undefined && !(reading === 'text' && field === 'subject' && body[field] === ''))
    .map((field) => `${field}\n${String(body[field])}\n`)
    .join('');
}

const scratch = mkdtempSync(join(tmpdir(), 'smn-vectors-'));
const file = (name: string, content: string | Buffer): string => {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
};

/** The digest OpenSSL names for the certificate's signature algorithm: what the guide's samples read from it. */
function opensslDigestOf(certificatePem: string): string {
  const text = execFileSync('openssl', ['x509', '-noout', '-text'], { input: certificatePem, encoding: 'utf8' });
  const algorithm = /Signature Algorithm: (\S+)/.exec(text)?.[1];
  const digest = /^(sha\d+)WithRSAEncryption$/.exec(algorithm ?? '')?.[1];
  if (!digest) throw new Error(`the guide's verifier does not know ${algorithm}`);
  return digest;
}

function guideVerifies(body: Body, certificatePem: string, reading: 'text' | 'samples' = 'text'): boolean {
  const verifier = createVerify(`RSA-${opensslDigestOf(certificatePem).toUpperCase()}`);
  verifier.update(guideString(body, reading), 'utf8');
  return verifier.verify(certificatePem, String(body.signature), 'base64');
}

function opensslVerifies(signingString: string, signature: string, certificatePem: string): { ok: boolean; output: string } {
  const publicKey = execFileSync('openssl', ['x509', '-pubkey', '-noout'], { input: certificatePem });
  const result = spawnSync('openssl', ['dgst', `-${opensslDigestOf(certificatePem)}`, '-verify', file('public.pem', publicKey), '-signature', file('signature.bin', Buffer.from(signature, 'base64')), file('signing-string.txt', signingString)], { encoding: 'utf8' });
  return { ok: result.status === 0, output: result.stdout.trim() };
}

const emptyFieldsOption = (vector: Vector): 'omit' | 'include' => (vector.empty_fields?.signed === 'included' ? 'include' : 'omit');

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('fixtures/smn/signature-vectors.json', () => {
  beforeAll(() => {
    expect(vectors.valid.length).toBeGreaterThanOrEqual(8);
  });

  it('are marked test-only, in a field and in the certificate subject', () => {
    expect(vectors.test_only).toMatch(/^TEST ONLY/);
    const subject = execFileSync('openssl', ['x509', '-noout', '-subject'], { input: vectors.certificate, encoding: 'utf8' });
    expect(subject).toMatch(/CN = "?smn-kit TEST ONLY/);
    expect(execFileSync('openssl', ['x509', '-noout', '-text'], { input: vectors.certificate, encoding: 'utf8' })).toMatch(/Signature Algorithm: sha256WithRSAEncryption[\s\S]*Public-Key: \(2048 bit\)/);
  });

  it('cover every type, a subject present, absent and empty (both ways), a non-ASCII message and a sha1WithRSA certificate', () => {
    const types = vectors.valid.map((vector) => vector.body.type);
    expect(new Set(types)).toEqual(new Set(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']));
    const notifications = vectors.valid.filter((vector) => vector.body.type === 'Notification');
    expect(notifications.some((vector) => typeof vector.body.subject === 'string' && vector.body.subject !== '')).toBe(true);
    expect(notifications.some((vector) => !('subject' in vector.body))).toBe(true);
    expect(vectors.valid.filter((vector) => vector.body.subject === '').map((vector) => vector.empty_fields?.signed).sort()).toEqual(['included', 'omitted']);
    expect(vectors.valid.some((vector) => /[^\x00-\x7f]/.test(String(vector.body.message)))).toBe(true);
    expect(vectors.valid.some((vector) => vector.certificate === 'sha1' && vector.hash === 'sha1')).toBe(true);
  });

  it.each(vectors.valid.map((vector) => [vector.name, vector] as const))('%s: the library gives its signing string and its signature', (_name, vector) => {
    expect(smnSigningString(vector.body, { emptyFields: emptyFieldsOption(vector) })).toBe(vector.signing_string);
    const { signature: _signature, ...unsigned } = vector.body;
    const signed = signSmnNotification(unsigned, vectors.key, { hash: vector.hash, emptyFields: emptyFieldsOption(vector) });
    expect(signed.signature).toBe(vector.body.signature);
    expect(signed).toEqual(vector.body);
  });

  it.each(vectors.valid.map((vector) => [vector.name, vector] as const))('%s: the library verifies it, headers included, and says how', (_name, vector) => {
    const verdict = verifySmnNotification(vector.body, { certificatePem: certificateNamed(vector.certificate), headers: vector.headers });
    expect(verdict.problems).toEqual([]);
    expect(verdict.warnings).toEqual([]);
    expect(verdict).toMatchObject({ valid: true, type: vector.body.type, payload: vector.body });
    expect(verdict.verified).toEqual({
      algorithm: `${vector.hash}WithRSAEncryption`,
      hash: vector.hash,
      signingString: vector.signing_string,
      ...(vector.empty_fields ? { emptyFields: vector.empty_fields } : {}),
    });
  });

  it.each(vectors.invalid.map((vector) => [vector.name, vector] as const))('%s: refused with the vector\'s rule, and nothing else', (_name, vector) => {
    const verdict = verifySmnNotification(vector.body, { certificatePem: certificateNamed(vector.certificate) });
    expect(verdict.valid).toBe(false);
    expect(verdict.problems.map(({ rule, pointer }) => ({ rule, pointer }))).toEqual([vector.expect]);
    expect(verdict.verified).toBeUndefined();
  });

  it('agree with the guide\'s verifier written here, so the recipe and the test read the guide alike', () => {
    for (const vector of vectors.valid) {
      const reading = vector.empty_fields?.signed === 'included' ? 'samples' : 'text';
      expect(guideString(vector.body, reading), vector.name).toBe(vector.signing_string);
      expect(guideVerifies(vector.body, certificateNamed(vector.certificate), reading), vector.name).toBe(true);
    }
  });
});

describe('what signSmnNotification signs', () => {
  // Fresh bodies: the vectors' own signatures cannot stand in for the library's.
  const fresh = vectors.valid.map((vector) => {
    const { signature: _signature, ...body } = vector.body;
    return { vector, body: { ...body, message: `${String(body.message)} (signed by the library)` } as Body };
  });

  it.each(fresh.map(({ vector, body }) => [vector.name, vector, body] as const))('%s: openssl dgst -verify accepts it over the guide\'s signing string', (_name, vector, body) => {
    const signed = signSmnNotification(body, vectors.key, { hash: vector.hash, emptyFields: emptyFieldsOption(vector) });
    const reading = vector.empty_fields?.signed === 'included' ? 'samples' : 'text';
    expect(opensslVerifies(guideString(signed, reading), signed.signature, certificateNamed(vector.certificate))).toEqual({ ok: true, output: 'Verified OK' });
    // The same check refuses a signature of anything else, so it can fail.
    expect(opensslVerifies(guideString({ ...signed, message: 'other' }, reading), signed.signature, certificateNamed(vector.certificate)).ok).toBe(false);
  });

  it.each(fresh.map(({ vector, body }) => [vector.name, vector, body] as const))('%s: the guide\'s verifier written here accepts it, and refuses it altered', (_name, vector, body) => {
    const signed = signSmnNotification(body, vectors.key, { hash: vector.hash, emptyFields: emptyFieldsOption(vector) });
    const reading = vector.empty_fields?.signed === 'included' ? 'samples' : 'text';
    expect(guideVerifies(signed, certificateNamed(vector.certificate), reading)).toBe(true);
    expect(guideVerifies({ ...signed, timestamp: '2030-01-01T00:00:00Z' }, certificateNamed(vector.certificate), reading)).toBe(false);
  });

  it('an empty subject: by default signed as the guide\'s text says (left out); on request as its samples do (kept); each verifier meets only its own, the library both', () => {
    const body = { ...fresh.find(({ body }) => body.subject === '')!.body };
    const omitted = signSmnNotification(body, vectors.key);
    const included = signSmnNotification(body, vectors.key, { emptyFields: 'include' });
    expect(omitted.signature).not.toBe(included.signature);

    expect(guideVerifies(omitted, vectors.certificate, 'text')).toBe(true);
    expect(guideVerifies(omitted, vectors.certificate, 'samples')).toBe(false);
    expect(guideVerifies(included, vectors.certificate, 'samples')).toBe(true);
    expect(guideVerifies(included, vectors.certificate, 'text')).toBe(false);

    const first = verifySmnNotification(omitted, { certificatePem: vectors.certificate });
    const second = verifySmnNotification(included, { certificatePem: vectors.certificate });
    expect(first).toMatchObject({ valid: true, verified: { emptyFields: { fields: ['subject'], signed: 'omitted' }, signingString: guideString(omitted, 'text') } });
    expect(second).toMatchObject({ valid: true, verified: { emptyFields: { fields: ['subject'], signed: 'included' }, signingString: guideString(included, 'samples') } });
    expect(second.verified!.signingString).toContain('subject\n\n');
    expect(first.verified!.signingString).not.toMatch(/^subject$/m);
  });

  it('an absent subject is never signed, whatever the option', () => {
    const body = fresh.find(({ body }) => body.type === 'Notification' && !('subject' in body))!.body;
    expect(signSmnNotification(body, vectors.key, { emptyFields: 'include' }).signature).toBe(signSmnNotification(body, vectors.key).signature);
    expect(smnSigningString(body)).not.toMatch(/^subject$/m);
  });
});
