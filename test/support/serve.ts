// Starting a long-running `smn-kit` command (mock, listen) the way a user does: the
// built CLI in a child process, ready once it prints its URL; killed after each test.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

export interface Serving {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcessWithoutNullStreams[] = [];

/** Kills what a test started; test/support/setup.ts calls it after each test. */
export function killChildren(): void {
  for (const child of children.splice(0)) child.kill('SIGKILL');
}

/** Runs `smn-kit ...args` and resolves once it prints `on http://...`; rejects if it exits first. */
export function serve(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Serving> {
  const child = spawn(process.execPath, [cli, ...args], { cwd: root, env });
  children.push(child);
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /on (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url) resolve({ child, url, stdout: () => stdout, stderr: () => stderr, exited });
    });
    void exited.then((code) => reject(new Error(`smn-kit ${args[0]} exited with ${code} before listening: ${stderr}`)));
  });
}
