// What a mock can be started with, and the defaults of what it is not given.
import type { Edition } from '../contract/editions.js';
import type { AuthConfig } from './engine/auth.js';
import type { DeliveryPolicy } from './delivery/policy.js';
import type { DeliverySchedule } from './delivery/schedule.js';
import type { SigningIdentity } from './delivery/signing.js';
import type { Subscription } from '../generated/smn.js';
import type { EngineName } from './engine/validation.js';

export interface MockOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 4010; 0 picks a free one). */
  port?: number;
  /** Largest request body accepted, in bytes (default 1 MiB); larger ones get 413. */
  maxBodyBytes?: number;
  /** Where the per-request log lines go; default: nowhere. */
  log?: (line: string) => void;
  /** The OpenAPI file to serve (default: the kit's `spec/smn.openapi.yaml`). */
  specPath?: string;
  /** Pure Prism answers: the contract's examples, no state, no /_mock/ endpoints. */
  stateless?: boolean;
  /** The subscriptions each project starts with (stateful; default fixtures/smn/subscriptions.json). */
  seedSubscriptions?: Subscription[];
  /** Load the state from this file at start and save it after each change. */
  stateFile?: string;
  /** Refuse bindings to topics the emulator does not know (SMN.0141/0143/0145). */
  strictTopics?: boolean;
  /** Default: presence (a token or an Authorization header must be there). */
  auth?: AuthConfig;
  /**
   * Who may use /_mock/: with a token, requests carrying it; otherwise anyone when the
   * mock listens on loopback, and requests the API would accept when it does not.
   */
  adminToken?: string;
  /**
   * Where published notifications may go. Default: loopback hosts only. When the mock
   * listens beyond loopback and checks no credential (auth none or presence): nowhere by
   * default, and a list of hosts is those hosts only, loopback included.
   */
  deliverTo?: DeliveryPolicy;
  /** New subscriptions are confirmed at once, without a SubscriptionConfirmation. */
  autoConfirm?: boolean;
  /**
   * SMN's retry schedule, compressed: the delays before attempts 2 to 7 of a message that
   * met a 5xx or no answer, and how long an endpoint that keeps failing is left out
   * (default DEFAULT_SCHEDULE of delivery/schedule.ts: 1s,2s,5s,10s,20s,30s and 30 s).
   */
  deliverySchedule?: DeliverySchedule;
  /** The key and certificate notifications are signed with; default one made on first use (kept in the state file). */
  signing?: SigningIdentity;
  /** Also serve HTTPS on this port (0: a free one), with the signing certificate; links and certificate URLs then use it. */
  httpsPort?: number;
  /** Who validates requests: `fast` (default; validators compiled from the contract, as Prism validates) or `prism` (Prism itself, every request). */
  engine?: EngineName;
  /**
   * The vendor edition whose stricter rules are hard (`x-editions`): what it refuses is
   * refused, an operation it does not document is not routed. Default none: what either
   * edition allows is accepted.
   */
  edition?: Edition;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 4010;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Bytes of request bodies the mock holds at once, all requests together (at least one --max-body). */
export const BODY_BUDGET_BYTES = 64 * 1024 * 1024;
export const bodyBudgetBytes = (maxBodyBytes: number): number => Math.max(BODY_BUDGET_BYTES, maxBodyBytes);
/** The project admin requests mean when they name none: the documents' example id. */
export { DEFAULT_PROJECT_ID } from '../contract/smn.js';
/** The region in the URNs of the topics the emulator makes (and in its certificate's name): the kit's examples'. */
export const EMULATOR_REGION = 'cn-north-4';
