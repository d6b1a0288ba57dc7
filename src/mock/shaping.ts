// Prism serves one example per operation whatever the query says. A real SMN filters
// ListSmsEvent by `event_type` and pages ListSubscriptions; the mock does the same to
// the example Prism chose, so a client sees the answer its query asks for.
import type { getHttpOperationsFromSpec } from '@stoplight/prism-http';

type PrismOperation = Awaited<ReturnType<typeof getHttpOperationsFromSpec>>[number];

/** The example body shaped by the (already validated) query of the request. */
export function shapeExample(operation: PrismOperation, body: unknown, query: URLSearchParams): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const record = body as Record<string, unknown>;
  if (operation.iid === 'ListSmsEvent' && Array.isArray(record.callback)) {
    const eventType = query.get('event_type');
    if (!eventType) return body; // absent or empty: no filter, as Prism validated it
    return { ...record, callback: record.callback.filter((item: { event_type?: string }) => item.event_type === eventType) };
  }
  if (operation.iid === 'ListSubscriptions' && Array.isArray(record.subscriptions)) {
    // subscription_count stays the total: a page never changes it.
    const offset = integerParameter(operation, query, 'offset');
    const limit = integerParameter(operation, query, 'limit');
    return { ...record, subscriptions: record.subscriptions.slice(offset, offset + limit) };
  }
  return body;
}

function integerParameter(operation: PrismOperation, query: URLSearchParams, name: string): number {
  const given = query.get(name);
  if (given !== null && given !== '') return Number(given);
  const declared = operation.request?.query?.find((parameter) => parameter.name === name);
  return Number((declared?.schema as { default?: unknown } | undefined)?.default ?? 0);
}
