// Runs the checks: one check on one operation (the vitest suite in conformance/ runs
// each as a test of its own), or every check on every operation in order (the
// `smn-kit conformance` command, and programs using the library).
import { error, type Check, type CheckResult, type CheckVerdict } from './check.js';
import { BindingsUnknown } from './bindings.js';
import { checksFor } from './checks.js';
import { CheckContext } from './context.js';
import { requestLabel } from './evidence.js';
import type { ConformanceOptions } from './options.js';
import { Unavailable } from './sandbox.js';
import { reproducer, RequestFailed } from './target.js';

/**
 * Runs one check, turning its verdict into a result. It never throws: a request that got
 * no usable answer, or anything else that stops a check, is that check's verdict, so the
 * other checks still run. Secrets are masked in what the result says.
 */
export async function runCheck(context: CheckContext, check: Check, operationId: string): Promise<CheckResult> {
  const started = performance.now();
  let verdict: CheckVerdict;
  try {
    verdict = await check.run(context, context.operation(operationId));
  } catch (failure) {
    verdict = stoppedVerdict(failure);
  }
  const { mask } = context.client;
  return {
    operation: operationId,
    check: check.name,
    ...verdict,
    message: mask(verdict.message),
    reproducer: verdict.reproducer === undefined ? undefined : mask(verdict.reproducer),
    durationMs: Math.round(performance.now() - started),
  };
}

/** The verdict of a check that stopped: an answer over the size limit fails it; no answer or an unknown state is an error. */
function stoppedVerdict(failure: unknown): CheckVerdict {
  if (failure instanceof RequestFailed) {
    return { status: failure.kind === 'too-large' ? 'fail' : 'error', message: `${requestLabel(failure.request)}: ${failure.message}`, reproducer: reproducer(failure.request) };
  }
  if (failure instanceof BindingsUnknown) return error(failure.message);
  if (failure instanceof Unavailable) return { status: failure.outcome, message: failure.message };
  const { name, message } = failure instanceof Error ? failure : { name: 'Error', message: String(failure) };
  return error(`the check stopped: ${name}: ${message}`);
}

/** Every check against every operation, in order: what `smn-kit conformance` runs and reports. */
export async function runConformance(options: ConformanceOptions): Promise<CheckResult[]> {
  const context = new CheckContext(options);
  const results: CheckResult[] = [];
  for (const operation of context.responses.operations) {
    for (const check of checksFor(operation.operationId)) results.push(await runCheck(context, check, operation.operationId));
  }
  return results;
}
