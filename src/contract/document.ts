// Reading a contract document from disk, in either of its forms, and resolving the
// references of one that `npm run generate` has not resolved.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Reads an OpenAPI or AsyncAPI document: JSON directly; YAML with the `yaml` package,
 * which the kit has and the contract package does without (it reads the JSON).
 */
export function readContractDocument(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  if (path.endsWith('.json')) return JSON.parse(text);
  let yaml: { parse(text: string): unknown };
  try {
    yaml = createRequire(import.meta.url)('yaml') as typeof yaml;
  } catch {
    throw new Error(`reading ${path} needs the "yaml" package; install it, or read the JSON form in generated/`);
  }
  return yaml.parse(text);
}

/**
 * A contract document with every `$ref` resolved by @apidevtools/json-schema-ref-parser,
 * as `npm run generate` resolves the kit's contracts (a `description` beside a `$ref`
 * kept, as OpenAPI 3.1 does). The resolver is loaded only here: the kit's own contracts
 * come resolved in generated/, so the library needs it only for another file.
 */
export async function dereferenceContractDocument(path: string): Promise<unknown> {
  const document = readContractDocument(path);
  let resolver: { dereference: typeof import('@apidevtools/json-schema-ref-parser').dereference };
  try {
    resolver = createRequire(import.meta.url)('@apidevtools/json-schema-ref-parser') as typeof resolver;
  } catch {
    throw new Error(`resolving the references of ${path} needs the "@apidevtools/json-schema-ref-parser" package; install it`);
  }
  return resolver.dereference(path, document as object, { dereference: { circular: false, preservedProperties: ['description'] } });
}
