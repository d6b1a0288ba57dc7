// Judging JSON Lines a block at a time, in this thread or in worker threads over the
// blocks of a large file (the second core and beyond). The verdicts come back and are
// reported in the order of the lines, whoever judged them; at most a few blocks are in
// flight at once, so memory stays flat however long the file.
//
// A worker sends its verdicts compactly: the verdicts of valid items repeat (one per
// product, event and signature check), so each is sent once and then named by a number.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { JudgeOptions } from './judge.js';
import { judgeValue } from './judge.js';
import { forEachLine, joinParts, parseLine, type LineBlock } from './json-lines.js';
import { verdictOf, type Verdict } from '../judge/verdict.js';

/** The verdicts of a block's lines: the line of each item in the block (from 1), and its verdict. */
export interface BlockVerdicts {
  /** Lines in the block, blank ones included. */
  lines: number;
  /** The line of each item in the block, from 1 (blank lines are no items). */
  itemLines: ArrayLike<number>;
  verdicts: Verdict[];
}

/** Judges each line of a block (its parts) as `validate` judges a line. */
export function judgeBlock(parts: Buffer[], first: boolean, options: JudgeOptions): BlockVerdicts | Promise<BlockVerdicts> {
  const itemLines: number[] = [];
  const verdicts: Verdict[] = [];
  let waiting: Promise<unknown>[] | undefined;
  const lines = forEachLine(parts, (text, index) => {
    const parsed = parseLine(text, first && index === 0);
    if (!parsed) return;
    itemLines.push(index + 1);
    if ('problem' in parsed) {
      verdicts.push(verdictOf({ problems: [parsed.problem] }));
      return;
    }
    const judged = judgeValue(parsed.value, options);
    if (judged instanceof Promise) {
      // A delivery (decoding multipart is async): its place is kept, its verdict follows.
      const at = verdicts.push(undefined as unknown as Verdict) - 1;
      (waiting ??= []).push(judged.then((verdict) => (verdicts[at] = verdict)));
    } else verdicts.push(judged);
  });
  const judged = { lines, itemLines, verdicts };
  return waiting ? Promise.all(waiting).then(() => judged) : judged;
}

// --- the wire between a worker and the main thread --------------------------------------

/** A block's verdicts as a worker sends them. */
export interface PackedVerdicts {
  lines: number;
  /** The line of each item in the block. */
  itemLines: Int32Array;
  /** For each item: the number of a verdict sent before (or in `named`), or -1 for the next of `others`. */
  codes: Int32Array;
  /** Verdicts named for the first time, numbered in order after those named before. */
  named: Verdict[];
  others: Verdict[];
}

/** A verdict with nothing particular to its item: valid, no problems, no warnings, no note. */
const nameOf = (verdict: Verdict): string | undefined =>
  verdict.problems.length === 0 && verdict.warnings.length === 0 && verdict.note === undefined
    ? `${verdict.status}|${verdict.kind}|${verdict.product}|${verdict.event}|${verdict.smsEvent}|${verdict.operation}|${verdict.httpStatus}|${verdict.signature}`
    : undefined;

/** The sender's numbering of repeated verdicts, kept between blocks: by the verdict itself (they are often shared), else by what it says. */
export interface VerdictNames {
  byVerdict: WeakMap<Verdict, number>;
  byName: Map<string, number>;
}

/** Packs verdicts for the wire, numbering the repeated ones. */
export function packVerdicts(judged: BlockVerdicts, names: VerdictNames): PackedVerdicts {
  const itemLines = Int32Array.from(judged.itemLines);
  const codes = new Int32Array(judged.verdicts.length);
  const named: Verdict[] = [];
  const others: Verdict[] = [];
  judged.verdicts.forEach((verdict, i) => {
    let code = names.byVerdict.get(verdict);
    if (code === undefined) {
      const name = nameOf(verdict);
      if (name === undefined) {
        codes[i] = -1;
        others.push(verdict);
        return;
      }
      code = names.byName.get(name);
      if (code === undefined) {
        names.byName.set(name, (code = names.byName.size));
        named.push(verdict);
      }
      names.byVerdict.set(verdict, code);
    }
    codes[i] = code;
  });
  return { lines: judged.lines, itemLines, codes, named, others };
}

/** Unpacks a worker's verdicts (`known` is the receiver's copy of that worker's numbering). */
export function unpackVerdicts(packed: PackedVerdicts, known: Verdict[]): BlockVerdicts {
  known.push(...packed.named);
  let other = 0;
  const verdicts = new Array<Verdict>(packed.codes.length);
  for (let i = 0; i < verdicts.length; i++) {
    const code = packed.codes[i]!;
    verdicts[i] = code === -1 ? packed.others[other++]! : known[code]!;
  }
  return { lines: packed.lines, itemLines: packed.itemLines, verdicts };
}

// --- the pool --------------------------------------------------------------------------

/** Files at least this large are shared with worker threads (starting one costs about as much as judging a few MB). */
export const PARALLEL_MIN_BYTES = 32 << 20;
/** Blocks in flight per worker: one being judged, one waiting, so that it never idles. */
const IN_FLIGHT = 2;
const workerFile = fileURLToPath(new URL('./worker.js', import.meta.url));

/**
 * How many worker threads judge a file of `bytes`: none when it is small, when there
 * is one core, or when the worker's code is not built (running from the sources);
 * SMN_KIT_VALIDATE_WORKERS sets the number (0: none).
 */
export function workersFor(bytes: number, env: NodeJS.ProcessEnv = process.env): number {
  if (!existsSync(workerFile)) return 0;
  const asked = env.SMN_KIT_VALIDATE_WORKERS;
  if (asked !== undefined && /^\d+$/.test(asked)) return Math.min(Number(asked), 16);
  if (bytes < PARALLEL_MIN_BYTES) return 0;
  // This thread reads, reports, and judges whenever the workers are busy.
  return Math.min(availableParallelism() - 1, 3);
}

interface PoolWorker {
  worker: Worker;
  inFlight: number;
  /** Its numbering of the repeated verdicts. */
  known: Verdict[];
  waiting: Map<number, { resolve: (verdicts: BlockVerdicts) => void; reject: (error: Error) => void }>;
}

/** Worker threads that judge blocks with the same options; `close` when done. */
export class JudgePool {
  private readonly workers: PoolWorker[];
  private next = 0;
  private failure: Error | undefined;

  constructor(size: number, options: JudgeOptions) {
    this.workers = Array.from({ length: size }, () => {
      // The worker runs a file: an --input-type flag of this process (node -e) would refuse it.
      const worker = new Worker(workerFile, { workerData: { options }, execArgv: process.execArgv.filter((flag) => !flag.startsWith('--input-type')) });
      const entry: PoolWorker = { worker, inFlight: 0, known: [], waiting: new Map() };
      worker.on('message', ({ id, packed, error }: { id: number; packed?: PackedVerdicts; error?: string }) => {
        const waiter = entry.waiting.get(id)!;
        entry.waiting.delete(id);
        entry.inFlight--;
        if (error !== undefined) waiter.reject(new Error(error));
        else waiter.resolve(unpackVerdicts(packed!, entry.known));
      });
      worker.on('error', (error) => this.fail(entry, error));
      worker.on('exit', (code) => {
        if (entry.waiting.size > 0) this.fail(entry, new Error(`a validate worker stopped (exit code ${code})`));
      });
      return entry;
    });
  }

  private fail(entry: PoolWorker, error: Error): void {
    this.failure ??= error;
    for (const waiter of entry.waiting.values()) waiter.reject(error);
    entry.waiting.clear();
  }

  /** A worker's promise of the block's verdicts, or undefined when every worker has enough to do. */
  offer(block: { parts: Buffer[]; first: boolean }): Promise<BlockVerdicts> | undefined {
    if (this.failure) throw this.failure;
    const entry = this.workers.find((w) => w.inFlight < IN_FLIGHT);
    if (!entry) return undefined;
    const id = this.next++;
    entry.inFlight++;
    // One buffer of its own, moved to the worker rather than copied.
    const bytes = joinParts(block.parts);
    return new Promise((resolve, reject) => {
      entry.waiting.set(id, { resolve, reject });
      entry.worker.postMessage({ id, bytes, first: block.first }, [bytes.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

/** The blocks' verdicts in order: each block judged by a free worker, or here when none is free. */
export async function* judgeBlocksInOrder(blocks: AsyncIterable<LineBlock>, options: JudgeOptions, pool: JudgePool | undefined): AsyncGenerator<BlockVerdicts> {
  // A block to report: judged (or being judged) by a worker, or to judge here.
  type Queued = { judged: BlockVerdicts | Promise<BlockVerdicts> } | { parts: Buffer[]; first: boolean };
  const queue: Queued[] = [];
  const judgeHere = (entry: Queued): BlockVerdicts | Promise<BlockVerdicts> => ('judged' in entry ? entry.judged : judgeBlock(entry.parts, entry.first, options));
  // With workers, a few blocks wait here: while the first of them is a worker's, this
  // thread judges the ones behind it that are its own, rather than wait.
  const limit = pool ? 8 : 0;
  const next = async (): Promise<BlockVerdicts> => {
    const head = queue[0]!;
    if ('judged' in head && head.judged instanceof Promise) {
      for (let i = 1; i < queue.length; i++) {
        const entry = queue[i]!;
        if (!('judged' in entry)) queue[i] = { judged: judgeHere(entry) };
      }
    }
    queue.shift();
    return judgeHere(head);
  };
  for await (const block of blocks) {
    if ('tooLong' in block) queue.push({ judged: { lines: 1, itemLines: [1], verdicts: [verdictOf({ problems: [block.tooLong] })] } });
    else {
      const offered = pool?.offer(block);
      queue.push(offered ? { judged: offered } : block);
    }
    while (queue.length > limit) yield await next();
  }
  while (queue.length > 0) yield await next();
}
