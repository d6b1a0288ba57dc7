// The one source of randomness of the kit's test data (`smn-kit fire`'s events, the mock's
// generated subscriptions): seeded, so that `--seed S` gives the same data every run
// (only the clock differs), and fresh from the OS otherwise.
import { createHash, randomBytes } from 'node:crypto';

export interface Random<Seed extends number | string = number> {
  /** The seed in use, so a run without `--seed` can still be repeated. */
  readonly seed: Seed;
  /** A number in [0, 1). */
  next: () => number;
  /** An integer from `min` to `max`, both included. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** `length` lower-case hexadecimal digits. */
  hex(length: number): string;
  /** How many numbers have been drawn so far: a generator of the same seed that draws as many more continues this one's stream. */
  readonly draws: number;
}

export const MAX_SEED = 2 ** 32 - 1;

/** A mulberry32 generator: small, fast and good enough for test data (not for secrets). A seed is a number (fire's) or any text (the mock's). */
export function createRandom<Seed extends number | string = number>(seed: Seed = randomBytes(4).readUInt32LE(0) as Seed): Random<Seed> {
  // Hashing the seed spreads nearby seeds (1, 2, 3...) to unrelated streams.
  let state = createHash('sha256').update(String(seed)).digest().readUInt32LE(0);
  let draws = 0;
  const next = (): number => {
    draws++;
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    seed,
    next,
    int,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('Random.pick: no items to pick from');
      return items[int(0, items.length - 1)] as T;
    },
    hex(length: number): string {
      let out = '';
      for (let i = 0; i < length; i++) out += int(0, 15).toString(16);
      return out;
    },
    get draws() {
      return draws;
    },
  };
}
