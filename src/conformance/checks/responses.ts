// The checks every operation gets, judged on two answers fetched once for all of them
// (CheckContext.samples): the answer to a valid request, and the refusal of one without
// credentials. Status, Content-Type, body schema, X-Request-Id, request_id, and that
// credentials are needed at all. Where the run cannot make a valid request (NOT_MADE,
// or nothing to read), the refusal is judged alone, and the verdict says why.
import { parseMediaType } from '../../contract/media-type.js';
import type { SmnOperation } from '../../contract/smn-responses.js';
import { describeProblems } from '../evidence.js';
import { fail, guarded, label, mediaType, pass, skip, warn, type Check } from '../check.js';
import { successStatus } from '../operations.js';
import type { Exchange } from '../target.js';

/** `; not judged on a valid request: <why>` when there was none. */
const without = (missing: string | undefined): string => (missing ? `; no valid request judged (${missing})` : '');

/** The media types the operation declares for the status of an answer; [] when it declares that status without a body. */
const declaredMedia = (operation: SmnOperation, exchange: Exchange): string[] | undefined => operation.statuses.get(exchange.response.status);

export const statusCodeConformance: Check = {
  name: 'status_code_conformance',
  run: guarded(async (context, operation) => {
    const { exchanges, missing } = await context.samples(operation);
    if (missing) return skip(`not run: ${missing}`);
    const [exchange, refusal] = exchanges as [Exchange, Exchange];
    const { status } = exchange.response;
    const expected = successStatus(operation);
    if (status !== expected) return fail(`a valid ${label(exchange)} must get ${expected}; received ${status}`, exchange);
    if (!operation.statuses.has(refusal.response.status)) {
      return fail(`${label(refusal)} without credentials got ${refusal.response.status}, a status ${operation.operationId} does not declare (${[...operation.statuses.keys()].join(', ')})`, refusal);
    }
    return pass(`${expected} for a valid request; ${refusal.response.status} without credentials is declared`);
  }),
};

export const contentTypeConformance: Check = {
  name: 'content_type_conformance',
  run: guarded(async (context, operation) => {
    const { exchanges, missing } = await context.samples(operation);
    const seen: string[] = [];
    for (const exchange of exchanges) {
      // What the operation declares for that status (a certificate is PEM; a tag added has no body); JSON otherwise.
      const declared = declaredMedia(operation, exchange) ?? ['application/json'];
      const received = mediaType(exchange);
      const bodyless = declared.length === 0;
      if (bodyless ? exchange.response.text !== '' && received !== 'application/json' : !declared.some((type) => parseMediaType(type)?.type === received)) {
        const expected = bodyless ? 'no body (or application/json)' : `Content-Type ${declared.join(' or ')}`;
        return fail(`${label(exchange)} (${exchange.response.status}): expected ${expected}, received ${exchange.response.headers['content-type'] ?? 'none'}`, exchange);
      }
      seen.push(bodyless ? 'no body' : received);
    }
    return pass(`${[...new Set(seen)].join(' and ')} on ${missing ? 'error' : 'success and on error'}${without(missing)}`);
  }),
};

export const responseSchemaConformance: Check = {
  name: 'response_schema_conformance',
  run: guarded(async (context, operation) => {
    const warnings: string[] = [];
    const { exchanges, missing } = await context.samples(operation);
    const { strict, edition } = context.options;
    let judged = 0;
    for (const exchange of exchanges) {
      const { status, json, text } = exchange.response;
      // An answer the operation declares without a JSON body (a certificate, a tag added) has no schema to judge.
      const declared = declaredMedia(operation, exchange);
      if (declared && !operation.responses.has(status)) continue;
      if (json === undefined) return fail(`${label(exchange)} (${status}): expected a JSON body, received ${text.length ? `"${text.slice(0, 60)}"` : 'an empty body'}`, exchange);
      // The vendor's rules fail; the kit's choices and undeclared fields warn (fail with --strict); an edition's rule fails with --edition, else warns naming both readings.
      const { problems, warnings: kit } = context.responses.judge(operation.operationId, status, json, { strict, edition });
      if (problems.length > 0) return fail(`${label(exchange)} (${status}): ${describeProblems(problems)}${strict ? ' (--strict)' : ''}`, exchange);
      if (kit.length > 0) warnings.push(`${label(exchange)} (${status}): ${describeProblems(kit)}`);
      judged++;
    }
    if (warnings.length > 0) {
      return warn(`${warnings.join('; ')} (the kit's choices, fields the contract does not declare, or where the editions differ; --strict fails the first two, --edition the last)`, exchanges[0]);
    }
    return pass(`${judged === 0 ? 'no JSON body to judge' : 'bodies match the contract'}${without(missing)}`);
  }),
};

export const responseHeadersConformance: Check = {
  name: 'response_headers_conformance',
  run: guarded(async (context, operation) => {
    const { exchanges, missing } = await context.samples(operation);
    for (const exchange of exchanges) {
      if (!exchange.response.headers['x-request-id']) {
        return fail(`${label(exchange)} (${exchange.response.status}): expected an X-Request-Id header, received none`, exchange);
      }
    }
    return pass(`X-Request-Id on ${missing ? 'error' : 'success and on error'}${without(missing)}`);
  }),
};

export const requestIdFormat: Check = {
  name: 'request_id_format',
  run: guarded(async (context, operation) => {
    const { exchanges, missing } = await context.samples(operation);
    let judged = 0;
    for (const exchange of exchanges) {
      const declared = operation.responses.get(exchange.response.status);
      // A body the operation declares without request_id (a version document, a certificate) has none to judge.
      if (!(declared?.properties as Record<string, unknown> | undefined)?.request_id) continue;
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
      judged++;
    }
    return pass(`${judged === 0 ? 'no answer declares a request_id' : 'request_id is 32 hexadecimal characters'}${without(missing)}`);
  }),
};

export const ignoredAuth: Check = {
  name: 'ignored_auth',
  run: guarded(async (context, operation) => {
    // The vendor documents no credential for the API forms of a message's links (no request
    // header on their pages, no permission needed): nothing to refuse.
    if (operation.anonymous) return skip('the operation needs no credential (the contract\'s security allows none, as the vendor documents it)');
    const exchange = await context.refusal(operation.operationId);
    const { status, json } = exchange.response;
    if (status !== 401) return fail(`${label(exchange)} without credentials must be refused with 401; received ${status}`, exchange);
    const { problems } = context.responses.judge(operation.operationId, 401, json, { strict: context.options.strict });
    if (problems.length > 0) return fail(`the 401 body: ${describeProblems(problems)}`, exchange);
    return pass('refused without credentials (401)');
  }),
};
