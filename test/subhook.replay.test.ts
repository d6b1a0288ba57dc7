// The replay guard: it refuses a token it accepted before, forgets the oldest tokens
// beyond its capacity, and with a window refuses stale timestamps.
import { describe, expect, it } from 'vitest';
import { createSubhookReplayGuard } from '../src/index.js';

const tokenNumber = (n: number): string => n.toString(16).padStart(32, '0');
const event = (n: number, timestamp: number | string = 1_700_000_000) => ({ events: 'delivered', token: tokenNumber(n), timestamp });

describe('createSubhookReplayGuard', () => {
  it('refuses a token it accepted before, without showing the token', () => {
    const guard = createSubhookReplayGuard();
    expect(guard.check(event(1))).toEqual([]);
    const problems = guard.check(event(1));
    expect(problems.map(({ rule, pointer }) => ({ rule, pointer }))).toEqual([{ rule: 'replayed-token', pointer: '/token' }]);
    expect(JSON.stringify(problems)).not.toContain(tokenNumber(1));
  });

  it('never remembers more tokens than its capacity, forgetting the oldest first', () => {
    const guard = createSubhookReplayGuard({ capacity: 100 });
    for (let n = 0; n < 10_000; n += 1) expect(guard.check(event(n))).toEqual([]);
    expect(guard.size).toBe(100);
    expect(guard.check(event(9_999)).map((p) => p.rule)).toEqual(['replayed-token']);
    expect(guard.check(event(9_900)).map((p) => p.rule)).toEqual(['replayed-token']);
    // Forgotten: accepted again, and it pushes out the oldest remembered token.
    expect(guard.check(event(9_899))).toEqual([]);
    expect(guard.size).toBe(100);
    expect(guard.check(event(9_900))).toEqual([]);
  });

  it('with a window, refuses timestamps too far in the past or the future, as numbers or strings', () => {
    const now = 1_700_000_000;
    const guard = createSubhookReplayGuard({ toleranceSeconds: 300, now: () => now * 1000 });
    expect(guard.check(event(1, now - 300))).toEqual([]);
    expect(guard.check(event(2, String(now + 300)))).toEqual([]);
    const [past] = guard.check(event(3, now - 301));
    expect(past).toEqual({ rule: 'stale-timestamp', pointer: '/timestamp', expected: `within 300 s of the receiver's clock (${now})`, received: `${now - 301} (301 s in the past)` });
    expect(guard.check(event(4, String(now + 3600)))[0]?.received).toBe(`${now + 3600} (3600 s in the future)`);
    expect(guard.check(event(5, 'yesterday')).map((p) => p.rule)).toEqual(['wrong-type']);
  });

  it('does not remember the token of a refused event', () => {
    const now = 1_700_000_000;
    const guard = createSubhookReplayGuard({ toleranceSeconds: 60, now: () => now * 1000 });
    expect(guard.check(event(7, now - 61)).map((p) => p.rule)).toEqual(['stale-timestamp']);
    expect(guard.size).toBe(0);
    expect(guard.check(event(7, now))).toEqual([]);
  });

  it('without a window, ignores the timestamp', () => {
    expect(createSubhookReplayGuard().check(event(1, 0))).toEqual([]);
  });

  it('reports a missing token, and refuses a capacity that is not a positive integer', () => {
    expect(createSubhookReplayGuard().check({ events: 'mo' }).map((p) => p.rule)).toEqual(['missing-field']);
    expect(() => createSubhookReplayGuard({ capacity: 0 })).toThrow(RangeError);
    expect(() => createSubhookReplayGuard({ capacity: 1.5 })).toThrow(RangeError);
    expect(() => createSubhookReplayGuard({ toleranceSeconds: -1 })).toThrow(RangeError);
  });
});
