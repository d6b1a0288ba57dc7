// Logtanks: CreateLogtank, ListLogtank, UpdateLogtank, DeleteLogtank (Huawei Cloud
// "Binding a Cloud Log to a Topic" and the pages after it). A binding of a Log Tank
// Service log group and stream to a topic, with an id SMN gives it (32 hexadecimal
// digits) and its times; a topic's bindings are listed oldest first. Binding the same
// group and stream again answers the binding the topic has (the kit's choice: the vendor
// says nothing of duplicates). An id the topic has no binding of is 404. They go with
// their topic.
import type { LogtankRequest } from '../../../generated/smn.js';
import { Family, notFound, topicNotFound, type FamilyCore, type FamilyModule, type Handler } from '../family.js';
import { StateLimitError } from '../limits.js';
import { projectKey } from '../projects.js';
import { newResourceId, smnTime } from '../stamps.js';

/** A log stream bound to a topic (SDK model LogtankItem, with the topic's URN). */
export interface TopicLogtank {
  topic_urn: string;
  id: string;
  log_group_id: string;
  log_stream_id: string;
  create_time: string;
  update_time: string;
}

export type LogtankChange =
  | { kind: 'create-logtank'; project: string; logtank: TopicLogtank }
  /** The binding of that id, replaced. */
  | { kind: 'update-logtank'; project: string; logtank: TopicLogtank }
  | { kind: 'delete-logtank'; project: string; topic_urn: string; id: string };

/** Absent when the project has none. */
export interface LogtanksPart {
  logtanks?: TopicLogtank[];
}

export const LOGTANK_LIMITS = {
  /** Logtank bindings, all projects together. */
  logtanks: { max: 10_000, code: 'SMN.0001' },
} as const;

/** What this family reads of the topics. */
export interface KnownTopics {
  knows(projectId: string, topicUrn: string): boolean;
}

/** A binding as the API shows it: without the topic's URN. */
const listed = ({ topic_urn: _topic, ...logtank }: TopicLogtank) => logtank;

export class LogtankFamily extends Family<LogtankChange, LogtanksPart> {
  readonly kinds = ['create-logtank', 'update-logtank', 'delete-logtank'] as const;
  override readonly quotaCode = LOGTANK_LIMITS.logtanks.code;
  /** By project key, oldest first. */
  private byProject = new Map<string, TopicLogtank[]>();
  private count = 0;

  constructor(
    private readonly core: FamilyCore<LogtankChange>,
    private readonly families: { topics: KnownTopics },
  ) {
    super();
  }

  override admit(change: LogtankChange): void {
    const { max, code } = LOGTANK_LIMITS.logtanks;
    if (change.kind === 'create-logtank' && this.count >= max) throw new StateLimitError(code, `the emulator keeps at most ${max} logtank bindings, all projects together; delete some, or POST /_mock/reset`);
  }

  override shrinks(change: LogtankChange): boolean {
    return change.kind === 'delete-logtank';
  }

  override apply(change: LogtankChange): void {
    const key = projectKey(change.project);
    let list = this.byProject.get(key);
    if (!list) this.byProject.set(key, (list = []));
    if (change.kind === 'create-logtank') {
      list.push(change.logtank);
      this.count += 1;
      return;
    }
    const id = change.kind === 'delete-logtank' ? change.id : change.logtank.id;
    const at = list.findIndex((l) => l.id === id);
    if (at === -1) return;
    if (change.kind === 'update-logtank') {
      list[at] = change.logtank;
    } else {
      list.splice(at, 1);
      this.count -= 1;
    }
  }

  override forgetTopic(projectId: string, topicUrn: string): void {
    const list = this.byProject.get(projectKey(projectId));
    if (!list) return;
    const kept = list.filter((l) => l.topic_urn !== topicUrn);
    this.count -= list.length - kept.length;
    this.byProject.set(projectKey(projectId), kept);
  }

  override reset(): void {
    this.byProject = new Map();
    this.count = 0;
  }

  override projectPart(key: string): LogtanksPart {
    const list = this.byProject.get(key);
    return list?.length ? { logtanks: list } : {};
  }

  override restoreProject(key: string, part: LogtanksPart): void {
    if (!part.logtanks) return;
    this.byProject.set(key, part.logtanks);
    this.count += part.logtanks.length;
  }

  override pastLimit(): boolean {
    return this.count > LOGTANK_LIMITS.logtanks.max;
  }

  /** The topic's bindings as ListLogtank lists them, oldest first. */
  of(projectId: string, topicUrn: string): Omit<TopicLogtank, 'topic_urn'>[] {
    return (this.byProject.get(projectKey(projectId)) ?? []).filter((l) => l.topic_urn === topicUrn).map(listed);
  }

  private find(projectId: string, topicUrn: string, id: string): TopicLogtank | undefined {
    return this.byProject.get(projectKey(projectId))?.find((l) => l.topic_urn === topicUrn && l.id === id);
  }

  override readonly handlers: Readonly<Record<string, Handler>> = {
    CreateLogtank: ({ contract, projectId, path, body }) => {
      const topicUrn = path.topic_urn!;
      if (!this.families.topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
      const { log_group_id, log_stream_id } = body as LogtankRequest;
      const same = this.of(projectId, topicUrn).find((l) => l.log_group_id === log_group_id && l.log_stream_id === log_stream_id);
      // Huawei Cloud "Binding a Cloud Log": status code 201 (the same binding again answers as the first did).
      if (same) return { status: 201, body: { request_id: '', id: same.id } };
      const time = smnTime();
      const logtank: TopicLogtank = { topic_urn: topicUrn, id: newResourceId(), log_group_id, log_stream_id, create_time: time, update_time: time };
      this.core.change({ kind: 'create-logtank', project: projectId, logtank });
      return { status: 201, body: { request_id: '', id: logtank.id } };
    },
    ListLogtank: ({ contract, projectId, path }) => {
      const topicUrn = path.topic_urn!;
      if (!this.families.topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
      const logtanks = this.of(projectId, topicUrn);
      return { body: { request_id: '', count: logtanks.length, logtanks } };
    },
    UpdateLogtank: ({ contract, projectId, path, body }) => {
      const topicUrn = path.topic_urn!;
      if (!this.families.topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
      const found = this.find(projectId, topicUrn, path.logtank_id!);
      if (!found) return notFound(contract, 'logtank_id', `topic ${topicUrn} has no logtank ${path.logtank_id}`);
      const { log_group_id, log_stream_id } = body as LogtankRequest;
      const logtank: TopicLogtank = { ...found, log_group_id, log_stream_id, update_time: smnTime() };
      this.core.change({ kind: 'update-logtank', project: projectId, logtank });
      return { body: { request_id: '', logtank: listed(logtank) } };
    },
    DeleteLogtank: ({ contract, projectId, path }) => {
      const topicUrn = path.topic_urn!;
      if (!this.families.topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
      if (!this.find(projectId, topicUrn, path.logtank_id!)) return notFound(contract, 'logtank_id', `topic ${topicUrn} has no logtank ${path.logtank_id}`);
      this.core.change({ kind: 'delete-logtank', project: projectId, topic_urn: topicUrn, id: path.logtank_id! });
      return { body: { request_id: '' } };
    },
  };
}

export const logtanks = {
  create: (core, families) => new LogtankFamily(core, families),
  limits: LOGTANK_LIMITS,
} satisfies FamilyModule<LogtankFamily, { topics: KnownTopics }>;
