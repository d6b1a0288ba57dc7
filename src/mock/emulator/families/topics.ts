// Topics: CreateTopic, ListTopics, ListTopicDetails, UpdateTopic, DeleteTopic, and the
// topics added with POST /_mock/topics (any project's URN, for bindings and subscriptions
// to name). The emulator knows a topic a project made, one added, and one its
// subscriptions name (the seed's topics exist without having been made): a topic it
// knows but did not see made has the details its URN gives, and becomes the project's
// own (listed) once UpdateTopic changes it.
import { createHash, randomBytes } from 'node:crypto';
import { topicFilter } from '../../../contract/topic-filters.js';
import type { CreateTopicRequest, Subscription, Topic as ListedTopic, UpdateTopicRequest } from '../../../generated/smn.js';
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
  /** The topic as it is after UpdateTopic; one the project did not make becomes its own. */
  | { kind: 'update-topic'; project: string; topic: Topic }
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
  readonly kinds = ['topic', 'create-topic', 'update-topic', 'delete-topic'] as const;
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
    } else if (change.kind === 'create-topic' || (change.kind === 'update-topic' && !this.find(change.project, change.topic.topic_urn))) {
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
        this.madeList(change.project).push(change.topic);
        this.madeCount += 1;
        return;
      }
      case 'update-topic': {
        const list = this.madeList(change.project);
        const at = list.findIndex((t) => t.topic_urn === change.topic.topic_urn);
        if (at !== -1) {
          list[at] = change.topic;
        } else {
          list.push(change.topic);
          this.madeCount += 1;
        }
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

  private madeList(projectId: string): Topic[] {
    const key = projectKey(projectId);
    let list = this.made.get(key);
    if (!list) this.made.set(key, (list = []));
    return list;
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
    const time = smnTime(now);
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

  /**
   * The topic with this URN as the project sees it: the one it made, else, for one the
   * emulator knows otherwise (the seed's, one added), what its URN tells (its name), the
   * defaults CreateTopic gives and an id of its own, the same at every call; undefined
   * for a topic the emulator does not know.
   */
  details(projectId: string, topicUrn: string): ListedTopic | undefined {
    const made = this.find(projectId, topicUrn);
    if (made) return made;
    if (!this.knows(projectId, topicUrn)) return undefined;
    return {
      topic_urn: topicUrn,
      name: topicUrn.slice(topicUrn.lastIndexOf(':') + 1),
      display_name: '',
      push_policy: 0,
      enterprise_project_id: '0',
      topic_id: createHash('md5').update(topicUrn).digest('hex'),
    };
  }

  /** Changes a topic's display name (UpdateTopic); false when the emulator does not know the topic. */
  update(projectId: string, topicUrn: string, fields: { display_name: string }, now: Date = new Date()): boolean {
    const known = this.details(projectId, topicUrn);
    if (!known) return false;
    const time = smnTime(now);
    // A topic the project did not make becomes its own now: created now, as far as it knows.
    const topic: Topic = { ...(known as Topic), create_time: known.create_time ?? time, display_name: fields.display_name, update_time: time };
    this.core.change({ kind: 'update-topic', project: projectId, topic });
    return true;
  }

  /**
   * A page of the topics the project made that pass `filter`, newest first (by
   * create_time; they are kept in the order they were made); `total` how many pass it,
   * `all` how many the project has.
   */
  page(projectId: string, offset: number, limit: number, filter: (topic: Topic) => boolean = () => true): { total: number; all: number; page: Topic[] } {
    const made = this.made.get(projectKey(projectId)) ?? [];
    const matching = made.filter(filter).reverse();
    return { total: matching.length, all: made.length, page: matching.slice(offset, offset + limit) };
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
      // topic_count: "This parameter is not affected by offset and limit, that is, it
      // returns the number of all topics under your account" (SDK model
      // ListTopicsResponse; Open Telekom Cloud api-ref "Querying Topics": "this API always
      // returns the total number of topics in your account"): the filters do not change it.
      const { all, page } = this.page(projectId, ...pageOf(operation, query), topicFilter(query));
      return { body: { request_id: '', topic_count: all, topics: page } };
    },
    ListTopicDetails: ({ contract, projectId, path }) => {
      const topic = this.details(projectId, path.topic_urn!);
      if (!topic) return topicNotFound(contract, projectId, path.topic_urn!);
      return { body: { request_id: '', ...topic } };
    },
    UpdateTopic: ({ contract, projectId, path, body }) => {
      if (!this.update(projectId, path.topic_urn!, body as UpdateTopicRequest)) return topicNotFound(contract, projectId, path.topic_urn!);
      return { body: { request_id: '' } };
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
  // Filtered and paged; topic_count stays the example's, the account's total whatever the filters.
  ListTopics: (operation, body, query) => (Array.isArray(body.topics) ? { ...(shapeList(operation, query, body, 'topics', 'topic_count', topicFilter(query)) as object), topic_count: body.topic_count } : body),
};

/** A time as SMN writes it: UTC, to the second. */
const smnTime = (now: Date): string => now.toISOString().replace(/\.\d{3}Z$/, 'Z');

export const topics = {
  create: (core, families) => new Topics(core, families),
  limits: TOPIC_LIMITS,
  shapes: TOPIC_SHAPES,
} satisfies FamilyModule<Topics, { subscriptions: TopicSubscriptions }>;
