// Sends a plan's deliveries one after the other (at most --rate per second), printing
// one line per delivery with the receiver's status and time. Nothing printed shows the
// key, a token or a signature.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { deliver, DeliveryError, DEFAULT_TIMEOUT_MS, printableUrl } from '../net/deliver.js';
import { FireError } from './errors.js';
import { makeNext, startMaking } from './make.js';
import type { FirePlan, PlannedDelivery } from './plan.js';

export interface RunOptions {
  /** Deliveries per second at most; default as fast as the receiver answers. */
  rate?: number;
  /** Milliseconds for each delivery, its whole answer included. */
  timeoutMs?: number;
  /** Where the lines go (default stdout). */
  out?: (line: string) => void;
  /** Stops the run at once, the delivery in flight included (Ctrl-C, SIGTERM). */
  signal?: AbortSignal;
  /** Called with each delivery's outcome once it is known (the reports). */
  onDelivery?: (sent: SentDelivery) => void;
}

/** One delivery and what came of it, for the reports. */
export interface SentDelivery {
  /** From 1, in the order sent. */
  n: number;
  label: string;
  expect: PlannedDelivery['expect'];
  rule?: string;
  /** The answer's status; undefined when none came. */
  status?: number;
  ms?: number;
  /** pass: the answer was what the delivery expects (2xx, or not 2xx for a tampered one). */
  outcome: 'pass' | 'fail';
  /** Why it failed, or what a refusal means: the end of the delivery's line. */
  note: string;
}

export interface FireResult {
  sent: number;
  /** Answers that were what the delivery expected: 2xx, or not 2xx for a tampered delivery. */
  asExpected: number;
  unexpected: number;
  seconds: number;
  /** Whether the run was stopped before its end (`sent` counts the answers received). */
  stopped: boolean;
}

const is2xx = (status: number): boolean => status >= 200 && status < 300;

/** Whether an answer's status is what the delivery expects, and what the line adds when it is not (or is, for a refusal). */
function answerCheck(delivery: PlannedDelivery, status: number): { ok: boolean; note: string } {
  if (delivery.expect === 'accept') return is2xx(status) ? { ok: true, note: '' } : { ok: false, note: ': not 2xx' };
  return is2xx(status)
    ? { ok: false, note: `: accepted, but a receiver should refuse it (${delivery.rule ?? 'tampered'})` }
    : { ok: true, note: ': refused, as it should be' };
}

/**
 * Sends every delivery of `plan` to its receiver in order. Resolves with the counts;
 * rejects with a FireError when the receiver cannot be reached at all.
 */
export async function runFire(plan: FirePlan, options: RunOptions = {}): Promise<FireResult> {
  const out = options.out ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const interval = options.rate ? 1000 / options.rate : 0;
  const width = String(plan.deliveries.length).length;
  const started = performance.now();
  let asExpected = 0;
  let unexpected = 0;
  const making = startMaking(plan);
  const { signal } = options;
  let sent = 0;
  const result = (): FireResult => ({ sent, asExpected, unexpected, seconds: (performance.now() - started) / 1000, stopped: Boolean(signal?.aborted) });
  for (const [index, delivery] of plan.deliveries.entries()) {
    const due = started + index * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait, undefined, { signal }).catch(() => undefined);
    if (signal?.aborted) return result();
    const request = makeNext(plan, making, Date.now());
    const prefix = `#${String(index + 1).padStart(width)} ${delivery.label}`;
    const reported = { n: index + 1, label: delivery.label, expect: delivery.expect, rule: delivery.rule };
    try {
      const answer = await deliver(request, { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, signal });
      sent++;
      const { ok, note } = answerCheck(delivery, answer.status);
      if (ok) asExpected++;
      else unexpected++;
      out(`${prefix} -> ${answer.status} in ${answer.ms.toFixed(1)} ms${note}`);
      options.onDelivery?.({ ...reported, status: answer.status, ms: answer.ms, outcome: ok ? 'pass' : 'fail', note: note.replace(/^: /, '') });
    } catch (error) {
      if (!(error instanceof DeliveryError)) throw error;
      if (signal?.aborted) return result();
      sent++;
      if (error.kind === 'unreachable') {
        const after = index > 0 ? ` after ${index} deliver${index === 1 ? 'y' : 'ies'}` : '';
        options.onDelivery?.({ ...reported, outcome: 'fail', note: `cannot reach the receiver (${error.reason})` });
        throw new FireError(`--to ${printableUrl(request.url)}: cannot reach the receiver${after} (${error.reason}); is it running, and is the URL right?`, 'receiver-unreachable');
      }
      unexpected++;
      out(`${prefix} -> no answer (${error.reason})`);
      options.onDelivery?.({ ...reported, outcome: 'fail', note: `no answer (${error.reason})` });
    }
  }
  return result();
}
