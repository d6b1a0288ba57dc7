// The one generator of the kit's test data: fire's events and the mock's generated
// subscriptions both come from generate/random.ts, and a seed gives what it gave before,
// so that a `--seed` written down in a bug report still reproduces the data.
import { describe, expect, it } from 'vitest';
import { createRandom } from '../src/generate/random.js';
import { generateSubscriptions } from '../src/mock/seed.js';

describe('createRandom', () => {
  it('gives the same stream for a numeric seed as before', () => {
    const random = createRandom(7);
    expect([random.hex(16), random.int(1, 100), random.next()]).toEqual(['31a356ddc8af5b1e', 29, 0.18573739589191973]);
  });

  it('gives the mock the subscriptions a text seed gave before', () => {
    const subscriptions = generateSubscriptions(3, 'smn-kit', 'f96188c7ccaf4ffba0c9aa149ab2bd57');
    expect(subscriptions.map((s) => [s.subscription_urn, s.endpoint, s.status])).toEqual([
      ['urn:smn:cn-north-4:f96188c7ccaf4ffba0c9aa149ab2bd57:billing:e4d6463bfbfbe256aa146f5ce59c3662', 'https://127.0.0.1:9443/smn/1', 4],
      ['urn:smn:cn-north-4:f96188c7ccaf4ffba0c9aa149ab2bd57:alerts:e1f4a1fb78452c592a7929cb337573eb', 'user2@example.com', 0],
      ['urn:smn:cn-north-4:f96188c7ccaf4ffba0c9aa149ab2bd57:sms_receipts:531521defd31d3ac61ab91cf75eadb90', 'user3@example.com', 2],
    ]);
    expect(createRandom('smn-kit').seed).toBe('smn-kit');
  });
});
