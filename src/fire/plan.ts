// What `smn-kit fire` will send, decided and checked before anything is sent: the
// deliveries in order, each with what its answer should be. Each delivery's event is
// made when it is sent, so its timestamp is current however long the run lasts; the
// order of making them is fixed, so a seeded run makes the same events every time.
import { smnResponses } from '../contract/smn-responses.js';
import { smnNotification } from '../notify/envelope.js';
import type { HttpDelivery } from './deliver.js';
import { DEFAULT_ENCODING, encodeSubhookDelivery, USER_AGENT, type SubhookEncoding } from './encode.js';
import { FireError } from './errors.js';
import { checkOverrideFields, overridesFor, parseOverrides, type Override } from './overrides.js';
import { createRandom, type Random } from './random.js';
import { checkLifecycle, lifecycleEvents, type Scenario } from './scenario.js';
import { generateSmsCallbackEvent, SMS_EVENT_TYPE_FIELD, smsCallbackEventTypes, smsCallbackShape } from './sms-callback.js';
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
import { TAMPER_RULES, tamper, type TamperKind } from './tamper.js';

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
  tamper?: TamperKind;
  /** For SMS callback events: the topic the envelope comes from. */
  topicUrn?: string;
}

export interface PlannedDelivery {
  /** What is sent, for the delivery line: `sms request form`, `smn sms_reply_event`... */
  label: string;
  /** `accept`: the answer should be 2xx; `refuse`: a tampered delivery, the answer should not be. */
  expect: 'accept' | 'refuse';
  /** For a tampered delivery: the rule it breaks, as smn-kit's SUBHOOK library names it. */
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
      if (!options.tamper) {
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
      const kind = options.tamper;
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

function planSmsCallback(options: FireOptions, eventType: string, sets: Override[], random: Random, count: number): FirePlan {
  const notApplicable = (
    [
      ['--product', options.product],
      ['--encoding', options.encoding],
      ['--scenario', options.scenario],
      ['--tamper', options.tamper],
    ] as const
  ).find(([, value]) => value !== undefined);
  if (notApplicable) {
    throw new FireError(`${notApplicable[0]} applies to SUBHOOK events; ${eventType} is an SMS callback event, sent as an SMN notification (JSON)`);
  }
  const topicUrn = options.topicUrn ?? `urn:smn:${DEFAULT_REGION}:${random.hex(32)}:${DEFAULT_TOPIC_NAME}`;
  const problem = smnResponses().validateSchema('TopicUrn', topicUrn)[0];
  if (problem) throw new FireError(`--topic-urn must be ${problem.expected} (urn:smn:<region>:<32 hex project id>:<topic>), got "${topicUrn}"`);
  const shape = smsCallbackShape(eventType)!;
  checkOverrideFields(sets, [{ name: eventType, fields: shape.fields }], SMS_EVENT_TYPE_FIELD, 'SMS callback event');
  const overrides = overridesFor(sets, shape.fields, shape.schemaOf);
  generateSmsCallbackEvent(eventType, { random: createRandom(random.seed), overrides });

  const deliveries: PlannedDelivery[] = Array.from({ length: count }, () => ({
    label: `smn ${eventType}`,
    expect: 'accept',
    build(now: number): HttpDelivery {
      const event = generateSmsCallbackEvent(eventType, { random, now, overrides });
      const notification = smnNotification(topicUrn, event, { random, timestamp: now });
      return { method: 'POST', url: options.to, headers: { 'user-agent': USER_AGENT, ...notification.headers }, body: JSON.stringify(notification.body) };
    },
  }));
  return { deliveries, seed: random.seed, product: 'smn', encoding: 'smn-notification' };
}
