// The emulator's resource families. Each owns its slice of the per-project state, its
// journal change kinds (and their apply), its part of the snapshot and its operations;
// the core (state.ts) journals, limits and snapshots them without knowing what they hold.
//
// How to add a family (say `filter-policies`), touching no other family's file:
// 1. families/filter-policies.ts: a class extending Family (family.ts) with
//    - its state, by project key (projects.ts: projectKey), changed only through
//      `core.change(...)`;
//    - `kinds` and the change union (`{ kind: 'filter-policy'; project; ... }`; kinds are
//      written to the journal: never rename one, add another), `admit` (throw a
//      StateLimitError past a limit) and `apply` (the same code makes a change live
//      and replays it at start: it must not throw for a change admit let through);
//    - `reset`, `projectPart`/`restoreProject` (and `statePart`/`restoreState` for a
//      part outside projects), `pastLimit`;
//    - `handlers`: its operations, by operation id, each returning an Answer;
//    and a FamilyModule export: `create` (the other families it reads, typed by a narrow
//    interface it declares, read only when answering or applying), `limits` and `shapes`
//    (how the stateless mock filters and pages its list operations' examples).
// 2. One line below, in FAMILIES.
// 3. Its part of the state file's schema: the State schema of
//    spec/mock-admin.openapi.yaml (a property of `projects.additionalProperties`, or of
//    State itself), then `npm run generate`; the file is checked against it at start.
// 4. Its /_mock/ shortcuts, if any, in admin/ (a file of its own, a line in endpoints.ts).
// 5. A test driving it through the real server as a client would (startMock, fetch), with
//    --state-file: what it answers, and what a restart keeps.
import type { Shaper } from '../engine/examples.js';
import type { ChangeShape, FamilyCore, FamilyModule, FamilyOptions } from './family.js';
import { PROJECT_LIMITS, type Limit } from './limits.js';
import { appMessages } from './families/app-messages.js';
import { applications } from './families/applications.js';
import { certificates } from './families/certificates.js';
import { filterPolicies } from './families/filter-policies.js';
import { httpDetection } from './families/http-detection.js';
import { kmsKeys } from './families/kms-keys.js';
import { logtanks } from './families/logtanks.js';
import { notifyPolicies } from './families/notify-policies.js';
import { publish } from './families/publish.js';
import { resourceTags } from './families/resource-tags.js';
import { serviceInfo } from './families/service-info.js';
import { smsCallbacks } from './families/sms-callback.js';
import { subscriptionLinks } from './families/subscription-links.js';
import { subscriptionUsers } from './families/subscription-users.js';
import { subscriptions } from './families/subscriptions.js';
import { templates } from './families/templates.js';
import { topicAttributes } from './families/topic-attributes.js';
import { topicStatistics } from './families/topic-statistics.js';
import { topicsWithResources } from './families/topics-with-resources.js';
import { topics } from './families/topics.js';

/** Every family, by the name the others reach it by. */
const FAMILIES = {
  smsCallbacks,
  subscriptions,
  subscriptionLinks,
  subscriptionUsers,
  topics,
  templates,
  publish,
  filterPolicies,
  topicAttributes,
  resourceTags,
  logtanks,
  kmsKeys,
  notifyPolicies,
  topicsWithResources,
  serviceInfo,
  certificates,
  topicStatistics,
  httpDetection,
  applications,
  appMessages,
};

type Modules = typeof FAMILIES;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** The families of one emulator. */
export type Families = { [N in keyof Modules]: ReturnType<Modules[N]['create']> };
type AnyFamily = Families[keyof Families];

/** A change any family makes. */
export type FamilyChange = Parameters<AnyFamily['apply']>[0];
/** A project in the snapshot: every family's part. */
export type ProjectSnapshot = UnionToIntersection<ReturnType<AnyFamily['projectPart']>>;
/** The snapshot's top level beside `projects`: every family's part. */
export type StatePart = UnionToIntersection<ReturnType<AnyFamily['statePart']>>;

/** Makes the families of one emulator; each reads the others only once all are made. */
export function createFamilies(core: FamilyCore, options: FamilyOptions): Families {
  const families = {} as Record<string, unknown>;
  for (const [name, module] of Object.entries(FAMILIES) as [string, FamilyModule<AnyFamily, Families>][]) families[name] = module.create(core, families as Families, options);
  return families as Families;
}

/** How much the emulator holds at most, and the SMN code of the answer past each limit. */
export const STATE_LIMITS = Object.assign({}, PROJECT_LIMITS, ...Object.values(FAMILIES).map((module: FamilyModule<AnyFamily>) => module.limits ?? {})) as typeof PROJECT_LIMITS &
  UnionToIntersection<{ [N in keyof Modules]: Modules[N] extends { limits: infer L } ? L : never }[keyof Modules]> &
  Record<string, Limit>;

/** How the stateless mock shapes examples, by operation id. */
export const EXAMPLE_SHAPES: ReadonlyMap<string, Shaper> = new Map(Object.values(FAMILIES).flatMap((module: FamilyModule<AnyFamily>) => Object.entries(module.shapes ?? {})));

export type { ChangeShape };
