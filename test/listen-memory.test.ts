// `smn-kit listen` keeps what its summary needs (counts), not the deliveries: its memory
// must not grow with the number of deliveries, with --out, --json and --junit all on.
// The command runs in this process, over a real socket, so that its heap can be measured
// after a full garbage collection.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listenCommand } from '../src/commands/listen.js';
import { signSubhook } from '../src/subhook/signature.js';
import { serveInProcess } from './support/command.js';
import { heapAfterCollection } from './support/heap.js';

const KEY = 'memory-test-subhook-key-0123456789';
const work = mkdtempSync(join(tmpdir(), 'smn-kit-listen-memory-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const TAG = 'x'.repeat(60_000);
const MB = 2 ** 20;
// The 60 KB part of each body, encoded once: encoding it per delivery would be most of the test's time.
const BODY_START = new URLSearchParams({ events: 'delivered', address: '13800138000', send_id: '093c0a7df143c087d6cba9cdf0cf3738', tag: TAG, app: '10001' }).toString();

/**
 * A valid, signed form delivery of about 60 KB (the tag has no length limit), with a fresh
 * token. A form, as SUBMAIL sends it: its decoded values are slices of the body's text, so
 * whatever keeps one (the replay guard keeps tokens) could keep the whole body.
 */
function body(): string {
  const token = randomBytes(16).toString('hex');
  return `${BODY_START}&timestamp=${Math.floor(Date.now() / 1000)}&token=${token}&signature=${signSubhook(token, KEY)}`;
}

async function deliver(url: string, count: number): Promise<void> {
  const senders = 4;
  await Promise.all(
    Array.from({ length: senders }, async (_, sender) => {
      for (let i = sender; i < count; i += senders) {
        const response = await fetch(`${url}/subhook`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body() });
        expect(response.status).toBe(200);
        await response.arrayBuffer();
      }
    }),
  );
}

describe('smn-kit listen memory', () => {
  it('stays flat over 600 deliveries of 60 KB (36 MB of bodies), every one still recorded to --out', async () => {
    const keyFile = join(work, 'subhook.key');
    writeFileSync(keyFile, `${KEY}\n`);
    const out = join(work, 'deliveries.jsonl');
    const json = join(work, 'listen.json');
    const junit = join(work, 'listen.xml');
    const listening = await serveInProcess(listenCommand, ['--port', '0', '--key-file', keyFile, '--out', out, '--json', json, '--junit', junit]);

    // A first batch warms up whatever is allocated once (the validators, sockets, buffers).
    await deliver(listening.url, 50);
    const before = heapAfterCollection();
    await deliver(listening.url, 600);
    const growth = heapAfterCollection() - before;

    listening.stop();
    const ran = await listening.done;
    expect(ran.status).toBe(0);
    expect(ran.stdout).toContain('smn-kit listen: 650 deliveries: 650 valid, 0 invalid');
    // A listen that kept the deliveries would hold their 36 MB of bodies here.
    expect(growth, `heap growth ${(growth / MB).toFixed(1)} MB`).toBeLessThan(12 * MB);

    // Nothing lost: every delivery is on file with its body, and in both reports.
    expect(statSync(out).size).toBeGreaterThan(650 * 60_000);
    const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(650);
    expect((JSON.parse(lines.at(-1)!) as { n: number; body: string }).body).toContain(TAG);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { deliveries: unknown[]; received: number; summary: unknown };
    expect(report.deliveries).toHaveLength(650);
    expect(report).toMatchObject({ received: 650, summary: { pass: 650, fail: 0, warn: 0, skip: 0 } });
    expect(readFileSync(junit, 'utf8').match(/<testcase /g)).toHaveLength(650);
  }, 60_000);
});
