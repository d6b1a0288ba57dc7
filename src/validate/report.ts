// How `validate` tells what it found: a line per item that is not plainly valid, a
// summary, and the --json and --junit files. The JSON file is written as items come,
// so a run over millions of items does not hold them; the JUnit file has one test case
// per source file, which is the unit a CI page lists.
import { junitXml, openJsonReport, writeReport, type JunitCase, type Summary } from '../report/report.js';
import { judgedItem, type Location } from './run.js';
import { describeProblem, subjectOf, uncheckedSignaturesNote, uncheckedSmnSignaturesNote, type SignatureCounts, type SmnSignatureCounts, type Verdict } from '../judge/verdict.js';

export const locationOf = (item: Location): string =>
  item.pointer !== undefined ? `${item.source}#${item.pointer}` : item.line !== undefined ? `${item.source}:${item.line}` : item.source;

const LABEL = { fail: 'invalid', warn: 'warning', skip: 'skipped', pass: 'valid' } as const;

/** The line of output for an item: where, what, and each problem (or warning, or why skipped). */
export function itemLine(item: Location, verdict: Verdict): string {
  const details = verdict.status === 'skip' ? [verdict.note ?? ''] : (verdict.status === 'fail' ? verdict.problems : verdict.warnings).map(describeProblem);
  return `${LABEL[verdict.status]} ${locationOf(item)} ${subjectOf(verdict)}: ${details.join('; ')}`;
}

export function summaryLine(summary: Summary, signatures: SignatureCounts, files: number, seconds: number, smnSignatures?: SmnSignatureCounts): string {
  const total = summary.pass + summary.fail + summary.warn + summary.skip;
  const items = { one: 'item', many: 'items' };
  return (
    `smn-kit validate: ${total} item${total === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}: ` +
    `${summary.pass + summary.warn} valid (${summary.warn} with warnings), ${summary.fail} invalid, ${summary.skip} skipped ` +
    `(${seconds.toFixed(2)} s)${uncheckedSignaturesNote(signatures, items)}${uncheckedSmnSignaturesNote(smnSignatures, items, 'no certificate given: --smn-cert FILE')}`
  );
}

/**
 * The --json file: `{"paths": [...], "items": [...], "summary": {...}, "signatures": {...},
 * "smnSignatures": {...}}`, written item by item. The file is opened at once, so an
 * unwritable path is known before any work.
 */
export function openValidateJson(path: string, paths: string[]): { add(item: Location, verdict: Verdict): void; close(summary: Summary, signatures: SignatureCounts, smnSignatures: SmnSignatureCounts): void } {
  const report = openJsonReport(path, { paths }, 'items');
  return {
    add: (item, verdict) => report.add(judgedItem(item, verdict)),
    close: (summary, signatures, smnSignatures) => report.close({ summary, signatures, smnSignatures }),
  };
}

/** How many item lines a failing JUnit case quotes; the --json file has them all. */
const QUOTED_ITEMS = 50;

/** The --junit file: one test case per source file, failing when an item of it is invalid. */
export function junitCollector(): { add(item: Location, verdict: Verdict): void; write(path: string): void } {
  const files = new Map<string, { fail: number; warn: number; total: number; quoted: string[] }>();
  return {
    add(item, verdict) {
      let file = files.get(item.source);
      if (!file) files.set(item.source, (file = { fail: 0, warn: 0, total: 0, quoted: [] }));
      file.total++;
      if (verdict.status === 'fail') file.fail++;
      if (verdict.status === 'warn') file.warn++;
      if ((verdict.status === 'fail' || (verdict.status === 'warn' && file.fail === 0)) && file.quoted.length < QUOTED_ITEMS) file.quoted.push(itemLine(item, verdict));
    },
    write(path) {
      const cases: JunitCase[] = [...files].map(([source, file]) => {
        const more = file.fail + file.warn > file.quoted.length ? `\n... and more, see the --json report` : '';
        const status = file.fail > 0 ? 'fail' : file.warn > 0 ? 'warn' : 'pass';
        const message = file.fail > 0 ? `${file.fail} of ${file.total} items invalid` : file.warn > 0 ? `${file.warn} of ${file.total} items with warnings` : undefined;
        const quoted = file.quoted.filter((line) => status !== 'fail' || line.startsWith('invalid'));
        return { suite: 'smn-kit validate', name: source, status, message, details: `${quoted.join('\n')}${more}` };
      });
      writeReport(path, junitXml('smn-kit validate', cases));
    },
  };
}
