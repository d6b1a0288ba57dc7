// What `conformance`, `validate` and `listen` report, in the two forms CI systems read:
// a JSON document and JUnit XML. Each command builds its own JSON shape around the
// same statuses and summary; the JUnit form is shared.
import { writeFileSync } from 'node:fs';

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

/**
 * JUnit XML with one `<testsuite>` per suite name. A warning is a passing test case
 * with the warning in `<system-out>`, which CI systems show without failing the build;
 * an `error` outcome is an `<error>` (the test could not be judged), which fails it.
 */
export function junitXml(name: string, cases: JunitCase[]): string {
  const suites = new Map<string, JunitCase[]>();
  for (const c of cases) suites.set(c.suite, [...(suites.get(c.suite) ?? []), c]);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = summarizeOutcomes(cases.map((c) => c.status));
  lines.push(`<testsuites name="${escapeXml(name)}" tests="${cases.length}" failures="${total.fail}" errors="${total.error}" skipped="${total.skip}">`);
  for (const [suite, members] of suites) {
    const counts = summarizeOutcomes(members.map((c) => c.status));
    const time = members.reduce((sum, c) => sum + (c.seconds ?? 0), 0);
    lines.push(
      `  <testsuite name="${escapeXml(suite)}" tests="${members.length}" failures="${counts.fail}" errors="${counts.error}" skipped="${counts.skip}" time="${time.toFixed(3)}">`,
    );
    for (const c of members) {
      const open = `    <testcase classname="${escapeXml(suite)}" name="${escapeXml(c.name)}" time="${(c.seconds ?? 0).toFixed(3)}"`;
      const message = escapeXml(c.message ?? '');
      if (c.status === 'pass') {
        lines.push(`${open}/>`);
      } else if (c.status === 'fail' || c.status === 'error') {
        const element = c.status === 'fail' ? 'failure' : 'error';
        lines.push(`${open}>`, `      <${element} message="${message}">${escapeXml(c.details ?? c.message ?? '')}</${element}>`, '    </testcase>');
      } else if (c.status === 'skip') {
        lines.push(`${open}>`, `      <skipped message="${message}"/>`, '    </testcase>');
      } else {
        lines.push(`${open}>`, `      <system-out>warning: ${escapeXml(c.details ?? c.message ?? '')}</system-out>`, '    </testcase>');
      }
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

/** Writes a report file; a path that cannot be written is the user's to fix (a clear message). */
export function writeReport(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new Error(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
