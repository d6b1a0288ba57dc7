// What `fire` reports with --json and --junit: each delivery with the answer it got and
// whether that was the expected one, written as the deliveries go (so a run of 100,000
// is never held in memory) and completed at the end, also when the receiver stopped
// answering part way. Nothing in them shows the key, a token or a signature.
import { openJsonReport, openJunitReport, type StreamedReport, type JunitCase } from '../report/report.js';
import type { SentDelivery } from './run.js';

export interface FireReports {
  add(sent: SentDelivery): void;
  /** Completes the files: `ended` says how the run ended when it did not end normally. */
  close(end: { seconds: number; ended?: string }): void;
}

const SUITE = 'smn-kit fire';

const junitCase = (sent: SentDelivery): JunitCase => {
  const answer = sent.status === undefined ? 'no answer' : `${sent.status}${sent.ms === undefined ? '' : ` in ${sent.ms.toFixed(1)} ms`}`;
  const expected = sent.expect === 'accept' ? 'a 2xx answer' : `a refusal (not 2xx): it breaks ${sent.rule ?? 'a rule'}`;
  return {
    suite: SUITE,
    name: `#${sent.n} ${sent.label}`,
    status: sent.outcome,
    message: sent.outcome === 'fail' ? `expected ${expected}, received ${answer}${sent.note ? `: ${sent.note}` : ''}` : undefined,
    seconds: (sent.ms ?? 0) / 1000,
  };
};

/** Opens the report files asked for (none, one or both). */
export function openFireReports(options: { jsonPath?: string; junitPath?: string; to: string; seed: number; planned: number }): FireReports {
  const json: StreamedReport<unknown, Record<string, unknown>> | undefined =
    options.jsonPath === undefined ? undefined : openJsonReport(options.jsonPath, { to: options.to, seed: options.seed, planned: options.planned }, 'deliveries');
  const junit = options.junitPath === undefined ? undefined : openJunitReport(options.junitPath, `${SUITE} ${options.to}`);
  const counts = { pass: 0, fail: 0 };
  return {
    add(sent) {
      counts[sent.outcome]++;
      json?.add({ n: sent.n, label: sent.label, expect: sent.expect, rule: sent.rule ?? null, status: sent.status ?? null, ms: sent.ms === undefined ? null : Math.round(sent.ms * 10) / 10, outcome: sent.outcome, note: sent.note || null });
      junit?.add(junitCase(sent));
    },
    close({ seconds, ended }) {
      json?.close({ sent: counts.pass + counts.fail, asExpected: counts.pass, unexpected: counts.fail, seconds: Math.round(seconds * 1000) / 1000, ended: ended ?? null });
      junit?.close();
    },
  };
}
