// The SUBHOOK contract as data: which products exist (the channels of the AsyncAPI
// document), which events each has (the channel's messages) and a validator per event,
// compiled once from the payload schema files the document references. Nothing here
// names an event or a field: adding a product or an event is a change to spec/ only.
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { readContractDocument } from '../contract/document.js';

/** Absolute path of `spec/subhook.asyncapi.yaml` (the same from `src/` and from `dist/`). */
export const subhookSpecPath = fileURLToPath(new URL('../../spec/subhook.asyncapi.yaml', import.meta.url));

/** The same document as JSON (`npm run generate`): what the library reads, so it needs no YAML parser. */
export const subhookSpecJsonPath = fileURLToPath(new URL('../../generated/subhook.asyncapi.json', import.meta.url));

/** Each event's payload schema with its references resolved (`npm run generate`), by product and event. */
export const subhookPayloadsPath = fileURLToPath(new URL('../../generated/subhook.payloads.json', import.meta.url));

export interface SubhookEventContract {
  name: string;
  /** The fields the event may carry, `events` included. */
  fields: string[];
  validate: ValidateFunction;
}

export interface SubhookProductContract {
  /** The product id: the channel's key in the AsyncAPI document (`sms`, `intersms`). */
  product: string;
  events: Map<string, SubhookEventContract>;
  /**
   * Other spellings of an event's name that its schema accepts (`unknown` for `unkown`:
   * the vendor's documents spell it both ways), to the event's name.
   */
  aliases: Map<string, string>;
}

interface AsyncApiDocument {
  channels: Record<string, { messages?: Record<string, { payload?: { $ref?: string } }> }>;
}

export interface JsonSchemaObject {
  properties?: Record<string, { const?: unknown; enum?: unknown[] }>;
  [keyword: string]: unknown;
}

// Every `$ref` in a schema file that points into another file, as absolute URLs.
function externalRefs(node: unknown, base: URL, found: URL[] = []): URL[] {
  if (Array.isArray(node)) {
    for (const item of node) externalRefs(item, base, found);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && !value.startsWith('#')) {
        const target = new URL(value, base);
        target.hash = '';
        found.push(target);
      } else {
        externalRefs(value, base, found);
      }
    }
  }
  return found;
}

/** Reads the AsyncAPI document at `path` and compiles a validator for every event of every product. */
export function loadSubhookContract(path: string = subhookSpecJsonPath): Map<string, SubhookProductContract> {
  // The payload $refs are relative to spec/, where the YAML is, whichever form is read.
  const specUrl = pathToFileURL(path === subhookSpecJsonPath ? subhookSpecPath : path);
  const document = readContractDocument(path) as AsyncApiDocument;
  // allErrors: a verdict lists every problem, not the first one.
  // verbose: each error carries the schema it broke, whose `x-kit-choice` says whether
  // the rule is the vendor's or the kit's (validate.ts).
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true, keywords: ['x-kit-choice', 'x-not-in-every-document'] });
  ajvFormats.default(ajv);

  // Each schema file is added once under its file URL, so that relative `$ref`s between
  // the files resolve as they do for the AsyncAPI parser.
  const schemas = new Map<string, JsonSchemaObject>();
  const addSchemaFile = (url: URL): JsonSchemaObject => {
    const known = schemas.get(url.href);
    if (known) return known;
    const schema = JSON.parse(readFileSync(url, 'utf8')) as JsonSchemaObject;
    schemas.set(url.href, schema);
    ajv.addSchema(schema, url.href);
    for (const ref of externalRefs(schema, url)) addSchemaFile(ref);
    return schema;
  };

  const products = new Map<string, SubhookProductContract>();
  for (const [product, channel] of Object.entries(document.channels)) {
    const events = new Map<string, SubhookEventContract>();
    const aliases = new Map<string, string>();
    for (const [name, message] of Object.entries(channel.messages ?? {})) {
      const ref = message.payload?.$ref;
      if (!ref) throw new Error(`${path}: message ${product}.${name} has no payload $ref to a schema file`);
      const schemaUrl = new URL(ref, specUrl);
      const schema = addSchemaFile(schemaUrl);
      // The event's name is its schema's `events` const, or the first of its `events` enum (the others: other spellings).
      const spellings = schema.properties?.events?.const !== undefined ? [schema.properties.events.const] : (schema.properties?.events?.enum ?? []);
      if (spellings[0] !== name) {
        throw new Error(`${path}: message ${product}.${name} references ${ref}, whose events const (or first enum value) is not "${name}"`);
      }
      for (const spelling of spellings.slice(1)) aliases.set(String(spelling), name);
      const validate = ajv.getSchema(schemaUrl.href);
      if (!validate) throw new Error(`${path}: cannot compile ${ref}`);
      events.set(name, { name, fields: Object.keys(schema.properties ?? {}), validate });
    }
    products.set(product, { product, events, aliases });
  }
  return products;
}

let contract: Map<string, SubhookProductContract> | undefined;

/** The contract of `spec/`, loaded and compiled on first use, then shared. */
export function subhookContract(): Map<string, SubhookProductContract> {
  contract ??= loadSubhookContract();
  return contract;
}

let payloads: Record<string, Record<string, JsonSchemaObject> | undefined> | undefined;

/**
 * The payload schema of `product`'s `event` in the kit's contract, every `$ref` resolved
 * (what values are made from; the validators compile the spec's files as they are), or
 * undefined when there is no such event.
 */
export function subhookPayloadSchema(product: string, event: string): JsonSchemaObject | undefined {
  payloads ??= readContractDocument(subhookPayloadsPath) as typeof payloads;
  const events = product.startsWith('x-') ? undefined : payloads![product];
  return events?.[event];
}
