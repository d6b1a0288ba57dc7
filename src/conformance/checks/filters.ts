// The checks of the list filters: ListSmsEvent's event_type, and ListSubscriptions'
// protocol, status, endpoint and fuzzy_remark. Each filter must return exactly what the
// unfiltered list holds that matches it; one that is ignored cannot be told from one
// that works unless some items match and some do not, so such values are picked.
import type { SmnOperation } from '../../contract/smn-responses.js';
import { subscriptionFilter as matching, SUBSCRIPTION_FILTERS, type FilterableSubscription } from '../../contract/subscription-filters.js';
import type { Binding } from '../bindings.js';
import { fail, pass, warn, type Check, type CheckVerdict } from '../check.js';
import type { CheckContext } from '../context.js';
import { LIST_SMS_EVENT, LIST_SUBSCRIPTIONS } from '../operations.js';

export const eventTypeFilter: Check = {
  name: 'event_type_filter',
  operations: [LIST_SMS_EVENT],
  async run(context, operation) {
    const filter = operation.parameters.find((p) => p.in === 'query' && p.name === 'event_type');
    const { bindings, exchange: unfiltered } = await context.bindings.initial();
    for (const value of (filter?.schema.enum as string[] | undefined) ?? []) {
      const exchange = await context.get(operation.operationId, `event_type=${value}`);
      const callback = (exchange.response.json as { callback?: Binding[] } | undefined)?.callback;
      if (exchange.response.status !== 200 || !Array.isArray(callback)) {
        return fail(`event_type=${value}: expected 200 with a callback list, received ${exchange.response.status}`, exchange);
      }
      const others = callback.filter((b) => b.event_type !== value);
      if (others.length > 0) {
        return fail(`event_type=${value}: /callback: expected only ${value} bindings, received ${others.map((b) => b.event_type).join(', ')} too`, exchange);
      }
      const expected = bindings.filter((b) => b.event_type === value).length;
      if (callback.length !== expected) {
        return fail(`event_type=${value}: expected the ${expected} ${value} binding(s) of the unfiltered list, received ${callback.length}`, exchange);
      }
    }
    if (bindings.length === 0) {
      return warn('nothing is bound, so a filter that is ignored cannot be told from one that works; bind callbacks first', unfiltered);
    }
    return pass('each filter returns only its event type');
  },
};

export const subscriptionFilter: Check = {
  name: 'subscription_filter',
  operations: [LIST_SUBSCRIPTIONS],
  run: (context, operation) => checkSubscriptionFilters(context, operation),
};

type Listed = FilterableSubscription & { subscription_urn?: string };

/** A value of each filter that some, but not all, listed subscriptions have, so a filter that works can be told from one that is ignored. */
function telling(name: string, all: Listed[]): string | undefined {
  const values = all.map((s): string | undefined => {
    if (name === 'fuzzy_remark') return s.remark ? s.remark.slice(0, Math.max(1, Math.ceil(s.remark.length / 2))) : undefined;
    const value = (s as unknown as Record<string, unknown>)[name];
    return value === undefined || value === '' ? undefined : typeof value === 'string' ? value : JSON.stringify(value);
  });
  return values.find((value) => value !== undefined && !all.every(matching(new URLSearchParams({ [name]: value }))));
}

/**
 * Huawei Cloud documents filters for ListSubscriptions (the Open Telekom Cloud edition
 * does not): each, given a value some subscriptions have, must return exactly those of
 * the unfiltered list, in its order. A filter that is ignored altogether is a warning
 * (an edition without it); one that returns the wrong subscriptions is a failure.
 */
async function checkSubscriptionFilters(context: CheckContext, operation: SmnOperation): Promise<CheckVerdict> {
  const limit = operation.parameters.find((p) => p.name === 'limit')?.schema;
  const maximum = typeof limit?.maximum === 'number' ? limit.maximum : 100;
  const first = await context.get(operation.operationId, `offset=0&limit=${maximum}`);
  const all = (first.response.json as { subscriptions?: Listed[] } | undefined)?.subscriptions;
  if (first.response.status !== 200 || !Array.isArray(all)) return fail(`offset=0&limit=${maximum}: expected 200 with a subscriptions list, received ${first.response.status}`, first);
  const declared = new Set(operation.parameters.filter((p) => p.in === 'query').map((p) => p.name));
  const ignored: string[] = [];
  const untested: string[] = [];
  let tested = 0;
  for (const name of SUBSCRIPTION_FILTERS.filter((filter) => declared.has(filter))) {
    const value = telling(name, all);
    if (value === undefined) {
      untested.push(name);
      continue;
    }
    const query = `${new URLSearchParams({ [name]: value }).toString()}&offset=0&limit=${maximum}`;
    const exchange = await context.get(operation.operationId, query);
    const body = exchange.response.json as { subscription_count?: unknown; subscriptions?: Listed[] } | undefined;
    if (exchange.response.status !== 200 || !Array.isArray(body?.subscriptions)) return fail(`${query}: expected 200 with a subscriptions list, received ${exchange.response.status}`, exchange);
    const got = body.subscriptions.map((s) => String(s.subscription_urn));
    const expected = all.filter(matching(new URLSearchParams({ [name]: value }))).map((s) => String(s.subscription_urn));
    if (JSON.stringify(got) === JSON.stringify(all.map((s) => String(s.subscription_urn)))) {
      ignored.push(name);
      continue;
    }
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      return fail(`${query}: expected the ${expected.length} subscription(s) of the unfiltered list whose ${name} matches, in its order: [${expected.join(', ')}]; received [${got.join(', ')}]`, exchange);
    }
    if (all.length < maximum && body.subscription_count !== expected.length) {
      return fail(`${query}: subscription_count ${String(body.subscription_count)} should count the ${expected.length} filtered subscription(s)`, exchange);
    }
    tested++;
  }
  const notes: string[] = [];
  if (ignored.length > 0) notes.push(`${ignored.join(', ')} ignored (Huawei Cloud documents these filters; Open Telekom Cloud does not)`);
  if (untested.length > 0) notes.push(`${untested.join(', ')} not checked: no value tells some subscriptions from the others; add varied subscriptions`);
  if (notes.length > 0) return warn(`${tested} filter(s) return exactly their subscriptions; ${notes.join('; ')}`, first);
  return pass(`${tested} filters return exactly the subscriptions they match, counted by subscription_count`);
}
