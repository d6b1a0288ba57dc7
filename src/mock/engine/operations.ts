// The contract's operations in the shape Prism works on (@stoplight/types'
// IHttpOperation: parameters with their style, request body contents, responses with
// their examples, security), made from the contract document in a few milliseconds.
// Prism makes the same with @stoplight/http-spec, whose import alone costs about a
// second; the mock's fast engine (validation.ts) and the example answers (examples.ts) need only
// this. test/mock-engines.test.ts compares the two shapes field by field.
import type { getHttpOperationsFromSpec } from '@stoplight/prism-http';
import { dereferencedDocument } from '../../contract/smn-responses.js';
import type { SmnContract } from '../../contract/smn.js';

export type HttpOperation = Awaited<ReturnType<typeof getHttpOperationsFromSpec>>[number];
type Request = NonNullable<HttpOperation['request']>;
type Param = NonNullable<Request['path'] | Request['query'] | Request['headers'] | Request['cookie']>[number];
type Response = HttpOperation['responses'][number];
type Content = NonNullable<Response['contents']>[number];
type Example = NonNullable<Content['examples']>[number];
type Scheme = NonNullable<HttpOperation['security']>[number][number];

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** The style OpenAPI gives a parameter that names none, by where it is. */
const DEFAULT_STYLE: Record<string, string> = { path: 'simple', query: 'form', header: 'simple', cookie: 'form' };

interface ParameterObject {
  name: string;
  in: string;
  required?: boolean;
  deprecated?: boolean;
  style?: string;
  explode?: boolean;
  schema?: Record<string, unknown>;
  example?: unknown;
  examples?: Record<string, { value?: unknown }>;
}

interface MediaTypeObject {
  schema?: Record<string, unknown>;
  example?: unknown;
  examples?: Record<string, { value?: unknown }>;
}

interface OperationObject {
  operationId?: string;
  deprecated?: boolean;
  parameters?: ParameterObject[];
  requestBody?: { required?: boolean; content?: Record<string, MediaTypeObject> };
  responses?: Record<string, { content?: Record<string, MediaTypeObject> }>;
  security?: Record<string, string[]>[];
}

interface Document {
  paths: Record<string, Record<string, unknown> & { parameters?: ParameterObject[] }>;
  security?: Record<string, string[]>[];
  components?: { securitySchemes?: Record<string, { type: string; name?: string; in?: string; scheme?: string }> };
}

function examplesOf(holder: { example?: unknown; examples?: Record<string, { value?: unknown }> }): Example[] {
  if (holder.examples) return Object.entries(holder.examples).map(([key, example]) => ({ id: key, key, value: example.value }));
  return holder.example === undefined ? [] : [{ id: 'default', key: 'default', value: holder.example }];
}

function contentsOf(content: Record<string, MediaTypeObject> | undefined): Content[] {
  return Object.entries(content ?? {}).map(([mediaType, media]) => ({
    id: mediaType,
    mediaType,
    schema: media.schema,
    examples: examplesOf(media),
    encodings: [],
  }));
}

function paramOf(parameter: ParameterObject): Param {
  const param: Param = {
    id: `${parameter.in}:${parameter.name}`,
    name: parameter.name,
    style: (parameter.style ?? DEFAULT_STYLE[parameter.in]) as Param['style'],
    required: parameter.required ?? false,
    // As http-spec does: the parameter's example becomes its schema's only one.
    schema: (parameter.schema && parameter.example !== undefined ? { ...parameter.schema, examples: [parameter.example] } : parameter.schema) as Param['schema'],
    examples: examplesOf(parameter),
  };
  if (parameter.explode !== undefined) param.explode = parameter.explode;
  if (parameter.deprecated) param.deprecated = true;
  return param;
}

/** Every operation of the contract, its references resolved, as Prism sees it. */
export function httpOperationsOf(contract: SmnContract): HttpOperation[] {
  const document = dereferencedDocument(contract) as Document;
  const schemes = document.components?.securitySchemes ?? {};
  const securityOf = (requirements: Record<string, string[]>[] | undefined): Scheme[][] =>
    (requirements ?? []).map((requirement) => Object.keys(requirement).map((key) => ({ key, ...schemes[key] }) as unknown as Scheme));
  const operations: HttpOperation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    // In the document's order, as http-spec lists them.
    for (const method of Object.keys(item)) {
      if (!METHODS.includes(method)) continue;
      const operation = item[method] as OperationObject;
      // Operation parameters override path-level ones of the same name and location, and
      // come first, as http-spec lists them.
      const byKey = new Map<string, ParameterObject>();
      for (const parameter of [...(operation.parameters ?? []), ...(item.parameters ?? [])]) {
        if (!byKey.has(`${parameter.in}:${parameter.name}`)) byKey.set(`${parameter.in}:${parameter.name}`, parameter);
      }
      const parameters = [...byKey.values()];
      const where = (location: string): Param[] => parameters.filter((p) => p.in === location).map(paramOf);
      const request: Request = {
        path: where('path') as Request['path'],
        query: where('query') as Request['query'],
        headers: where('header') as Request['headers'],
        cookie: where('cookie') as Request['cookie'],
      };
      if (operation.requestBody) {
        request.body = { id: 'body', required: operation.requestBody.required ?? false, contents: contentsOf(operation.requestBody.content) };
      }
      const id = operation.operationId ?? `${method} ${path}`;
      operations.push({
        id,
        iid: operation.operationId,
        method,
        path,
        request,
        responses: Object.entries(operation.responses ?? {}).map(([code, response]) => ({ id: `${id} ${code}`, code, contents: contentsOf(response.content), headers: [] })),
        security: securityOf(operation.security ?? document.security),
        ...(operation.deprecated ? { deprecated: true } : {}),
      });
    }
  }
  return operations;
}
