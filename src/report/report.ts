// What `conformance`, `validate` and `listen` report, in the two forms CI systems read:
// a JSON document and JUnit XML. Each command builds its own JSON shape around the
// same statuses and summary; the JUnit form is shared. Both can be written entry by
// entry, so a report over any number of items is never held in memory.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Status = 'pass' | 'fail' | 'warn' | 'skip';

/**
 * A status, or `error`: no verdict could be reached (a conformance request got no
 * complete answer, or what a check needed first could not be read). Only commands that
 * can meet that case use it; the others keep to Status.
 */
export type Outcome = Status | 'error';

export interface Summary {
  pass: number;
  fail: number;
  warn: number;
  skip: number;
}

export interface OutcomeSummary extends Summary {
  error: number;
}

export function summarize(statuses: Iterable<Status>): Summary {
  return tally(statuses, { pass: 0, fail: 0, warn: 0, skip: 0 });
}

export function summarizeOutcomes(outcomes: Iterable<Outcome>): OutcomeSummary {
  return tally(outcomes, { pass: 0, fail: 0, error: 0, warn: 0, skip: 0 });
}

function tally<K extends string, T extends Record<K, number>>(keys: Iterable<K>, counts: T): T {
  for (const key of keys) counts[key]++;
  return counts;
}

/** One JUnit test case: `suite` becomes the classname, `name` the test name. */
export interface JunitCase {
  suite: string;
  name: string;
  status: Outcome;
  /** One line: why it failed, was skipped or warned. */
  message?: string;
  /** Longer text shown under the failure (expected vs received, a reproducer). */
  details?: string;
  seconds?: number;
}

const escapeXml = (text: string): string =>
  // Characters XML 1.0 cannot hold at all are dropped; the rest escaped.
  text
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

function testcaseXml(c: JunitCase): string {
  const open = `    <testcase classname="${escapeXml(c.suite)}" name="${escapeXml(c.name)}" time="${(c.seconds ?? 0).toFixed(3)}"`;
  const message = escapeXml(c.message ?? '');
  if (c.status === 'pass') return `${open}/>`;
  if (c.status === 'fail' || c.status === 'error') {
    // An error (no verdict could be reached) is JUnit's <error>, which fails the build too.
    const element = c.status === 'fail' ? 'failure' : 'error';
    return [`${open}>`, `      <${element} message="${message}">${escapeXml(c.details ?? c.message ?? '')}</${element}>`, '    </testcase>'].join('\n');
  }
  if (c.status === 'skip') return [`${open}>`, `      <skipped message="${message}"/>`, '    </testcase>'].join('\n');
  return [`${open}>`, `      <system-out>warning: ${escapeXml(c.details ?? c.message ?? '')}</system-out>`, '    </testcase>'].join('\n');
}

/** What a `<testsuite>` (or `<testsuites>`) element counts. */
interface SuiteCounts {
  tests: number;
  counts: OutcomeSummary;
  seconds: number;
}

const countCase = (into: SuiteCounts, c: JunitCase): void => {
  into.tests++;
  into.counts[c.status]++;
  into.seconds += c.seconds ?? 0;
};

const newCounts = (): SuiteCounts => ({ tests: 0, counts: summarizeOutcomes([]), seconds: 0 });

const testsuitesOpen = (name: string, total: SuiteCounts): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${escapeXml(name)}" tests="${total.tests}" failures="${total.counts.fail}" errors="${total.counts.error}" skipped="${total.counts.skip}">`;

const testsuiteOpen = (suite: string, members: SuiteCounts): string =>
  `  <testsuite name="${escapeXml(suite)}" tests="${members.tests}" failures="${members.counts.fail}" errors="${members.counts.error}" skipped="${members.counts.skip}" time="${members.seconds.toFixed(3)}">`;

/**
 * JUnit XML with one `<testsuite>` per suite name. A warning is a passing test case
 * with the warning in `<system-out>`, which CI systems show without failing the build;
 * an `error` outcome is an `<error>` (the test could not be judged), which fails it.
 */
export function junitXml(name: string, cases: JunitCase[]): string {
  const suites = new Map<string, { counts: SuiteCounts; lines: string[] }>();
  const total = newCounts();
  for (const c of cases) {
    let suite = suites.get(c.suite);
    if (!suite) suites.set(c.suite, (suite = { counts: newCounts(), lines: [] }));
    countCase(suite.counts, c);
    countCase(total, c);
    suite.lines.push(testcaseXml(c));
  }
  const lines = [testsuitesOpen(name, total)];
  for (const [suite, { counts, lines: members }] of suites) lines.push(testsuiteOpen(suite, counts), ...members, '  </testsuite>');
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

/** A report written case by case or item by item, so that it is never held whole in memory. */
export interface StreamedReport<T, Tail> {
  add(entry: T): void;
  /** Writes the end of the report and closes it. */
  close(tail: Tail): void;
}

const FLUSH_BYTES = 1 << 16;

/**
 * A JSON document `{...head, "<key>": [entries...], ...tail}` written as entries come,
 * a block at a time. The file is opened at once, so an unwritable path is known before
 * any work.
 */
export function openJsonReport(path: string, head: Record<string, unknown>, key: string): StreamedReport<unknown, Record<string, unknown>> {
  const fd = openSync(path, 'w');
  const opening = JSON.stringify(head).slice(0, -1);
  let buffered = `${opening}${opening.length > 1 ? ',' : ''}${JSON.stringify(key)}:[`;
  let first = true;
  const flush = (): void => {
    writeSync(fd, buffered);
    buffered = '';
  };
  return {
    add(entry) {
      buffered += `${first ? '\n' : ',\n'}${JSON.stringify(entry)}`;
      first = false;
      if (buffered.length > FLUSH_BYTES) flush();
    },
    close(tail) {
      buffered += `\n]${Object.entries(tail).map(([name, value]) => `,${JSON.stringify(name)}:${JSON.stringify(value)}`).join('')}}\n`;
      flush();
      closeSync(fd);
    },
  };
}

/**
 * The JUnit XML of `junitXml`, written case by case. The counts of each suite come
 * before its cases in the file, so cases wait in a temporary file per suite (never in
 * memory) until `close` writes the report.
 */
export function openJunitReport(path: string, name: string): StreamedReport<JunitCase, void> {
  closeSync(openSync(path, 'w'));
  const spool = mkdtempSync(join(tmpdir(), 'smn-kit-junit-'));
  const suites = new Map<string, { counts: SuiteCounts; fd: number; file: string }>();
  const total = newCounts();
  return {
    add(c) {
      let suite = suites.get(c.suite);
      if (!suite) {
        const file = join(spool, String(suites.size));
        suites.set(c.suite, (suite = { counts: newCounts(), fd: openSync(file, 'w'), file }));
      }
      countCase(suite.counts, c);
      countCase(total, c);
      writeSync(suite.fd, `${testcaseXml(c)}\n`);
    },
    close() {
      const fd = openSync(path, 'w');
      try {
        writeSync(fd, `${testsuitesOpen(name, total)}\n`);
        const block = Buffer.allocUnsafe(FLUSH_BYTES);
        for (const [suite, { counts, fd: cases, file }] of suites) {
          closeSync(cases);
          writeSync(fd, `${testsuiteOpen(suite, counts)}\n`);
          const source = openSync(file, 'r');
          for (let read = readSync(source, block); read > 0; read = readSync(source, block)) writeSync(fd, block, 0, read);
          closeSync(source);
          writeSync(fd, '  </testsuite>\n');
        }
        writeSync(fd, '</testsuites>\n');
      } finally {
        closeSync(fd);
        rmSync(spool, { recursive: true, force: true });
      }
    },
  };
}

/** Writes a report file; a path that cannot be written is the user's to fix (a clear message). */
export function writeReport(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new Error(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
