// The replay guard. The signature covers only the token, so a captured token/signature
// pair authenticates any body: remembering recently accepted tokens is what stops a
// replay. The optional timestamp window only turns away stale pushes: the timestamp is
// not signed, so an attacker can set it. Run the guard after the signature check, so
// that unsigned requests cannot push real tokens out of its memory.
import { describeReceived, type SubhookProblem } from './problem.js';

export interface SubhookReplayGuardOptions {
  /** How many accepted tokens to remember; the oldest is forgotten first. Default 10 000. */
  capacity?: number | undefined;
  /** When set, refuse timestamps further than this many seconds from `now()`. Standard Webhooks uses 300. */
  toleranceSeconds?: number | undefined;
  /** The clock, in milliseconds (default `Date.now`). */
  now?: (() => number) | undefined;
}

export interface SubhookReplayGuard {
  /** Checks one event's token (and timestamp); remembers the token when there is no problem. */
  check(fields: Record<string, unknown>): SubhookProblem[];
  /** How many tokens are remembered now (never more than the capacity). */
  readonly size: number;
}

export const DEFAULT_REPLAY_CAPACITY = 10_000;

function unixSeconds(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^[0-9]{1,12}$/.test(value)) return Number(value);
  return undefined;
}

export function createSubhookReplayGuard(options: SubhookReplayGuardOptions = {}): SubhookReplayGuard {
  const capacity = options.capacity ?? DEFAULT_REPLAY_CAPACITY;
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('createSubhookReplayGuard: capacity must be a positive integer');
  const tolerance = options.toleranceSeconds;
  if (tolerance !== undefined && !(Number.isFinite(tolerance) && tolerance >= 0)) {
    throw new RangeError('createSubhookReplayGuard: toleranceSeconds must be a number of seconds, 0 or more');
  }
  const now = options.now ?? Date.now;
  // A Set iterates in insertion order, so its first token is the oldest.
  const tokens = new Set<string>();

  function check(fields: Record<string, unknown>): SubhookProblem[] {
    const { token, timestamp } = fields;
    if (typeof token !== 'string' || token.length === 0) {
      return [{ rule: 'missing-field', pointer: '/token', expected: 'a token', received: describeReceived('/token', token) }];
    }
    if (tolerance !== undefined) {
      const seconds = unixSeconds(timestamp);
      const clock = Math.floor(now() / 1000);
      if (seconds === undefined) {
        return [{ rule: 'wrong-type', pointer: '/timestamp', expected: 'Unix seconds, as a number or a string of digits', received: describeReceived('/timestamp', timestamp) }];
      }
      const offset = seconds - clock;
      if (Math.abs(offset) > tolerance) {
        const when = offset < 0 ? `${-offset} s in the past` : `${offset} s in the future`;
        return [{ rule: 'stale-timestamp', pointer: '/timestamp', expected: `within ${tolerance} s of the receiver's clock (${clock})`, received: `${seconds} (${when})` }];
      }
    }
    if (tokens.has(token)) {
      return [{ rule: 'replayed-token', pointer: '/token', expected: `a token not among the last ${capacity} accepted`, received: 'a token accepted before' }];
    }
    // A token decoded from a body is often a slice of the body's string, which V8 keeps
    // whole while the slice lives: remember a copy, or the guard would hold whole bodies.
    tokens.add(Buffer.from(token, 'utf8').toString('utf8'));
    if (tokens.size > capacity) {
      const oldest = tokens.values().next().value;
      if (oldest !== undefined) tokens.delete(oldest);
    }
    return [];
  }

  return {
    check,
    get size() {
      return tokens.size;
    },
  };
}
