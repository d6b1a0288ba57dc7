// What the emulator remembers: the state of its resource families (registry.ts), per
// project, the signing identity, and the requests it received. This is the core: it
// holds the families, records each change in the state file (state-file.ts) and applies
// it, enforces the limit on projects, and assembles the snapshot from the families' parts.
//
// Every change happens in one synchronous step (Node runs one at a time), so concurrent
// clients never see half a change, and it is recorded in the state file before it is
// answered. Every change is a `Change` value made live by the `apply` of the family
// that owns its kind: the same function replays it from the journal at start, so both
// cannot differ.
//
// The state is bounded (STATE_LIMITS): past a limit a change is refused with the code
// SMN answers past its quotas. Reading a project creates nothing; a project counts once
// a change names it.
import { fileURLToPath } from 'node:url';
import { readContractDocument } from '../../contract/document.js';
import { smnResponses, type Schema, type SmnResponses } from '../../contract/smn-responses.js';
import type { SmsCallback, SmsCallbackUpdate, Subscription } from '../../generated/smn.js';
import type { StoredSigningIdentity } from '../delivery/signing.js';
import type { Family, FamilyCore, Handler } from './family.js';
import type { MessageTemplate } from './families/templates.js';
import type { Topic } from './families/topics.js';
import { PROJECT_LIMITS, StateLimitError } from './limits.js';
import { projectKey } from './projects.js';
import { createFamilies, STATE_LIMITS, type Families, type FamilyChange, type ProjectSnapshot, type StatePart } from './registry.js';
import { RequestLog, type RecordedRequest } from './requests.js';
import { StateFile, StateFileError } from './state-file.js';

export { STATE_LIMITS, StateFileError, StateLimitError };
export { urnProjectId } from './projects.js';
export type { MessageTemplate, RecordedRequest, Subscription, Topic };

/** The state as JSON: what `GET /_mock/state` shows and the state file holds. */
export type StateSnapshot = StatePart & {
  /** By project key: the projects that changed. */
  projects: Record<string, ProjectSnapshot>;
  /** In the state file only (never shown): the key and certificate notifications are signed with. */
  signing?: StoredSigningIdentity;
};

/** The core's own changes. */
type CoreChange = { kind: 'signing'; identity: StoredSigningIdentity } | { kind: 'reset' };

/** One change of the state, as the journal records it. */
export type Change = FamilyChange | CoreChange;

const mockAdminDereferencedPath = fileURLToPath(new URL('../../../generated/mock-admin.openapi.dereferenced.json', import.meta.url));

export class EmulatorState {
  /** The resource families: what the emulator holds, and the operations it answers. */
  readonly families: Families;
  private readonly byKind = new Map<string, Family<Change>>();
  private readonly handlers = new Map<string, Handler>();
  /** The keys of the projects a change named, in the order of their first change. */
  private projects = new Set<string>();
  private signingIdentity?: StoredSigningIdentity;
  private readonly requestLog = new RequestLog();
  private readonly file?: StateFile<StateSnapshot, Change>;

  /**
   * @param seed the subscriptions every project starts with
   * @param file where to load the state from at start and record each change
   * @param responses the contract whose schemas the file's subscriptions, topics and bindings obey (default: the kit's)
   */
  constructor(seed: Subscription[], file?: string, responses?: SmnResponses) {
    const core: FamilyCore = { change: (change) => this.change(change as Change) };
    this.families = createFamilies(core, { seed });
    for (const [name, family] of Object.entries(this.families) as [string, Family<Change>][]) {
      for (const kind of family.kinds) {
        if (this.byKind.has(kind)) throw new Error(`two families of the emulator own the change kind ${kind}`);
        this.byKind.set(kind, family);
      }
      for (const [operation, handler] of Object.entries(family.handlers)) {
        if (this.handlers.has(operation)) throw new Error(`two families of the emulator answer ${operation} (one is ${name})`);
        this.handlers.set(operation, handler);
      }
    }
    if (!file) return;
    this.file = new StateFile(file);
    const { snapshot, changes } = this.file.load((value) => checkSnapshot(responses ?? smnResponses(), value));
    if (snapshot) this.restore(snapshot, file);
    for (const change of changes) this.apply(change);
    this.file.compact(this.fileSnapshot()); // fails now, at start, when the file cannot be written
  }

  /** The family's answer to an operation, if a family answers it. */
  handler(operationId: string | undefined): Handler | undefined {
    return operationId === undefined ? undefined : this.handlers.get(operationId);
  }

  /** Checks a change against the limits, applies it and records it. */
  private change(change: Change): void {
    this.admit(change);
    this.apply(change);
    this.file?.append(change, () => this.fileSnapshot());
  }

  /** Throws a StateLimitError when `change` would take the state past a limit. */
  private admit(change: Change): void {
    if ('project' in change && !this.projects.has(projectKey(change.project)) && this.projects.size >= PROJECT_LIMITS.projects.max) {
      const { max, code } = PROJECT_LIMITS.projects;
      throw new StateLimitError(code, `the emulator keeps at most ${max} projects; POST /_mock/reset to start again`);
    }
    this.byKind.get(change.kind)?.admit(change);
  }

  private apply(change: Change): void {
    if (change.kind === 'reset') {
      // The signing identity stays: receivers configured with its certificate keep working.
      this.projects = new Set();
      for (const family of Object.values(this.families)) family.reset();
      return;
    }
    if (change.kind === 'signing') {
      this.signingIdentity = change.identity;
      return;
    }
    if ('project' in change) this.projects.add(projectKey(change.project));
    this.byKind.get(change.kind)?.apply(change);
  }

  /** The state as `GET /_mock/state` shows it: no signing key. */
  snapshot(): StateSnapshot {
    const projects: Record<string, ProjectSnapshot> = {};
    const families = Object.values(this.families);
    for (const key of this.projects) projects[key] = Object.assign({}, ...families.map((family) => family.projectPart(key))) as ProjectSnapshot;
    return Object.assign({ projects }, ...families.map((family) => family.statePart())) as StateSnapshot;
  }

  /** The state as the state file keeps it: with the signing identity. */
  private fileSnapshot(): StateSnapshot {
    const snapshot = this.snapshot();
    return this.signingIdentity ? { ...snapshot, signing: this.signingIdentity } : snapshot;
  }

  private restore(snapshot: StateSnapshot, file: string): void {
    const families = Object.values(this.families) as Family<Change, object, object>[];
    for (const [id, part] of Object.entries(snapshot.projects)) {
      const key = projectKey(id);
      this.projects.add(key);
      for (const family of families) family.restoreProject(key, part);
    }
    for (const family of families) family.restoreState(snapshot);
    if (this.projects.size > PROJECT_LIMITS.projects.max || families.some((family) => family.pastLimit())) {
      const limits = Object.entries(STATE_LIMITS).map(([name, { max }]) => `${max} ${name}`);
      throw new StateFileError(`the state file ${file} holds more than the emulator keeps (${limits.join(', ')})`);
    }
    this.signingIdentity = snapshot.signing;
  }

  // The programmatic surface of RunningMock.state, as it was before the families: each
  // call goes to the family that owns it. New families are reached through `families`.

  bindings(projectId: string, eventType?: string): SmsCallback[] {
    return this.families.smsCallbacks.bindings(projectId, eventType);
  }

  /** Applies all items or none: an empty topic_urn removes the binding of its event type. */
  updateBindings(projectId: string, items: SmsCallbackUpdate[]): void {
    this.families.smsCallbacks.update(projectId, items);
  }

  /** A page of the subscriptions that pass `filter`, oldest first, and how many pass it. */
  subscriptions(projectId: string, offset: number, limit: number, filter?: (s: Subscription) => boolean): { total: number; page: Subscription[] } {
    return this.families.subscriptions.page(projectId, offset, limit, filter);
  }

  allSubscriptions(projectId: string): readonly Subscription[] {
    return this.families.subscriptions.all(projectId);
  }

  /** Adds a subscription as the newest of the project. */
  addSubscription(projectId: string, subscription: Subscription): Subscription {
    return this.families.subscriptions.add(projectId, subscription);
  }

  /** The project's subscription with this URN, if any. */
  findSubscription(projectId: string, subscriptionUrn: string): Subscription | undefined {
    return this.families.subscriptions.find(projectId, subscriptionUrn);
  }

  setSubscriptionStatus(projectId: string, subscriptionUrn: string, status: Subscription['status']): void {
    this.families.subscriptions.setStatus(projectId, subscriptionUrn, status);
  }

  /** Removes the subscription; returns it as it was, or undefined when there was none. */
  removeSubscription(projectId: string, subscriptionUrn: string): Subscription | undefined {
    return this.families.subscriptions.remove(projectId, subscriptionUrn);
  }

  /** Topics the emulator knows: those the project made, those of its subscriptions, and those added. */
  knowsTopic(projectId: string, topicUrn: string): boolean {
    return this.families.topics.knows(projectId, topicUrn);
  }

  /** The topic the project made with this URN, if any. */
  findTopic(projectId: string, topicUrn: string): Topic | undefined {
    return this.families.topics.find(projectId, topicUrn);
  }

  /** Makes a topic (CreateTopic); idempotent, as SMN's. */
  createTopic(projectId: string, fields: { name: string; display_name: string; enterprise_project_id?: string }, now?: Date): { topic: Topic; created: boolean } {
    return this.families.topics.create(projectId, fields, now);
  }

  /** A page of the topics the project made that pass `filter`, newest first, and how many pass it. */
  topics(projectId: string, offset: number, limit: number, filter?: (topic: Topic) => boolean): { total: number; page: Topic[] } {
    return this.families.topics.page(projectId, offset, limit, filter);
  }

  /** Deletes a topic the emulator knows, and every subscription of it. */
  deleteTopic(projectId: string, topicUrn: string): void {
    this.families.topics.delete(projectId, topicUrn);
  }

  addTopic(topicUrn: string): void {
    this.families.topics.add(topicUrn);
  }

  /** Adds a message template, or replaces the project's one of that name and protocol. */
  addTemplate(projectId: string, template: MessageTemplate): void {
    this.families.templates.add(projectId, template);
  }

  /** The project's template of this name for the protocol, else its `default` one. */
  findTemplate(projectId: string, name: string, protocol: string): MessageTemplate | undefined {
    return this.families.templates.find(projectId, name, protocol);
  }

  /** Whether the project has a template of this name, for any protocol. */
  hasTemplate(projectId: string, name: string): boolean {
    return this.families.templates.has(projectId, name);
  }

  /** The signing identity the state file keeps, if any. */
  storedSigningIdentity(): StoredSigningIdentity | undefined {
    return this.signingIdentity;
  }

  /** Keeps the signing identity in the state file (a mock without one forgets it at exit). */
  keepSigningIdentity(identity: StoredSigningIdentity): void {
    this.change({ kind: 'signing', identity });
  }

  /** Back to the seed: no bindings, the seed subscriptions, no topics or templates, no request log (the signing identity stays). */
  reset(): void {
    this.change({ kind: 'reset' });
    this.requestLog.clear();
  }

  record(request: RecordedRequest): void {
    this.requestLog.record(request);
  }

  requests(): RecordedRequest[] {
    return this.requestLog.list();
  }

  clearRequests(): void {
    this.requestLog.clear();
  }
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
