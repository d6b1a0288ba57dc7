// Runs the checks: one check on one operation (the vitest suite in conformance/ runs
// each as a test of its own), or every check on every operation in order (the
// `smn-kit conformance` command, and programs using the library).
import { error, type Check, type CheckResult, type CheckVerdict } from './check.js';
import { BindingsUnknown } from './bindings.js';
import { checksFor } from './checks.js';
import { bindingsRestored, resourcesCleaned } from './checks/cleanup.js';
import { CANCEL_SUBSCRIPTION, UPDATE_SMS_EVENT } from './operations.js';
import { EDITION_NAMES, EDITIONS, undocumentedIn } from '../contract/editions.js';
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

/** One check of one operation in a run, with its place. */
export interface Step {
  operation: string;
  check: string;
  /** From 1. */
  index: number;
  total: number;
}

/** Which part of the suite a run runs, and who hears of its progress. */
export interface RunSelection {
  /** The checks to run, by name (default all). */
  checks?: readonly string[];
  /** The operations to check, by operationId (default all): those a deployment implements. */
  operations?: readonly string[];
  /** Called as each check starts. */
  onStart?: (step: Step) => void;
  /** Called with each result as it comes. */
  onResult?: (result: CheckResult, step: Step) => void;
}

/**
 * The checks a selection runs, in the suite's order. The kit's promises run whenever
 * writes are allowed, whatever was selected: bindings_restored once a check of
 * UpdateSmsEvent runs, resources_cleaned always, last of all (it finds what the run
 * made, if anything, and deletes it).
 */
export function plan(options: ConformanceOptions, selection: RunSelection, operations: readonly string[]): { operation: string; check: Check }[] {
  const wanted = (names: readonly string[] | undefined, name: string): boolean => names === undefined || names.includes(name);
  const chosen = operations.flatMap((operation) =>
    checksFor(operation)
      .filter((check) => check !== resourcesCleaned && wanted(selection.operations, operation) && wanted(selection.checks, check.name))
      .map((check) => ({ operation, check })),
  );
  const cleaned = wanted(selection.checks, resourcesCleaned.name) || (options.allowWrites && chosen.length > 0) ? [{ operation: CANCEL_SUBSCRIPTION, check: resourcesCleaned }] : [];
  if (!options.allowWrites) return [...chosen, ...(wanted(selection.operations, CANCEL_SUBSCRIPTION) ? cleaned : [])];
  const promised = (operation: string, check: Check, when: boolean) => (when && !chosen.some((c) => c.check === check) ? [{ operation, check }] : []);
  const bindings = promised(UPDATE_SMS_EVENT, bindingsRestored, chosen.some((c) => c.operation === UPDATE_SMS_EVENT));
  // In the suite's order: bindings_restored after UpdateSmsEvent's checks, resources_cleaned last of all.
  const after = chosen.map((c) => c.operation).lastIndexOf(UPDATE_SMS_EVENT) + 1;
  return [...chosen.slice(0, after), ...bindings, ...chosen.slice(after), ...cleaned];
}

/**
 * What it means that the target does not route an operation (its valid request gets the
 * gateway's "no such API"): a failure, unless the vendor's editions differ on whether the
 * operation exists (`x-editions` with `documented: false`). Then, with --edition, the
 * edition that lacks it makes it a skip, the other a failure; without, a warning that
 * names both.
 */
function unroutedVerdict(context: CheckContext, operationId: string): { status: 'fail' | 'warn' | 'skip'; why: string } {
  const operation = context.operation(operationId);
  const lacking = undocumentedIn(context.responses.contract.editions, operation.pointer);
  if (lacking.length === 0) return { status: 'fail', why: '' };
  const having = EDITIONS.filter((e) => !lacking.includes(e));
  const readings = `${having.map((e) => EDITION_NAMES[e]).join(' and ')} documents it, ${lacking.map((e) => EDITION_NAMES[e]).join(' and ')} does not`;
  const { edition } = context.options;
  if (edition === undefined) return { status: 'warn', why: ` (${readings}; --edition says which the target is)` };
  return lacking.includes(edition) ? { status: 'skip', why: ` (${EDITION_NAMES[edition]} does not document it: --edition ${edition})` } : { status: 'fail', why: ` (${readings}: --edition ${edition})` };
}

/**
 * The selected checks against the selected operations, in order: what `smn-kit
 * conformance` runs and reports. An operation the target does not route at all (its
 * valid request gets the gateway's "no such API") is one verdict, its other checks
 * skipped with that reason, rather than a page of failures.
 */
export async function runConformance(options: ConformanceOptions, selection: RunSelection = {}): Promise<CheckResult[]> {
  const context = new CheckContext(options);
  context.select(selection.operations);
  const steps = plan(options, selection, context.responses.operations.map((op) => op.operationId));
  const results: CheckResult[] = [];
  const unrouted = new Map<string, string>();
  for (const [i, { operation, check }] of steps.entries()) {
    const step = { operation, check: check.name, index: i + 1, total: steps.length };
    selection.onStart?.(step);
    const why = unrouted.get(operation);
    let result: CheckResult =
      why === undefined || check === resourcesCleaned || check === bindingsRestored
        ? await runCheck(context, check, operation)
        : { operation, check: check.name, status: 'skip', message: `not run: the target does not route ${operation}`, durationMs: 0 };
    const found = why === undefined && check !== resourcesCleaned ? await context.unrouted(operation) : undefined;
    if (found !== undefined) {
      unrouted.set(operation, found);
      const rest = steps.slice(i + 1).filter((s) => s.operation === operation && s.check !== resourcesCleaned).length;
      const verdict = unroutedVerdict(context, operation);
      const sentences = [rest > 0 ? `its remaining ${rest} check(s) are not run.` : '', verdict.status === 'skip' ? '' : `If the deployment does not implement ${operation}, leave it out with --operations`].filter(Boolean);
      result = { ...result, status: verdict.status, message: `${found}${verdict.why}${sentences.length > 0 ? `; ${sentences.join(' ')}` : ''}` };
    }
    results.push(result);
    selection.onResult?.(result, step);
  }
  return results;
}
