// The curl commands of receiver conformance send the very bytes and headers the kit sent
// (issue 21): run by bash and curl against a receiver that records every request, each
// reproducer's requests are requests the run made, byte for byte: multipart bodies with
// their CRLFs, bodies that are not UTF-8, the 1 MiB body (piped), GET queries, the
// X-SMN-* headers. The receiver answers 500 to everything but its first request, so every
// check gives one (the first, a valid push taken, makes the forgeries worth sending).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { conformanceCommand } from '../src/commands/conformance.js';
import { cleanEnv, runCommand } from './support/command.js';

const work = mkdtempSync(join(tmpdir(), 'smn-kit-reproducers-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** What identifies a request: the method, target, the headers the kit sets, and the body. */
const identity = (method: string, url: string, headers: IncomingHttpHeaders, body: Buffer): string =>
  JSON.stringify([method, url, headers['content-type'], headers['user-agent'], Object.entries(headers).filter(([name]) => name.startsWith('x-')).sort(), body.toString('hex')]);

async function recorder(): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push(identity(request.method ?? '', request.url ?? '', request.headers, Buffer.concat(chunks)));
      response.writeHead(seen.length === 1 ? 200 : 500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('receiver conformance reproducers', () => {
  it.each([
    ['sms', { SUBHOOK_KEY: 'reproducer-key-0b1c' }, []],
    ['smn', {}, ['--confirm-wait', '0']],
  ] as const)('--product %s: each curl sends what the run sent', async (product, extra, args) => {
    const receiver = await recorder();
    try {
      const json = join(work, `${product}.json`);
      await runCommand(conformanceCommand, ['--receiver', receiver.url, '--product', product, ...args, '--json', json], { ...cleanEnv, ...extra });
      const sent = new Set(receiver.seen);
      const results = (JSON.parse(readFileSync(json, 'utf8')) as { results: { check: string; operation: string; reproducer: string | null }[] }).results;
      const reproducers = results.filter((r) => r.reproducer !== null);
      expect(reproducers.length).toBeGreaterThan(product === 'sms' ? 40 : 8);
      for (const { check, operation, reproducer } of reproducers) {
        const before = receiver.seen.length;
        await promisify(execFile)('bash', ['-c', reproducer!], { maxBuffer: 4 << 20 });
        const made = receiver.seen.slice(before);
        expect(made.length, `${operation} ${check}`).toBeGreaterThan(0);
        for (const request of made) expect(sent.has(request), `${operation} ${check}: ${request.slice(0, 300)}`).toBe(true);
      }
    } finally {
      await receiver.close();
    }
  }, 120_000);
});
