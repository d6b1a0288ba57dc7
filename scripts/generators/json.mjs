// The contracts as JSON, for the runtime library: it reads these instead of the YAML, so
// validating needs no YAML parser. Each says where it comes from in an `x-` field, which
// both OpenAPI and AsyncAPI allow.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

const asJson = (source) => async () => {
  const document = parse(await readFile(new URL(`../../${source}`, import.meta.url), 'utf8'));
  return `${JSON.stringify({ 'x-generated-from': `${source} by npm run generate; do not edit`, ...document }, null, 2)}\n`;
};

export const targets = [
  { file: 'generated/smn.openapi.json', source: 'spec/smn.openapi.yaml', render: asJson('spec/smn.openapi.yaml') },
  { file: 'generated/subhook.asyncapi.json', source: 'spec/subhook.asyncapi.yaml', render: asJson('spec/subhook.asyncapi.yaml') },
];
