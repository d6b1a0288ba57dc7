// The endpoints left out: SMN blacklists an endpoint that keeps failing for 5 to 10
// minutes, then delivers to it again (the vendor's FAQ). The emulator counts the
// failed attempts in a row (5xx or no answer) of each endpoint, whatever the message;
// any other answer ends the count. At BLACKLIST_AFTER (schedule.ts) the endpoint is
// left out for the schedule's time, its count started again. Bounded: the endpoints
// failing longest ago are forgotten first.
import { BLACKLIST_AFTER } from './schedule.js';

/** Endpoints whose failures are counted at most. */
const ENDPOINTS = 10_000;

export class Blacklist {
  private readonly endpoints = new Map<string, { inRow: number; until?: number }>();

  /** @param ms how long an endpoint is left out; 0: never */
  constructor(private readonly ms: number) {}

  /** Until when (Date.now() milliseconds) the endpoint is left out, or undefined when it is not. */
  leftOutUntil(endpoint: string, now: number): number | undefined {
    const entry = this.endpoints.get(endpoint);
    if (entry?.until === undefined) return undefined;
    if (entry.until > now) return entry.until;
    this.endpoints.delete(endpoint);
    return undefined;
  }

  /** Counts a failed attempt; returns until when the endpoint is left out, when this one left it out. */
  failed(endpoint: string, now: number): number | undefined {
    const known = this.endpoints.get(endpoint);
    // Once its time out is over, an endpoint starts a new count.
    const entry = known && !(known.until !== undefined && known.until <= now) ? known : { inRow: 0 };
    this.endpoints.delete(endpoint);
    entry.inRow += 1;
    const leaving = this.ms > 0 && entry.inRow >= BLACKLIST_AFTER && entry.until === undefined;
    if (leaving) entry.until = now + this.ms;
    this.endpoints.set(endpoint, entry);
    if (this.endpoints.size > ENDPOINTS) this.endpoints.delete(this.endpoints.keys().next().value as string);
    return leaving ? entry.until : undefined;
  }

  /** The endpoint answered (not a 5xx): its count ends. */
  answered(endpoint: string): void {
    this.endpoints.delete(endpoint);
  }
}
