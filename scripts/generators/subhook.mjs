// TypeScript types of the SUBHOOK contract, per product (channel of the AsyncAPI document):
// one type per event payload, a map from event name to payload type, the discriminated
// union of all events on `events`, and the event names as a value. The type names come
// from each channel's `x-type-prefix`, so adding a product is a change to the spec only.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import $RefParser from '@apidevtools/json-schema-ref-parser';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { parse } from 'yaml';
import { DEREFERENCE } from './json.mjs';

const specUrl = new URL('../../spec/subhook.asyncapi.yaml', import.meta.url);

const pascal = (name) => name.split(/[_-]/).map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
const camel = (name) => name.charAt(0).toLowerCase() + name.slice(1);

// An event's payload schema with every `$ref` (to the shared field definitions) resolved,
// so that each event type reads as one flat object; `$schema` goes, as the types and the
// payloads file describe no document of their own.
async function payloadSchema(url) {
  const { $schema: _schema, ...schema } = await $RefParser.dereference(fileURLToPath(url), DEREFERENCE);
  return schema;
}

// openapi-typescript writes a whole OpenAPI module; of it only the payload types matter
// here. `components` stays as their private home; the empty `paths`, `webhooks`,
// `operations` and `$defs` would only clash with generated/smn.ts in a shared import.
function keepPayloadTypes(node) {
  const name = node.name?.text;
  if (['paths', 'webhooks', 'operations', '$defs'].includes(name)) return [];
  if (name === 'components' && ts.isInterfaceDeclaration(node)) {
    return [ts.factory.updateInterfaceDeclaration(node, [], node.name, node.typeParameters, node.heritageClauses, node.members)];
  }
  return [node];
}

async function products() {
  const document = parse(await readFile(specUrl, 'utf8'));
  const result = [];
  for (const [product, channel] of Object.entries(document.channels)) {
    const prefix = channel['x-type-prefix'];
    if (!prefix) throw new Error(`spec/subhook.asyncapi.yaml: channel ${product} has no x-type-prefix`);
    const events = [];
    for (const [event, message] of Object.entries(channel.messages)) {
      const schemaUrl = new URL(message.payload.$ref, specUrl);
      events.push({ event, typeName: `${prefix}${pascal(event)}`, schema: await payloadSchema(schemaUrl) });
    }
    result.push({ product, prefix, title: channel.title ?? product, events });
  }
  return result;
}

async function render() {
  const all = await products();
  const schemas = Object.fromEntries(all.flatMap(({ events }) => events.map(({ typeName, schema }) => [typeName, schema])));
  const ast = await openapiTS({ openapi: '3.1.0', info: { title: 'SUBHOOK payloads', version: '0' }, paths: {}, components: { schemas } }, { alphabetize: false, exportType: false, rootTypes: true, rootTypesNoSchemaPrefix: true });
  const lines = [astToString(ast.flatMap(keepPayloadTypes)).trimEnd(), ''];
  for (const { prefix, title, events } of all) {
    lines.push(`/** ${title}: the payload type of each event, by event name. */`);
    lines.push(`export interface ${prefix}EventMap {`);
    for (const { event, typeName } of events) lines.push(`    ${JSON.stringify(event)}: ${typeName};`);
    lines.push('}');
    lines.push(`/** ${title}: any event, discriminated on \`events\`. */`);
    lines.push(`export type ${prefix}Event = ${prefix}EventMap[keyof ${prefix}EventMap];`);
    lines.push(`/** ${title}: the event names, in the order of the spec. */`);
    lines.push(`export const ${camel(prefix)}EventNames = [${events.map(({ event }) => JSON.stringify(event)).join(', ')}] as const satisfies readonly (keyof ${prefix}EventMap)[];`);
    lines.push('');
  }
  lines.push('/** The event map of each SUBHOOK product, by product id (the channel of the AsyncAPI document). */');
  lines.push('export interface SubhookEventMaps {');
  for (const { product, prefix } of all) lines.push(`    ${JSON.stringify(product)}: ${prefix}EventMap;`);
  lines.push('}');
  lines.push('/** The SUBHOOK product ids. */');
  lines.push(`export const subhookProducts = [${all.map(({ product }) => JSON.stringify(product)).join(', ')}] as const satisfies readonly (keyof SubhookEventMaps)[];`);
  return `${lines.join('\n')}\n`;
}

// Each event's payload schema, its references resolved: what fire makes events from,
// with no resolver at run time (the validators compile the spec's files as they are).
async function renderPayloads() {
  const payloads = Object.fromEntries((await products()).map(({ product, events }) => [product, Object.fromEntries(events.map(({ event, schema }) => [event, schema]))]));
  return `${JSON.stringify({ 'x-generated-from': 'spec/subhook.asyncapi.yaml and spec/subhook/ by npm run generate; do not edit', ...payloads }, null, 2)}\n`;
}

export const targets = [
  { file: 'generated/subhook.ts', source: 'spec/subhook.asyncapi.yaml and spec/subhook/', render },
  { file: 'generated/subhook.payloads.json', source: 'spec/subhook.asyncapi.yaml and spec/subhook/', render: renderPayloads },
];
