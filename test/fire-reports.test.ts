// `smn-kit fire --json/--junit` (issue 21): each delivery in the reports with the answer
// it got and whether that was the one expected, also when the receiver goes away part
// way; never a key, token or signature in them. Real deliveries to a real receiver.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fireCommand } from '../src/commands/fire.js';
import { cleanEnv, runCommand } from './support/command.js';
import { parseStrictXml } from './support/xml.js';

const KEY = 'fire-reports-key-3b9e1d';
const env = { ...cleanEnv, SUBHOOK_KEY: KEY };
const work = mkdtempSync(join(tmpdir(), 'smn-kit-fire-reports-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A receiver that answers `status(n)` to the n-th request (from 1), and closes for good after `closeAfter`. */
async function receiver(status: (n: number) => number, closeAfter = Infinity): Promise<{ url: string; bodies: string[]; server: Server }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(status(bodies.length)).end();
      if (bodies.length >= closeAfter) {
        server.close();
        server.closeAllConnections();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies, server };
}

describe('fire --json and --junit', () => {
  it('give each delivery, its answer and whether it was the one expected', async () => {
    // Accepts the first two, refuses the rest: a tampered delivery refused passes; a valid one refused fails.
    const target = await receiver((n) => (n <= 2 ? 200 : 400));
    const json = join(work, 'fire.json');
    const junit = join(work, 'fire.xml');
    const ran = await runCommand(fireCommand, ['request', '--count', '3', '--seed', '9', '--to', target.url, '--json', json, '--junit', junit], env);
    target.server.close();
    expect(ran.status).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8')) as Record<string, any>;
    expect(report).toMatchObject({ to: target.url, seed: 9, planned: 3, sent: 3, asExpected: 2, unexpected: 1, ended: null });
    expect(report.deliveries.map((d: Record<string, unknown>) => [d.n, d.expect, d.status, d.outcome])).toEqual([
      [1, 'accept', 200, 'pass'],
      [2, 'accept', 200, 'pass'],
      [3, 'accept', 400, 'fail'],
    ]);
    const xml = parseStrictXml(readFileSync(junit, 'utf8'));
    expect(xml.attributes).toMatchObject({ tests: '3', failures: '1' });
    const failure = xml.children[0]!.children[2]!.children[0]!;
    expect(failure.name).toBe('failure');
    expect(failure.attributes.message).toMatch(/^expected a 2xx answer, received 400 in \d+\.\d ms: not 2xx$/);
    // Nothing that signs: the key, and the tokens and signatures the receiver got.
    const tokens = target.bodies.flatMap((body) => [...new URLSearchParams(body)].filter(([name]) => name === 'token' || name === 'signature').map(([, value]) => value));
    expect(tokens).toHaveLength(6);
    for (const text of [readFileSync(json, 'utf8'), readFileSync(junit, 'utf8')]) {
      expect(text).not.toContain(KEY);
      for (const token of tokens) expect(text).not.toContain(token);
    }
  });

  it('are completed when the receiver goes away part way, saying why the run ended', async () => {
    const target = await receiver(() => 200, 2);
    const json = join(work, 'gone.json');
    const junit = join(work, 'gone.xml');
    const ran = await runCommand(fireCommand, ['request', '--count', '4', '--to', target.url, '--json', json, '--junit', junit], env);
    expect(ran.status).toBe(2);
    const report = JSON.parse(readFileSync(json, 'utf8')) as Record<string, any>;
    expect(report.deliveries.map((d: Record<string, unknown>) => d.outcome)).toEqual(['pass', 'pass', 'fail']);
    expect(report.ended).toMatch(/cannot reach the receiver after 2 deliveries \(ECONNREFUSED\)/);
    const xml = parseStrictXml(readFileSync(junit, 'utf8'));
    expect(xml.attributes).toMatchObject({ tests: '3', failures: '1' });
  });
});
