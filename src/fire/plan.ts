// What `smn-kit fire` will send, decided and checked before anything is sent: the
// deliveries in order, each with what its answer should be. Each delivery's event is
// made when it is sent, so its timestamp is current however long the run lasts; the
// order of making them is fixed, so a seeded run makes the same events every time.
import { smnResponses } from '../contract/smn-responses.js';
import { smnNotification, type SmnNotification } from '../notify/envelope.js';
import { signSmnNotification } from '../notification/index.js';
import type { HttpDelivery } from '../net/deliver.js';
import { DEFAULT_ENCODING, encodeSubhookDelivery, USER_AGENT, type SubhookEncoding } from './encode.js';
import { FireError } from './errors.js';
import { checkOverrideFields, overridesFor, parseOverrides, type Override } from './overrides.js';
import { createRandom, type Random } from '../generate/random.js';
import { checkLifecycle, lifecycleEvents, type Scenario } from './scenario.js';
import { generateSmsCallbackEvent, OverrideError, SMS_EVENT_TYPE_FIELD, smsCallbackEventTypes, smsCallbackShape } from '../generate/sms-callback.js';
import {
  EVENT_FIELD,
  generateSubhookEvent,
  SIGNATURE_FIELD,
  subhookEventNames,
  subhookEventShape,
  subhookProductIds,
  TOKEN_FIELD,
  type SubhookEvent,
  type SubhookEventShape,
} from './subhook-event.js';
import { isSmnTamperKind, isSubhookTamperKind, SMN_TAMPER_KINDS, SMN_TAMPER_RULES, STALE_SECONDS, TAMPER_KINDS, TAMPER_RULES, tamper, type SmnTamperKind, type TamperKind } from './tamper.js';
import { testSmnSigner, type SmnSigner } from './smn-signer.js';

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

export interface PlannedDelivery {
  /** What is sent, for the delivery line: `sms request form`, `smn sms_reply_event`... */
  label: string;
  /** `accept`: the answer should be 2xx; `refuse`: a tampered delivery, the answer should not be. */
  expect: 'accept' | 'refuse';
  /** For a tampered delivery: the rule it breaks, as smn-kit names it (its SUBHOOK or SMN notification library, listen). */
  rule?: string;
  /** Makes the request, with `now` (milliseconds) as the event's time. */
  build(now: number): HttpDelivery;
}

export interface FirePlan {
  deliveries: PlannedDelivery[];
  seed: number;
  /** `sms`, `intersms`... or `smn` for SMS callback events. */
  product: string;
  encoding: SubhookEncoding | 'smn-notification';
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
  );
}

function checkKey(key: string | undefined): string {
  if (key === undefined || key.length === 0) {
    throw new FireError('--key is required for SUBHOOK events: the SUBHOOK secret signs each one (signature = md5(token + key))');
  }
  return key;
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
  const key = checkKey(options.key);
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

  const shapeOf = (name: string): SubhookEventShape => subhookEventShape(product, name)!;
  const fired = [...new Set(messages.flat())].map(shapeOf);
  checkOverrideFields(sets, fired.map((s) => ({ name: s.event, fields: s.fields })), EVENT_FIELD, product);
  const overridesOf = new Map(fired.map((shape) => [shape.event, overridesFor(sets, shape.fields, shape.schemaOf)]));
  // Made once before sending, with a generator of its own, so a bad --set stops the run
  // before the first delivery without changing the events of a seeded run.
  const trial = createRandom(random.seed);
  for (const shape of fired) generateSubhookEvent(shape, { key, random: trial, overrides: overridesOf.get(shape.event) });

  const generate = (shape: SubhookEventShape, now: number, shared?: SubhookEvent): SubhookEvent =>
    generateSubhookEvent(shape, { key, random, now, shared, overrides: overridesOf.get(shape.event) });
  const encode = (fields: SubhookEvent): HttpDelivery => encodeSubhookDelivery(options.to, fields, encoding, random);

  const deliveries: PlannedDelivery[] = [];
  for (const message of messages) {
    let first: SubhookEvent | undefined;
    for (const name of message) {
      const shape = shapeOf(name);
      const label = `${product} ${name} ${encoding}`;
      if (!subhookTamper) {
        deliveries.push({
          label,
          expect: 'accept',
          build(now) {
            const fields = generate(shape, now, first);
            first ??= fields;
            return encode(fields);
          },
        });
        continue;
      }
      const kind = subhookTamper;
      let captured: { token: unknown; signature: unknown } | undefined;
      if (kind === 'reused-token') {
        deliveries.push({
          label: `${label} (valid, its token is reused next)`,
          expect: 'accept',
          build(now) {
            const fields = generate(shape, now);
            captured = { token: fields[TOKEN_FIELD], signature: fields[SIGNATURE_FIELD] };
            return encode(fields);
          },
        });
      }
      deliveries.push({
        label: `${label} tamper ${kind}`,
        expect: 'refuse',
        rule: TAMPER_RULES[kind],
        build(now) {
          const tampered = tamper(kind, shape, generate(shape, now), { key, random, now, captured });
          return encode(tampered.event);
        },
      });
    }
  }
  return { deliveries, seed: random.seed, product, encoding };
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
    if (error instanceof OverrideError) throw new FireError(`--set ${error.message}`);
    throw error;
  }
  const signer = options.smnSigner ?? testSmnSigner();
  const signingCertUrl = options.smnCertUrl ?? `${TEST_CERT_HOST}/smn/SMN_${regionOf(topicUrn)}_${signer.certificateId}.pem`;
  // One subscription per run, as SMN sends every message of a topic to a subscriber with the same URN.
  const subscriptionUrn = `${topicUrn}:${random.hex(32)}`;

  const notification = (now: number, changes: { timestamp?: number; messageId?: string } = {}): SmnNotification => {
    const event = generateSmsCallbackEvent(eventType, { random, now, overrides });
    return smnNotification(topicUrn, event, {
      random,
      timestamp: changes.timestamp ?? now,
      messageId: changes.messageId,
      subscriptionUrn,
      signingCertUrl,
      signer: { privateKey: signer.privateKey, hash: signer.hash },
    });
  };
  const request = (sent: SmnNotification): HttpDelivery => ({ method: 'POST', url: options.to, headers: { 'user-agent': USER_AGENT, ...sent.headers }, body: JSON.stringify(sent.body) });
  const label = `smn ${eventType}`;

  const deliveries: PlannedDelivery[] = [];
  for (let i = 0; i < count; i++) {
    if (kind === undefined) {
      deliveries.push({ label, expect: 'accept', build: (now) => request(notification(now)) });
      continue;
    }
    let first: HttpDelivery | undefined;
    if (kind === 'replayed-message') {
      deliveries.push({
        label: `${label} (valid, sent again next)`,
        expect: 'accept',
        build: (now) => (first = request(notification(now))),
      });
    }
    deliveries.push({
      label: `${label} tamper ${kind}`,
      expect: 'refuse',
      rule: SMN_TAMPER_RULES[kind],
      build(now) {
        if (kind === 'replayed-message') return first!;
        return request(tamperNotification(kind, notification(now, kind === 'stale-timestamp' ? { timestamp: now - STALE_SECONDS * 1000 } : {}), { random, now, signer, eventType, overrides }));
      },
    });
  }
  return { deliveries, seed: random.seed, product: 'smn', encoding: 'smn-notification' };
}

/**
 * A valid, signed notification broken the way `kind` says, so that only the rule the
 * kind names is broken (a changed field is well formed; a stale timestamp is signed).
 */
function tamperNotification(
  kind: Exclude<SmnTamperKind, 'replayed-message' | 'stale-timestamp'> | 'stale-timestamp',
  sent: SmnNotification,
  context: { random: Random; now: number; signer: SmnSigner; eventType: string; overrides: Record<string, unknown> },
): SmnNotification {
  const body: Record<string, unknown> = { ...sent.body };
  const headers = { ...sent.headers };
  switch (kind) {
    case 'signature': {
      // A real signature by the right key, of another message: only verifying it finds it.
      const other = signSmnNotification({ ...sent.body, message_id: context.random.hex(32) }, context.signer.privateKey, { hash: context.signer.hash });
      body.signature = other.signature;
      break;
    }
    case 'changed-field':
      // Another event of the same type, still valid against its schema: only the signature no longer fits.
      body.message = JSON.stringify(generateSmsCallbackEvent(context.eventType, { random: context.random, now: context.now, overrides: context.overrides }));
      break;
    case 'header-mismatch':
      headers['X-SMN-MESSAGE-ID'] = context.random.hex(32);
      break;
    case 'missing-field':
      delete body.signature_version;
      break;
    case 'stale-timestamp':
      break;
  }
  return { headers, body: body as unknown as SmnNotification['body'] };
}
