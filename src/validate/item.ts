// What the readers of .json and .har files hand on: one thing to judge, with where it
// came from (source:line, or a pointer into a HAR).
import type { HarEntry } from './smn.js';
import type { Problem } from '../judge/verdict.js';

/** One thing to judge: a parsed value, a HAR entry, or the problem that kept it from parsing. */
export interface Item {
  source: string;
  line?: number;
  /** JSON pointer of a HAR entry in its file. */
  pointer?: string;
  value?: unknown;
  har?: HarEntry;
  problem?: Problem;
}
