// What `listen` reports on exit: the --json and --junit files. Both are written as
// deliveries come (JUnit cases wait in a temporary file for the counts that head the
// report), so memory does not grow with the number of deliveries however long listen runs.
import { openJsonReport, openJunitReport, type JunitCase, type Summary } from '../report/report.js';
import { describeProblem, type SignatureCounts, type SmnSignatureCounts } from '../judge/verdict.js';
import type { DeliveryRecord } from '../judge/record.js';

/** The request target without its query: a GET delivery's query holds the token and signature. */
export const pathOf = (url: string): string => url.split('?')[0] ?? url;

/** How a run of listen ended, for the end of its reports. */
export interface ListenTally {
  received: number;
  /** SMN notifications whose message_id was accepted before (counted in `received`, not in `summary`). */
  redeliveries: number;
  summary: Summary;
  signatures: SignatureCounts;
  smnSignatures: SmnSignatureCounts;
  /** With --confirm: subscriptions confirmed (2xx), visits that failed, and confirmations not made. */
  confirmations?: { confirmed: number; failed: number; skipped: number };
}

export interface ListenReports {
  add(record: DeliveryRecord): void;
  close(tally: ListenTally): void;
}

/** A delivery in the --json report: what listen printed, as data (never the body, token or signature). */
const reportedDelivery = (record: DeliveryRecord) => ({
  n: record.n,
  receivedAt: record.receivedAt,
  method: record.method,
  path: pathOf(record.url),
  status: record.verdict.status,
  kind: record.verdict.kind,
  product: record.verdict.product,
  event: record.verdict.event,
  smsEvent: record.verdict.smsEvent,
  problems: record.verdict.problems,
  signature: record.verdict.signature,
  note: record.verdict.note,
  answer: record.answer.status,
  redeliveryOf: record.redeliveryOf,
});

const SUITE = 'smn-kit listen';

const junitCase = (record: DeliveryRecord): JunitCase => ({
  suite: SUITE,
  name: `#${record.n} ${record.method} ${pathOf(record.url)} ${[record.verdict.kind === 'smn-notification' ? 'smn' : record.verdict.product, record.verdict.event, record.verdict.smsEvent].filter(Boolean).join(' ')}`.trim(),
  // A redelivery is judged in the case of the delivery it repeats.
  ...(record.redeliveryOf !== undefined
    ? { status: 'skip', message: `redelivery of #${record.redeliveryOf} (the same message_id), judged there` }
    : {
        status: record.verdict.status,
        message: record.verdict.problems[0] ? describeProblem(record.verdict.problems[0]) : undefined,
        details: record.verdict.problems.map(describeProblem).join('\n'),
      }),
});

function expectedCase(expected: number, received: number): JunitCase {
  const arrived = received >= expected;
  return {
    suite: SUITE,
    name: `${expected} deliveries expected`,
    status: arrived ? 'pass' : 'fail',
    message: arrived ? undefined : `${received} of ${expected} deliveries arrived before the timeout`,
  };
}

/** Opens the report files asked for (none, one or both); each delivery is added as it is recorded. */
export function openListenReports(options: { jsonPath?: string; junitPath?: string; url: string; expected?: number }): ListenReports {
  const { expected } = options;
  const json = options.jsonPath === undefined ? undefined : openJsonReport(options.jsonPath, { url: options.url, expected: expected ?? null }, 'deliveries');
  const junit = options.junitPath === undefined ? undefined : openJunitReport(options.junitPath, SUITE);
  return {
    add(record) {
      json?.add(reportedDelivery(record));
      junit?.add(junitCase(record));
    },
    close(tally) {
      json?.close({ received: tally.received, redeliveries: tally.redeliveries, summary: tally.summary, signatures: tally.signatures, smnSignatures: tally.smnSignatures, ...(tally.confirmations ? { confirmations: tally.confirmations } : {}) });
      if (!junit) return;
      if (expected !== undefined) junit.add(expectedCase(expected, tally.received));
      junit.close();
    },
  };
}
