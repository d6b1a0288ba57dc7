// `conformance --allow-writes` touches a production system's callback bindings. Proof
// that it never loses one: against an SMN that fails one request of the run (a flaky
// gateway's 503, a reset connection, or no answer), at every position in the run in
// turn, the bindings afterwards are exactly those before, and the report says so.
import { describe, expect, it } from 'vitest';
import { checksFor, runConformance, type CheckResult } from '../src/conformance/checks.js';
import { resolveOptions } from '../src/conformance/options.js';
import { smnResponses } from '../src/contract/smn-responses.js';
import { failures, startFaultyServer, type Failure, type Fault } from './faulty-smn.js';

const token = 'tok-writes-3c9a1f';
const sorted = (bindings: { event_type: string; topic_urn: string }[]) => [...bindings].sort((a, b) => a.event_type.localeCompare(b.event_type));

interface Sweep {
  nth: number;
  how: Failure;
  before: unknown;
  after: unknown;
  results: CheckResult[];
}

/** One run whose nth request fails in the given way. A hang costs its timeout, so that one is short. */
async function runFailing(fault: Fault | undefined, nth: number, how: Failure): Promise<Sweep> {
  const server = await startFaultyServer(fault, { failRequest: { nth, how } });
  try {
    const before = sorted(server.bindings());
    const results = await runConformance(resolveOptions({ target: server.url, token, allowWrites: true, timeoutMs: how === 'hang' ? 250 : 5000 }));
    return { nth, how, before, after: sorted(server.bindings()), results };
  } finally {
    await server.close();
  }
}

/**
 * Every position of a run (counted on a run without failures, plus one for the retry a
 * failure adds), with every way of failing at each, or (`cycle`) one way per position in turn.
 */
async function sweep(fault: Fault | undefined, ways: 'all' | 'cycle'): Promise<Sweep[]> {
  const clean = await startFaultyServer(fault);
  await runConformance(resolveOptions({ target: clean.url, token, allowWrites: true }));
  const total = clean.requests();
  await clean.close();
  const positions = Array.from({ length: total + 1 }, (_, i) => i + 1);
  const plan = positions.flatMap((nth) => (ways === 'all' ? failures.map((how) => ({ nth, how })) : [{ nth, how: failures[nth % failures.length]! }]));
  // Eight runs in flight at any time, so that a hang's wait overlaps the other runs' work.
  const sweeps: Sweep[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < plan.length) {
      const { nth, how } = plan[next++]!;
      sweeps.push(await runFailing(fault, nth, how));
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return sweeps;
}

const find = (results: CheckResult[], check: string) => results.find((r) => r.operation === 'UpdateSmsEvent' && r.check === check);

// Over a hundred runs each: a minute or more on a busy machine running other test files beside.
describe('conformance --allow-writes against a target that fails one request', () => {
  it('leaves the bindings exactly as before, whichever request fails and however', async () => {
    const sweeps = await sweep(undefined, 'all');
    expect(sweeps.length).toBeGreaterThan(120);
    for (const { nth, how, before, after, results } of sweeps) {
      const where = `request ${nth} failing with ${how}`;
      expect(after, where).toEqual(before);
      expect(results, where).toHaveLength(smnResponses().operations.reduce((n, op) => n + checksFor(op.operationId).length, 0));
      // The target did nothing wrong with the bindings: nothing blames it for them, and the kit verified them.
      expect(find(results, 'negative_data_rejection')?.message, where).not.toMatch(/changed the target's bindings/);
      expect(find(results, 'bindings_restored'), where).toMatchObject({ status: 'pass' });
    }
  }, 120_000);

  it('puts back what a target that wrongly accepts invalid writes changed, whichever request fails', async () => {
    // callback: [] unbinds everything on this target: the restore has work to do at every position.
    const sweeps = await sweep('accepts-empty-callback', 'cycle');
    expect(sweeps.length).toBeGreaterThan(40);
    for (const { nth, how, before, after, results } of sweeps) {
      const where = `request ${nth} failing with ${how}`;
      expect(after, where).toEqual(before);
      expect(find(results, 'bindings_restored'), where).toMatchObject({ status: 'pass' });
    }
  }, 120_000);
});
