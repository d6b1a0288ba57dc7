// `validate` on a .json or .har too large to read whole (issue 19, item 12): before, a
// 700 MB file ended with "unexpected error: Invalid string length", exit 1, after
// reading it all into memory. Now it is refused before anything is read: one line that
// says what to do, exit 2. The files are sparse (no disk used), in a temporary folder.
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateCommand } from '../src/commands/validate.js';
import { cleanEnv, runCommand } from './support/command.js';

const work = mkdtempSync(join(tmpdir(), 'smn-kit-validate-large-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A sparse file of `bytes` bytes. */
function sparse(name: string, bytes: number): string {
  const path = join(work, name);
  const fd = openSync(path, 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
  return path;
}

describe('validate refuses a JSON document too large to read whole', () => {
  it.each(['captures.json', 'session.har'])('a 700 MB %s: one line, exit 2, nothing read', async (name) => {
    const path = sparse(name, 700 * 2 ** 20);
    const started = performance.now();
    const ran = await runCommand(validateCommand, [path], cleanEnv);
    expect(ran.status).toBe(2);
    expect(ran.stderr).toBe(`smn-kit: ${path}: 700 MiB is more than validate reads of one ${name.endsWith('.har') ? 'HAR' : 'JSON'} document (256 MiB); split it, or write its items one per line to a .jsonl file, which is streamed\n`);
    expect(ran.stdout).toBe('');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('inside a folder too, before any other file is judged', async () => {
    const folder = join(work, 'folder');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.json'), '{"callback": []}');
    sparse('folder/b.json', 300 * 2 ** 20);
    const ran = await runCommand(validateCommand, [folder], cleanEnv);
    expect(ran.status).toBe(2);
    expect(ran.stderr).toMatch(/b\.json: 300 MiB is more than validate reads of one JSON document \(256 MiB\)/);
    expect(ran.stdout).toBe('');
  });
});
