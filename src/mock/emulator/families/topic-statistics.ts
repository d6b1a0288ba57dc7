// ListTopicMessageStatistics: how many SMS a topic sent between `start_time` and
// `end_time`, in total and per period (Huawei Cloud API reference "Querying Sending
// Details of a Topic"; SDK models SumCountDetail, StatisticsDetail, CountDetail: the
// counts are SMS). The emulator's SMS are the ones in its outbox (delivery/notifier.ts):
// each message published to a confirmed sms subscriber of the topic is one SMS, counted
// in the UTC hour it was sent (the SDK's model: the times are "UTC whole hours").
// Nothing is stored: the counts are read from the outbox when asked, so they cover what
// it still holds (the last 1,000 messages, emptied by DELETE /_mock/outbox, not kept
// across a restart).
import { Family, topicNotFound, type Answer, type FamilyModule, type Handler } from '../family.js';
import type { OutboxEntry } from '../../delivery/notifier.js';
import { projectKey } from '../projects.js';

/** What this family reads of the topics. */
export interface StatisticsTopics {
  knows(projectId: string, topicUrn: string): boolean;
}

/** What this family reads of the notifier: what phones received. */
export interface SentMessages {
  outbox(): readonly OutboxEntry[];
}

const HOUR_MS = 3_600_000;
/** The vendor's error when the end is not after the start (the error-code table: "The end time must be later than the start time."). */
const END_NOT_AFTER_START = 'SMN.0114';

/**
 * A time as clients send it, in milliseconds, or undefined when it cannot be read. The
 * vendor gives no format: epoch milliseconds or seconds written in digits (the SDK's
 * users send `Date.now()`), or an ISO 8601 date and time, UTC unless it names a zone.
 */
export function readTime(text: string): number | undefined {
  if (/^\d{1,16}$/.test(text)) {
    const value = Number(text);
    // Twelve digits and more are milliseconds (seconds would be past the year 5000).
    return text.length >= 12 ? value : value * 1000;
  }
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(text);
  if (!iso) return undefined;
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone = 'Z'] = iso;
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const ms = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}${fraction.slice(0, 4)}${offset}`);
  // Date.parse rolls some impossible dates over (2026-02-30): read it back to refuse them.
  if (Number.isNaN(ms)) return undefined;
  const back = new Date(ms + (offset === 'Z' ? 0 : offsetMs(offset)));
  return back.getUTCDate() === Number(day) && back.getUTCMonth() + 1 === Number(month) ? ms : undefined;
}

const offsetMs = (offset: string): number => (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) * 60_000;

const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;
const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class TopicStatistics extends Family {
  readonly kinds = [] as const;

  constructor(private readonly families: { topics: StatisticsTopics }) {
    super();
  }

  override readonly handlers: Readonly<Record<string, Handler>> = {
    ListTopicMessageStatistics: ({ contract, operation, projectId, path, query, notifier }) => {
      const topicUrn = path.topic_urn!;
      const bounds = this.bounds(query, (name) => contract.parameterError(operation.iid, 'query', name)!);
      if ('error' in bounds) return bounds;
      if (!this.families.topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
      const { start, end } = bounds;
      const key = projectKey(projectId);
      const byHour = new Map<number, number>();
      const sent: SentMessages = notifier;
      for (const entry of sent.outbox()) {
        if (entry.type !== 'Notification' || entry.protocol !== 'sms' || entry.topic_urn !== topicUrn || projectKey(entry.project_id) !== key) continue;
        const at = Date.parse(entry.time);
        if (at < start || at >= end) continue;
        byHour.set(hourOf(at), (byHour.get(hourOf(at)) ?? 0) + 1);
      }
      const periods = [...byHour].sort(([a], [b]) => a - b);
      return {
        body: {
          request_id: '',
          total: { sms: periods.reduce((sum, [, count]) => sum + count, 0) },
          statistics: periods.map(([hour, count]) => ({ start_time: isoSeconds(hour), count: { sms: count } })),
        },
      };
    },
  };

  /**
   * The period asked for, from the start of `start_time`'s hour to `end_time`, or the
   * documented error: a time that cannot be read (the parameter's code, SMN.0103 or
   * SMN.0104), an end not after the start (SMN.0114).
   */
  private bounds(query: URLSearchParams, codeOf: (name: string) => string): { start: number; end: number } | Extract<Answer, { error: string }> {
    const read = (name: string): number | { error: string; reason: string; where: string[] } => {
      const text = query.get(name) ?? '';
      const ms = readTime(text);
      return ms === undefined ? { error: codeOf(name), reason: `${name} is neither epoch milliseconds nor an ISO 8601 time`, where: ['query', name] } : ms;
    };
    const start = read('start_time');
    if (typeof start !== 'number') return start;
    const end = read('end_time');
    if (typeof end !== 'number') return end;
    if (end <= start) return { error: END_NOT_AFTER_START, reason: 'end_time must be later than start_time', where: ['query', 'end_time'] };
    return { start: hourOf(start), end };
  }
}

export const topicStatistics = {
  create: (_core, families) => new TopicStatistics(families),
} satisfies FamilyModule<TopicStatistics, { topics: StatisticsTopics }>;
