// Resource tags: CreateResourceTag, BatchCreateOrDeleteResourceTags, DeleteResourceTag,
// ListResourceTags, ListProjectTags, ListResourceInstances, as the vendor's resource tag
// pages describe them (Open Telekom Cloud api-ref "Adding a Tag" ... "Querying Topics by
// Tag"; Huawei Cloud's pages of the same operations).
//
// A topic (`smn_topic`) is named by its `topic_id`, or by its name when the request
// carries `X-SMN-RESOURCEID-TYPE: name`; a topic the project did not make is 404
// SMN.0006, and its tags go when it is deleted. SMS signatures (`smn_sms`) and mobile
// push applications (`smn_application`), Huawei Cloud's other types, are resources the
// emulator does not hold: their tags are kept by the id given (the kit's choice).
// A resource's tags keep the order they were first added; adding a key it has replaces
// its value ("idempotent ... overwrite the existing one").
import type { IncomingHttpHeaders } from 'node:http';
import type { Edition } from '../../../contract/editions.js';
import type { SmnContract } from '../../../contract/smn.js';
import type {
  BatchCreateOrDeleteResourceTagsRequest,
  CreateResourceTagRequest,
  ListResourceInstancesRequest,
  ResourceTag,
  ResourceTagFilter,
  TagResource,
  Topic,
} from '../../../generated/smn.js';
import { Family, notFound, type Answer, type FamilyCore, type FamilyModule, type Handler } from '../family.js';
import { StateLimitError } from '../limits.js';
import { projectKey } from '../projects.js';

/** The resource types (ResourceTypePath). */
export type ResourceType = 'smn_topic' | 'smn_sms' | 'smn_application';

/** A tag on a resource: both its key and its value. */
export interface Tag {
  key: string;
  value: string;
}

/** A resource with tags; `topic_urn` for a topic (so that its tags go with it). */
export interface TaggedResource {
  resource_type: ResourceType;
  resource_id: string;
  topic_urn?: string;
  tags: Tag[];
}

export type ResourceTagChange =
  | { kind: 'create-tags'; project: string; resource_type: ResourceType; resource_id: string; topic_urn?: string; tags: Tag[] }
  | { kind: 'delete-tags'; project: string; resource_type: ResourceType; resource_id: string; keys: string[] };

/** Absent when no resource of the project has tags. */
export interface ResourceTagsPart {
  resource_tags?: TaggedResource[];
}

export const RESOURCE_TAG_LIMITS = {
  /**
   * Tags on one resource: 20 (Open Telekom Cloud "You can add a maximum of 20 tags to a
   * resource"); Huawei Cloud says 10 ("一个资源上最多有10个标签"). What either allows is
   * accepted; `--edition huawei` makes Huawei Cloud's 10 hard (huaweiTagsPerResource).
   */
  tagsPerResource: { max: 20, code: 'SMN.0075' },
  huaweiTagsPerResource: { max: 10, code: 'SMN.0075' },
  /** Resources with tags, all projects together. */
  taggedResources: { max: 10_000, code: 'SMN.0075' },
} as const;

/** What this family reads of the topics: the project's topics, newest first. */
export interface TaggableTopics {
  page(projectId: string, offset: number, limit: number, filter?: (topic: Required<Topic>) => boolean): { total: number; page: readonly Required<Topic>[] };
}

/** The answer of the operations the vendor documents no response body for ("Response: None"). */
const NO_BODY: Answer = {};

/** A refusal: the documented error a request gets. */
type Refusal = Extract<Answer, { error: string }>;

/** The resource a request names. */
interface NamedResource {
  type: ResourceType;
  id: string;
  topicUrn?: string;
}

const sameResource = (type: ResourceType, id: string) => (r: TaggedResource) => r.resource_type === type && r.resource_id === id;

export class ResourceTagFamily extends Family<ResourceTagChange, ResourceTagsPart> {
  readonly kinds = ['create-tags', 'delete-tags'] as const;
  override readonly quotaCode = RESOURCE_TAG_LIMITS.taggedResources.code;
  /** By project key: the resources with tags, in the order they were first tagged. */
  private byProject = new Map<string, TaggedResource[]>();
  private count = 0;

  constructor(
    private readonly core: FamilyCore<ResourceTagChange>,
    private readonly families: { topics: TaggableTopics },
  ) {
    super();
  }

  override admit(change: ResourceTagChange): void {
    if (change.kind !== 'create-tags') return;
    const resource = this.find(change.project, change.resource_type, change.resource_id);
    const keys = new Set([...(resource?.tags ?? []).map((t) => t.key), ...change.tags.map((t) => t.key)]);
    const perResource = RESOURCE_TAG_LIMITS.tagsPerResource;
    if (keys.size > perResource.max) throw new StateLimitError(perResource.code, `a resource has at most ${perResource.max} tags; it would have ${keys.size}`);
    const resources = RESOURCE_TAG_LIMITS.taggedResources;
    if (!resource && this.count >= resources.max) throw new StateLimitError(resources.code, `the emulator keeps the tags of at most ${resources.max} resources, all projects together; POST /_mock/reset to start again`);
  }

  override shrinks(change: ResourceTagChange): boolean {
    return change.kind === 'delete-tags';
  }

  override apply(change: ResourceTagChange): void {
    const key = projectKey(change.project);
    let resources = this.byProject.get(key);
    if (!resources) this.byProject.set(key, (resources = []));
    const at = resources.findIndex(sameResource(change.resource_type, change.resource_id));
    if (change.kind === 'delete-tags') {
      if (at === -1) return;
      const resource = resources[at]!;
      resource.tags = resource.tags.filter((t) => !change.keys.includes(t.key));
      if (resource.tags.length === 0) {
        resources.splice(at, 1);
        this.count -= 1;
      }
      return;
    }
    let resource = resources[at];
    if (!resource) {
      resource = { resource_type: change.resource_type, resource_id: change.resource_id, ...(change.topic_urn === undefined ? {} : { topic_urn: change.topic_urn }), tags: [] };
      resources.push(resource);
      this.count += 1;
    }
    for (const tag of change.tags) {
      const same = resource.tags.find((t) => t.key === tag.key);
      if (same) same.value = tag.value;
      else resource.tags.push({ key: tag.key, value: tag.value });
    }
  }

  /** Part of applying a topic's deletion: its tags go with it. */
  override forgetTopic(projectId: string, topicUrn: string): void {
    const resources = this.byProject.get(projectKey(projectId));
    if (!resources) return;
    const kept = resources.filter((r) => r.topic_urn !== topicUrn);
    this.count -= resources.length - kept.length;
    this.byProject.set(projectKey(projectId), kept);
  }

  override reset(): void {
    this.byProject = new Map();
    this.count = 0;
  }

  override projectPart(key: string): ResourceTagsPart {
    const resources = this.byProject.get(key);
    return resources?.length ? { resource_tags: resources } : {};
  }

  override restoreProject(key: string, part: ResourceTagsPart): void {
    if (!part.resource_tags) return;
    this.byProject.set(key, part.resource_tags);
    this.count += part.resource_tags.length;
  }

  override pastLimit(): boolean {
    return this.count > RESOURCE_TAG_LIMITS.taggedResources.max || [...this.byProject.values()].some((resources) => resources.some((r) => r.tags.length > RESOURCE_TAG_LIMITS.tagsPerResource.max));
  }

  private find(projectId: string, type: ResourceType, id: string): TaggedResource | undefined {
    return this.byProject.get(projectKey(projectId))?.find(sameResource(type, id));
  }

  /** The tags of a resource, oldest key first (none: empty). */
  tagsOf(projectId: string, type: ResourceType, id: string): Tag[] {
    return (this.find(projectId, type, id)?.tags ?? []).map((t) => ({ ...t }));
  }

  /**
   * The resource a request names: for a topic, its id (found by id, or by name with
   * `X-SMN-RESOURCEID-TYPE: name`) and URN, or a 404 SMN.0006 answer; for the other
   * types, the id as given.
   */
  private resourceOf(contract: SmnContract, projectId: string, path: Record<string, string>, headers: IncomingHttpHeaders): NamedResource | Refusal {
    const type = path.resource_type as ResourceType;
    const given = path.resource_id!;
    if (type !== 'smn_topic') return { type, id: given };
    const byName = String(headers['x-smn-resourceid-type'] ?? '').trim().toLowerCase() === 'name';
    const topic = this.families.topics.page(projectId, 0, Infinity, (t) => (byName ? t.name === given : t.topic_id === given)).page[0];
    // The vendor documents no answer for it: a topic that is not there, as for a topic URN.
    if (!topic) return { error: contract.notFoundErrors.get('topic_urn')!, status: 404, reason: `no topic whose ${byName ? 'name' : 'topic_id'} is ${given} in project ${projectId}`, where: ['path', 'resource_id'] };
    return { type, id: topic.topic_id, topicUrn: topic.topic_urn };
  }

  override readonly handlers: Readonly<Record<string, Handler>> = {
    CreateResourceTag: ({ contract, projectId, path, headers, body, edition }) => {
      const resource = this.resourceOf(contract, projectId, path, headers);
      if ('error' in resource) return resource;
      const { tag } = body as CreateResourceTagRequest;
      const refused = this.editionRefusal(edition, projectId, resource, [tag]);
      if (refused) return refused;
      this.create(projectId, resource, [tag]);
      return NO_BODY;
    },
    BatchCreateOrDeleteResourceTags: ({ contract, projectId, path, headers, body, edition }) => {
      const resource = this.resourceOf(contract, projectId, path, headers);
      if ('error' in resource) return resource;
      const { action, tags } = body as BatchCreateOrDeleteResourceTagsRequest;
      if (action === 'delete') {
        // "When tags are being deleted and some tags do not exist, the operation is considered successful."
        const held = new Set(this.tagsOf(projectId, resource.type, resource.id).map((t) => t.key));
        const keys = [...new Set(tags.map((t) => t.key))].filter((k) => held.has(k));
        if (keys.length > 0) this.core.change({ kind: 'delete-tags', project: projectId, resource_type: resource.type, resource_id: resource.id, keys });
        return NO_BODY;
      }
      const keys = tags.map((t) => t.key);
      const duplicate = keys.find((k, i) => keys.indexOf(k) !== i);
      // "When you are to create tags, if there are duplicate keys in the request body, an error is reported."
      if (duplicate !== undefined) return { error: 'invalid_parameter', reason: `the key ${duplicate} is given twice`, where: ['body', 'tags'] };
      const valueless = tags.findIndex((t) => t.value === undefined);
      if (valueless !== -1) return { error: 'invalid_parameter', reason: 'a tag to add needs its value', where: ['body', 'tags', String(valueless), 'value'] };
      const refused = this.editionRefusal(edition, projectId, resource, tags as Tag[]);
      if (refused) return refused;
      this.create(projectId, resource, tags as Tag[]);
      return NO_BODY;
    },
    DeleteResourceTag: ({ contract, projectId, path, headers }) => {
      const resource = this.resourceOf(contract, projectId, path, headers);
      if ('error' in resource) return resource;
      const key = path.key!;
      // "If the key of the tag to be deleted does not exist, 404 will be returned."
      if (!this.tagsOf(projectId, resource.type, resource.id).some((t) => t.key === key)) return notFound(contract, 'key', `the resource has no tag ${key}`);
      this.core.change({ kind: 'delete-tags', project: projectId, resource_type: resource.type, resource_id: resource.id, keys: [key] });
      return NO_BODY;
    },
    ListResourceTags: ({ contract, projectId, path, headers }) => {
      const resource = this.resourceOf(contract, projectId, path, headers);
      if ('error' in resource) return resource;
      return { body: { tags: this.tagsOf(projectId, resource.type, resource.id) } };
    },
    ListProjectTags: ({ projectId, path }) => {
      const values = new Map<string, string[]>();
      for (const resource of this.byProject.get(projectKey(projectId)) ?? []) {
        if (resource.resource_type !== path.resource_type) continue;
        for (const { key, value } of resource.tags) {
          const list = values.get(key) ?? [];
          if (!list.includes(value)) list.push(value);
          values.set(key, list);
        }
      }
      return { body: { tags: [...values].map(([key, list]) => ({ key, values: list })) } };
    },
    ListResourceInstances: ({ projectId, path, body }) => {
      const query = body as ListResourceInstancesRequest;
      const matching = this.instances(projectId, path.resource_type as ResourceType).filter(instanceFilter(query));
      if (query.action === 'count') return { body: { total_count: matching.length } };
      const offset = Number(query.offset ?? 0);
      const limit = Number(query.limit ?? 1000);
      return { body: { resources: matching.slice(offset, offset + limit), total_count: matching.length } };
    },
  };

  /** With `--edition huawei`: past Huawei Cloud's 10 tags on a resource, the quota's 403 (nothing added). */
  private editionRefusal(edition: Edition | undefined, projectId: string, resource: NamedResource, tags: Tag[]): Answer | undefined {
    if (edition !== 'huawei') return undefined;
    const keys = new Set([...this.tagsOf(projectId, resource.type, resource.id).map((t) => t.key), ...tags.map((t) => t.key)]);
    const { max, code } = RESOURCE_TAG_LIMITS.huaweiTagsPerResource;
    if (keys.size <= max) return undefined;
    return { error: code, status: 403, reason: `a resource has at most ${max} tags on Huawei Cloud (--edition huawei); it would have ${keys.size}`, where: ['body'] };
  }

  private create(projectId: string, resource: NamedResource, tags: Tag[]): void {
    const change: ResourceTagChange = { kind: 'create-tags', project: projectId, resource_type: resource.type, resource_id: resource.id, tags: tags.map(({ key, value }) => ({ key, value })) };
    this.core.change(resource.topicUrn === undefined ? change : { ...change, topic_urn: resource.topicUrn });
  }

  /**
   * The resources ListResourceInstances searches: every topic the project made, newest
   * first (as ListTopics lists them), tagged or not; for the other types, those with tags.
   */
  private instances(projectId: string, type: ResourceType): TagResource[] {
    if (type !== 'smn_topic') {
      return (this.byProject.get(projectKey(projectId)) ?? []).filter((r) => r.resource_type === type).map((r) => ({ resource_id: r.resource_id, resource_detail: null, tags: r.tags.map((t) => ({ ...t })) }));
    }
    return this.families.topics.page(projectId, 0, Infinity).page.map((topic) => ({
      resource_id: topic.topic_id,
      resource_detail: { topic_urn: topic.topic_urn, display_name: topic.display_name, enterprise_project_id: topic.enterprise_project_id },
      tags: this.tagsOf(projectId, 'smn_topic', topic.topic_id),
      resource_name: topic.name,
    }));
  }
}

/**
 * Whether a tag value is one of `values`: none given means any value ("If values is left
 * blank, it defaults to any_value"), and they are ORed. A value starting with `*` also
 * matches the values that contain the rest, as Huawei Cloud's tag services read the
 * vendor's sample `"*value1"` (SMN's pages show it without saying).
 */
function valueMatches(values: readonly string[] | undefined, value: string | undefined): boolean {
  if (!values || values.length === 0) return true;
  if (value === undefined) return false;
  return values.some((wanted) => wanted === value || (wanted.startsWith('*') && wanted.length > 1 && value.includes(wanted.slice(1))));
}

const hasTag = (tags: readonly ResourceTag[], filter: ResourceTagFilter): boolean => tags.some((t) => t.key === filter.key && valueMatches(filter.values, t.value));

/**
 * ListResourceInstances' filter, as the vendor's page joins its lists: all of `tags`
 * (AND), any of `tags_any` (OR), not all of `not_tags` (NAND), none of `not_tags_any`
 * (NOR); an empty or absent list is no condition. `matches` compares `resource_name`
 * exactly; `without_any_tag` keeps only untagged resources, the tag lists then ignored.
 */
export function instanceFilter(query: ListResourceInstancesRequest): (resource: TagResource) => boolean {
  const given = (list: ResourceTagFilter[] | undefined): ResourceTagFilter[] | undefined => (list && list.length > 0 ? list : undefined);
  const all = given(query.tags);
  const any = given(query.tags_any);
  const notAll = given(query.not_tags);
  const notAny = given(query.not_tags_any);
  const names = (query.matches ?? []).map((m) => m.value);
  return (resource) => {
    const tags = resource.tags ?? [];
    if (!names.every((name) => resource.resource_name === name)) return false;
    if (query.without_any_tag === true) return tags.length === 0;
    return (
      (!all || all.every((f) => hasTag(tags, f))) &&
      (!any || any.some((f) => hasTag(tags, f))) &&
      (!notAll || !notAll.every((f) => hasTag(tags, f))) &&
      (!notAny || !notAny.some((f) => hasTag(tags, f)))
    );
  };
}

export const resourceTags = {
  create: (core, families) => new ResourceTagFamily(core, families),
  limits: RESOURCE_TAG_LIMITS,
} satisfies FamilyModule<ResourceTagFamily, { topics: TaggableTopics }>;
