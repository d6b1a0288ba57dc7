// The contracts as JSON, for the runtime library: it reads these instead of the YAML, so
// validating needs no YAML parser, and the SMN contract once more with every `$ref`
// resolved (by the maintained resolver, here, so that the library needs none at run
// time). Each says where it comes from in an `x-` field, which both OpenAPI and AsyncAPI allow.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import $RefParser from '@apidevtools/json-schema-ref-parser';
import { parse } from 'yaml';

const read = async (source) => parse(await readFile(new URL(`../../${source}`, import.meta.url), 'utf8'));
// Characters beyond ASCII are written as \u escapes: the text then reads into a one-byte
// string, half the memory of the two-byte string one Chinese character in it makes.
const ascii = (text) => text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const json = (source, document, indent = 2) => `${ascii(JSON.stringify({ 'x-generated-from': `${source} by npm run generate; do not edit`, ...document }, null, indent))}\n`;

const asJson = (source) => async () => json(source, await read(source));

// OpenAPI 3.1 keeps a `description` written beside a `$ref` over the target's (the kit's
// contract words some fields so); other keywords beside a `$ref` are added to the target's.
// A referenced YAML file is read as the specs are everywhere else, with the `yaml` package.
export const DEREFERENCE = {
  dereference: { circular: false, preservedProperties: ['description'] },
  parse: { yaml: { order: 100, canParse: ['.yaml', '.yml'], parse: (file) => parse(file.data.toString('utf8')) } },
};

/** The document of `source` (a path from the top of the repository) with every `$ref` resolved. */
export const dereference = async (source) => $RefParser.dereference(fileURLToPath(new URL(`../../${source}`, import.meta.url)), await read(source), DEREFERENCE);

// Written without indentation: every operation repeats the shared parts in full (the error
// answers and their examples), which indentation nearly doubles; only programs read it.
const dereferenced = (source) => async () => json(source, await dereference(source), 0);

export const targets = [
  { file: 'generated/smn.openapi.json', source: 'spec/smn.openapi.yaml', render: asJson('spec/smn.openapi.yaml') },
  { file: 'generated/smn.openapi.dereferenced.json', source: 'spec/smn.openapi.yaml', render: dereferenced('spec/smn.openapi.yaml') },
  // The emulator's State schema refers to the SMN contract's; the emulator checks state files with it.
  { file: 'generated/mock-admin.openapi.dereferenced.json', source: 'spec/mock-admin.openapi.yaml', render: dereferenced('spec/mock-admin.openapi.yaml') },
  { file: 'generated/subhook.asyncapi.json', source: 'spec/subhook.asyncapi.yaml', render: asJson('spec/subhook.asyncapi.yaml') },
];
