// Topic attributes: ListTopicAttributes, UpdateTopicAttribute, DeleteTopicAttributeByName,
// DeleteTopicAttributes. A topic has two (the vendor's "Topic Attribute List"):
// `access_policy`, the JSON text of who else may use the topic, and `introduction`, shown
// in confirmation messages; each is an empty string, its default, until set, and again
// once deleted. A policy is judged by the vendor's rules (contract/access-policy.ts) and
// kept as given; an introduction is at most 120 bytes (403 SMN.0047, as a value too long).
// Per project, by topic URN, in the order the topics first got one; they go with their topic.
import { accessPolicyFault } from '../../../contract/access-policy.js';
import type { SmnContract } from '../../../contract/smn.js';
import type { TopicAttributeName, UpdateTopicAttributeRequest } from '../../../generated/smn.js';
import { Family, topicNotFound, type Answer, type FamilyCore, type FamilyModule, type Handler } from '../family.js';
import { StateLimitError } from '../limits.js';
import { projectKey } from '../projects.js';
import { smnTime } from '../stamps.js';

/** The access policy, with when it was first set and last changed (SDK model TopicAccessPolicyAttribute). */
export interface AccessPolicy {
  value: string;
  create_time: string;
  update_time: string;
}

/** The attributes set on one topic; one never set (or deleted) is absent. */
export interface TopicAttributes {
  topic_urn: string;
  access_policy?: AccessPolicy;
  introduction?: string;
}

export type TopicAttributeChange =
  | { kind: 'topic-attribute'; project: string; topic_urn: string; name: TopicAttributeName; value: string; time: string }
  /** Without `name`, every attribute of the topic. */
  | { kind: 'delete-topic-attributes'; project: string; topic_urn: string; name?: TopicAttributeName };

/** Absent when no topic of the project has an attribute set. */
export interface TopicAttributesPart {
  topic_attributes?: TopicAttributes[];
}

export const TOPIC_ATTRIBUTE_LIMITS = {
  /** Topics with an attribute set, all projects together (each policy up to 30 KB). */
  topicAttributes: { max: 10_000, code: 'SMN.0001' },
} as const;

/** "If you set name to introduction, ... the maximum length of value is 120 bytes." */
const INTRODUCTION_MAX_BYTES = 120;

/** What this family reads of the topics. */
export interface KnownTopics {
  knows(projectId: string, topicUrn: string): boolean;
}

export class TopicAttributeFamily extends Family<TopicAttributeChange, TopicAttributesPart> {
  readonly kinds = ['topic-attribute', 'delete-topic-attributes'] as const;
  override readonly quotaCode = TOPIC_ATTRIBUTE_LIMITS.topicAttributes.code;
  /** By project key, then topic URN (insertion order: the order topics first got one). */
  private byProject = new Map<string, Map<string, TopicAttributes>>();
  private count = 0;

  constructor(
    private readonly core: FamilyCore<TopicAttributeChange>,
    private readonly families: { topics: KnownTopics },
  ) {
    super();
  }

  override admit(change: TopicAttributeChange): void {
    if (change.kind !== 'topic-attribute' || this.of(change.project, change.topic_urn)) return;
    const { max, code } = TOPIC_ATTRIBUTE_LIMITS.topicAttributes;
    if (this.count >= max) throw new StateLimitError(code, `the emulator keeps the attributes of at most ${max} topics, all projects together; delete some, or POST /_mock/reset`);
  }

  override shrinks(change: TopicAttributeChange): boolean {
    return change.kind === 'delete-topic-attributes';
  }

  override apply(change: TopicAttributeChange): void {
    const key = projectKey(change.project);
    let topics = this.byProject.get(key);
    if (!topics) this.byProject.set(key, (topics = new Map<string, TopicAttributes>()));
    const attributes = topics.get(change.topic_urn);
    if (change.kind === 'delete-topic-attributes') {
      if (!attributes) return;
      if (change.name === undefined || change.name === 'access_policy') delete attributes.access_policy;
      if (change.name === undefined || change.name === 'introduction') delete attributes.introduction;
      if (!attributes.access_policy && attributes.introduction === undefined) this.drop(topics, change.topic_urn);
      return;
    }
    const kept = attributes ?? { topic_urn: change.topic_urn };
    if (!attributes) {
      topics.set(change.topic_urn, kept);
      this.count += 1;
    }
    if (change.name === 'introduction') kept.introduction = change.value;
    else kept.access_policy = { value: change.value, create_time: kept.access_policy?.create_time ?? change.time, update_time: change.time };
  }

  private drop(topics: Map<string, TopicAttributes>, topicUrn: string): void {
    if (topics.delete(topicUrn)) this.count -= 1;
  }

  override forgetTopic(projectId: string, topicUrn: string): void {
    const topics = this.byProject.get(projectKey(projectId));
    if (topics) this.drop(topics, topicUrn);
  }

  override reset(): void {
    this.byProject = new Map();
    this.count = 0;
  }

  override projectPart(key: string): TopicAttributesPart {
    const topics = this.byProject.get(key);
    return topics?.size ? { topic_attributes: [...topics.values()] } : {};
  }

  override restoreProject(key: string, part: TopicAttributesPart): void {
    if (!part.topic_attributes) return;
    this.byProject.set(key, new Map(part.topic_attributes.map((a) => [a.topic_urn, a])));
    this.count += part.topic_attributes.length;
  }

  override pastLimit(): boolean {
    return this.count > TOPIC_ATTRIBUTE_LIMITS.topicAttributes.max;
  }

  /** The attributes set on the topic, if any. */
  of(projectId: string, topicUrn: string): TopicAttributes | undefined {
    return this.byProject.get(projectKey(projectId))?.get(topicUrn);
  }

  /** The access policy as ListTopicsWithAssociatedResources shows it: an empty string until set. */
  accessPolicy(projectId: string, topicUrn: string): { access_policy: string; create_time?: string; update_time?: string } {
    const policy = this.of(projectId, topicUrn)?.access_policy;
    return policy ? { access_policy: policy.value, create_time: policy.create_time, update_time: policy.update_time } : { access_policy: '' };
  }

  override readonly handlers: Readonly<Record<string, Handler>> = {
    ListTopicAttributes: ({ contract, projectId, path, query }) => {
      const topicUrn = path.topic_urn!;
      if (!this.families.topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
      const name = query.get('name') || undefined;
      const introduction = this.of(projectId, topicUrn)?.introduction ?? '';
      const attributes =
        name === 'introduction' ? { introduction } : name === 'access_policy' ? this.accessPolicy(projectId, topicUrn) : { ...this.accessPolicy(projectId, topicUrn), introduction };
      return { body: { request_id: '', attributes } };
    },
    UpdateTopicAttribute: ({ contract, responses, projectId, path, body }) => {
      const topicUrn = path.topic_urn!;
      const name = path.name as TopicAttributeName;
      if (!this.families.topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
      const { value } = body as UpdateTopicAttributeRequest;
      if (name === 'introduction') {
        if (Buffer.byteLength(value) > INTRODUCTION_MAX_BYTES) return { error: 'SMN.0047', status: 403, reason: `an introduction is at most ${INTRODUCTION_MAX_BYTES} bytes`, where: ['body', 'value'] };
      } else {
        const topicUrnSchema = responses.componentSchema('TopicUrn');
        const fault = accessPolicyFault(value, (urn) => responses.validateWith('TopicUrn', topicUrnSchema, urn).length === 0);
        if (fault) return { error: fault.code, reason: fault.reason, where: ['body', 'value'] };
      }
      this.core.change({ kind: 'topic-attribute', project: projectId, topic_urn: topicUrn, name, value, time: smnTime() });
      return { body: { request_id: '' } };
    },
    // Deleting an attribute never set succeeds: it is at its default already (the vendor documents no error for it).
    DeleteTopicAttributeByName: ({ contract, projectId, path }) => this.delete(contract, projectId, path.topic_urn!, path.name as TopicAttributeName),
    DeleteTopicAttributes: ({ contract, projectId, path }) => this.delete(contract, projectId, path.topic_urn!),
  };

  private delete(contract: SmnContract, projectId: string, topicUrn: string, name?: TopicAttributeName): Answer {
    if (!this.families.topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
    if (this.of(projectId, topicUrn)) this.core.change({ kind: 'delete-topic-attributes', project: projectId, topic_urn: topicUrn, ...(name === undefined ? {} : { name }) });
    return { body: { request_id: '' } };
  }
}

export const topicAttributes = {
  create: (core, families) => new TopicAttributeFamily(core, families),
  limits: TOPIC_ATTRIBUTE_LIMITS,
} satisfies FamilyModule<TopicAttributeFamily, { topics: KnownTopics }>;
