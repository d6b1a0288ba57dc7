// What `smn-kit fire` will send, decided and checked before anything is sent: the
// deliveries in order, each with what its answer should be and how its request is made
// (a recipe: data). The requests themselves are made when they are sent (make.ts), so
// each event's time is current however long the run lasts; a seeded plan makes the same
// requests every time.
import { smnResponses } from '../contract/smn-responses.js';
import { DEFAULT_ENCODING, type SubhookEncoding } from '../notify/subhook-push.js';
import { FireError } from './errors.js';
import { overridesFor, type Override } from '../generate/overrides.js';
import { checkOverrideFields, parseOverrides } from './overrides.js';
import { createRandom, type Random } from '../generate/random.js';
import { checkLifecycle, lifecycleEvents, type Scenario } from './scenario.js';
import { generateSmsCallbackEvent, OverrideError, SMS_EVENT_TYPE_FIELD, smsCallbackEventTypes, smsCallbackShape } from '../generate/sms-callback.js';
import { EVENT_FIELD, generateSubhookEvent, subhookEventNames, subhookEventShape, type SubhookEventShape } from '../generate/subhook-event.js';
import { subhookProductIds } from '../judge/subhook.js';
import { isSmnTamperKind, isSubhookTamperKind, SMN_TAMPER_KINDS, SMN_TAMPER_RULES, TAMPER_KINDS, TAMPER_RULES, type SmnTamperKind, type TamperKind } from './tamper.js';
import { testSmnSigner, type SmnSigner } from '../notify/smn-signer.js';

/** EVENT for every event of the product. */
export const ALL_EVENTS = 'all';
/** The topic name of the default topic URN of SMS callback events. */
const DEFAULT_TOPIC_NAME = 'sms_callback';
const DEFAULT_REGION = 'cn-north-4';

export interface FireOptions {
  to: URL;
  /** An event of the product, `all`, an SMS callback event type; with a scenario, its outcome or undefined. */
  event: string | undefined;
  /** Default: the spec's first product (`sms`). */
  product?: string;
  /** The SUBHOOK secret; needed for SUBHOOK events. */
  key?: string;
  /** Default: form, or json for --tamper wrong-type. */
  encoding?: SubhookEncoding;
  /** `field=value` texts of --set. */
  sets?: string[];
  /** How many times each event (each message, with a scenario) is sent; default 1. */
  count?: number;
  /** Default: a new random seed. */
  seed?: number;
  scenario?: Scenario;
  /** A kind of the event's family: SUBHOOK kinds for SUBHOOK events, SMN kinds for SMS callback events. */
  tamper?: TamperKind | SmnTamperKind;
  /** For SMS callback events: the topic the envelope comes from. */
  topicUrn?: string;
  /** For SMS callback events: the key that signs the notifications (default the kit's test-only key). */
  smnSigner?: SmnSigner;
  /** For SMS callback events: the notifications' signing_cert_url (default an SMN-shaped URL on smn.test-only.invalid). */
  smnCertUrl?: string;
}

/**
 * How one delivery's request is made: data, read by makeNext (make.ts). A step of a
 * message may reuse what an earlier step of the same message made; which one is named
 * here, so the order the deliveries must be made in is written in the plan.
 */
export type DeliveryRecipe =
  /** A valid SUBHOOK event; with `sharesWith`, the data fields of that step's event (the events of one message share its send_id). */
  | { kind: 'subhook-event'; event: string; sharesWith?: number }
  /** A valid SUBHOOK event broken the way `tamper` says; reused-token takes the token and signature of step `tokenOf`'s event. */
  | { kind: 'tampered-subhook-event'; event: string; tamper: TamperKind; tokenOf?: number }
  /** A valid, signed SMN notification of the plan's SMS callback event type. */
  | { kind: 'smn-notification' }
  /** A valid, signed SMN notification broken the way `tamper` says. */
  | { kind: 'tampered-smn-notification'; tamper: SmnTamperKind };

export interface PlannedDelivery {
  /** What is sent, for the delivery line: `sms request form`, `smn sms_reply_event`... */
  label: string;
  /** `accept`: the answer should be 2xx; `refuse`: a tampered delivery, the answer should not be. */
  expect: 'accept' | 'refuse';
  /** For a tampered delivery: the rule it breaks, as smn-kit names it (its SUBHOOK or SMN notification library, listen). */
  rule?: string;
  /** The message it belongs to (from 0), and its step in that message (from 0). */
  message: number;
  step: number;
  recipe: DeliveryRecipe;
}

/** What every SUBHOOK event of a plan is made with. */
export interface SubhookSource {
  family: 'subhook';
  to: URL;
  product: string;
  /** The SUBHOOK secret that signs the events. */
  key: string;
  encoding: SubhookEncoding;
  /** The overrides of each event fired, coerced by its schema. */
  overrides: ReadonlyMap<string, Record<string, unknown>>;
}

/** What every SMN notification of a plan is made with. */
export interface SmnSource {
  family: 'smn';
  to: URL;
  eventType: string;
  topicUrn: string;
  /** One subscription per run, as SMN sends every message of a topic to a subscriber with the same URN. */
  subscriptionUrn: string;
  signingCertUrl: string;
  signer: SmnSigner;
  overrides: Record<string, unknown>;
}

export interface FirePlan {
  deliveries: PlannedDelivery[];
  seed: number;
  /** `sms`, `intersms`... or `smn` for SMS callback events. */
  product: string;
  encoding: SubhookEncoding | 'smn-notification';
  source: SubhookSource | SmnSource;
  /**
   * How many numbers planning drew from the seed's stream (lifecycle outcomes, URNs):
   * the requests are made from the numbers after them, so a seeded plan makes the same
   * requests every time it is made.
   */
  plannedDraws: number;
}

function productOf(options: FireOptions): string {
  const products = subhookProductIds();
  const product = options.product ?? products[0] ?? '';
  if (!products.includes(product)) throw new FireError(`--product must be one of ${products.join(', ')}, got "${product}"`);
  return product;
}

function unknownEvent(name: string, product: string): FireError {
  const elsewhere = subhookProductIds().filter((p) => p !== product && subhookEventNames(p).includes(name));
  const hint = elsewhere.length > 0 ? `; ${name} is an event of ${elsewhere.join(', ')}: add --product ${elsewhere[0]}` : '';
  return new FireError(
    `unknown EVENT "${name}": expected ${ALL_EVENTS}, an event of ${product} (${subhookEventNames(product).join(', ')}) or an SMS callback event (${smsCallbackEventTypes().join(', ')})${hint}`,
    'invalid-options',
    hint ? undefined : { given: name, known: [ALL_EVENTS, ...subhookEventNames(product), ...smsCallbackEventTypes()] },
  );
}

function checkKey(key: string | undefined): string {
  if (key === undefined || key.length === 0) {
    throw new FireError('--key is required for SUBHOOK events: the SUBHOOK secret signs each one (signature = md5(token + key))', 'key-required');
  }
  return key;
}

type Step = Omit<PlannedDelivery, 'message' | 'step'>;

/** A valid event, step `step` of its message: the first chooses the data the later ones share (one send_id). */
const validStep = (label: string, event: string, step: number): Step => ({
  label,
  expect: 'accept',
  recipe: step === 0 ? { kind: 'subhook-event', event } : { kind: 'subhook-event', event, sharesWith: 0 },
});

/** A tampered event, after the valid event whose token it reuses for reused-token. */
function tamperedSteps(label: string, event: string, tamper: TamperKind): Step[] {
  const tampered: Step = { label: `${label} tamper ${tamper}`, expect: 'refuse', rule: TAMPER_RULES[tamper], recipe: { kind: 'tampered-subhook-event', event, tamper } };
  if (tamper !== 'reused-token') return [tampered];
  return [
    { label: `${label} (valid, its token is reused next)`, expect: 'accept', recipe: { kind: 'subhook-event', event } },
    { ...tampered, recipe: { kind: 'tampered-subhook-event', event, tamper, tokenOf: 0 } },
  ];
}

/** Decides and checks every delivery; throws a FireError for anything the user must fix. */
export function planFire(options: FireOptions): FirePlan {
  const count = options.count ?? 1;
  const random = createRandom(options.seed);
  const sets = parseOverrides(options.sets ?? []);
  const event = options.event;
  // SUBHOOK events first: they do not need the SMN contract loaded.
  const subhookEvent = event === undefined || event === ALL_EVENTS || subhookEventNames(options.product ?? subhookProductIds()[0] ?? '').includes(event);
  if (!subhookEvent && smsCallbackShape(event)) return planSmsCallback(options, event, sets, random, count);

  const product = productOf(options);
  if (event === undefined && !options.scenario) throw new FireError(`EVENT is missing: name an event of ${product} (${subhookEventNames(product).join(', ')}), ${ALL_EVENTS}, or an SMS callback event`);
  if (options.scenario && options.tamper) throw new FireError('--scenario and --tamper cannot be combined: a lifecycle is a run of valid events');
  if (options.tamper && !isSubhookTamperKind(options.tamper)) {
    throw new FireError(`--tamper ${options.tamper} applies to SMS callback events; SUBHOOK events take ${TAMPER_KINDS.join(', ')}`);
  }
  const subhookTamper = options.tamper;
  for (const option of ['smnSigner', 'smnCertUrl'] as const) {
    if (options[option] !== undefined) throw new FireError(`${option === 'smnSigner' ? '--smn-key and --smn-cert apply' : '--smn-cert-url applies'} to SMS callback events (SMN notifications), not to SUBHOOK events`);
  }
  const encoding = options.encoding ?? (options.tamper === 'wrong-type' ? 'json' : DEFAULT_ENCODING);
  if (options.tamper === 'wrong-type' && encoding !== 'json') {
    throw new FireError(`--tamper wrong-type needs --encoding json: ${encoding} deliveries carry every value as a string, so no value can be of the wrong type`);
  }

  let messages: string[][];
  if (options.scenario) {
    if (event === ALL_EVENTS) throw new FireError(`--scenario lifecycle: EVENT is how each message ends, not ${ALL_EVENTS}`);
    checkLifecycle(product, event);
    messages = Array.from({ length: count }, () => lifecycleEvents(event, random));
  } else {
    const names = event === ALL_EVENTS ? subhookEventNames(product) : [event ?? ''];
    for (const name of names) if (!subhookEventShape(product, name)) throw unknownEvent(name, product);
    messages = Array.from({ length: count }, () => names).flat().map((name) => [name]);
  }
  // After the event: a misspelt event is the first thing to hear about.
  const key = checkKey(options.key);

  const shapeOf = (name: string): SubhookEventShape => subhookEventShape(product, name)!;
  const fired = [...new Set(messages.flat())].map(shapeOf);
  checkOverrideFields(sets, fired.map((s) => ({ name: s.event, fields: s.fields })), EVENT_FIELD, product);
  const overridesOf = new Map(fired.map((shape) => [shape.event, overridesFor(sets, shape.fields, shape.schemaOf)]));
  // Made once before sending, with a generator of its own, so a bad --set stops the run
  // before the first delivery without changing the events of a seeded run.
  const trial = createRandom(random.seed);
  try {
    for (const shape of fired) generateSubhookEvent(shape, { key, random: trial, overrides: overridesOf.get(shape.event) });
  } catch (error) {
    if (!(error instanceof OverrideError)) throw error;
    const hint = error.rule === 'bad-signature' ? '; to send a bad signature on purpose, use --tamper signature' : '';
    throw new FireError(`--set ${error.message}${hint}`, 'invalid-override');
  }

  const deliveries: PlannedDelivery[] = [];
  messages.forEach((names, message) => {
    const steps = subhookTamper ? tamperedSteps(`${product} ${names[0]} ${encoding}`, names[0]!, subhookTamper) : names.map((name, step) => validStep(`${product} ${name} ${encoding}`, name, step));
    steps.forEach((delivery, step) => deliveries.push({ ...delivery, message, step }));
  });
  const source: SubhookSource = { family: 'subhook', to: options.to, product, key, encoding, overrides: overridesOf };
  return { deliveries, seed: random.seed, product, encoding, source, plannedDraws: random.draws };
}

/** The region of a topic URN (`urn:smn:<region>:...`), for an SMN-shaped certificate URL. */
const regionOf = (topicUrn: string): string => topicUrn.split(':')[2] ?? DEFAULT_REGION;

/** Where the test-only certificate is said to be: nowhere real (.invalid), in SMN's shape. */
const TEST_CERT_HOST = 'https://smn.test-only.invalid';

function planSmsCallback(options: FireOptions, eventType: string, sets: Override[], random: Random, count: number): FirePlan {
  const notApplicable = (
    [
      ['--product', options.product],
      ['--encoding', options.encoding],
      ['--scenario', options.scenario],
    ] as const
  ).find(([, value]) => value !== undefined);
  if (notApplicable) {
    throw new FireError(`${notApplicable[0]} applies to SUBHOOK events; ${eventType} is an SMS callback event, sent as an SMN notification (JSON)`);
  }
  const kind = options.tamper;
  if (kind !== undefined && !isSmnTamperKind(kind)) {
    throw new FireError(`--tamper ${kind} applies to SUBHOOK events; ${eventType} is an SMS callback event, which takes ${SMN_TAMPER_KINDS.join(', ')}`);
  }
  const topicUrn = options.topicUrn ?? `urn:smn:${DEFAULT_REGION}:${random.hex(32)}:${DEFAULT_TOPIC_NAME}`;
  const problem = smnResponses().validateSchema('TopicUrn', topicUrn)[0];
  if (problem) throw new FireError(`--topic-urn must be ${problem.expected} (urn:smn:<region>:<32 hex project id>:<topic>), got "${topicUrn}"`);
  const shape = smsCallbackShape(eventType)!;
  checkOverrideFields(sets, [{ name: eventType, fields: shape.fields }], SMS_EVENT_TYPE_FIELD, 'SMS callback event');
  const overrides = overridesFor(sets, shape.fields, shape.schemaOf);
  try {
    generateSmsCallbackEvent(eventType, { random: createRandom(random.seed), overrides });
  } catch (error) {
    if (error instanceof OverrideError) throw new FireError(`--set ${error.message}`, 'invalid-override');
    throw error;
  }
  const signer = options.smnSigner ?? testSmnSigner();
  const signingCertUrl = options.smnCertUrl ?? `${TEST_CERT_HOST}/smn/SMN_${regionOf(topicUrn)}_${signer.certificateId}.pem`;
  // One subscription per run, as SMN sends every message of a topic to a subscriber with the same URN.
  const subscriptionUrn = `${topicUrn}:${random.hex(32)}`;

  const label = `smn ${eventType}`;
  const deliveries: PlannedDelivery[] = [];
  for (let message = 0; message < count; message++) {
    const steps: Step[] = [];
    if (kind === undefined) steps.push({ label, expect: 'accept', recipe: { kind: 'smn-notification' } });
    else steps.push({ label: `${label} tamper ${kind}`, expect: 'refuse', rule: SMN_TAMPER_RULES[kind], recipe: { kind: 'tampered-smn-notification', tamper: kind } });
    steps.forEach((delivery, step) => deliveries.push({ ...delivery, message, step }));
  }
  const source: SmnSource = { family: 'smn', to: options.to, eventType, topicUrn, subscriptionUrn, signingCertUrl, signer, overrides };
  return { deliveries, seed: random.seed, product: 'smn', encoding: 'smn-notification', source, plannedDraws: random.draws };
}
