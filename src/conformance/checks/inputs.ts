// The checks that send what the contract says must be refused (negative_data_rejection)
// and what it says must be accepted (positive_data_acceptance). The inputs come from the
// contract (../cases.ts); the writes among them touch only the run's own topics, or
// write the callback bindings back as they were and restore them afterwards.
import type { SmnOperation } from '../../contract/smn-responses.js';
import { negativeCases, positiveCases, type NegativeCase } from '../cases.js';
import { fail, guarded, mediaType, pass, warn, type Check, type CheckVerdict } from '../check.js';
import type { CheckContext } from '../context.js';
import { describeProblems } from '../evidence.js';
import { isWrite, successStatus, UPDATE_SMS_EVENT } from '../operations.js';
import type { Exchange } from '../target.js';

export const negativeDataRejection: Check = {
  name: 'negative_data_rejection',
  run: guarded(async (context, operation) => {
    // Each invalid request is a valid one with one thing broken: without a valid one, there is nothing to break.
    context.usable(operation);
    if (!isWrite(operation)) return rejectInvalid(context, operation);
    if (operation.operationId !== UPDATE_SMS_EVENT) {
      // Bodies made from the contract's examples with the run's own names; a template example too (its invalid forms are refused before any template is looked up).
      const bodies: unknown[] = [];
      for (const example of operation.requestExamples) bodies.push(JSON.parse((await context.validBody(operation, example)) ?? 'null') as unknown);
      return rejectInvalid(context, operation, bodies[0], bodies.slice(1));
    }
    // Start from the bindings of the start, so that a change found afterwards is the invalid requests' doing.
    const start = await context.bindings.restore();
    let verdict: CheckVerdict | undefined;
    let stopped: { failure: unknown } | undefined;
    try {
      verdict = await rejectInvalid(context, operation, JSON.parse(await context.bindings.unchangedBody()));
    } catch (failure) {
      stopped = { failure };
    }
    // Whatever happened to the requests, what they changed is put back before the next check.
    const { changed, unrestored } = await context.bindings.restore();
    if (changed && !start.unrestored) {
      const outcome = unrestored ? `putting them back failed (${unrestored.reason}); see bindings_restored` : 'they were put back';
      const also = `the invalid requests changed the target's bindings (${changed}); ${outcome}`;
      return verdict?.status === 'fail' ? { ...verdict, message: `${verdict.message}; ${also}` } : fail(also);
    }
    if (stopped) throw stopped.failure;
    return verdict!;
  }),
};

export const positiveDataAcceptance: Check = {
  name: 'positive_data_acceptance',
  run: guarded(async (context, operation) => {
    context.usable(operation);
    const requests: { description: string; send: () => Promise<Exchange> }[] =
      operation.operationId === UPDATE_SMS_EVENT
        ? ['application/json', 'application/json;charset=UTF-8'].map((contentType) => ({
            description: `the current bindings written back as ${contentType}`,
            send: async () => context.request(operation, { body: await context.bindings.unchangedBody(), contentType }),
          }))
        : isWrite(operation)
          ? writeVariants(context, operation)
          : positiveCases(operation).map((c) => ({ description: c.description, send: () => context.get(operation.operationId, c.query) }));
    const expected = successStatus(operation);
    for (const request of requests) {
      const exchange = await request.send();
      const { status, json } = exchange.response;
      if (status !== expected) return fail(`${request.description}: a valid request must get ${expected}; received ${status}`, exchange);
      // An answer declared without a JSON body (a tag added) has no schema to judge.
      if (!operation.responses.has(status)) continue;
      const { problems } = context.responses.judge(operation.operationId, status, json, { strict: context.options.strict, edition: context.options.edition });
      if (problems.length > 0) return fail(`${request.description}: ${describeProblems(problems)}`, exchange);
    }
    return pass(`${requests.length} valid requests accepted`);
  }),
};

/**
 * Valid variants of a write: each example of the contract with the run's names (an
 * example naming a message template is left out: it needs a template the target may
 * not have), sent with `;charset=UTF-8` as old clients send it. A DELETE has no variant
 * beyond the request status_code_conformance sends.
 */
function writeVariants(context: CheckContext, operation: SmnOperation): { description: string; send: () => Promise<Exchange> }[] {
  if (!operation.requestBody) return [];
  return operation.requestExamples
    .filter((example) => !(typeof example === 'object' && example !== null && 'message_template_name' in example))
    .map((example, i) => ({
      description: `the contract's example ${i + 1} as application/json;charset=UTF-8`,
      send: async () => {
        const { path, body } = await context.validRequest(operation, example);
        return context.request(operation, { path, body, contentType: 'application/json;charset=UTF-8' });
      },
    }));
}

/** Sends every invalid request of the operation; the first that is not refused as documented fails the check. */
async function rejectInvalid(context: CheckContext, operation: SmnOperation, example?: unknown, others: unknown[] = []): Promise<CheckVerdict> {
  const cases = negativeCases(operation, context.responses.contract, example, others);
  const warnings: string[] = [];
  let firstWarning: Exchange | undefined;
  for (const negative of cases) {
    const exchange = await sendCase(context, operation, negative);
    const verdict = judgeRejection(context, operation, negative, exchange);
    if (verdict.status === 'fail') return { ...verdict, message: `${negative.description}: ${verdict.message}` };
    if (verdict.status === 'warn') {
      warnings.push(`${negative.description}: ${verdict.message}`);
      firstWarning ??= exchange;
    }
  }
  if (warnings.length > 0) return warn(warnings.join('; '), firstWarning);
  return pass(`${cases.length} invalid requests refused with the documented codes`);
}

async function sendCase(context: CheckContext, operation: SmnOperation, negative: NegativeCase): Promise<Exchange> {
  const path = { ...negative.path };
  if (negative.absent) path[negative.absent] = await context.sandbox.absent(negative.absent);
  // A request that names a resource sends a body that would be valid there, so that only what the case breaks is wrong.
  const body = negative.body ?? (negative.path || negative.absent || negative.query ? await context.validBody(operation) : undefined);
  return context.request(operation, { query: negative.query, body, contentType: negative.contentType, path });
}

function judgeRejection(context: CheckContext, operation: SmnOperation, negative: NegativeCase, exchange: Exchange): CheckVerdict {
  const documented = context.responses.contract.errors.get(negative.error);
  if (!documented || !('code' in documented.body)) throw new Error(`the contract has no SMN error example ${negative.error}`);
  const expectedStatus = documented.status ?? 400;
  const expectedCode = documented.body.code;
  const { status, json } = exchange.response;
  // A refusal the vendor does not document is the kit's expectation, not a rule.
  if (negative.kitChoice && (status !== expectedStatus || (json as { code?: unknown } | undefined)?.code !== expectedCode)) {
    return warn(`expected ${expectedStatus} with code ${expectedCode} (the kit's choice, not the vendor's rule), received ${status}${typeof (json as { code?: unknown } | undefined)?.code === 'string' ? ` ${(json as { code: string }).code}` : ''}`, exchange);
  }
  if (status !== expectedStatus) return fail(`expected ${expectedStatus} with code ${expectedCode}, received ${status}`, exchange);
  if (mediaType(exchange) !== 'application/json') return fail(`expected an SMN error body (application/json), received ${exchange.response.headers['content-type'] ?? 'no Content-Type'}`, exchange);
  const { problems } = context.responses.judge(operation.operationId, status, json, { strict: context.options.strict });
  if (problems.length > 0) return fail(`expected an SMN error body: ${describeProblems(problems)}`, exchange);
  const code = (json as { code: string }).code;
  if (code === expectedCode) return pass('');
  if (!documented.vendorDocumented) return warn(`/code: received ${code}; the vendor documents no code for this (smn-kit answers ${expectedCode})`, exchange);
  return fail(`/code: expected ${expectedCode}, received ${code}`, exchange);
}
