// Reading a contract document from disk, in either of its forms.
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
