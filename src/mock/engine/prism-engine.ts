// The Prism engine: every request decided by Prism (@stoplight/prism-http) running in
// this process, as the mock did before it had a fast engine. `--engine prism` selects
// it; the fast engine (validation.ts) hands it what it does not mirror; the engines test
// holds the two to the same decisions. Loaded only when needed: importing Prism costs
// about a second and 60 MB.
//
// Prism sees only what the contract declares (engineHeaders), so its decision depends on
// nothing else but the body and why it could not be read, which is what makes the memo
// below correct.
import { createLogger } from '@stoplight/prism-core';
import { createInstance, getHttpOperationsFromSpec, type IHttpRequest } from '@stoplight/prism-http';
import type { SmnContract } from '../../contract/smn.js';
import { queryRecord, settle, unanswerable, type DecisionInput, type Decision, type Engine } from './validation.js';

const MEMO_ENTRIES = 1000;
const MEMO_MAX_BODY = 4096;

function prismConfig() {
  return {
    mock: { dynamic: false },
    validateRequest: true,
    validateResponse: false,
    // The mock authenticates before the engines (auth.ts); Prism never sees a credential.
    checkSecurity: false,
    errors: false,
    upstreamProxy: undefined,
    isProxy: false as const,
  };
}

/**
 * Prism over the contract's operations (read from `specPath` when given, else from the
 * contract's document), remembering its last 1,000 decisions.
 */
export async function createPrismEngine(contract: SmnContract, specPath?: string): Promise<Engine> {
  const operations = await getHttpOperationsFromSpec(specPath ?? structuredClone(contract.document));
  const byRoute = new Map(operations.map((operation) => [`${operation.method} ${operation.path}`, operation]));
  const prism = createInstance(prismConfig(), { logger: createLogger('smn-kit', { level: 'silent' }) });
  const memo = new Map<string, Decision>();

  return {
    name: 'prism',
    async decide(input: DecisionInput): Promise<Decision> {
      const { prefer } = input;
      const key =
        input.bodyText.length <= MEMO_MAX_BODY
          ? `${input.operation.method} ${input.pathname}${input.search}\n${JSON.stringify(input.headers)}\n${prefer.code ?? ''} ${prefer.example ?? ''}\n${input.body.problem ?? ''}\n${input.bodyText}`
          : undefined;
      const remembered = key === undefined ? undefined : memo.get(key);
      if (remembered) return remembered;

      const operation = byRoute.get(`${input.operation.method.toLowerCase()} ${input.operation.path}`);
      if (!operation) throw new Error(`Prism has no operation ${input.operation.method} ${input.operation.path}`);
      const config = { ...prismConfig(), mock: { dynamic: false, code: prefer.code, exampleKey: prefer.example } };
      const request = {
        method: operation.method as IHttpRequest['method'],
        url: { path: input.pathname, query: queryRecord(input.query) },
        headers: input.headers,
        body: input.body.body,
      };
      const result = await prism.request(request, [operation], config)();
      let decision: Decision;
      if (result._tag === 'Left') {
        // Prism could not answer: a route it does not resolve (which the gateway answers
        // with 404), or a Prefer header naming an answer the operation does not have.
        decision = unanswerable(input, result.left.message, /NO_(PATH|METHOD)_MATCHED/.test(result.left.name));
      } else {
        const output = result.right.output;
        decision = settle(contract, input, result.right.validations.input, () => ({ status: output.statusCode, body: output.body }));
      }
      if (key !== undefined) {
        if (memo.size >= MEMO_ENTRIES) memo.delete(memo.keys().next().value as string);
        memo.set(key, decision);
      }
      return decision;
    },
  };
}
