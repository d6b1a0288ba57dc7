// Runs the checks of one receiver, in order, each into a CheckResult as the SMN checks
// give them (the same reports). It never throws for what the receiver does: a delivery
// with no answer is its check's verdict; once the receiver stops answering, or the user
// stops the run, the checks left are errors that say why, so the reports are complete.
import type { CheckResult, CheckVerdict } from '../check.js';
import { errored, isPending, type ReceiverCheck, type ReceiverCheckContext, type ReceiverOutcome } from './check.js';
import { SendingStopped } from './sender.js';

export interface ReceiverRun {
  results: CheckResult[];
  /** Set when the very first delivery found nobody to take it: why. */
  unreachable?: string;
}

/**
 * Runs `checks` in order. `onResult` gets each result in order as soon as it and every
 * one before it are known (a verdict judged at the end of the run holds back the ones after it).
 */
export async function runReceiverChecks(checks: ReceiverCheck[], context: ReceiverCheckContext, onResult?: (result: CheckResult) => void): Promise<ReceiverRun> {
  const outcomes: { check: ReceiverCheck; outcome: ReceiverOutcome; ms: number }[] = [];
  const results: CheckResult[] = [];
  const settle = (final: boolean): void => {
    while (results.length < outcomes.length) {
      const { check, outcome, ms } = outcomes[results.length]!;
      if (typeof outcome === 'function' && !final) return;
      if (isPending(outcome) && !final && !outcome.ready()) return;
      const verdict: CheckVerdict = typeof outcome === 'function' ? outcome() : isPending(outcome) ? outcome.verdict() : outcome;
      const result: CheckResult = { operation: check.operation, check: check.name, ...verdict, durationMs: Math.round(ms) };
      results.push(result);
      onResult?.(result);
    }
  };
  for (const check of checks) {
    const started = performance.now();
    let outcome: ReceiverOutcome;
    try {
      outcome = await check.run(context);
    } catch (failure) {
      if (failure instanceof SendingStopped) outcome = errored(context, failure.message);
      else {
        const { name, message } = failure instanceof Error ? failure : { name: 'Error', message: String(failure) };
        outcome = errored(context, `the check stopped: ${name}: ${message}`);
      }
    }
    outcomes.push({ check, outcome, ms: performance.now() - started });
    settle(false);
  }
  settle(true);
  return { results, unreachable: context.sender.unreachable };
}
