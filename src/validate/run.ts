// `validate`'s pipeline: files -> items -> verdicts -> whoever reports them. Items are
// judged one batch at a time and handed on, never collected, so memory does not grow
// with the number of items.
import { summarize, type Summary } from '../report/report.js';
import { judgeHar, judgeValue, type JudgeOptions } from './judge.js';
import { readSource, type Item, type SourceFile } from './sources.js';
import { verdictOf, type Verdict } from './verdict.js';

/** Where an item came from: `source:line`, or `source#pointer` for a HAR entry. */
export type Location = Pick<Item, 'source' | 'line' | 'pointer'>;

/** One judged item as the --json report lists it: where it came from and its verdict. */
export type JudgedItem = Location & Verdict;

export const judgedItem = (item: Location, verdict: Verdict): JudgedItem =>
  item.pointer === undefined ? { source: item.source, line: item.line, ...verdict } : { source: item.source, pointer: item.pointer, ...verdict };

/** Receives each verdict; returns a promise only when the judging must wait for it (a slow reader of the output). */
export type Reporter = (item: Location, verdict: Verdict) => Promise<void> | undefined;

function judge(item: Item, options: JudgeOptions): Verdict | Promise<Verdict> {
  if (item.problem) return verdictOf({ problems: [item.problem] });
  if (item.har) return judgeHar(item.har, options);
  return judgeValue(item.value, options);
}

/** Judges every item of the files, in order, handing each to `report`; resolves with the counts. */
export async function validateFiles(files: SourceFile[], options: JudgeOptions, report: Reporter): Promise<Summary> {
  const summary = summarize([]);
  for (const file of files) {
    for await (const batch of readSource(file)) {
      for (const item of batch) {
        const judged = judge(item, options);
        const verdict = judged instanceof Promise ? await judged : judged;
        summary[verdict.status]++;
        const reported = report(item, verdict);
        if (reported) await reported;
      }
    }
  }
  return summary;
}
