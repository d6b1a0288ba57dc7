// What every `smn-kit` command is, and the errors that end one with a message rather
// than a stack trace.
import type { ParseArgsConfig } from 'node:util';

/** What Node's argument parser gives for an option: its text, true for a flag, a list when repeated. */
export type OptionValue = string | boolean | (string | boolean)[] | undefined;
export type OptionValues = Record<string, OptionValue>;

export interface Command {
  name: string;
  /** The whole `smn-kit <command> --help` text, with an example. */
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Runs the command, writing to `io`; resolves with the exit code. */
  run(values: OptionValues, positionals: string[], io: CommandIo): Promise<number>;
}

/** Wrong arguments or an environment problem the user can fix: a message and exit 2 (or the status errors.ts gives its code). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'usage';
  constructor(
    message: string,
    readonly status = 2,
  ) {
    super(message);
  }
}


/**
 * Where a command writes and what it reads from its surroundings. The CLI passes the
 * process's own; tests pass their own, to run a command in-process.
 */
export interface CommandIo {
  /** What `validate -` reads (the process's standard input when not given). */
  stdin?: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /**
   * Stops a long-running command as Ctrl-C does. Without it the command owns the process:
   * it listens for SIGINT and SIGTERM (and the mock outlives errors no handler caught).
   */
  signal?: AbortSignal;
}

export const processIo = (): CommandIo => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env });

/** Calls `stop` when the user stops the command: the io's signal, else Ctrl-C or SIGTERM. Returns the undo. */
export function onStop(io: CommandIo, stop: () => void): () => void {
  const { signal } = io;
  if (signal) {
    if (signal.aborted) stop();
    signal.addEventListener('abort', stop, { once: true });
    return () => signal.removeEventListener('abort', stop);
  }
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
}

