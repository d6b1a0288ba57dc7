// SMS callback bindings: ListSmsEvent, UpdateSmsEvent. Per project, the topic each SMS
// event type (sms_success_event, sms_fail_event, sms_reply_event) is bound to, in the
// order they were first bound; POST /_mock/sms/events publishes an event to it.
import type { SmsCallback, SmsCallbackUpdate } from '../../../generated/smn.js';
import type { Shaper } from '../../engine/examples.js';
import { Family, type FamilyCore, type FamilyModule, type Handler } from '../family.js';
import { projectKey } from '../projects.js';

export type SmsCallbackChange = { kind: 'bind'; project: string; items: SmsCallbackUpdate[] };

/** Every changed project has it, empty when nothing is bound. */
export interface BindingsPart {
  bindings: SmsCallback[];
}

/** What this family reads of the topics (--strict-topics). */
export interface KnownTopics {
  knows(projectId: string, topicUrn: string): boolean;
}

/** Absent or empty: no filter, as Prism validated it. */
const eventTypeFilter = (query: URLSearchParams): string | undefined => query.get('event_type') || undefined;

export class SmsCallbacks extends Family<SmsCallbackChange, BindingsPart> {
  readonly kinds = ['bind'] as const;
  /** By project key: the topic bound to each event type. */
  private bound = new Map<string, Map<SmsCallback['event_type'], string>>();

  constructor(
    private readonly core: FamilyCore<SmsCallbackChange>,
    private readonly families: { topics: KnownTopics },
  ) {
    super();
  }

  override shrinks(change: SmsCallbackChange): boolean {
    return change.items.every((item) => item.topic_urn === '');
  }

  override apply(change: SmsCallbackChange): void {
    const key = projectKey(change.project);
    let bindings = this.bound.get(key);
    if (!bindings) this.bound.set(key, (bindings = new Map<SmsCallback['event_type'], string>()));
    for (const { event_type, topic_urn } of change.items) {
      if (topic_urn === '') bindings.delete(event_type);
      else bindings.set(event_type, topic_urn);
    }
  }

  override reset(): void {
    this.bound = new Map();
  }

  override projectPart(key: string): BindingsPart {
    return { bindings: this.listed(key) };
  }

  override restoreProject(key: string, part: BindingsPart): void {
    this.bound.set(key, new Map(part.bindings.map((b) => [b.event_type, b.topic_urn])));
  }

  private listed(key: string): SmsCallback[] {
    return [...(this.bound.get(key) ?? [])].map(([event_type, topic_urn]) => ({ event_type, topic_urn }));
  }

  /** The project's bindings, of one event type when given. */
  bindings(projectId: string, eventType?: string): SmsCallback[] {
    const all = this.listed(projectKey(projectId));
    return eventType ? all.filter((b) => b.event_type === eventType) : all;
  }

  /** Applies all items or none: an empty topic_urn removes the binding of its event type. */
  update(projectId: string, items: SmsCallbackUpdate[]): void {
    this.core.change({ kind: 'bind', project: projectId, items: items.map(({ event_type, topic_urn }) => ({ event_type, topic_urn })) });
  }

  override readonly handlers: Readonly<Record<string, Handler>> = {
    ListSmsEvent: ({ projectId, query }) => ({ body: { request_id: '', callback: this.bindings(projectId, eventTypeFilter(query)) } }),
    UpdateSmsEvent: ({ contract, projectId, body, strictTopics }) => {
      const items = (body as { callback: SmsCallbackUpdate[] }).callback;
      if (strictTopics) {
        const unknown = items.find((item) => item.topic_urn !== '' && !this.families.topics.knows(projectId, item.topic_urn));
        const codes = unknown && contract.topicUrnErrors[unknown.event_type];
        if (unknown && codes) return { error: codes.not_found, reason: `no topic ${unknown.topic_urn} in project ${projectId} (--strict-topics)` };
      }
      this.update(projectId, items);
      return { body: { request_id: '' } };
    },
  };
}

const SMS_CALLBACK_SHAPES: Readonly<Record<string, Shaper>> = {
  ListSmsEvent: (_operation, body, query) => {
    const eventType = eventTypeFilter(query);
    if (!eventType || !Array.isArray(body.callback)) return body;
    return { ...body, callback: (body.callback as SmsCallback[]).filter((item) => item.event_type === eventType) };
  },
};

export const smsCallbacks = {
  create: (core, families) => new SmsCallbacks(core, families),
  shapes: SMS_CALLBACK_SHAPES,
} satisfies FamilyModule<SmsCallbacks, { topics: KnownTopics }>;
