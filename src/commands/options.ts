// Reading a command's options with Node's parser, but saying what is wrong in one line
// of our own: Node's messages span lines, quote unevenly and suggest nothing.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError, type OptionValues } from './command.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: OptionValues;
  positionals: string[];
}

/**
 * Optimal string alignment distance: edits, each one character inserted, removed,
 * replaced, or two neighbours swapped (the usual typo: --prot for --port).
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known name closest to `given`, when it is close enough to be a typo: a few edits
 * away for its length, or the start of exactly one name (--state for --state-file).
 */
export function closest(given: string, names: readonly string[]): string | undefined {
  const word = given.toLowerCase();
  const started = names.filter((name) => name.startsWith(word));
  if (word.length >= 2 && started.length === 1) return started[0];
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(word, name);
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= Math.max(1, Math.floor(word.length / 3)) ? best.name : undefined;
}

const dashed = (name: string): string => (name.length === 1 ? `-${name}` : `--${name}`);

/** How an option is written: --name, or -x for its short form. */
function spelled(options: Options, raw: string): string {
  const name = raw.replace(/^--?/, '');
  if (raw.startsWith('--')) return `--${name}`;
  const long = Object.entries(options).find(([, config]) => config.short === name)?.[0];
  return long ? `--${long}` : `-${name}`;
}

/**
 * The options and positionals of `args` for `command`, or a UsageError of one line: an
 * unknown option (with the closest known one), a value missing after an option, a value
 * given to an option that takes none.
 */
export function parseCommandArgs(command: string, options: Options, args: string[]): ParsedArgs {
  const help = `run smn-kit ${command} --help`;
  const names = Object.keys(options);
  // Not strict: every token comes back, and each problem is named here, the first one first.
  const { values, positionals, tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const config = options[token.name];
    if (!config) {
      const guess = closest(token.name, names);
      throw new UsageError(`unknown option ${token.rawName}; ${guess ? `did you mean ${dashed(guess)}?` : help}`);
    }
    const option = spelled(options, token.rawName);
    if (config.type === 'boolean' && token.value !== undefined) {
      throw new UsageError(`${option} takes no value, got "${token.value}"; write ${option} alone`);
    }
    if (config.type === 'string') {
      if (token.value === undefined) throw new UsageError(`${option} needs a value; ${help}`);
      // Node takes whatever follows as the value, another option included: --port --quiet.
      if (!token.inlineValue && token.value.startsWith('-') && token.value.length > 1) {
        const next = token.value.replace(/^--?/, '').split('=')[0] ?? '';
        if (options[next] || Object.values(options).some((o) => o.short === next) || token.value.startsWith('--')) {
          throw new UsageError(`${option} needs a value before ${token.value.split('=')[0]}; ${help}`);
        }
        throw new UsageError(`${option} ${token.value}: a value that starts with "-" is written ${option}=${token.value}`);
      }
    }
  }
  return { values, positionals };
}
