// signSubhook and verifySubhookSignature against the published vectors, which were
// computed outside smn-kit.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { signSubhook, verifySubhookSignature } from '../src/index.js';

interface Vector {
  name: string;
  token: string;
  key: string;
  signature: string;
  why?: string;
}
const vectors = JSON.parse(readFileSync(new URL('../fixtures/subhook/signature-vectors.json', import.meta.url), 'utf8')) as { valid: Vector[]; invalid: Vector[] };

describe('signature vectors', () => {
  it('include the negative cases other libraries get wrong', () => {
    expect(vectors.invalid.map((vector) => vector.name)).toEqual(expect.arrayContaining(['wrong key', 'upper case', 'truncated', 'key then token']));
  });

  it.each(vectors.valid.map((vector) => [vector.name, vector] as const))('%s: signs to the vector and verifies', (_, vector) => {
    expect(signSubhook(vector.token, vector.key)).toBe(vector.signature);
    expect(verifySubhookSignature({ token: vector.token, signature: vector.signature }, vector.key)).toBe(true);
  });

  it.each(vectors.invalid.map((vector) => [vector.name, vector] as const))('%s: is refused', (_, vector) => {
    expect(verifySubhookSignature({ token: vector.token, signature: vector.signature }, vector.key)).toBe(false);
  });
});

describe('verifySubhookSignature', () => {
  const [vector] = vectors.valid;

  it('is false, not an error, when token or signature is missing, empty or not a string', () => {
    const { token, signature, key } = vector!;
    for (const fields of [{ signature }, { token }, { token: '', signature: signSubhook('x', key) }, { token: 42, signature }, { token, signature: 42 }]) {
      expect(verifySubhookSignature(fields, key)).toBe(false);
    }
    expect(verifySubhookSignature(null as unknown as Record<string, unknown>, key)).toBe(false);
  });

  it('throws for an empty key without echoing anything secret', () => {
    expect(() => verifySubhookSignature({ token: vector!.token, signature: vector!.signature }, '')).toThrow('verifySubhookSignature: key (the SUBHOOK secret) must be a non-empty string');
    expect(() => signSubhook('', 'key')).toThrow('signSubhook: token must be a non-empty string');
  });
});
