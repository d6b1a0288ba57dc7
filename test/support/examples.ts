// The Example lines of a --help text, and running them as a shell would: words split as
// sh splits them, `VAR=value` before a command and `export` lines as environment,
// `smn-kit ...` run by the command line's main in this process (test/support/command.ts),
// `curl ...` sent with fetch. Anything else a shell would do (pipes, $, globs,
// redirections, other programs) is refused, so an example that needs it fails its test
// instead of running as something else.
import { startCli, type Ran, type Running } from './command.js';

export interface Example {
  /** The line as the help prints it, without its indentation (continued lines joined). */
  line: string;
  /** What runs: the line without its comment. */
  command: string;
  /** The exit status its comment states (`exit N`), else 0. */
  exit: number;
}

/** The Example lines of a usage text: commands and `export` lines; comment lines are prose. */
export function examplesOf(usage: string): Example[] {
  const block = usage.split('\nExample:\n')[1] ?? '';
  const lines: string[] = [];
  for (const line of block.split('\n')) {
    if (!line.startsWith('  ')) continue;
    // A line ending in a backslash goes on in the next one, as in sh.
    const previous = lines.at(-1);
    if (previous?.endsWith('\\')) lines[lines.length - 1] = `${previous.slice(0, -1).trimEnd()} ${line.trim()}`;
    else if (!line.trimStart().startsWith('#')) lines.push(line.trim());
  }
  return lines.map((line) => {
    const [command = '', comment = ''] = line.split(/\s+#\s+/, 2);
    return { line, command, exit: Number(/\bexit (\d)\b/.exec(comment)?.[1] ?? 0) };
  });
}

/** The words of a simple command, as sh splits them: quotes and backslashes, nothing expanded. */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end === -1) throw new Error(`unbalanced ' in: ${command}`);
      word = (word ?? '') + command.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let text = '';
      for (i++; i < command.length && command[i] !== '"'; i++) {
        if (/[$`]/.test(command[i]!)) throw new Error(`an expansion in "...": ${command}`);
        if (command[i] === '\\' && /["\\]/.test(command[i + 1] ?? '')) i++;
        text += command[i];
      }
      if (i >= command.length) throw new Error(`unbalanced " in: ${command}`);
      word = (word ?? '') + text;
    } else if (c === '\\') {
      word = (word ?? '') + (command[++i] ?? '');
    } else if (/[|&;<>()$`*?[\]{}~]/.test(c)) {
      throw new Error(`"${c}" asks the shell for more than running one command: ${command}`);
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

export interface SimpleCommand {
  /** The `VAR=value` words before the program. */
  assignments: Record<string, string>;
  argv: string[];
}

export function simpleCommand(command: string): SimpleCommand {
  const words = shellWords(command);
  const assignments: Record<string, string> = {};
  while (words[0] && /^[A-Za-z_]\w*=/.test(words[0])) {
    const [name, ...value] = words.shift()!.split('=');
    assignments[name!] = value.join('=');
  }
  return { assignments, argv: words };
}

/** The environment of a block of examples: `base` with the block's `export` lines applied. */
export function environmentOf(examples: Example[], base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const { command } of examples) {
    const words = shellWords(command);
    if (words[0] !== 'export') continue;
    for (const assignment of words.slice(1)) {
      const [name, ...value] = assignment.split('=');
      env[name!] = value.join('=');
    }
  }
  return env;
}

/** Starts an `smn-kit ...` example line in this process, with its `VAR=value` words added to `env`. */
export function startExample(command: string, env: NodeJS.ProcessEnv): Running {
  const { assignments, argv } = simpleCommand(command);
  if (argv[0] !== 'smn-kit') throw new Error(`not an smn-kit command: ${command}`);
  return startCli(argv.slice(1), { ...env, ...assignments });
}

/** Runs an `smn-kit ...` example line to the end. */
export const runExample = (command: string, env: NodeJS.ProcessEnv): Promise<Ran> => startExample(command, env).done;

export interface CurlAnswer {
  status: number;
  body: string;
}

/** Sends the request a `curl` line describes (-X, -H, -d, the URL; -s, -S, -i change nothing here). */
export async function curl(command: string): Promise<CurlAnswer> {
  const [program, ...args] = shellWords(command);
  if (program !== 'curl') throw new Error(`not a curl command: ${command}`);
  let method: string | undefined;
  let url: string | undefined;
  let body: string | undefined;
  const headers = new Headers();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = (): string => {
      const next = args[++i];
      if (next === undefined) throw new Error(`curl ${arg} needs a value: ${command}`);
      return next;
    };
    if (arg === '-X' || arg === '--request') method = value();
    else if (arg === '-H' || arg === '--header') {
      const header = value();
      const colon = header.indexOf(':');
      headers.append(header.slice(0, colon).trim(), header.slice(colon + 1).trim());
    } else if (arg === '-d' || arg === '--data' || arg === '--data-raw') body = value();
    else if (/^-[sSi]+$/.test(arg)) continue;
    else if (!arg.startsWith('-') && url === undefined) url = arg;
    else throw new Error(`curl ${arg} is not understood here: ${command}`);
  }
  if (!url) throw new Error(`curl without a URL: ${command}`);
  // As curl does: -d makes a POST, with a form content type unless a header says otherwise.
  if (body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded');
  const response = await fetch(url, { method: method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  return { status: response.status, body: await response.text() };
}
