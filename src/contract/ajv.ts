// Ajv (JSON Schema 2020-12, as OpenAPI 3.1 specifies) with the standard formats, loaded
// when the first validator is made rather than when a module is imported: loading Ajv
// takes longer than starting the mock, and most of what imports the contract modules
// (routing, the mock's start) compiles nothing.
import { createRequire } from 'node:module';
import type { Ajv2020, Options } from 'ajv/dist/2020.js';

const require = createRequire(import.meta.url);

export function newAjv2020(options: Options): Ajv2020 {
  const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const ajvFormats = require('ajv-formats') as typeof import('ajv-formats');
  const ajv = new Ajv(options);
  ajvFormats.default(ajv);
  return ajv;
}
