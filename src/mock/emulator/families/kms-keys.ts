// KMS keys: CreateKmsKey, ShowKmsKey, UpdateKmsKey, DeleteKmsKey (Huawei Cloud "Binding a
// KMS Key to a Topic" and the pages after it). A topic has at most one key binding
// (ShowKmsKey answers one): binding a key to a topic that has one changes its key and
// keeps the binding's id (the kit's choice: the vendor says nothing of a second
// binding). ShowKmsKey of a topic without one answers only the request id (its fields
// are optional). The emulator holds no Data Encryption Workshop: every key is ENABLED.
// An id that is not the topic's binding is 404. It goes with its topic.
import type { KmsKeyRequest } from '../../../generated/smn.js';
import { Family, notFound, topicNotFound, type FamilyCore, type FamilyModule, type Handler } from '../family.js';
import { StateLimitError } from '../limits.js';
import { projectKey } from '../projects.js';
import { newResourceId } from '../stamps.js';

/** A topic's key binding: the id SMN gave it and the customer master key's id. */
export interface TopicKmsKey {
  topic_urn: string;
  id: string;
  key_id: string;
}

export type KmsKeyChange =
  /** Binds the key, or changes the key of the topic's binding. */
  | { kind: 'bind-kms-key'; project: string; binding: TopicKmsKey }
  | { kind: 'unbind-kms-key'; project: string; topic_urn: string };

/** Absent when the project has none. */
export interface KmsKeysPart {
  kms_keys?: TopicKmsKey[];
}

export const KMS_KEY_LIMITS = {
  /** Topics with a key, all projects together. */
  kmsKeys: { max: 10_000, code: 'SMN.0001' },
} as const;

/** What this family reads of the topics. */
export interface KnownTopics {
  knows(projectId: string, topicUrn: string): boolean;
}

export class KmsKeyFamily extends Family<KmsKeyChange, KmsKeysPart> {
  readonly kinds = ['bind-kms-key', 'unbind-kms-key'] as const;
  override readonly quotaCode = KMS_KEY_LIMITS.kmsKeys.code;
  /** By project key, then topic URN. */
  private byProject = new Map<string, Map<string, TopicKmsKey>>();
  private count = 0;

  constructor(
    private readonly core: FamilyCore<KmsKeyChange>,
    private readonly families: { topics: KnownTopics },
  ) {
    super();
  }

  override admit(change: KmsKeyChange): void {
    const { max, code } = KMS_KEY_LIMITS.kmsKeys;
    if (change.kind === 'bind-kms-key' && !this.of(change.project, change.binding.topic_urn) && this.count >= max) {
      throw new StateLimitError(code, `the emulator keeps the keys of at most ${max} topics, all projects together; delete some, or POST /_mock/reset`);
    }
  }

  override shrinks(change: KmsKeyChange): boolean {
    return change.kind === 'unbind-kms-key';
  }

  override apply(change: KmsKeyChange): void {
    const key = projectKey(change.project);
    let bindings = this.byProject.get(key);
    if (!bindings) this.byProject.set(key, (bindings = new Map<string, TopicKmsKey>()));
    if (change.kind === 'unbind-kms-key') {
      if (bindings.delete(change.topic_urn)) this.count -= 1;
      return;
    }
    if (!bindings.has(change.binding.topic_urn)) this.count += 1;
    bindings.set(change.binding.topic_urn, change.binding);
  }

  override forgetTopic(projectId: string, topicUrn: string): void {
    if (this.byProject.get(projectKey(projectId))?.delete(topicUrn)) this.count -= 1;
  }

  override reset(): void {
    this.byProject = new Map();
    this.count = 0;
  }

  override projectPart(key: string): KmsKeysPart {
    const bindings = this.byProject.get(key);
    return bindings?.size ? { kms_keys: [...bindings.values()] } : {};
  }

  override restoreProject(key: string, part: KmsKeysPart): void {
    if (!part.kms_keys) return;
    this.byProject.set(key, new Map(part.kms_keys.map((b) => [b.topic_urn, b])));
    this.count += part.kms_keys.length;
  }

  override pastLimit(): boolean {
    return this.count > KMS_KEY_LIMITS.kmsKeys.max;
  }

  /** The topic's key binding, if any. */
  of(projectId: string, topicUrn: string): TopicKmsKey | undefined {
    return this.byProject.get(projectKey(projectId))?.get(topicUrn);
  }

  private bind(projectId: string, topicUrn: string, keyId: string, id = this.of(projectId, topicUrn)?.id ?? newResourceId()): string {
    this.core.change({ kind: 'bind-kms-key', project: projectId, binding: { topic_urn: topicUrn, id, key_id: keyId } });
    return id;
  }

  override readonly handlers: Readonly<Record<string, Handler>> = {
    CreateKmsKey: ({ contract, projectId, path, body }) => {
      const topicUrn = path.topic_urn!;
      if (!this.families.topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
      return { body: { request_id: '', id: this.bind(projectId, topicUrn, (body as KmsKeyRequest).key_id) } };
    },
    ShowKmsKey: ({ contract, projectId, path }) => {
      const topicUrn = path.topic_urn!;
      if (!this.families.topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
      const binding = this.of(projectId, topicUrn);
      return { body: binding ? { request_id: '', key_id: binding.key_id, status: 'ENABLED', id: binding.id } : { request_id: '' } };
    },
    UpdateKmsKey: ({ contract, projectId, path, body }) => {
      const topicUrn = path.topic_urn!;
      if (!this.families.topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
      if (this.of(projectId, topicUrn)?.id !== path.id) return notFound(contract, 'id', `topic ${topicUrn} has no key binding ${path.id}`);
      return { body: { request_id: '', id: this.bind(projectId, topicUrn, (body as KmsKeyRequest).key_id, path.id) } };
    },
    DeleteKmsKey: ({ contract, projectId, path }) => {
      const topicUrn = path.topic_urn!;
      if (!this.families.topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
      if (this.of(projectId, topicUrn)?.id !== path.id) return notFound(contract, 'id', `topic ${topicUrn} has no key binding ${path.id}`);
      this.core.change({ kind: 'unbind-kms-key', project: projectId, topic_urn: topicUrn });
      return { body: { request_id: '' } };
    },
  };
}

export const kmsKeys = {
  create: (core, families) => new KmsKeyFamily(core, families),
  limits: KMS_KEY_LIMITS,
} satisfies FamilyModule<KmsKeyFamily, { topics: KnownTopics }>;
