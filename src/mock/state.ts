// What the emulator remembers: per project, the SMS callback bindings and the
// subscriptions; the topics it knows; the requests it received. Every change happens
// in one synchronous step (Node runs one at a time), so concurrent clients never see
// half a change, and the state file is rewritten atomically after each one.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface Binding {
  event_type: string;
  topic_urn: string;
}

export interface Subscription {
  topic_urn: string;
  protocol: string;
  subscription_urn: string;
  owner: string;
  endpoint: string;
  remark: string;
  status: number;
  [extension: string]: unknown;
}

interface ProjectState {
  /** Bindings by event type, in the order they were first made. */
  bindings: Map<string, string>;
  /** Oldest first, as ListSubscriptions lists them. */
  subscriptions: Subscription[];
}

export interface RecordedRequest {
  time: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  /** The error code answered, if any. */
  code?: string;
  /** Request headers, credentials replaced by `***`. */
  headers: Record<string, string>;
}

/** The state as JSON: what `GET /_mock/state` shows and the state file holds. */
export interface StateSnapshot {
  projects: Record<string, { bindings: Binding[]; subscriptions: Subscription[] }>;
  topics: string[];
}

export class StateFileError extends Error {
  override readonly name = 'StateFileError';
}

const REQUEST_LOG_SIZE = 1000;

export class EmulatorState {
  private projects = new Map<string, ProjectState>();
  private extraTopics = new Set<string>();
  private readonly requestLog: RecordedRequest[] = [];

  /**
   * @param seed the subscriptions every project starts with (copied per project)
   * @param file where to load the state from at start and save it after each change
   */
  constructor(
    private readonly seed: Subscription[],
    private readonly file?: string,
  ) {
    if (file && existsSync(file)) this.load(file);
  }

  private project(id: string): ProjectState {
    let project = this.projects.get(id);
    if (!project) {
      project = { bindings: new Map(), subscriptions: structuredClone(this.seed) };
      this.projects.set(id, project);
    }
    return project;
  }

  bindings(projectId: string, eventType?: string): Binding[] {
    const all = [...this.project(projectId).bindings].map(([event_type, topic_urn]) => ({ event_type, topic_urn }));
    return eventType ? all.filter((b) => b.event_type === eventType) : all;
  }

  /** Applies all items or none: an empty topic_urn removes the binding of its event type. */
  updateBindings(projectId: string, items: Binding[]): void {
    const bindings = this.project(projectId).bindings;
    for (const { event_type, topic_urn } of items) {
      if (topic_urn === '') bindings.delete(event_type);
      else bindings.set(event_type, topic_urn);
    }
    this.changed();
  }

  /** A page of subscriptions, oldest first, and the total. */
  subscriptions(projectId: string, offset: number, limit: number): { total: number; page: Subscription[] } {
    const all = this.project(projectId).subscriptions;
    return { total: all.length, page: all.slice(offset, offset + limit) };
  }

  allSubscriptions(projectId: string): Subscription[] {
    return this.project(projectId).subscriptions;
  }

  /** Adds a subscription as the newest of the project. */
  addSubscription(projectId: string, subscription: Subscription): Subscription {
    this.project(projectId).subscriptions.push(subscription);
    this.changed();
    return subscription;
  }

  /** Topics the emulator knows: those of the project's subscriptions, and those added. */
  knowsTopic(projectId: string, topicUrn: string): boolean {
    return this.extraTopics.has(topicUrn) || this.project(projectId).subscriptions.some((s) => s.topic_urn === topicUrn);
  }

  addTopic(topicUrn: string): void {
    this.extraTopics.add(topicUrn);
    this.changed();
  }

  /** Back to the seed: no bindings, the seed subscriptions, no added topics, no request log. */
  reset(): void {
    this.projects = new Map();
    this.extraTopics = new Set();
    this.requestLog.length = 0;
    this.changed();
  }

  record(request: RecordedRequest): void {
    this.requestLog.push(request);
    if (this.requestLog.length > REQUEST_LOG_SIZE) this.requestLog.shift();
  }

  requests(): RecordedRequest[] {
    return [...this.requestLog];
  }

  clearRequests(): void {
    this.requestLog.length = 0;
  }

  snapshot(): StateSnapshot {
    const projects: StateSnapshot['projects'] = {};
    for (const [id, project] of this.projects) {
      projects[id] = { bindings: this.bindings(id), subscriptions: project.subscriptions };
    }
    return { projects, topics: [...this.extraTopics] };
  }

  private changed(): void {
    if (!this.file) return;
    // Write then rename: a crash mid-write leaves the previous file whole.
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.snapshot(), null, 2)}\n`);
    renameSync(temporary, this.file);
  }

  private load(file: string): void {
    let snapshot: StateSnapshot;
    try {
      snapshot = JSON.parse(readFileSync(file, 'utf8')) as StateSnapshot;
    } catch (error) {
      throw new StateFileError(`--state-file ${file} is not a state file smn-kit wrote: ${(error as Error).message}; move it away or choose another file`);
    }
    if (typeof snapshot !== 'object' || snapshot === null || typeof snapshot.projects !== 'object' || snapshot.projects === null) {
      throw new StateFileError(`--state-file ${file}: expected {"projects": {...}, "topics": [...]}; move it away or choose another file`);
    }
    for (const [id, project] of Object.entries(snapshot.projects)) {
      if (!Array.isArray(project.bindings) || !Array.isArray(project.subscriptions)) {
        throw new StateFileError(`--state-file ${file}: /projects/${id} needs "bindings" and "subscriptions" lists`);
      }
      this.projects.set(id, {
        bindings: new Map(project.bindings.map((b) => [b.event_type, b.topic_urn])),
        subscriptions: project.subscriptions,
      });
    }
    this.extraTopics = new Set(Array.isArray(snapshot.topics) ? snapshot.topics : []);
  }
}
