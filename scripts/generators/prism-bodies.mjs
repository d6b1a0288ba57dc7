// The request bodies of the SMN contract as Prism validates them, for the mock's fast
// engine: Prism merges allOf (deep) and leaves readOnly properties out before it checks a
// body, with functions of its own package. Doing that here, where Prism is a dev
// dependency, lets the installed kit mirror Prism without installing it (it is an
// optional dependency: --engine prism). Each schema that Prism would change is keyed by
// the hash of its JSON text, as src/mock/validation.ts looks it up; `null` means that
// nothing is left to validate. A schema that is not here (another contract, given with
// the mock's specPath) is normalised by Prism at run time, when Prism is installed.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dereference } from './json.mjs';

const SOURCE = 'spec/smn.openapi.yaml';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const fromPrism = createRequire(createRequire(import.meta.url).resolve('@stoplight/prism-http'));
const mergeAllOf = fromPrism('@stoplight/json-schema-merge-allof');
const { stripReadOnlyProperties } = fromPrism('./utils/filterRequiredProperties.js');

const containsKey = (node, test) =>
  typeof node === 'object' && node !== null && Object.entries(node).some(([key, value]) => test(key, value) || containsKey(value, test));
export const needsPrism = (schema) => containsKey(schema, (key, value) => key === 'allOf' || (key === 'readOnly' && value === true));
export const schemaKey = (schema) => createHash('sha256').update(JSON.stringify(schema)).digest('hex');

function asPrismSees(schema) {
  let merged = schema;
  try {
    merged = mergeAllOf(schema, { deep: true, ignoreAdditionalProperties: true });
  } catch {
    // As Prism: a schema whose allOf cannot be merged is validated as it is.
  }
  const stripped = stripReadOnlyProperties(merged);
  return stripped._tag === 'Some' ? stripped.value : null;
}

async function render() {
  // Round-tripped through JSON, as the mock reads the contract (generated/smn.openapi.dereferenced.json).
  const document = JSON.parse(JSON.stringify(await dereference(SOURCE)));
  const bodies = {};
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      for (const media of Object.values(item[method]?.requestBody?.content ?? {})) {
        if (media.schema && needsPrism(media.schema)) bodies[schemaKey(media.schema)] = asPrismSees(media.schema);
      }
    }
  }
  return `${JSON.stringify({ 'x-generated-from': `${SOURCE} by npm run generate, with Prism's own functions; do not edit`, bodies }, null, 2)}\n`;
}

export const targets = [{ file: 'generated/smn.prism-bodies.json', source: SOURCE, render }];
