// ListTopicsWithAssociatedResources (Huawei Cloud "Querying Topics and Associated
// Resources"): the project's topics as ListTopics lists them (newest first, the same
// filters and paging), each with its resource tags, its access policy attribute (an
// empty string until set, the attribute's default) and its logtanks. `topic_count` is
// the project's total, whatever the filters and the page (the contract's reading of the
// vendor). It keeps no state of its own: it reads the families that do.
import { topicFilter } from '../../../contract/topic-filters.js';
import type { Logtank, ResourceTag, Topic } from '../../../generated/smn.js';
import { pageOf, type Shaper } from '../../engine/examples.js';
import { Family, type FamilyModule, type Handler } from '../family.js';

/** What this family reads of the others. */
export interface ListedTopics {
  page(projectId: string, offset: number, limit: number, filter?: (topic: Required<Topic>) => boolean): { total: number; page: readonly Required<Topic>[] };
}
export interface TopicTags {
  tagsOf(projectId: string, type: 'smn_topic', topicId: string): ResourceTag[];
}
export interface TopicAccessPolicies {
  accessPolicy(projectId: string, topicUrn: string): { access_policy: string; create_time?: string; update_time?: string };
}
export interface TopicLogtanks {
  of(projectId: string, topicUrn: string): Logtank[];
}

/** The families it reads. */
export interface Readers {
  topics: ListedTopics;
  resourceTags: TopicTags;
  topicAttributes: TopicAccessPolicies;
  logtanks: TopicLogtanks;
}

export class TopicsWithResources extends Family {
  readonly kinds = [] as const;

  constructor(private readonly families: Readers) {
    super();
  }

  override readonly handlers: Readonly<Record<string, Handler>> = {
    ListTopicsWithAssociatedResources: ({ operation, projectId, query }) => {
      const { topics, resourceTags, topicAttributes, logtanks } = this.families;
      const [offset, limit] = pageOf(operation, query);
      const { page } = topics.page(projectId, offset, limit, topicFilter(query));
      return {
        body: {
          request_id: '',
          topic_count: topics.page(projectId, 0, 0).total,
          topics: page.map((topic) => ({
            ...topic,
            tags: resourceTags.tagsOf(projectId, 'smn_topic', topic.topic_id),
            attributes: topicAttributes.accessPolicy(projectId, topic.topic_urn),
            logtanks: logtanks.of(projectId, topic.topic_urn),
          })),
        },
      };
    },
  };
}

/** The stateless mock: the example's topics filtered and paged, its `topic_count` (the account's total) kept. */
const listShape: Shaper = (operation, body, query) => {
  if (!Array.isArray(body.topics)) return body;
  const [offset, limit] = pageOf(operation, query);
  return { ...body, topics: (body.topics as Required<Topic>[]).filter(topicFilter(query)).slice(offset, offset + limit) };
};

export const topicsWithResources = {
  create: (_core, families) => new TopicsWithResources(families),
  shapes: { ListTopicsWithAssociatedResources: listShape },
} satisfies FamilyModule<TopicsWithResources, Readers>;
