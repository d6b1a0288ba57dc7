// The retries waiting for their time: a message that met a 5xx or no answer waits here
// for its next attempt (schedule.ts), in the background, after the request that sent it
// was answered. Bounded: at most a number of retries and of characters of message text
// (a message may be 256 KB), the oldest dropped first, and told so, so that a receiver
// that is down while a publisher keeps publishing costs the mock a fixed amount of
// memory. One timer for the whole queue, set for the retry due first; a few attempts at
// once. Stopped for good when the mock closes: nothing waits, nothing is left running.

export interface Retry {
  /** When it is due, in Date.now() milliseconds. */
  due: number;
  /** Characters of message text it holds. */
  size: number;
  /** The attempt; never rejects. */
  run(): Promise<void>;
  /** Told when the queue drops it before its time, with the reason. */
  dropped(reason: string): void;
}

export interface RetryQueueLimits {
  /** Retries waiting at most. */
  retries: number;
  /** Characters of message text the waiting retries hold at most (at least one retry is kept). */
  characters: number;
  /** Attempts in flight at once; the others wait past their time for a free place. */
  concurrency: number;
}

export class RetryQueue {
  /** Oldest first, as they were queued. */
  private waiting: Retry[] = [];
  private characters = 0;
  private running = 0;
  private timer?: NodeJS.Timeout;
  private armedFor = Infinity;
  private stopped = false;

  constructor(
    private readonly limits: RetryQueueLimits,
    signal?: AbortSignal,
  ) {
    if (signal?.aborted) this.stop();
    signal?.addEventListener('abort', () => this.stop(), { once: true });
  }

  /** Retries waiting. */
  get size(): number {
    return this.waiting.length;
  }

  add(retry: Retry): void {
    if (this.stopped) return;
    this.waiting.push(retry);
    this.characters += retry.size;
    while (this.waiting.length > this.limits.retries || (this.characters > this.limits.characters && this.waiting.length > 1)) {
      const oldest = this.waiting.shift()!;
      this.characters -= oldest.size;
      oldest.dropped(`the retry queue holds at most ${this.limits.retries} retries and ${this.limits.characters} characters of messages; this one was the oldest waiting`);
    }
    this.arm();
  }

  /** Forgets every waiting retry and runs none again (the attempts in flight end with the mock's signal). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.waiting = [];
    this.characters = 0;
  }

  /** Sets the timer for the retry due first, unless one is set for it already or no place is free. */
  private arm(): void {
    if (this.stopped || this.running >= this.limits.concurrency || this.waiting.length === 0) return;
    const next = Math.min(...this.waiting.map((retry) => retry.due));
    if (this.timer && this.armedFor <= next) return;
    clearTimeout(this.timer);
    this.armedFor = next;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.armedFor = Infinity;
      this.pump();
    }, Math.max(0, next - Date.now()));
    // The server keeps the process alive while it runs; a queue alone must not.
    this.timer.unref();
  }

  /** Starts the retries that are due, earliest first, while places are free. */
  private pump(): void {
    const now = Date.now();
    while (!this.stopped && this.running < this.limits.concurrency) {
      let at = -1;
      for (let i = 0; i < this.waiting.length; i++) if (this.waiting[i]!.due <= now && (at === -1 || this.waiting[i]!.due < this.waiting[at]!.due)) at = i;
      if (at === -1) break;
      const [retry] = this.waiting.splice(at, 1);
      this.characters -= retry!.size;
      this.running += 1;
      void retry!
        .run()
        .catch(() => undefined)
        .finally(() => {
          this.running -= 1;
          this.pump();
        });
    }
    this.arm();
  }
}
