// The one generator of the kit's test data: fire's events and the mock's generated
// subscriptions both come from generate/random.ts, and a seed gives what it gave before,
// so that a `--seed` written down in a bug report still reproduces the data.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../src/generate/random.js';
import { generateSubscriptions } from '../src/mock/emulator/seed.js';

const PROJECT = 'f96188c7ccaf4ffba0c9aa149ab2bd57';

/** `smn-kit mock --seed-subscriptions 3` in a process of its own, as a bug report would run it: its subscriptions. */
async function seededMock(): Promise<[string, string, number][]> {
  const child = spawn(process.execPath, ['dist/cli.js', 'mock', '--port', '0', '--seed-subscriptions', '3'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const found = /on (http:\/\/\S+)/.exec(out)?.[1];
        if (found) resolve(found);
      });
      child.once('exit', (code) => reject(new Error(`the mock ended (${code}) before listening: ${out}`)));
    });
    const answer = await fetch(`${url}/v2/${PROJECT}/notifications/subscriptions?offset=0&limit=3`, { headers: { 'x-auth-token': 'any' } });
    const { subscriptions } = (await answer.json()) as { subscriptions: { subscription_urn: string; endpoint: string; status: number }[] };
    return subscriptions.map((s) => [s.subscription_urn, s.endpoint, s.status]);
  } finally {
    child.kill();
  }
}

describe('createRandom', () => {
  it('gives the same stream for a numeric seed as before', () => {
    const random = createRandom(7);
    expect([random.hex(16), random.int(1, 100), random.next()]).toEqual(['31a356ddc8af5b1e', 29, 0.18573739589191973]);
  });

  it('gives the mock the subscriptions its default text seed gave before, in a process of its own', async () => {
    expect(await seededMock()).toEqual([
      ['urn:smn:cn-north-4:f96188c7ccaf4ffba0c9aa149ab2bd57:billing:e4d6463bfbfbe256aa146f5ce59c3662', 'https://127.0.0.1:9443/smn/1', 4],
      ['urn:smn:cn-north-4:f96188c7ccaf4ffba0c9aa149ab2bd57:alerts:e1f4a1fb78452c592a7929cb337573eb', 'user2@example.com', 0],
      ['urn:smn:cn-north-4:f96188c7ccaf4ffba0c9aa149ab2bd57:sms_receipts:531521defd31d3ac61ab91cf75eadb90', 'user3@example.com', 2],
    ]);
    expect(createRandom('smn-kit').seed).toBe('smn-kit');
  });

  it('gives the same subscriptions for the same seed within one process', () => {
    const first = generateSubscriptions(5, 'twice', PROJECT);
    generateSubscriptions(20, 'another seed', PROJECT);
    expect(generateSubscriptions(5, 'twice', PROJECT)).toEqual(first);
  });
});

describe('json-schema-faker, whose options are global to the process', () => {
  it('gives the same seeded subscriptions once Prism (which sets its own faker options when loaded) is in the process', async () => {
    const before = generateSubscriptions(5, 'with prism', PROJECT);
    const { resetGenerator } = (await import('@stoplight/prism-http/dist/mocker/generator/JSONSchema.js')) as { resetGenerator: () => void };
    resetGenerator();
    expect(generateSubscriptions(5, 'with prism', PROJECT)).toEqual(before);
  });
});
