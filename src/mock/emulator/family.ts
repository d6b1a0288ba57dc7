// What a resource family of the emulator is (topics, subscriptions, templates, ...): the
// part of the state it owns, the changes it makes to it, and the operations it answers.
// The core (state.ts) holds the families, journals their changes, enforces the limits
// common to all, and assembles the snapshot from their parts; registry.ts lists them.
//
// A family keeps its slice per project by the project's key (projectKey), and never
// changes it but through `core.change`: the change is checked (admit), recorded in the
// state file and made live (apply), and the same `apply` replays it from the journal at
// start, so a change made live and a change replayed cannot differ.
import type { Edition } from '../../contract/editions.js';
import type { SmnContract } from '../../contract/smn.js';
import type { SmnResponses } from '../../contract/smn-responses.js';
import type { Subscription } from '../../generated/smn.js';
import type { Notifier } from '../delivery/notifier.js';
import type { Answer, EmulatedRequest } from '../engine/api.js';
import type { Shaper } from '../engine/examples.js';
import type { Limit } from './limits.js';

export type { Answer };

/** One change of the state, as the journal records it: `project` names the project it changes (absent: the emulator's as a whole). */
export interface ChangeShape {
  kind: string;
  project?: string;
}

/** What the emulator is made with. */
export interface FamilyOptions {
  /** The subscriptions every project starts with. */
  seed: Subscription[];
}

/** What a family gets from the core. */
export interface FamilyCore<C extends ChangeShape = ChangeShape> {
  /** Checks the change against the limits, records it and makes it live; throws a StateLimitError past a limit. */
  change(change: C): void;
  /**
   * Tells every family that a topic is gone (`forgetTopic`). Called by the topics family
   * while it applies a deletion, so that it happens again, the same, when replayed.
   */
  topicDeleted(projectId: string, topicUrn: string): void;
  /**
   * Tells every family that a subscription is gone (`forgetSubscription`). Called by the
   * subscriptions family while it applies a removal, so that it happens again when replayed.
   */
  subscriptionDeleted(projectId: string, subscriptionUrn: string): void;
}

/** A request the contract accepted, with what the mock was started with. */
export interface OperationRequest extends EmulatedRequest {
  contract: SmnContract;
  /** The contract's validators. */
  responses: SmnResponses;
  /** Refuse topics the emulator does not know (--strict-topics). */
  strictTopics: boolean;
  /** What sends confirmations and publications. */
  notifier: Notifier;
  /** New subscriptions are confirmed at once (--auto-confirm). */
  autoConfirm: boolean;
  /** The edition whose stricter rules are hard (--edition); none: what either edition allows. */
  edition: Edition | undefined;
}

/** The emulator's answer to one operation. */
export type Handler = (request: OperationRequest) => Answer | Promise<Answer>;

/**
 * A family, with nothing by default: a family overrides what it has. `C` is the union of
 * its changes, `P` its part of a project's snapshot, `G` its part of the snapshot's top
 * level (beside `projects`).
 */
export abstract class Family<C extends ChangeShape = never, P extends object = object, G extends object = object> {
  /** The change kinds it owns (no two families own one). */
  abstract readonly kinds: readonly C['kind'][];
  /** Its answers, by operation id (no two families answer one). */
  readonly handlers: Readonly<Record<string, Handler>> = {};

  /** The SMN code of the answer past its quota, also when the state is past its size. */
  readonly quotaCode?: string;

  /** Throws a StateLimitError when `change` would take the family past one of its limits. */
  admit(_change: C): void {}
  /** Whether `change` only removes (let through when the state is past its size, so that it can be emptied). */
  shrinks(_change: C): boolean {
    return false;
  }
  /** Makes `change` live; never throws for a change `admit` let through (the journal holds it already). */
  apply(_change: C): void {}
  /** Back to nothing (POST /_mock/reset). */
  reset(): void {}
  /**
   * A topic of the project was deleted: drop what this family keeps for it (its
   * subscriptions, attributes, tags, logtanks...). Part of applying that deletion: it
   * must not throw, and it changes the family's state directly, not through a change.
   */
  forgetTopic(_projectId: string, _topicUrn: string): void {}
  /**
   * A subscription of the project was removed (not its topic: that is forgetTopic): drop
   * what this family keeps for it (its filter policies...). Part of applying that removal,
   * as forgetTopic is.
   */
  forgetSubscription(_projectId: string, _subscriptionUrn: string): void {}
  /**
   * Its part of the snapshot of the project whose key this is (the project changed).
   * With `secrets`, for the state file (0600): the secrets it keeps (an application's
   * credential) included; without, for GET /_mock/state, left out.
   */
  projectPart(_key: string, _secrets?: boolean): P {
    return {} as P;
  }
  /** Its part of the snapshot's top level. */
  statePart(): G {
    return {} as G;
  }
  /** Takes its part of a project back from a snapshot (checked against the State schema already). */
  restoreProject(_key: string, _part: P): void {}
  restoreState(_part: G): void {}
  /** After a restore: whether the restored state is past one of its limits. */
  pastLimit(): boolean {
    return false;
  }
}

/**
 * How registry.ts makes a family. `create` gets the core and the other families, typed
 * by the narrow interface this family reads them through; it must not read them while
 * being created (they may not exist yet), only when answering or applying.
 */
export interface FamilyModule<F extends Family<ChangeShape, object, object>, D = unknown> {
  create(core: FamilyCore, families: D, options: FamilyOptions): F;
  /** Its limits, by name (STATE_LIMITS shows them all). */
  limits?: Readonly<Record<string, Limit>>;
  /** How the stateless mock shapes the examples of its operations, by operation id. */
  shapes?: Readonly<Record<string, Shaper>>;
}

/** The documented answer for a path parameter that names nothing the project has (`x-not-found`). */
export const notFound = (contract: SmnContract, parameter: string, reason: string): Answer => ({ error: contract.notFoundErrors.get(parameter)!, reason, where: ['path', parameter] });

export const topicNotFound = (contract: SmnContract, projectId: string, topicUrn: string): Answer => notFound(contract, 'topic_urn', `no topic ${topicUrn} in project ${projectId}`);
