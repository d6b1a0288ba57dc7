// Running `smn-kit` in-process, as the built CLI runs it: the same main (command lookup,
// option parsing, help, one stderr line and exit 2 for a usage error), with its output
// captured and Ctrl-C replaced by an abort signal. Much faster than a child process per
// case; a few tests still run the built CLI for what only a process shows (exit codes of
// the executable, signals, the process list).
import { PassThrough } from 'node:stream';
import type { CommandIo } from '../../src/commands/command.js';
import { main } from '../../src/commands/main.js';

/** A command of the CLI, named as on the command line. */
interface Named {
  name: string;
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

const started: Running[] = [];

/** Stops what a test started and left running (a server it did not stop); test/support/setup.ts calls it after each test. */
export async function stopStarted(): Promise<void> {
  const left = started.splice(0);
  for (const running of left) running.stop();
  await Promise.all(left.map((running) => running.done.catch(() => undefined)));
}

/** Starts `smn-kit ...argv` in this process. */
export function startCli(argv: string[], env: NodeJS.ProcessEnv = cleanEnv): Running {
  const stdout = capture();
  const stderr = capture();
  const controller = new AbortController();
  const io: CommandIo = { stdout: stdout.stream, stderr: stderr.stream, env, signal: controller.signal };
  // The captured text is complete once the streams have passed on what was written.
  const done = main(argv, io).then(async (status) => {
    await new Promise((resolve) => setImmediate(resolve));
    return { status, stdout: stdout.text(), stderr: stderr.text() };
  });
  const running = { stdout: stdout.text, stderr: stderr.text, done, stop: () => controller.abort() };
  started.push(running);
  return running;
}

/** Runs `smn-kit ...argv` in this process to the end. */
export const runCli = (argv: string[], env?: NodeJS.ProcessEnv): Promise<Ran> => startCli(argv, env).done;

/** Starts `smn-kit <command> ...args` in this process. */
export const start = (command: Named, args: string[], env?: NodeJS.ProcessEnv): Running => startCli([command.name, ...args], env);

/** Runs `smn-kit <command> ...args` in this process to the end. */
export const runCommand = (command: Named, args: string[], env?: NodeJS.ProcessEnv): Promise<Ran> => start(command, args, env).done;

/** Resolves once a long-running command prints its URL (`on http://...`). */
export async function listening(running: Running, what: string): Promise<Running & { url: string }> {
  for (;;) {
    const url = /on (http:\/\/\S+)/.exec(running.stdout())?.[1];
    if (url) return { ...running, url };
    const ended = await Promise.race([running.done, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 5))]);
    if (ended) throw new Error(`smn-kit ${what} ended with ${ended.status} before listening: ${ended.stderr}`);
  }
}

/** Starts a long-running command (mock, listen) and resolves once it prints its URL. */
export const serveInProcess = (command: Named, args: string[], env?: NodeJS.ProcessEnv): Promise<Running & { url: string }> =>
  listening(start(command, args, env), command.name);
