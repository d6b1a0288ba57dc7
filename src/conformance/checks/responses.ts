// The checks every operation gets, judged on two answers fetched once for all of them
// (CheckContext.samples): the answer to a valid request, and the refusal of one without
// credentials. Status, Content-Type, body schema, X-Request-Id, request_id, and that
// credentials are needed at all.
import { describeProblems } from '../evidence.js';
import { fail, guarded, label, mediaType, pass, warn, type Check } from '../check.js';
import { successStatus } from '../operations.js';

export const statusCodeConformance: Check = {
  name: 'status_code_conformance',
  run: guarded(async (context, operation) => {
    const exchange = await context.baseline(operation.operationId);
    const { status } = exchange.response;
    const expected = successStatus(operation);
    if (status !== expected) return fail(`a valid ${label(exchange)} must get ${expected}; received ${status}`, exchange);
    const refusal = await context.refusal(operation.operationId);
    if (!operation.responses.has(refusal.response.status)) {
      return fail(`${label(refusal)} without credentials got ${refusal.response.status}, a status ${operation.operationId} does not declare (${[...operation.responses.keys()].join(', ')})`, refusal);
    }
    return pass(`${expected} for a valid request; ${refusal.response.status} without credentials is declared`);
  }),
};

export const contentTypeConformance: Check = {
  name: 'content_type_conformance',
  run: guarded(async (context, operation) => {
    for (const exchange of await context.samples(operation)) {
      if (mediaType(exchange) !== 'application/json') {
        return fail(`${label(exchange)} (${exchange.response.status}): expected Content-Type application/json, received ${exchange.response.headers['content-type'] ?? 'none'}`, exchange);
      }
    }
    return pass('application/json on success and on error');
  }),
};

export const responseSchemaConformance: Check = {
  name: 'response_schema_conformance',
  run: guarded(async (context, operation) => {
    const warnings: string[] = [];
    for (const exchange of await context.samples(operation)) {
      const { status, json, text } = exchange.response;
      if (json === undefined) return fail(`${label(exchange)} (${status}): expected a JSON body, received ${text.length ? `"${text.slice(0, 60)}"` : 'an empty body'}`, exchange);
      // The vendor's rules fail; the kit's choices and undeclared fields warn (fail with --strict).
      const { problems, warnings: kit } = context.responses.judge(operation.operationId, status, json, { strict: context.options.strict });
      if (problems.length > 0) return fail(`${label(exchange)} (${status}): ${describeProblems(problems)}${context.options.strict ? ' (--strict)' : ''}`, exchange);
      if (kit.length > 0) warnings.push(`${label(exchange)} (${status}): ${describeProblems(kit)}`);
    }
    if (warnings.length === 0) return pass('bodies match the contract');
    return warn(`${warnings.join('; ')} (the kit's choices or fields the contract does not declare; --strict fails them)`, await context.baseline(operation.operationId));
  }),
};

export const responseHeadersConformance: Check = {
  name: 'response_headers_conformance',
  run: guarded(async (context, operation) => {
    for (const exchange of await context.samples(operation)) {
      if (!exchange.response.headers['x-request-id']) {
        return fail(`${label(exchange)} (${exchange.response.status}): expected an X-Request-Id header, received none`, exchange);
      }
    }
    return pass('X-Request-Id on success and on error');
  }),
};

export const requestIdFormat: Check = {
  name: 'request_id_format',
  run: guarded(async (context, operation) => {
    for (const exchange of await context.samples(operation)) {
      const id = (exchange.response.json as { request_id?: unknown } | undefined)?.request_id;
      const problems = context.responses.validateSchema('RequestId', id);
      if (id === undefined || problems.some((p) => !p.kitChoice)) {
        return fail(`${label(exchange)} (${exchange.response.status}): /request_id: expected a request id, received ${JSON.stringify(id) ?? 'nothing'}`, exchange);
      }
      if (problems.length > 0) {
        // Every sample has 32 hexadecimal characters, but the vendor only documents a unique string.
        const message = `${label(exchange)} (${exchange.response.status}): /request_id: expected 32 hexadecimal characters (the kit's choice), received ${JSON.stringify(id)}`;
        return context.options.strict ? fail(`${message} (--strict)`, exchange) : warn(message, exchange);
      }
    }
    return pass('request_id is 32 hexadecimal characters');
  }),
};

export const ignoredAuth: Check = {
  name: 'ignored_auth',
  run: guarded(async (context, operation) => {
    const exchange = await context.refusal(operation.operationId);
    const { status, json } = exchange.response;
    if (status !== 401) return fail(`${label(exchange)} without credentials must be refused with 401; received ${status}`, exchange);
    const { problems } = context.responses.judge(operation.operationId, 401, json, { strict: context.options.strict });
    if (problems.length > 0) return fail(`the 401 body: ${describeProblems(problems)}`, exchange);
    return pass('refused without credentials (401)');
  }),
};
