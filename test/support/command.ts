// Running an `smn-kit` command in-process, as the CLI would run it: the same option
// parsing, its output captured, a usage error turned into one stderr line and exit 2.
// Much faster than a child process per case; a few tests still run the built CLI for
// what only a process shows (exit codes, signals).
import { PassThrough } from 'node:stream';
import { parseArgs } from 'node:util';
import { UsageError, type CommandIo } from '../../src/commands/command.js';

interface RunnableCommand {
  name: string;
  options: NonNullable<Parameters<typeof parseArgs>[0]>['options'];
  run(values: Record<string, unknown>, positionals: string[], io: CommandIo): Promise<number>;
}

export interface Ran {
  status: number;
  stdout: string;
  stderr: string;
}

export interface Running {
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit status and the whole output. */
  done: Promise<Ran>;
  /** Stops the command as Ctrl-C does. */
  stop(): void;
}

/** The environment without SUBHOOK_KEY, so that a key set on the machine running the tests changes nothing. */
export const { SUBHOOK_KEY: _ignored, ...cleanEnv } = process.env;

const capture = (): { stream: PassThrough; text: () => string } => {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
};

/** Starts `smn-kit <command> ...args` in this process. */
export function start(command: RunnableCommand, args: string[], env: NodeJS.ProcessEnv = cleanEnv): Running {
  const stdout = capture();
  const stderr = capture();
  const controller = new AbortController();
  const io: CommandIo = { stdout: stdout.stream, stderr: stderr.stream, env, signal: controller.signal };
  const run = async (): Promise<number> => {
    let parsed;
    try {
      parsed = parseArgs({ args, options: command.options, allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError(`${(error as Error).message}; run smn-kit ${command.name} --help`);
    }
    return command.run(parsed.values, parsed.positionals, io);
  };
  const done = run().then(
    (status) => status,
    (error: unknown) => {
      if (!(error instanceof UsageError)) throw error;
      stderr.stream.write(`smn-kit: ${error.message}\n`);
      return 2;
    },
  );
  // The captured text is complete once the streams have passed on what was written.
  const settled = done.then(async (status) => {
    await new Promise((resolve) => setImmediate(resolve));
    return { status, stdout: stdout.text(), stderr: stderr.text() };
  });
  return { stdout: stdout.text, stderr: stderr.text, done: settled, stop: () => controller.abort() };
}

/** Runs `smn-kit <command> ...args` in this process to the end. */
export const runCommand = (command: RunnableCommand, args: string[], env?: NodeJS.ProcessEnv): Promise<Ran> => start(command, args, env).done;

/** Starts a long-running command (listen) and resolves once it prints its URL. */
export async function serveInProcess(command: RunnableCommand, args: string[], env?: NodeJS.ProcessEnv): Promise<Running & { url: string }> {
  const running = start(command, args, env);
  for (;;) {
    const url = /on (http:\/\/\S+)/.exec(running.stdout())?.[1];
    if (url) return { ...running, url };
    const ended = await Promise.race([running.done, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 5))]);
    if (ended) throw new Error(`smn-kit ${command.name} ended with ${ended.status} before listening: ${ended.stderr}`);
  }
}
