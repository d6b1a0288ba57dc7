// The pagination check (ListSubscriptions, ListTopics, ListSubscriptionsByTopic): pages
// of k items for offsets 0, k, 2k... must be disjoint, respect the limit and match one
// large page in order; a page past the end is empty; the count is the same on every page.
import type { SmnOperation } from '../../contract/smn-responses.js';
import { fail, listOf, pass, warn, type Check, type CheckVerdict } from '../check.js';
import type { CheckContext } from '../context.js';
import { LIST_SUBSCRIPTIONS, LIST_SUBSCRIPTIONS_BY_TOPIC, LIST_TOPICS } from '../operations.js';
import type { Exchange } from '../target.js';

export const pagination: Check = {
  name: 'pagination',
  operations: [LIST_SUBSCRIPTIONS, LIST_TOPICS, LIST_SUBSCRIPTIONS_BY_TOPIC],
  run: async (context, operation) => {
    // With writes allowed the run brings topics and subscriptions of its own, so that there are pages to compare.
    if (context.options.allowWrites && operation.operationId !== LIST_SUBSCRIPTIONS) await context.sandbox.populate();
    return checkPagination(context, operation);
  },
};

interface Page {
  exchange: Exchange;
  count: unknown;
  urns: string[];
}

/**
 * What a list operation's 200 answer holds, from its schema: the list (`subscriptions`,
 * `topics`), the total (`subscription_count`, `topic_count`) and each item's own URN
 * (`subscription_urn`, `topic_urn`).
 */
function listShape(operation: SmnOperation): { list: string; count: string; id: string } {
  const properties = (operation.responses.get(200)?.properties ?? {}) as Record<string, { type?: string }>;
  const list = Object.keys(properties).find((name) => properties[name]!.type === 'array') ?? 'subscriptions';
  const item = list.replace(/s$/, '');
  return { list, count: `${item}_count`, id: `${item}_urn` };
}

async function page(context: CheckContext, operation: SmnOperation, offset: number, limit: number): Promise<Page | CheckVerdict> {
  const { list, count, id } = listShape(operation);
  const exchange = await context.get(operation.operationId, `offset=${offset}&limit=${limit}`);
  const items = listOf(exchange, list);
  if (!items) return fail(`offset=${offset}&limit=${limit}: expected 200 with a ${list} list, received ${exchange.response.status}`, exchange);
  return { exchange, count: (exchange.response.json as Record<string, unknown>)[count], urns: items.map((item) => String(item[id])) };
}

const isCheckVerdict = (value: Page | CheckVerdict): value is CheckVerdict => 'status' in value;

async function checkPagination(context: CheckContext, operation: SmnOperation): Promise<CheckVerdict> {
  const limit = operation.parameters.find((p) => p.name === 'limit')?.schema;
  const maximum = typeof limit?.maximum === 'number' ? limit.maximum : 100;
  const { list, count: countField } = listShape(operation);
  const whole = await page(context, operation, 0, maximum);
  if (isCheckVerdict(whole)) return whole;
  const all = whole.urns;
  const warnings: string[] = [];
  // Pages of k items for offsets 0, k, 2k... across the whole first page, at most 10 of them.
  const k = Math.max(1, Math.ceil(all.length / 10));
  const seen = new Map<string, number>();
  const counts = new Set<unknown>([whole.count]);
  for (let offset = 0; offset < all.length; offset += k) {
    const part = await page(context, operation, offset, k);
    if (isCheckVerdict(part)) return part;
    counts.add(part.count);
    if (part.urns.length > k) return fail(`offset=${offset}&limit=${k}: limit not respected: expected at most ${k} ${list}, received ${part.urns.length}`, part.exchange);
    for (const urn of part.urns) {
      const earlier = seen.get(urn);
      if (earlier !== undefined) return fail(`offset=${offset}&limit=${k}: pages overlap: ${urn} was already on the page at offset ${earlier}`, part.exchange);
      seen.set(urn, offset);
    }
    const expected = all.slice(offset, offset + k);
    if (JSON.stringify(part.urns) !== JSON.stringify(expected)) {
      return fail(`offset=${offset}&limit=${k}: expected ${list} [${expected.join(', ')}] (the same order as one large page), received [${part.urns.join(', ')}]`, part.exchange);
    }
  }
  const past = await page(context, operation, Math.max(all.length, typeof whole.count === 'number' ? whole.count : 0), k);
  if (isCheckVerdict(past)) return past;
  if (past.urns.length > 0) return fail(`an offset past the end must give an empty list; received ${past.urns.length} ${list}`, past.exchange);
  counts.add(past.count);
  if (counts.size > 1) return fail(`${countField} changes from page to page: ${[...counts].map(String).join(', ')}`, past.exchange);
  const count = whole.count;
  if (typeof count === 'number' && count < all.length) return fail(`${countField} ${count} is smaller than the ${all.length} ${list} of the first page`, whole.exchange);
  if (typeof count === 'number' && all.length < maximum && count !== all.length) {
    // Both editions document topic_count as the total; the subscription lists only say "number of subscriptions".
    const differs = `${countField} ${count} differs from the ${all.length} ${list} listed`;
    if (list === 'topics') return fail(`${differs}; the documents say it is the total, whatever offset and limit are`, whole.exchange);
    warnings.push(`${differs}; the documents only say "number of ${list}" (smn-kit reads it as the total)`);
  }
  if (all.length < 2) warnings.push(`only ${all.length} item(s) in ${list}: pages cannot be compared; add some (or run with --allow-writes, which brings the run's own) to check paging`);
  if (warnings.length > 0) return warn(warnings.join('; '), whole.exchange);
  return pass(`${Math.ceil(all.length / k)} pages of ${k} match one page of ${all.length}; ${countField} ${String(count)}`);
}
