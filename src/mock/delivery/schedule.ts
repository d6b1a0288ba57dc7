// SMN's delivery schedule, as the vendor's FAQ "Does SMN ensure that messages are
// received" tells it: each attempt may take 5 s; a message that meets a 5xx or no
// answer is queued and tried six more times, then dropped; a 4xx is not retried; an
// endpoint that keeps failing is blacklisted for 5 to 10 minutes, then delivered to
// again. SMN spaces the retries by the length of its queue (hours, at most a day): the
// emulator compresses them to delays the user sets (--retry-delays, --blacklist), so a
// receiver meets its redeliveries in a minute, or in milliseconds in a test.

/** SMN's time for one attempt, the whole answer included. */
export const ATTEMPT_TIMEOUT_MS = 5000;
/** The first attempt and six more. */
export const MAX_ATTEMPTS = 7;
/**
 * Failed attempts in a row (5xx or no answer, any messages) that leave an endpoint out.
 * The vendor says "keeps failing" and no number: the kit's choice is as many attempts
 * as one message gets, so a message dropped after all of them leaves its endpoint out.
 */
export const BLACKLIST_AFTER = MAX_ATTEMPTS;
/** The longest delay or blacklist accepted: SMN retries within a day. */
const LONGEST_MS = 24 * 60 * 60 * 1000;

/**
 * The defaults, for a developer watching a receiver by hand: the first redelivery comes
 * within a second, the delays grow as SMN's do, and a message is dropped after 68 s in
 * all, so the whole story (seven attempts, the drop, the endpoint left out for 30 s and
 * then delivered to again) plays out in under two minutes rather than SMN's hours.
 */
export const DEFAULT_RETRY_DELAYS = '1s,2s,5s,10s,20s,30s';
export const DEFAULT_BLACKLIST = '30s';

export interface DeliverySchedule {
  /** Milliseconds before attempts 2 to 7, six of them. */
  retryDelaysMs: readonly number[];
  /** How long an endpoint that failed BLACKLIST_AFTER attempts in a row is left out; 0: never. */
  blacklistMs: number;
}

export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `250ms`, `2s`, `1.5m`, `1h` in milliseconds (at most a day); throws a ScheduleError saying what is wrong. */
export function parseDuration(text: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!match) throw new ScheduleError(`${what} must be a duration such as 500ms, 2s, 1m or 1h, got "${text.slice(0, 40)}"`);
  const ms = Math.round(Number(match[1]) * UNITS[match[2]!]!);
  if (ms > LONGEST_MS) throw new ScheduleError(`${what} must be at most a day (SMN retries within one), got "${text.slice(0, 40)}"`);
  return ms;
}

/**
 * `--retry-delays`: one to six durations separated by commas, the delays before attempts 2
 * to 7; with fewer than six, the last one repeats.
 */
export function parseRetryDelays(text: string): number[] {
  const parts = text.split(',');
  if (parts.length > MAX_ATTEMPTS - 1) throw new ScheduleError(`--retry-delays takes at most ${MAX_ATTEMPTS - 1} delays (SMN tries a message ${MAX_ATTEMPTS} times), got ${parts.length}`);
  const delays = parts.map((part, index) => parseDuration(part, `--retry-delays (delay ${index + 1})`));
  while (delays.length < MAX_ATTEMPTS - 1) delays.push(delays[delays.length - 1]!);
  return delays;
}

export const DEFAULT_SCHEDULE: DeliverySchedule = { retryDelaysMs: parseRetryDelays(DEFAULT_RETRY_DELAYS), blacklistMs: parseDuration(DEFAULT_BLACKLIST, '--blacklist') };

/** The delay before attempt `attempt` (2 to 7). */
export const delayBefore = (schedule: DeliverySchedule, attempt: number): number => schedule.retryDelaysMs[attempt - 2]!;
