// Topics: CreateTopic, ListTopics, DeleteTopic, and the topics added with
// POST /_mock/topics (any project's URN, for bindings and subscriptions to name). The
// emulator knows a topic a project made, one added, and one its subscriptions name
// (the seed's topics exist without having been made).
import { randomBytes } from 'node:crypto';
import { topicFilter } from '../../../contract/topic-filters.js';
import type { CreateTopicRequest, Subscription, Topic as ListedTopic } from '../../../generated/smn.js';
import { pageOf, shapeList, type Shaper } from '../../engine/examples.js';
import { EMULATOR_REGION } from '../../options.js';
import { Family, topicNotFound, type FamilyCore, type FamilyModule, type Handler } from '../family.js';
import { StateLimitError } from '../limits.js';
import { projectKey, urnProjectId } from '../projects.js';

/** A topic made with CreateTopic, as ListTopics lists it: the emulator gives it every field the contract has. */
export type Topic = Required<ListedTopic>;

export type TopicChange =
  /** Added with POST /_mock/topics. */
  | { kind: 'topic'; topic: string }
  | { kind: 'create-topic'; project: string; topic: Topic }
  /** The topic goes, and every subscription of it with it. */
  | { kind: 'delete-topic'; project: string; topic_urn: string };

/** Topics made with CreateTopic, oldest first; absent when none. */
export interface TopicsPart {
  topics?: Topic[];
}

/** Topics added with POST /_mock/topics. */
export interface AddedTopicsPart {
  topics: string[];
}

export const TOPIC_LIMITS = {
  /** Topics made with CreateTopic or added with POST /_mock/topics, all projects together. */
  topics: { max: 3000, code: 'SMN.0004' },
} as const;

/** What this family reads of the subscriptions (deleting a topic reaches them through the core's topicDeleted). */
export interface TopicSubscriptions {
  all(projectId: string): readonly Subscription[];
}

export class Topics extends Family<TopicChange, TopicsPart, AddedTopicsPart> {
  readonly kinds = ['topic', 'create-topic', 'delete-topic'] as const;
  override readonly quotaCode = TOPIC_LIMITS.topics.code;
  /** By project key, oldest first. */
  private made = new Map<string, Topic[]>();
  private madeCount = 0;
  private added = new Set<string>();

  constructor(
    private readonly core: FamilyCore<TopicChange>,
    private readonly families: { subscriptions: TopicSubscriptions },
  ) {
    super();
  }

  override admit(change: TopicChange): void {
    const { max, code } = TOPIC_LIMITS.topics;
    if (change.kind === 'topic') {
      if (!this.added.has(change.topic) && this.added.size + this.madeCount >= max) throw new StateLimitError(code, `the emulator knows at most ${max} topics (made or added)`);
    } else if (change.kind === 'create-topic') {
      if (this.added.size + this.madeCount >= max) throw new StateLimitError(code, `the emulator keeps at most ${max} topics, all projects together; POST /_mock/reset to start again`);
    }
  }

  override shrinks(change: TopicChange): boolean {
    return change.kind === 'delete-topic';
  }

  override apply(change: TopicChange): void {
    switch (change.kind) {
      case 'topic':
        this.added.add(change.topic);
        return;
      case 'create-topic': {
        const key = projectKey(change.project);
        let list = this.made.get(key);
        if (!list) this.made.set(key, (list = []));
        list.push(change.topic);
        this.madeCount += 1;
        return;
      }
      case 'delete-topic': {
        const key = projectKey(change.project);
        const before = this.made.get(key);
        if (before) {
          const kept = before.filter((t) => t.topic_urn !== change.topic_urn);
          this.made.set(key, kept);
          this.madeCount -= before.length - kept.length;
        }
        this.added.delete(change.topic_urn);
        this.core.topicDeleted(change.project, change.topic_urn);
        return;
      }
    }
  }

  override reset(): void {
    this.made = new Map();
    this.madeCount = 0;
    this.added = new Set();
  }

  override projectPart(key: string): TopicsPart {
    const made = this.made.get(key);
    return made?.length ? { topics: made } : {};
  }

  override statePart(): AddedTopicsPart {
    return { topics: [...this.added] };
  }

  override restoreProject(key: string, part: TopicsPart): void {
    if (!part.topics) return;
    this.made.set(key, part.topics);
    this.madeCount += part.topics.length;
  }

  override restoreState(part: AddedTopicsPart): void {
    this.added = new Set(part.topics);
  }

  override pastLimit(): boolean {
    return this.added.size + this.madeCount > TOPIC_LIMITS.topics.max;
  }

  /** Topics the emulator knows: those the project made, those of its subscriptions, and those added. */
  knows(projectId: string, topicUrn: string): boolean {
    return this.find(projectId, topicUrn) !== undefined || this.added.has(topicUrn) || this.families.subscriptions.all(projectId).some((s) => s.topic_urn === topicUrn);
  }

  /** The topic the project made with this URN, if any. */
  find(projectId: string, topicUrn: string): Topic | undefined {
    return this.made.get(projectKey(projectId))?.find((t) => t.topic_urn === topicUrn);
  }

  /**
   * Makes a topic (CreateTopic). Idempotent, as SMN's: when the project has a topic of
   * that name, that topic is the answer and nothing changes.
   */
  create(projectId: string, fields: { name: string; display_name: string; enterprise_project_id?: string }, now: Date = new Date()): { topic: Topic; created: boolean } {
    const existing = this.made.get(projectKey(projectId))?.find((t) => t.name === fields.name);
    if (existing) return { topic: existing, created: false };
    const time = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const topic: Topic = {
      topic_urn: `urn:smn:${EMULATOR_REGION}:${urnProjectId(projectId)}:${fields.name}`,
      name: fields.name,
      display_name: fields.display_name,
      push_policy: 0,
      enterprise_project_id: fields.enterprise_project_id ?? '0',
      topic_id: randomBytes(16).toString('hex'),
      create_time: time,
      update_time: time,
    };
    this.core.change({ kind: 'create-topic', project: projectId, topic });
    return { topic, created: true };
  }

  /** A page of the topics the project made that pass `filter`, newest first, and how many pass it. */
  page(projectId: string, offset: number, limit: number, filter: (topic: Topic) => boolean = () => true): { total: number; page: Topic[] } {
    const matching = (this.made.get(projectKey(projectId)) ?? []).filter(filter).reverse();
    return { total: matching.length, page: matching.slice(offset, offset + limit) };
  }

  /** Deletes a topic the emulator knows, and every subscription of it. */
  delete(projectId: string, topicUrn: string): void {
    this.core.change({ kind: 'delete-topic', project: projectId, topic_urn: topicUrn });
  }

  /** Makes a topic URN known (POST /_mock/topics). */
  add(topicUrn: string): void {
    this.core.change({ kind: 'topic', topic: topicUrn });
  }

  override readonly handlers: Readonly<Record<string, Handler>> = {
    CreateTopic: ({ projectId, body }) => {
      const { topic, created } = this.create(projectId, body as CreateTopicRequest);
      return { status: created ? 201 : 200, body: { request_id: '', topic_urn: topic.topic_urn } };
    },
    ListTopics: ({ operation, projectId, query }) => {
      const { total, page } = this.page(projectId, ...pageOf(operation, query), topicFilter(query));
      return { body: { request_id: '', topic_count: total, topics: page } };
    },
    DeleteTopic: ({ contract, projectId, path }) => {
      const topicUrn = path.topic_urn!;
      if (!this.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
      this.delete(projectId, topicUrn);
      return { body: { request_id: '' } };
    },
  };
}

const TOPIC_SHAPES: Readonly<Record<string, Shaper>> = {
  ListTopics: (operation, body, query) => (Array.isArray(body.topics) ? shapeList(operation, query, body, 'topics', 'topic_count', topicFilter(query)) : body),
};

export const topics = {
  create: (core, families) => new Topics(core, families),
  limits: TOPIC_LIMITS,
  shapes: TOPIC_SHAPES,
} satisfies FamilyModule<Topics, { subscriptions: TopicSubscriptions }>;
