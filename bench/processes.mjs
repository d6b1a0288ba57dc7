// The benchmarks' way of starting a server of the kit (smn-kit mock, listen) in a process
// of its own: resolves with its URL once it prints `on http://...`, and keeps draining its
// output afterwards (listen writes a line per delivery).
import { spawn } from 'node:child_process';

/** Starts `node ...args` in `cwd`, adds the child to `children` (to be killed at the end), resolves with its URL. */
export function startListening(children, name, args, { cwd, env = process.env }) {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let seen = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      if (seen === null) return;
      seen += chunk;
      const url = /on (http:\/\/\S+)/.exec(seen)?.[1];
      if (url) {
        seen = null;
        resolve(url);
      }
    });
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code} before listening: ${stderr}`)));
  });
}
