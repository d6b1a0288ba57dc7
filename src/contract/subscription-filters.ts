// What the filters of ListSubscriptions mean, as Huawei Cloud documents them: `protocol`,
// `status` and `endpoint` match exactly, `fuzzy_remark` is part of the remark ("fuzzy
// match"; the kit ignores case). Absent or empty, a filter lets everything through. The
// emulator filters with it and the conformance checks judge a target's filtering by it.

export interface FilterableSubscription {
  protocol: string;
  status: number;
  endpoint: string;
  remark?: string;
}

/** The query parameters of ListSubscriptions that filter, in the order they are checked. */
export const SUBSCRIPTION_FILTERS = ['protocol', 'status', 'endpoint', 'fuzzy_remark'] as const;

export function subscriptionFilter(query: URLSearchParams): (subscription: FilterableSubscription) => boolean {
  const protocol = query.get('protocol') || undefined;
  const status = query.get('status') || undefined;
  const endpoint = query.get('endpoint') || undefined;
  const remark = query.get('fuzzy_remark')?.toLowerCase() || undefined;
  return (s) =>
    (protocol === undefined || s.protocol === protocol) &&
    (status === undefined || s.status === Number(status)) &&
    (endpoint === undefined || s.endpoint === endpoint) &&
    (remark === undefined || String(s.remark ?? '').toLowerCase().includes(remark));
}
