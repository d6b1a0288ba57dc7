// What a conformance check is: a named function that judges one property of one
// operation of the target and returns a verdict with its evidence (expected vs received,
// a JSON pointer, a curl reproducer), and the helpers every check builds verdicts with.
import { parseMediaType } from '../contract/media-type.js';
import type { Outcome } from '../report/report.js';
import type { SmnOperation } from '../contract/smn-responses.js';
import { BindingsUnknown } from './bindings.js';
import type { CheckContext } from './context.js';
import { requestLabel } from './evidence.js';
import { isWrite, UPDATE_SMS_EVENT } from './operations.js';
import { reproducer, type Exchange } from './target.js';

export interface CheckResult {
  operation: string;
  check: string;
  /** `error`: no verdict could be reached (a request got no complete answer, or the state a check needs could not be read). */
  status: Outcome;
  message: string;
  /** A curl command that reproduces the request behind a failure or warning (or, for bindings_restored, puts the bindings back). */
  reproducer?: string;
  /** How long the check took, requests included. */
  durationMs?: number;
}

/** What a check decides about one operation: a CheckResult without the names of the check and the operation, which the runner adds. */
export type CheckVerdict = Omit<CheckResult, 'operation' | 'check'>;

export interface Check {
  name: string;
  /** The operations it applies to; all of the contract's when absent. */
  operations?: string[];
  run(context: CheckContext, operation: SmnOperation): Promise<CheckVerdict>;
}

export const pass = (message: string): CheckVerdict => ({ status: 'pass', message });
export const skip = (message: string): CheckVerdict => ({ status: 'skip', message });
export const fail = (message: string, exchange?: Exchange): CheckVerdict => ({ status: 'fail', message, reproducer: exchange && reproducer(exchange.request) });
export const warn = (message: string, exchange?: Exchange): CheckVerdict => ({ status: 'warn', message, reproducer: exchange && reproducer(exchange.request) });
export const error = (message: string, exchange?: Exchange): CheckVerdict => ({ status: 'error', message, reproducer: exchange && reproducer(exchange.request) });

/** One reason for every operation that writes, so that a report can give it once for all of them. */
const writesSkipped = (): CheckVerdict => skip('writes are off, and this operation changes the target; run with --allow-writes to check it');

export const mediaType = (exchange: Exchange): string => parseMediaType(exchange.response.headers['content-type'] ?? '')?.type ?? '';

export const label = (exchange: Exchange): string => requestLabel(exchange.request);

type Item = Record<string, unknown>;

/** The items of a list answer under `field`, or undefined when the answer is not a 200 with such a list. */
export function listOf(exchange: Exchange, field: string): Item[] | undefined {
  const items = (exchange.response.json as Record<string, unknown> | undefined)?.[field];
  return exchange.response.status === 200 && Array.isArray(items) ? (items as Item[]) : undefined;
}

/**
 * Runs the checks that need writes only when writes are allowed, and only once the
 * bindings before the run are known for certain: every PUT is built from them, or
 * restores them, so an unknown start means no PUT at all.
 */
export const guarded =
  (run: Check['run']): Check['run'] =>
  async (context, operation) => {
    if (!isWrite(operation)) return run(context, operation);
    if (!context.options.allowWrites) return writesSkipped();
    // The topic operations write only to the run's own resources (sandbox.ts); the bindings are UpdateSmsEvent's.
    if (operation.operationId !== UPDATE_SMS_EVENT) return run(context, operation);
    try {
      await context.bindings.initial();
    } catch (failure) {
      if (failure instanceof BindingsUnknown) return error(`not run, nothing written: ${failure.message}`);
      throw failure;
    }
    return run(context, operation);
  };
