// fixtures/smn/signature-vectors.json, typed, for the notification tests.
import { readFileSync } from 'node:fs';

export type Body = Record<string, unknown>;
export type Hash = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export interface Vector {
  name: string;
  certificate: string;
  hash: Hash;
  body: Body & { signature: string };
  headers: Record<string, string>;
  signing_string: string;
  empty_fields?: { fields: string[]; signed: 'omitted' | 'included' };
}

export interface InvalidVector {
  name: string;
  certificate: string;
  body: Body;
  expect: { rule: string; pointer: string };
}

export interface Vectors {
  test_only: string;
  key: string;
  certificate: string;
  other_certificates: Record<string, { algorithm: string; certificate: string }>;
  valid: Vector[];
  invalid: InvalidVector[];
}

export const vectors = JSON.parse(readFileSync(new URL('../../fixtures/smn/signature-vectors.json', import.meta.url), 'utf8')) as Vectors;

/** `certificate` or the name of one of `other_certificates`. */
export function certificateNamed(name: string): string {
  if (name === 'certificate') return vectors.certificate;
  const other = vectors.other_certificates[name];
  if (!other) throw new Error(`the vectors have no certificate ${name}`);
  return other.certificate;
}

/** A vector's body by the start of its name. */
export function vectorBody(name: string): Body & { signature: string } {
  const found = vectors.valid.find((vector) => vector.name.startsWith(name));
  if (!found) throw new Error(`no vector named ${name}`);
  return structuredClone(found.body);
}
