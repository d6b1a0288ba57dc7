// `validate`'s pipeline: files -> items -> verdicts -> whoever reports them. Items are
// judged one block at a time and handed on, never collected, so memory does not grow
// with the number of items; the blocks of a large JSON Lines file are shared with
// worker threads (blocks.ts) and their verdicts still reported in the order of the lines.
import { stat } from 'node:fs/promises';
import { summarize, type Summary } from '../report/report.js';
import { JudgePool, judgeBlocksInOrder, workersFor } from './blocks.js';
import { judgeHar, judgeValue, type JudgeOptions } from './judge.js';
import { readHar } from './har.js';
import type { Item } from './item.js';
import { readJsonFile } from './json-document.js';
import { readJsonLineBlocks } from './json-lines.js';
import { STDIN, STDIN_SOURCE, type SourceFile } from './sources.js';
import { verdictOf, type Verdict } from '../judge/verdict.js';

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

/** The lines of a JSON Lines file (or standard input), judged by blocks (with worker threads for a large file), reported in order. */
async function validateJsonLines(source: string, options: JudgeOptions, report: Reporter, input?: NodeJS.ReadableStream): Promise<void> {
  // Standard input's size is not known: judged in this thread unless workers are asked for.
  const workers = workersFor(input ? 0 : (await stat(source)).size);
  const pool = workers > 0 ? new JudgePool(workers, options) : undefined;
  try {
    let line = 0;
    for await (const block of judgeBlocksInOrder(readJsonLineBlocks(input ?? source), options, pool)) {
      for (let i = 0; i < block.verdicts.length; i++) {
        const reported = report({ source, line: line + block.itemLines[i]! }, block.verdicts[i]!);
        if (reported) await reported;
      }
      line += block.lines;
    }
  } finally {
    await pool?.close();
  }
}

/** Judges every item of the files, in order, handing each to `report`; resolves with the counts. `stdin` is what STDIN reads. */
export async function validateFiles(files: SourceFile[], options: JudgeOptions, report: Reporter, stdin?: NodeJS.ReadableStream): Promise<Summary> {
  const summary = summarize([]);
  const counted: Reporter = (item, verdict) => {
    summary[verdict.status]++;
    return report(item, verdict);
  };
  for (const file of files) {
    if (file.path === STDIN) {
      await validateJsonLines(STDIN_SOURCE, options, counted, stdin ?? process.stdin);
      continue;
    }
    if (file.format === 'jsonl') {
      await validateJsonLines(file.path, options, counted);
      continue;
    }
    // .json and .har files are one JSON document each, read whole.
    for await (const batch of file.format === 'har' ? readHar(file.path) : readJsonFile(file.path)) {
      for (const item of batch) {
        const judged = judge(item, options);
        const reported = counted(item, judged instanceof Promise ? await judged : judged);
        if (reported) await reported;
      }
    }
  }
  return summary;
}
