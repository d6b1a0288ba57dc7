// What the emulator remembers: per project, the SMS callback bindings, the topics made
// with CreateTopic, the subscriptions and the message templates; the topics added with
// /_mock/topics; the requests it received. Every change happens
// in one synchronous step (Node runs one at a time), so concurrent clients never see
// half a change, and it is recorded in the state file before it is answered.
//
// Every change is a `Change` value applied by `apply`: the same function makes it live
// and replays it from the journal at start (state-file.ts), so both cannot differ.
//
// The state is bounded (STATE_LIMITS): past a limit a change is refused with the code
// SMN answers past its quotas, so no client can grow the mock's memory or its state
// file without end. A project's subscriptions are the shared seed until they first
// change; reading a project creates nothing.
//
// The seed belongs to whoever asks: each project sees it with its own project id as the
// owner and in the URNs, never another project's resources. Project ids of 32
// hexadecimal digits (IAM's form, issued in lower case) compare without regard to case,
// so `F961...` and `f961...` are one project; other (readable, local) ids compare exactly.
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { readContractDocument } from '../../contract/document.js';
import { smnResponses, type Schema, type SmnResponses } from '../../contract/smn-responses.js';
import type { SmsCallback, SmsCallbackUpdate, Subscription, Topic as ListedTopic } from '../../generated/smn.js';
import type { StoredSigningIdentity } from '../delivery/signing.js';
import { StateFile, StateFileError } from './state-file.js';

export { StateFileError };
export type { Subscription };

/** A topic made with CreateTopic, as ListTopics lists it: the emulator gives it every field the contract has. */
export type Topic = Required<ListedTopic>;

/** A message template (PublishMessage with `message_template_name`), for one protocol or `default`. */
export interface MessageTemplate {
  message_template_name: string;
  protocol: string;
  /** Text whose `{tag}` variables the publication's `tags` replace. */
  content: string;
}

interface ProjectState {
  /** Bindings by event type, in the order they were first made. */
  bindings: Map<SmsCallback['event_type'], string>;
  /** Oldest first, as ListSubscriptions lists them; undefined while they are the seed's. */
  subscriptions?: Subscription[];
  /** Topics made with CreateTopic, oldest first. */
  topics?: Topic[];
  templates?: MessageTemplate[];
}

/** The region in the URNs of the topics the emulator makes (and in its certificate's name): the kit's examples'. */
export const EMULATOR_REGION = 'cn-north-4';

export interface RecordedRequest {
  time: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  /** The error code answered, if any. */
  code?: string;
  /** Why, in a few words, when the answer is an error. */
  reason?: string;
  /** Request headers, credentials replaced by `***`. */
  headers: Record<string, string>;
}

/** The state as JSON: what `GET /_mock/state` shows and the state file holds. */
export interface StateSnapshot {
  /** By project id; `subscriptions` is absent while a project still has the seed's. */
  projects: Record<string, { bindings: SmsCallback[]; subscriptions?: Subscription[]; topics?: Topic[]; templates?: MessageTemplate[] }>;
  topics: string[];
  /** In the state file only (never shown): the key and certificate notifications are signed with. */
  signing?: StoredSigningIdentity;
}

/** How much the emulator holds at most, and the SMN code of the answer past each limit. */
export const STATE_LIMITS = {
  /** Projects with a change of their own (bindings or subscriptions). */
  projects: { max: 1000, code: 'SMN.0001' },
  /** Subscriptions of the projects whose subscriptions changed, all projects together. */
  subscriptions: { max: 100_000, code: 'SMN.0007' },
  /** Topics made with CreateTopic or added with POST /_mock/topics, all projects together. */
  topics: { max: 3000, code: 'SMN.0004' },
  /** Message templates added with POST /_mock/templates, all projects together (SMN's quota per account; each up to 256 KB). */
  templates: { max: 100, code: 'SMN.0044' },
} as const;

/** A change refused because the state is full: `code` is the SMN error to answer with. */
export class StateLimitError extends Error {
  override readonly name = 'StateLimitError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const REQUEST_LOG_SIZE = 1000;
const mockAdminDereferencedPath = fileURLToPath(new URL('../../../generated/mock-admin.openapi.dereferenced.json', import.meta.url));

/** One change of the state, as the journal records it. */
export type Change =
  | { kind: 'bind'; project: string; items: SmsCallbackUpdate[] }
  | { kind: 'subscribe'; project: string; subscription: Subscription }
  | { kind: 'status'; project: string; subscription_urn: string; status: Subscription['status'] }
  | { kind: 'unsubscribe'; project: string; subscription_urn: string }
  | { kind: 'topic'; topic: string }
  | { kind: 'create-topic'; project: string; topic: Topic }
  | { kind: 'delete-topic'; project: string; topic_urn: string }
  | { kind: 'template'; project: string; template: MessageTemplate }
  | { kind: 'signing'; identity: StoredSigningIdentity }
  | { kind: 'reset' };

export class EmulatorState {
  private projects = new Map<string, ProjectState>();
  private extraTopics = new Set<string>();
  private readonly requestLog: RecordedRequest[] = [];
  /** Subscriptions held in projects' own lists, all projects together. */
  private ownSubscriptions = 0;
  /** Topics made with CreateTopic and templates added, all projects together. */
  private createdTopics = 0;
  private templateCount = 0;
  private signingIdentity?: StoredSigningIdentity;
  private readonly file?: StateFile<StateSnapshot, Change>;

  /**
   * @param seed the subscriptions every project starts with
   * @param file where to load the state from at start and record each change
   * @param responses the contract whose schemas the file's subscriptions, topics and bindings obey (default: the kit's)
   */
  constructor(
    private readonly seed: Subscription[],
    file?: string,
    responses?: SmnResponses,
  ) {
    if (!file) return;
    this.file = new StateFile(file);
    const { snapshot, changes } = this.file.load((value) => checkSnapshot(responses ?? smnResponses(), value));
    if (snapshot) this.restore(snapshot, file);
    for (const change of changes) this.apply(change);
    this.file.compact(this.fileSnapshot()); // fails now, at start, when the file cannot be written
  }

  /** Checks a change against the limits, applies it and records it. */
  private change(change: Change): void {
    this.admit(change);
    this.apply(change);
    this.file?.append(change, () => this.fileSnapshot());
  }

  /** Throws a StateLimitError when `change` would take the state past a limit. */
  private admit(change: Change): void {
    if (change.kind === 'reset' || change.kind === 'signing') return;
    const topics = STATE_LIMITS.topics;
    if (change.kind === 'topic') {
      if (!this.extraTopics.has(change.topic) && this.extraTopics.size + this.createdTopics >= topics.max) throw new StateLimitError(topics.code, `the emulator knows at most ${topics.max} topics (made or added)`);
      return;
    }
    const project = this.projects.get(projectKey(change.project));
    if (!project && this.projects.size >= STATE_LIMITS.projects.max) {
      const { max, code } = STATE_LIMITS.projects;
      throw new StateLimitError(code, `the emulator keeps at most ${max} projects; POST /_mock/reset to start again`);
    }
    if (change.kind === 'create-topic') {
      if (this.extraTopics.size + this.createdTopics >= topics.max) throw new StateLimitError(topics.code, `the emulator keeps at most ${topics.max} topics, all projects together; POST /_mock/reset to start again`);
      return;
    }
    if (change.kind === 'template') {
      const { max, code } = STATE_LIMITS.templates;
      const replacing = project?.templates?.some((t) => sameTemplate(t, change.template));
      if (!replacing && this.templateCount >= max) throw new StateLimitError(code, `the emulator keeps at most ${max} message templates, all projects together`);
      return;
    }
    if (change.kind !== 'bind') {
      // A change to one subscription makes the project's list its own, the seed copied.
      const copying = project?.subscriptions ? 0 : this.seed.length;
      const adding = change.kind === 'subscribe' ? 1 : 0;
      const { max, code } = STATE_LIMITS.subscriptions;
      if (this.ownSubscriptions + copying + adding > max) {
        throw new StateLimitError(code, `the emulator holds at most ${max} subscriptions of changed projects (the seed counts once per project that changes); POST /_mock/reset to start again`);
      }
    }
  }

  private apply(change: Change): void {
    switch (change.kind) {
      case 'reset':
        // The signing identity stays: receivers configured with its certificate keep working.
        this.projects = new Map();
        this.extraTopics = new Set();
        this.ownSubscriptions = 0;
        this.createdTopics = 0;
        this.templateCount = 0;
        return;
      case 'topic':
        this.extraTopics.add(change.topic);
        return;
      case 'create-topic':
        (this.project(change.project).topics ??= []).push(change.topic);
        this.createdTopics += 1;
        return;
      case 'delete-topic': {
        // The topic goes, and every subscription of it with it.
        const project = this.project(change.project);
        const before = project.topics?.length ?? 0;
        project.topics = project.topics?.filter((t) => t.topic_urn !== change.topic_urn);
        this.createdTopics -= before - (project.topics?.length ?? 0);
        this.extraTopics.delete(change.topic_urn);
        if (this.subscriptionsOf(change.project).some((s) => s.topic_urn === change.topic_urn)) {
          const list = this.ownList(change.project);
          project.subscriptions = list.filter((s) => s.topic_urn !== change.topic_urn);
          this.ownSubscriptions -= list.length - project.subscriptions.length;
        }
        return;
      }
      case 'template': {
        const templates = (this.project(change.project).templates ??= []);
        const at = templates.findIndex((t) => sameTemplate(t, change.template));
        if (at === -1) {
          templates.push(change.template);
          this.templateCount += 1;
        } else {
          templates[at] = change.template;
        }
        return;
      }
      case 'bind': {
        const bindings = this.project(change.project).bindings;
        for (const { event_type, topic_urn } of change.items) {
          if (topic_urn === '') bindings.delete(event_type);
          else bindings.set(event_type, topic_urn);
        }
        return;
      }
      case 'subscribe':
        this.ownList(change.project).push(change.subscription);
        this.ownSubscriptions += 1;
        return;
      case 'status': {
        const subscription = this.ownList(change.project).find((s) => s.subscription_urn === change.subscription_urn);
        if (subscription) subscription.status = change.status;
        return;
      }
      case 'unsubscribe': {
        const list = this.ownList(change.project);
        const at = list.findIndex((s) => s.subscription_urn === change.subscription_urn);
        if (at !== -1) {
          list.splice(at, 1);
          this.ownSubscriptions -= 1;
        }
        return;
      }
      case 'signing':
        this.signingIdentity = change.identity;
        return;
    }
  }

  /** The project's own list of subscriptions, made from the seed at its first change. */
  private ownList(projectId: string): Subscription[] {
    const project = this.project(projectId);
    if (!project.subscriptions) {
      project.subscriptions = this.seed.map(ownedBy(projectId));
      this.ownSubscriptions += this.seed.length;
    }
    return project.subscriptions;
  }

  private project(id: string): ProjectState {
    const key = projectKey(id);
    let project = this.projects.get(key);
    if (!project) this.projects.set(key, (project = { bindings: new Map() }));
    return project;
  }

  /** The project's subscriptions, the seed made its own when they never changed. */
  private subscriptionsOf(projectId: string): readonly Subscription[] {
    return this.projects.get(projectKey(projectId))?.subscriptions ?? this.seed.map(ownedBy(projectId));
  }

  bindings(projectId: string, eventType?: string): SmsCallback[] {
    const bound = this.projects.get(projectKey(projectId))?.bindings ?? new Map<SmsCallback['event_type'], string>();
    const all = [...bound].map(([event_type, topic_urn]) => ({ event_type, topic_urn }));
    return eventType ? all.filter((b) => b.event_type === eventType) : all;
  }

  /** Applies all items or none: an empty topic_urn removes the binding of its event type. */
  updateBindings(projectId: string, items: SmsCallbackUpdate[]): void {
    this.change({ kind: 'bind', project: projectId, items: items.map(({ event_type, topic_urn }) => ({ event_type, topic_urn })) });
  }

  /** A page of the subscriptions that pass `filter`, oldest first, and how many pass it. */
  subscriptions(projectId: string, offset: number, limit: number, filter: (s: Subscription) => boolean = () => true): { total: number; page: Subscription[] } {
    const own = this.projects.get(projectKey(projectId))?.subscriptions;
    // The seed is filtered and paged as it is (no filter reads the project's id), and
    // only the page is made the project's: a large seed costs nothing per request.
    const matching = (own ?? this.seed).filter(filter);
    const page = matching.slice(offset, offset + limit);
    return { total: matching.length, page: own ? page : page.map(ownedBy(projectId)) };
  }

  allSubscriptions(projectId: string): readonly Subscription[] {
    return this.subscriptionsOf(projectId);
  }

  /** Adds a subscription as the newest of the project. */
  addSubscription(projectId: string, subscription: Subscription): Subscription {
    this.change({ kind: 'subscribe', project: projectId, subscription });
    return subscription;
  }

  /** Topics the emulator knows: those the project made, those of its subscriptions, and those added. */
  knowsTopic(projectId: string, topicUrn: string): boolean {
    return this.findTopic(projectId, topicUrn) !== undefined || this.extraTopics.has(topicUrn) || this.subscriptionsOf(projectId).some((s) => s.topic_urn === topicUrn);
  }

  /** The topic the project made with this URN, if any. */
  findTopic(projectId: string, topicUrn: string): Topic | undefined {
    return this.projects.get(projectKey(projectId))?.topics?.find((t) => t.topic_urn === topicUrn);
  }

  /**
   * Makes a topic (CreateTopic). Idempotent, as SMN's: when the project has a topic of
   * that name, that topic is the answer and nothing changes.
   */
  createTopic(projectId: string, fields: { name: string; display_name: string; enterprise_project_id?: string }, now: Date = new Date()): { topic: Topic; created: boolean } {
    const existing = this.projects.get(projectKey(projectId))?.topics?.find((t) => t.name === fields.name);
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
    this.change({ kind: 'create-topic', project: projectId, topic });
    return { topic, created: true };
  }

  /** A page of the topics the project made that pass `filter`, newest first, and how many pass it. */
  topics(projectId: string, offset: number, limit: number, filter: (topic: Topic) => boolean = () => true): { total: number; page: Topic[] } {
    const matching = (this.projects.get(projectKey(projectId))?.topics ?? []).filter(filter).reverse();
    return { total: matching.length, page: matching.slice(offset, offset + limit) };
  }

  /** Deletes a topic the emulator knows, and every subscription of it. */
  deleteTopic(projectId: string, topicUrn: string): void {
    this.change({ kind: 'delete-topic', project: projectId, topic_urn: topicUrn });
  }

  /** Adds a message template, or replaces the project's one of that name and protocol. */
  addTemplate(projectId: string, template: MessageTemplate): void {
    this.change({ kind: 'template', project: projectId, template });
  }

  /** The project's template of this name for the protocol, else its `default` one. */
  findTemplate(projectId: string, name: string, protocol: string): MessageTemplate | undefined {
    const templates = this.projects.get(projectKey(projectId))?.templates?.filter((t) => t.message_template_name === name) ?? [];
    return templates.find((t) => t.protocol === protocol) ?? templates.find((t) => t.protocol === 'default');
  }

  /** Whether the project has a template of this name, for any protocol. */
  hasTemplate(projectId: string, name: string): boolean {
    return this.projects.get(projectKey(projectId))?.templates?.some((t) => t.message_template_name === name) ?? false;
  }

  /** The project's subscription with this URN, if any. */
  findSubscription(projectId: string, subscriptionUrn: string): Subscription | undefined {
    return this.subscriptionsOf(projectId).find((s) => s.subscription_urn === subscriptionUrn);
  }

  setSubscriptionStatus(projectId: string, subscriptionUrn: string, status: Subscription['status']): void {
    this.change({ kind: 'status', project: projectId, subscription_urn: subscriptionUrn, status });
  }

  /** Removes the subscription; returns it as it was, or undefined when there was none. */
  removeSubscription(projectId: string, subscriptionUrn: string): Subscription | undefined {
    const found = this.findSubscription(projectId, subscriptionUrn);
    if (found) this.change({ kind: 'unsubscribe', project: projectId, subscription_urn: subscriptionUrn });
    return found && { ...found };
  }

  /** The signing identity the state file keeps, if any. */
  storedSigningIdentity(): StoredSigningIdentity | undefined {
    return this.signingIdentity;
  }

  /** Keeps the signing identity in the state file (a mock without one forgets it at exit). */
  keepSigningIdentity(identity: StoredSigningIdentity): void {
    this.change({ kind: 'signing', identity });
  }

  addTopic(topicUrn: string): void {
    this.change({ kind: 'topic', topic: topicUrn });
  }

  /** Back to the seed: no bindings, the seed subscriptions, no topics or templates, no request log (the signing identity stays). */
  reset(): void {
    this.change({ kind: 'reset' });
    this.requestLog.length = 0;
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

  /** The state as `GET /_mock/state` shows it: no signing key. */
  snapshot(): StateSnapshot {
    const projects: StateSnapshot['projects'] = {};
    for (const [id, project] of this.projects) {
      projects[id] = {
        bindings: this.bindings(id),
        ...(project.subscriptions ? { subscriptions: project.subscriptions } : {}),
        ...(project.topics?.length ? { topics: project.topics } : {}),
        ...(project.templates?.length ? { templates: project.templates } : {}),
      };
    }
    return { projects, topics: [...this.extraTopics] };
  }

  /** The state as the state file keeps it: with the signing identity. */
  private fileSnapshot(): StateSnapshot {
    const snapshot = this.snapshot();
    return this.signingIdentity ? { ...snapshot, signing: this.signingIdentity } : snapshot;
  }

  private restore(snapshot: StateSnapshot, file: string): void {
    const entries = Object.entries(snapshot.projects);
    const count = (of: (project: StateSnapshot['projects'][string]) => unknown[] | undefined): number => entries.reduce((sum, [, project]) => sum + (of(project)?.length ?? 0), 0);
    const own = count((p) => p.subscriptions);
    const created = count((p) => p.topics);
    const templates = count((p) => p.templates);
    if (
      entries.length > STATE_LIMITS.projects.max ||
      own > STATE_LIMITS.subscriptions.max ||
      snapshot.topics.length + created > STATE_LIMITS.topics.max ||
      templates > STATE_LIMITS.templates.max
    ) {
      throw new StateFileError(
        `the state file ${file} holds more than the emulator keeps (${STATE_LIMITS.projects.max} projects, ${STATE_LIMITS.subscriptions.max} subscriptions, ${STATE_LIMITS.topics.max} topics, ${STATE_LIMITS.templates.max} templates)`,
      );
    }
    for (const [id, project] of entries) {
      this.projects.set(projectKey(id), {
        bindings: new Map(project.bindings.map((b) => [b.event_type, b.topic_urn])),
        subscriptions: project.subscriptions,
        topics: project.topics,
        templates: project.templates,
      });
    }
    this.ownSubscriptions = own;
    this.createdTopics = created;
    this.templateCount = templates;
    this.extraTopics = new Set(snapshot.topics);
    this.signingIdentity = snapshot.signing;
  }
}

const sameTemplate = (a: MessageTemplate, b: MessageTemplate): boolean => a.message_template_name === b.message_template_name && a.protocol === b.protocol;

/** The key of a project: IAM's 32-hexadecimal ids in lower case, others as given. */
const projectKey = (id: string): string => (/^[0-9a-fA-F]{32}$/.test(id) ? id.toLowerCase() : id);

/** The 32-hexadecimal id that stands for a project in URNs and `owner` (readable local ids get a stable stand-in). */
export const urnProjectId = (id: string): string => (/^[0-9a-fA-F]{32}$/.test(id) ? id.toLowerCase() : createHash('md5').update(id).digest('hex'));

/** A seed subscription as the project's own: its id as the owner and in the topic and subscription URNs. */
function ownedBy(projectId: string): (subscription: Subscription) => Subscription {
  const id = urnProjectId(projectId);
  // urn:smn:<region>:<project>...: the project part replaced (by hand: a regex replace per URN showed in the mock's profile).
  const rewrite = (urn: string): string => {
    const regionEnd = urn.startsWith('urn:smn:') ? urn.indexOf(':', 8) : -1;
    if (regionEnd <= 8 || regionEnd + 1 >= urn.length || urn[regionEnd + 1] === ':') return urn;
    const projectEnd = urn.indexOf(':', regionEnd + 1);
    return `${urn.slice(0, regionEnd + 1)}${id}${projectEnd === -1 ? '' : urn.slice(projectEnd)}`;
  };
  return (subscription) => ({ ...subscription, owner: id, topic_urn: rewrite(subscription.topic_urn), subscription_urn: rewrite(subscription.subscription_urn) });
}

/** Why a state file's content is not a state snapshot, or undefined when it is. */
function checkSnapshot(responses: SmnResponses, value: unknown): string | undefined {
  const problem = responses.validateWith('mock-admin State', stateSchema(), value)[0];
  return problem && `${problem.pointer || '(top)'}: expected ${problem.expected}, received ${problem.received}`;
}

let compiledStateSchema: Schema | undefined;

/**
 * The State schema of spec/mock-admin.openapi.yaml, its references (to its own schemas and
 * the kit's SMN contract) resolved by `npm run generate`: an installed kit has no spec/.
 */
function stateSchema(): Schema {
  return (compiledStateSchema ??= (readContractDocument(mockAdminDereferencedPath) as { components: { schemas: { State: Schema } } }).components.schemas.State);
}
