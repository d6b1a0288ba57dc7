// The SMN contract as data: where it lives, the parsed document, the error answers it
// documents and which rule leads to which of them (the `x-error` extensions). Whatever
// needs an SMN error code, message or status reads it from here, so the spec stays
// the only place they are written.
import { fileURLToPath } from 'node:url';
import { dereferenceContractDocument, readContractDocument } from './document.js';
import { editionRulesOf, type EditionRule } from './editions.js';
import { pointerTo } from './problem.js';

/** Absolute path of `spec/smn.openapi.yaml` (the same from `src/` and from `dist/`). */
export const smnSpecPath = fileURLToPath(new URL('../../spec/smn.openapi.yaml', import.meta.url));

/** The same contract as JSON (`npm run generate`): what the library reads, so it needs no YAML parser. */
export const smnSpecJsonPath = fileURLToPath(new URL('../../generated/smn.openapi.json', import.meta.url));

/** The project id of the vendor's examples (and the contract's): what the kit means when no project is named. */
export const DEFAULT_PROJECT_ID = 'f96188c7ccaf4ffba0c9aa149ab2bd57';

/** The same contract with every `$ref` resolved (`npm run generate`): what the validators read, so they need no resolver. */
export const smnSpecDereferencedPath = fileURLToPath(new URL('../../generated/smn.openapi.dereferenced.json', import.meta.url));


/** Body of an error raised by SMN itself. */
export interface SmnErrorBody {
  request_id: string;
  code: string;
  message: string;
}

/** Body of an error raised by the API gateway in front of SMN. */
export interface GatewayErrorBody {
  error_code: string;
  error_msg: string;
  request_id: string;
}

/** One documented error answer: its status (when an operation declares it) and example body. */
export interface DocumentedError {
  status: number | undefined;
  body: SmnErrorBody | GatewayErrorBody;
  /** False when the vendor documents no code for the case and the kit chose one (`x-kit-choice`). */
  vendorDocumented: boolean;
}

/** A request header that must equal a path parameter (`x-must-equal`), and the error of a mismatch. */
export interface HeaderEquality {
  /** Lower-case header name. */
  header: string;
  parameter: string;
  error: string;
}

/** A rule of the contract that the vendor does not document (`x-kit-choice`), and why the kit chose it. */
export interface KitChoice {
  /** Where in the contract: a JSON pointer into the document. */
  pointer: string;
  why: string;
}

/** Codes for a bad `topic_urn`, by event type (`x-topic-urn-errors`). */
export type TopicUrnErrors = Record<string, { malformed: string; not_found: string }>;

export interface SmnContract {
  /** The parsed OpenAPI document. */
  document: OpenApiDocument;
  /**
   * The same document with every `$ref` resolved: for the kit's contract, the form
   * `npm run generate` writes; for another file, what `loadSmnContractFile` resolves, or
   * undefined when it was loaded without it (its validators then cannot be made).
   */
  dereferenced: unknown;
  /** Every named example of the shared error responses: `SMN.0015`, `token_missing`... */
  errors: Map<string, DocumentedError>;
  /**
   * The error a parameter's violation gets, keyed `query:limit`, `header:x-sdk-date`...
   * Two operations may name different parameters alike (`name`, `token`): ask
   * `parameterError` with the operation, which knows which one it declares.
   */
  parameterErrors: Map<string, string>;
  /** The error a violation of one operation's parameter gets (its own `x-error`), or undefined. */
  parameterError(operationId: string | undefined, location: string, name: string): string | undefined;
  /** By path parameter, the error when it names nothing the project has (`x-not-found`: `topic_urn` SMN.0006). */
  notFoundErrors: Map<string, string>;
  /** The error of a request body that is missing or of the wrong shape (the first operation's; see bodyErrors). */
  bodyError: string;
  /** By operationId, the error of its request body when missing or of the wrong shape (the requestBody's `x-error`). */
  bodyErrors: Map<string, string>;
  /** The error of a callback item with a bad `event_type`. */
  eventTypeError: string;
  topicUrnErrors: TopicUrnErrors;
  /** Lower-case names of the request headers the contract declares, credentials included. */
  requestHeaders: string[];
  /** Lower-case names of the headers that carry credentials (the security schemes). */
  credentialHeaders: string[];
  /** Headers that must repeat a path parameter (X-Project-Id). */
  headerEqualities: HeaderEquality[];
  /** Every `x-kit-choice` of the document. */
  kitChoices: KitChoice[];
  /** What each edition says where the editions differ (`x-editions`), in the document's order. */
  editions: EditionRule[];
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components: {
    responses: Record<string, { content?: Record<string, { examples?: Record<string, { value: unknown; 'x-kit-choice'?: string }> }> }>;
    parameters: Record<string, { name: string; in: string; 'x-error'?: string; 'x-not-found'?: string; 'x-must-equal'?: { parameter: string; error: string } }>;
    securitySchemes: Record<string, { type: string; in?: string; name?: string }>;
    schemas: Record<string, Record<string, unknown>>;
  };
  [key: string]: unknown;
}

interface ParameterRef {
  $ref?: string;
  name?: string;
  in?: string;
  'x-error'?: string;
}

interface OperationObject {
  operationId?: string;
  parameters?: ParameterRef[];
  requestBody?: { 'x-error'?: string };
  responses?: Record<string, { $ref?: string }>;
}

const operationsOf = (document: OpenApiDocument): OperationObject[] =>
  Object.values(document.paths).flatMap((pathItem) =>
    Object.values(pathItem).filter((value) => typeof value === 'object' && value !== null && 'responses' in value),
  );

// The status each shared error response is served with, read from the operations that
// reference it. A response no operation references (ApiNotFound, for routes outside
// the contract) has no status here; its server decides.
function statusesOfSharedResponses(document: OpenApiDocument): Map<string, number> {
  const statuses = new Map<string, number>();
  for (const operation of operationsOf(document)) {
    for (const [status, response] of Object.entries(operation.responses ?? {})) {
      const name = response.$ref?.replace('#/components/responses/', '');
      if (name) statuses.set(name, Number(status));
    }
  }
  return statuses;
}

/**
 * The SMN contract at `path` (default: the kit's, as JSON). `dereferenced` is the same
 * document with its references resolved; the kit's is read from generated/, another
 * file's comes from `loadSmnContractFile`.
 */
export function loadSmnContract(path: string = smnSpecJsonPath, dereferenced?: unknown): SmnContract {
  const document = readContractDocument(path) as OpenApiDocument;
  const kits = path === smnSpecJsonPath || path === smnSpecPath;
  const statuses = statusesOfSharedResponses(document);
  const errors = new Map<string, DocumentedError>();
  for (const [name, response] of Object.entries(document.components.responses)) {
    const examples = response.content?.['application/json']?.examples ?? {};
    for (const [exampleName, example] of Object.entries(examples)) {
      errors.set(exampleName, {
        status: statuses.get(name),
        body: example.value as DocumentedError['body'],
        vendorDocumented: example['x-kit-choice'] === undefined,
      });
    }
  }
  const known = (name: string | undefined, where: string): string => {
    if (!name || !errors.has(name)) throw new Error(`${path}: ${where} names x-error "${name}", which no error response example defines`);
    return name;
  };

  const parameterErrors = new Map<string, string>();
  const notFoundErrors = new Map<string, string>();
  for (const [key, parameter] of Object.entries(document.components.parameters)) {
    if (parameter['x-error']) {
      const where = `${parameter.in}:${parameter.name.toLowerCase()}`;
      if (!parameterErrors.has(where)) parameterErrors.set(where, known(parameter['x-error'], `parameter ${key}`));
    }
    if (parameter['x-not-found']) notFoundErrors.set(parameter.name, known(parameter['x-not-found'], `x-not-found of parameter ${key}`));
  }
  const operationParameterErrors = parameterErrorsByOperation(document);
  for (const error of operationParameterErrors.values()) known(error, 'a parameter');
  const bodyErrors = new Map<string, string>();
  for (const operation of operationsOf(document)) {
    const error = operation.requestBody?.['x-error'];
    if (error && operation.operationId) bodyErrors.set(operation.operationId, known(error, `the request body of ${operation.operationId}`));
  }
  // The x-error of a body field (`name` of CreateTopic: SMN.0002) is read where the field's
  // violation is judged; here each is checked once, so that a typo stops the loading.
  for (const [name, schema] of Object.entries(document.components.schemas)) {
    fieldErrorsOf(schema, `#/components/schemas/${name}`).forEach(([error, where]) => known(error, where));
  }
  const privateEndpoints = (document.components.schemas.SubscriptionEndpoint?.['x-private-endpoints'] as { error?: string } | undefined)?.error;
  if (privateEndpoints) known(privateEndpoints, 'x-private-endpoints of SubscriptionEndpoint');
  const callbackItem = document.components.schemas.SmsCallbackUpdate ?? {};
  const topicUrnErrors = (callbackItem['x-topic-urn-errors'] ?? {}) as TopicUrnErrors;
  for (const [eventType, codes] of Object.entries(topicUrnErrors)) {
    known(codes.malformed, `x-topic-urn-errors.${eventType}`);
    known(codes.not_found, `x-topic-urn-errors.${eventType}`);
  }
  const credentialHeaders = Object.values(document.components.securitySchemes)
    .filter((scheme) => scheme.type === 'apiKey' && scheme.in === 'header' && scheme.name)
    .map((scheme) => scheme.name!.toLowerCase());
  const declaredHeaders = Object.values(document.components.parameters)
    .filter((parameter) => parameter.in === 'header')
    .map((parameter) => parameter.name.toLowerCase());
  const headerEqualities = Object.values(document.components.parameters).flatMap((parameter) => {
    const rule = parameter['x-must-equal'];
    return rule && parameter.in === 'header' ? [{ header: parameter.name.toLowerCase(), parameter: rule.parameter, error: known(rule.error, `x-must-equal of ${parameter.name}`) }] : [];
  });
  return {
    document,
    dereferenced: dereferenced ?? (kits ? shareComponents(document, readContractDocument(smnSpecDereferencedPath)) : undefined),
    headerEqualities,
    kitChoices: kitChoicesOf(document),
    editions: editionRulesOf(document),
    requestHeaders: [...declaredHeaders, ...credentialHeaders],
    credentialHeaders,
    errors,
    parameterErrors,
    parameterError: (operationId, location, name) => {
      const key = `${location}:${name.toLowerCase()}`;
      return (operationId === undefined ? undefined : operationParameterErrors.get(`${operationId} ${key}`)) ?? parameterErrors.get(key);
    },
    notFoundErrors,
    bodyError: known([...bodyErrors.values()][0], 'the request body'),
    bodyErrors,
    eventTypeError: known(callbackItem['x-error'] as string | undefined, 'SmsCallbackUpdate'),
    topicUrnErrors,
  };
}

/**
 * The SMN contract in another OpenAPI file, its references resolved as `npm run generate`
 * resolves the kit's: by @apidevtools/json-schema-ref-parser, which the kit's
 * development install has and the contract package does without.
 */
export async function loadSmnContractFile(path: string): Promise<SmnContract> {
  return loadSmnContract(path, await dereferenceContractDocument(path));
}

/**
 * The dereferenced form of the kit's contract with its shared parts shared again: the JSON
 * file repeats every component in full wherever it is referenced (the error answers and
 * their examples in each of the 73 operations), so that, read as it is, it holds the same
 * objects dozens of times. Wherever the document refers to a component by a bare `$ref`,
 * the dereferenced form now points at the one dereferenced component, as the resolver
 * that wrote it does in memory. Read it, never change it.
 */
function shareComponents(document: unknown, dereferenced: unknown): unknown {
  const components = (dereferenced as { components?: Record<string, Record<string, unknown>> }).components ?? {};
  const share = (written: unknown, resolved: unknown): unknown => {
    if (typeof written !== 'object' || written === null || typeof resolved !== 'object' || resolved === null) return resolved;
    const ref = (written as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && Object.keys(written).length === 1 && ref.startsWith('#/components/')) {
      const [, , kind, name] = ref.split('/');
      return components[kind!]?.[name!] ?? resolved;
    }
    const target = resolved as Record<string, unknown>;
    for (const [key, value] of Object.entries(written)) if (key in target) target[key] = share(value, target[key]);
    return resolved;
  };
  // The components first: the paths then share components that share theirs.
  share((document as { components?: unknown }).components, components);
  share((document as { paths?: unknown }).paths, (dereferenced as { paths?: unknown }).paths);
  return dereferenced;
}

/** The `x-error` of each parameter of each operation, keyed `ListTopicAttributes query:name` (parameters named by `$ref`). */
function parameterErrorsByOperation(document: OpenApiDocument): Map<string, string> {
  const errors = new Map<string, string>();
  const resolved = (parameter: ParameterRef): ParameterRef =>
    parameter.$ref ? (document.components.parameters[parameter.$ref.replace('#/components/parameters/', '')] ?? {}) : parameter;
  for (const pathItem of Object.values(document.paths)) {
    const shared = ((pathItem as { parameters?: ParameterRef[] }).parameters ?? []).map(resolved);
    for (const operation of Object.values(pathItem)) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation) || !operation.operationId) continue;
      for (const parameter of [...shared, ...(operation.parameters ?? []).map(resolved)]) {
        if (parameter['x-error'] && parameter.in && parameter.name) errors.set(`${operation.operationId} ${parameter.in}:${parameter.name.toLowerCase()}`, parameter['x-error']);
      }
    }
  }
  return errors;
}

/** The `x-error`s (and the errors of `x-errors`) under a schema's properties (at any depth), with where each is. */
function fieldErrorsOf(node: unknown, pointer: string): [string, string][] {
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]): [string, string][] => {
    if (key === 'x-error' && typeof value === 'string') return [[value, pointer]];
    if (key === 'x-errors' && typeof value === 'object' && value !== null) return Object.values(value as Record<string, unknown>).map((error): [string, string] => [String(error), `${pointer}/x-errors`]);
    return fieldErrorsOf(value, `${pointer}/${key}`);
  });
}

/** Every `x-kit-choice` in the document, where it is and why. */
function kitChoicesOf(document: unknown): KitChoice[] {
  const found: KitChoice[] = [];
  const walk = (node: unknown, pointer: string): void => {
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'x-kit-choice' && typeof value === 'string') found.push({ pointer, why: value });
      else walk(value, `${pointer}${pointerTo(key)}`);
    }
  };
  walk(document, '');
  return found;
}
