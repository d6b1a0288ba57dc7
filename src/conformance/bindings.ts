// The SMS callback bindings a run with --allow-writes touches, kept safe. Nothing is
// written until the bindings before the run are known for certain: the first complete
// read (a 200 ListSmsEvent whose callback list obeys the contract), confirmed by a
// second that agrees. A failed read is never "nothing bound", and a later read that
// disagrees is never a new start: it stops the writes. After writing, the bindings are
// read again and only what differs from the start is put back; when that cannot be
// done, the caller gets the exact UpdateSmsEvent body that restores them.
import type { SmnOperation, SmnResponses, Schema } from '../contract/smn-responses.js';
import { describeProblems } from './evidence.js';
import { RequestFailed, type Exchange, type SentRequest, type TargetClient } from './target.js';

export interface Binding {
  event_type: string;
  topic_urn: string;
}

export interface BindingsRead {
  exchange?: Exchange;
  /** What the target reports, when it answered 200 with a list of {event_type, topic_urn} strings. */
  bindings?: Binding[];
  /** Why the bindings are not known for certain; undefined when they are. */
  uncertain?: string;
}

/** What putting the bindings back did. */
export interface Restoration {
  /** The difference found before putting back (`before [...], after [...]`); undefined when none. */
  changed?: string;
  /** Set when the bindings may still differ: why, and the request that restores them. */
  unrestored?: { reason: string; request: SentRequest };
}

/** The bindings before the run could not be read with certainty, so nothing may be written. */
export class BindingsUnknown extends Error {
  override readonly name = 'BindingsUnknown';
}

/**
 * How often a read or a restoring write is tried. Both are safe to repeat (a GET; a PUT
 * of fixed values), and a flaky gateway's single 503 must not cost the guarantee.
 */
const ATTEMPTS = 3;

const isBinding = (value: unknown): value is Binding =>
  typeof value === 'object' && value !== null && typeof (value as Binding).event_type === 'string' && typeof (value as Binding).topic_urn === 'string';

const describeList = (bindings: Binding[]): string => `[${bindings.map((b) => `${b.event_type}=${b.topic_urn}`).sort().join(', ')}]`;

/** `before [...], after [...]` when two lists differ (in any order), else undefined. */
export function compareBindings(before: Binding[], after: Binding[]): string | undefined {
  const a = describeList(before);
  const b = describeList(after);
  return a === b ? undefined : `before ${a}, after ${b}`;
}

/** Reads that must agree before anything is written: one stale answer is never the start. */
const CONFIRMING_READS = 2;

export class CallbackBindings {
  /**
   * The first complete read of the run (a 200 whose callback list obeys the contract),
   * by whichever check it was made: the bindings before the run. Never replaced.
   */
  private first: { exchange: Exchange; bindings: Binding[] } | undefined;
  /** Complete reads that agreed with the first before anything was written, the first included. */
  private agreeing = 0;
  /** Set when a complete read disagreed with the first before anything was written: the start is then unknown. */
  private disagreement: string | undefined;
  /** Whether a request that may change the bindings (a PUT) was sent. */
  private written = false;
  private confirming: Promise<BindingsRead> | undefined;

  constructor(
    private readonly client: TargetClient,
    private readonly responses: SmnResponses,
    private readonly list: SmnOperation,
    private readonly update: SmnOperation,
  ) {
    const listPath = new URL(`${client.options.target}${client.path(list.path)}`).pathname;
    client.watch({
      sending: (request) => {
        if (request.method === update.method) this.written = true;
      },
      answered: (exchange) => {
        const url = new URL(exchange.request.url);
        if (exchange.request.method === list.method && url.pathname === listPath && url.search === '') this.learn(this.judge(exchange));
      },
    });
  }

  /**
   * Keeps what an unfiltered read said, while nothing has been written: the first
   * complete read is the start; one that disagrees with it makes the start unknown.
   */
  private learn(read: BindingsRead): void {
    if (this.written || read.uncertain !== undefined || !read.bindings || !read.exchange) return;
    if (!this.first) {
      this.first = { exchange: read.exchange, bindings: read.bindings };
      this.agreeing = 1;
      return;
    }
    const difference = compareBindings(this.first.bindings, read.bindings);
    if (difference === undefined) this.agreeing++;
    else this.disagreement ??= `two reads of ListSmsEvent answered differently before anything was written (${difference.replace(/^before/, 'first').replace(/, after/, ', then')}): the bindings before the run are not known, so nothing is written`;
  }

  /** The event types UpdateSmsEvent accepts, from the contract. */
  settableEventTypes(): string[] {
    const item = (this.update.requestBody?.properties as Record<string, { items?: { properties?: { event_type?: { enum?: string[] } } } }>)?.callback?.items;
    return item?.properties?.event_type?.enum ?? [];
  }

  /** Reads the bindings once, trying again while a failure may pass (no answer, 5xx, 429). */
  async read(): Promise<BindingsRead> {
    let read: BindingsRead & { retry?: boolean } = {};
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      read = await this.readOnce();
      if (!read.retry) break;
    }
    const { retry: _, ...result } = read;
    return result;
  }

  private async readOnce(): Promise<BindingsRead & { retry?: boolean }> {
    try {
      return this.judge(await this.client.send({ method: this.list.method, path: this.client.path(this.list.path) }));
    } catch (error) {
      if (error instanceof RequestFailed) return { uncertain: `ListSmsEvent got no usable answer: ${error.message}`, retry: error.kind !== 'too-large' };
      throw error;
    }
  }

  /** What an answer to an unfiltered ListSmsEvent says of the bindings, and whether it is worth asking again. */
  private judge(exchange: Exchange): BindingsRead & { retry?: boolean } {
    const { status, json } = exchange.response;
    if (status !== 200) {
      const code = (json as { code?: unknown; error_code?: unknown } | undefined)?.code ?? (json as { error_code?: unknown } | undefined)?.error_code;
      return { exchange, uncertain: `ListSmsEvent answered ${status}${typeof code === 'string' ? ` ${code}` : ''}`, retry: status >= 500 || status === 429 };
    }
    const callback = (json as { callback?: unknown } | undefined)?.callback;
    if (!Array.isArray(callback) || !callback.every(isBinding)) {
      return { exchange, uncertain: `ListSmsEvent answered 200 without a callback list of {event_type, topic_urn}${json === undefined ? ' (the body is not JSON)' : ''}` };
    }
    const bindings = callback.map(({ event_type, topic_urn }) => ({ event_type, topic_urn }));
    const schema = ((this.list.responses.get(200)?.properties ?? {}) as Record<string, Schema>).callback;
    const problems = schema ? this.responses.validateWith(`${this.list.operationId} 200 callback`, schema, callback) : [];
    if (problems.length > 0) return { exchange, bindings, uncertain: `ListSmsEvent's callback list breaks the contract: ${describeProblems(problems.map((p) => ({ ...p, pointer: `/callback${p.pointer}` })))}` };
    const types = bindings.map((b) => b.event_type);
    const twice = types.find((type, i) => types.indexOf(type) !== i);
    if (twice) return { exchange, bindings, uncertain: `ListSmsEvent lists ${twice} twice` };
    return { exchange, bindings };
  }

  /**
   * The bindings found when the run started: the first complete read, once a second
   * one agrees with it (read here when the checks before made none). BindingsUnknown
   * when they could not be read, or when two reads disagreed before anything was
   * written: one stale answer must never be what the writes start from.
   */
  async initial(): Promise<{ exchange: Exchange; bindings: Binding[] }> {
    for (let asked = 0; asked < CONFIRMING_READS && !this.disagreement && this.agreeing < CONFIRMING_READS && !this.written; asked++) {
      // Checks that ask together share one read.
      this.confirming ??= this.read().finally(() => (this.confirming = undefined));
      const { uncertain, exchange } = await this.confirming;
      if (uncertain || !exchange) throw new BindingsUnknown(`the callback bindings before the run could not be read with certainty (${uncertain ?? 'no answer'})`);
    }
    if (this.disagreement) throw new BindingsUnknown(this.disagreement);
    if (!this.first || (this.agreeing < CONFIRMING_READS && !this.written)) throw new BindingsUnknown('the callback bindings before the run could not be read with certainty (no complete answer)');
    return this.first;
  }

  /** A body that writes back what was bound at the start: a PUT that changes nothing. */
  async unchangedBody(): Promise<string> {
    const { bindings } = await this.initial();
    const settable = new Set(this.settableEventTypes());
    const items = bindings.filter((b) => settable.has(b.event_type));
    // Nothing bound: unbinding one event type is the only valid no-op (callback needs an item).
    if (items.length === 0) {
      const [first] = settable;
      if (!first) throw new Error('the contract names no event type UpdateSmsEvent accepts');
      items.push({ event_type: first, topic_urn: '' });
    }
    return JSON.stringify({ callback: items });
  }

  /**
   * Reads the bindings again and puts back what differs from the start. Never throws:
   * what could not be done is in the result, with the request that would do it.
   */
  async restore(): Promise<Restoration> {
    const { bindings: before } = await this.initial();
    const now = await this.read();
    if (!now.bindings) return { unrestored: this.unrestored(`the bindings could not be read to compare them with the start: ${now.uncertain}`, this.differences(before, undefined)) };
    const changed = compareBindings(before, now.bindings);
    let items = this.differences(before, now.bindings);
    if (items.length === 0) return { changed };
    let reason = '';
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const put = await this.put(items);
      const after = await this.read();
      if (!after.bindings) return { changed, unrestored: this.unrestored(`after putting them back (${put}), the bindings could not be read to verify: ${after.uncertain}`, items) };
      items = this.differences(before, after.bindings);
      if (items.length === 0) return { changed };
      reason = `after putting them back (${put}), the target still reports ${describeList(after.bindings)}`;
    }
    return { changed, unrestored: this.unrestored(reason, items) };
  }

  /** The items that set each settable event type back to its topic at the start ('' unbinds); all of them when `now` is unknown. */
  private differences(before: Binding[], now: Binding[] | undefined): Binding[] {
    const topic = (list: Binding[], type: string): string => list.find((b) => b.event_type === type)?.topic_urn ?? '';
    return this.settableEventTypes()
      .filter((type) => now === undefined || topic(before, type) !== topic(now, type))
      .map((type) => ({ event_type: type, topic_urn: topic(before, type) }));
  }

  private async put(items: Binding[]): Promise<string> {
    try {
      const exchange = await this.client.send({ method: this.update.method, path: this.client.path(this.update.path), body: JSON.stringify({ callback: items }) });
      return `UpdateSmsEvent answered ${exchange.response.status}`;
    } catch (error) {
      if (error instanceof RequestFailed) return `UpdateSmsEvent got no usable answer: ${error.message}`;
      throw error;
    }
  }

  private unrestored(reason: string, items: Binding[]): { reason: string; request: SentRequest } {
    const request: SentRequest = {
      method: this.update.method,
      url: `${this.client.options.target}${this.client.path(this.update.path)}`,
      headers: { 'Content-Type': 'application/json;charset=UTF-8', 'X-Auth-Token': '***' },
      body: JSON.stringify({ callback: items }),
    };
    return { reason, request };
  }
}
