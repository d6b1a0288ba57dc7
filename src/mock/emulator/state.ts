// What the emulator remembers: the state of its resource families (registry.ts), per
// project, the signing identity, and the requests it received. This is the core: it
// holds the families, records each change in the state file (state-file.ts) and applies
// it, enforces the limit on projects, and assembles the snapshot from the families' parts.
//
// Every change happens in one synchronous step (Node runs one at a time), so concurrent
// clients never see half a change. Every change is a `Change` value made live by the
// `apply` of the family that owns its kind: the same function replays it from the
// journal at start, so both cannot differ. A change is written to the journal first and
// applied after: a change that cannot be written (a full disk) is not applied either,
// so a client that gets an error and tries again never gets a success for a change the
// file does not keep.
//
// The state is bounded (STATE_LIMITS), in count and in size (STATE_BYTES: the JSON of
// the snapshot): past a limit a change is refused with the code SMN answers past its
// quotas, so it always fits in memory and in a file smn-kit can read back. Reading a
// project creates nothing; a project counts once a change names it.
import { fileURLToPath } from 'node:url';
import { readContractDocument } from '../../contract/document.js';
import { smnResponses, type Schema, type SmnResponses } from '../../contract/smn-responses.js';
import type { SmsCallback, SmsCallbackUpdate, Subscription } from '../../generated/smn.js';
import type { StoredSigningIdentity } from '../delivery/signing.js';
import type { Family, FamilyCore, Handler } from './family.js';
import type { MessageTemplate, TemplateFields } from './families/templates.js';
import type { Topic } from './families/topics.js';
import { PROJECT_LIMITS, STATE_BYTES, StateLimitError } from './limits.js';
import { projectKey } from './projects.js';
import { createFamilies, STATE_LIMITS, type Families, type FamilyChange, type ProjectSnapshot, type StatePart } from './registry.js';
import { RequestLog, type ArrivedRequest, type RecordedRequest } from './requests.js';
import { StateFile, StateFileError } from './state-file.js';

export { STATE_BYTES, STATE_LIMITS, StateFileError, StateLimitError };
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

/** The growth past which the estimate of the state's size is measured again. */
const REMEASURE_AFTER_BYTES = 2 ** 20;
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
   * The size of the snapshot's JSON when last measured, and the size of the changes that
   * grew it since: no change grows the snapshot by more than its own JSON, so their sum
   * is an estimate from above. Measuring costs a JSON of the whole state: it is done when
   * the estimate says the state is full and may be wrong by much (a removal since, or a
   * MiB of changes), so that a state kept full does not cost a measure per change.
   */
  private measuredBytes = 0;
  private changedBytes = 0;
  private removedSince = false;

  /**
   * @param seed the subscriptions every project starts with
   * @param file where to load the state from at start and record each change
   * @param responses the contract whose schemas the file's subscriptions, topics and bindings obey (default: the kit's)
   */
  constructor(seed: Subscription[], file?: string, responses?: SmnResponses) {
    const core: FamilyCore = {
      change: (change) => this.change(change as Change),
      topicDeleted: (projectId, topicUrn) => {
        for (const family of Object.values(this.families) as Family<Change>[]) family.forgetTopic(projectId, topicUrn);
      },
      subscriptionDeleted: (projectId, subscriptionUrn) => {
        for (const family of Object.values(this.families) as Family<Change>[]) family.forgetSubscription(projectId, subscriptionUrn);
      },
    };
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
    if (file === undefined) return;
    const stateFile = new StateFile<StateSnapshot, Change>(file);
    const validators = responses ?? smnResponses();
    const { snapshot, changes } = stateFile.load(
      (value) => check(validators, 'State', value),
      (value) => check(validators, 'JournalLine', value),
    );
    try {
      if (snapshot) this.restore(snapshot, file);
      for (const change of changes) this.apply(change);
      this.measuredBytes = stateFile.compact(this.fileSnapshot()); // fails now, at start, when the file cannot be written
    } catch (error) {
      stateFile.close();
      throw error;
    }
    this.file = stateFile;
  }

  /** Gives the state file back (its lock released); the state stays readable, and a change now fails. */
  close(): void {
    this.file?.close();
  }

  /** The family's answer to an operation, if a family answers it. */
  handler(operationId: string | undefined): Handler | undefined {
    return operationId === undefined ? undefined : this.handlers.get(operationId);
  }

  /** Checks a change against the limits, records it, then applies it. */
  private change(change: Change): void {
    const text = JSON.stringify(change);
    this.admit(change, Buffer.byteLength(text));
    this.file?.append(text); // throws, the change not applied, when it cannot be written
    this.apply(change);
    if (this.shrinks(change)) this.removedSince = true;
    else this.changedBytes += Buffer.byteLength(text);
    if (this.file?.due()) this.measure();
  }

  /** Throws a StateLimitError when `change` (`bytes` of JSON) would take the state past a limit. */
  private admit(change: Change, bytes: number): void {
    if ('project' in change && !this.projects.has(projectKey(change.project)) && this.projects.size >= PROJECT_LIMITS.projects.max) {
      const { max, code } = PROJECT_LIMITS.projects;
      throw new StateLimitError(code, `the emulator keeps at most ${max} projects; POST /_mock/reset to start again`);
    }
    const family = this.byKind.get(change.kind);
    family?.admit(change);
    // A change that removes is always let through: it is how a full state is emptied.
    if (this.shrinks(change) || this.measuredBytes + this.changedBytes + bytes <= STATE_BYTES.max) return;
    if (this.removedSince || this.changedBytes >= REMEASURE_AFTER_BYTES) this.measure();
    if (this.measuredBytes + this.changedBytes + bytes > STATE_BYTES.max) {
      const mib = STATE_BYTES.max / 2 ** 20;
      throw new StateLimitError(family?.quotaCode ?? STATE_BYTES.code, `the emulator's state would grow past ${mib} MiB of JSON; remove something first, or POST /_mock/reset to start again`);
    }
  }

  private shrinks(change: Change): boolean {
    return change.kind === 'reset' || (change.kind !== 'signing' && this.byKind.get(change.kind)?.shrinks(change) === true);
  }

  /** Measures the state, folding the journal into the state file when there is one. */
  private measure(): void {
    const snapshot = this.fileSnapshot();
    try {
      this.measuredBytes = this.file ? this.file.compact(snapshot) : Buffer.byteLength(JSON.stringify(snapshot));
    } catch {
      // The state file cannot be written now (the journal still holds every change): measured all the same.
      this.measuredBytes = Buffer.byteLength(JSON.stringify(snapshot));
    }
    this.changedBytes = 0;
    this.removedSince = false;
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

  /** The state as `GET /_mock/state` shows it: no signing key, no secrets. */
  snapshot(): StateSnapshot {
    return this.assemble(false);
  }

  /** The state as the state file keeps it: with the signing identity and the families' secrets. */
  private fileSnapshot(): StateSnapshot {
    const snapshot = this.assemble(true);
    return this.signingIdentity ? { ...snapshot, signing: this.signingIdentity } : snapshot;
  }

  private assemble(secrets: boolean): StateSnapshot {
    // Without a prototype: a project named `__proto__` (or `constructor`) is a key like any other.
    const projects = Object.create(null) as Record<string, ProjectSnapshot>;
    const families = Object.values(this.families);
    for (const key of this.projects) projects[key] = Object.assign({}, ...families.map((family) => family.projectPart(key, secrets))) as ProjectSnapshot;
    return Object.assign({ projects }, ...families.map((family) => family.statePart())) as StateSnapshot;
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

  /** Adds a message template, or replaces the content of the project's one of that name and protocol; returns it as kept. */
  addTemplate(projectId: string, template: TemplateFields): MessageTemplate {
    return this.families.templates.add(projectId, template);
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

  record(request: ArrivedRequest): void {
    this.requestLog.record(request);
  }

  requests(): RecordedRequest[] {
    return this.requestLog.list();
  }

  clearRequests(): void {
    this.requestLog.clear();
  }
}

/** Why a value read from the state file is not a `schema` (State, JournalLine), or undefined when it is. */
function check(responses: SmnResponses, schema: 'State' | 'JournalLine', value: unknown): string | undefined {
  const problem = responses.validateWith(`mock-admin ${schema}`, stateFileSchemas()[schema], value)[0];
  return problem && `${problem.pointer || '(top)'}: expected ${problem.expected}, received ${problem.received}`;
}

let schemas: Record<'State' | 'JournalLine', Schema> | undefined;

/**
 * The State and JournalLine schemas of spec/mock-admin.openapi.yaml, their references (to
 * its own schemas and the kit's SMN contract) resolved by `npm run generate`: an
 * installed kit has no spec/.
 */
function stateFileSchemas(): Record<'State' | 'JournalLine', Schema> {
  return (schemas ??= (readContractDocument(mockAdminDereferencedPath) as { components: { schemas: Record<'State' | 'JournalLine', Schema> } }).components.schemas);
}
