// What every `smn-kit` command is, and the errors that end one with a message rather
// than a stack trace.
import { readFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';

export interface Command {
  name: string;
  /** The whole `smn-kit <command> --help` text, with an example. */
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Runs the command, writing to `io`; resolves with the exit code. */
  run(values: Record<string, unknown>, positionals: string[], io: CommandIo): Promise<number>;
}

/** Wrong arguments or an environment problem the user can fix: a message and exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Reads an integer option, naming the option and the rule when the value is wrong. */
export function integerOption(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const text = String(value);
  const number = Number(text);
  if (!/^-?\d+$/.test(text) || number < min || number > max) {
    throw new UsageError(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return number;
}

/**
 * Where a command writes and what it reads from its surroundings. The CLI passes the
 * process's own; tests pass their own, to run a command in-process.
 */
export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /**
   * Stops a long-running command as Ctrl-C does. Without it the command owns the process:
   * it listens for SIGINT and SIGTERM (and the mock outlives errors no handler caught).
   */
  signal?: AbortSignal;
}

export const processIo = (): CommandIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

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

/**
 * A secret given as `--NAME VALUE`, `--NAME-file FILE` (its first line) or the
 * environment variable `env`: the file and the environment keep it out of the process
 * list. Undefined when none is given; a usage error when more than one is.
 */
export function secretOption(values: Record<string, unknown>, name: string, env: string, environment: NodeJS.ProcessEnv = process.env): string | undefined {
  const direct = values[name] as string | undefined;
  const file = values[`${name}-file`] as string | undefined;
  const fromEnv = environment[env] || undefined;
  if (direct !== undefined && file !== undefined) throw new UsageError(`give --${name} or --${name}-file, not both`);
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read --${name}-file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const secret = text.split(/\r?\n/)[0]!.trim();
    if (!secret) throw new UsageError(`--${name}-file ${file} is empty`);
    return secret;
  }
  return direct ?? fromEnv;
}
