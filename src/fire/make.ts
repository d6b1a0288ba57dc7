// A plan's deliveries -> the requests that carry them, made one at a time, in order, each
// when it is sent, so that its event's time is current however long the run lasts. What
// carries over from one delivery to the next is all in `Making`: the seed's stream, and
// what the earlier steps of the current message made (a lifecycle's shared data, the
// token a reused-token delivery takes).
import { smnNotification, type SmnNotification } from '../notify/envelope.js';
import { signSmnNotification } from '../notification/index.js';
import type { HttpDelivery } from '../net/deliver.js';
import { createRandom, type Random } from '../generate/random.js';
import { generateSmsCallbackEvent } from '../generate/sms-callback.js';
import { encodeSubhookDelivery } from '../notify/subhook-push.js';
import type { DeliveryRecipe, FirePlan, SmnSource, SubhookSource } from './plan.js';
import { generateSubhookEvent, SIGNATURE_FIELD, subhookEventShape, TOKEN_FIELD, type SubhookEvent } from '../generate/subhook-event.js';
import { STALE_SECONDS, tamper, type SmnTamperKind } from './tamper.js';

/** Who sends, in every request fire makes. */
export const USER_AGENT = 'smn-kit fire';

/** What one step made: its request, and for a SUBHOOK event the event itself. */
interface Made {
  request: HttpDelivery;
  event?: SubhookEvent;
}

/** Where the making of a plan's requests stands. */
export interface Making {
  /** The seed's stream, after the numbers planning drew. */
  random: Random;
  /** The index of the next delivery to make. */
  next: number;
  /** What the steps of the current message made so far, by step. */
  steps: Made[];
}

/** The start of making `plan`'s requests: its seed's stream where planning left it. */
export function startMaking(plan: FirePlan): Making {
  const random = createRandom(plan.seed);
  for (let i = 0; i < plan.plannedDraws; i++) random.next();
  return { random, next: 0, steps: [] };
}

/**
 * The request of the next delivery of `plan`, with `now` (milliseconds) as its event's
 * time; `making` moves on to the delivery after it.
 */
export function makeNext(plan: FirePlan, making: Making, now: number): HttpDelivery {
  const delivery = plan.deliveries[making.next];
  if (!delivery) throw new RangeError(`makeNext: the plan has ${plan.deliveries.length} deliveries, all made`);
  // A message's steps refer to the steps before them, and only those: the rest is let go.
  if (delivery.step === 0) making.steps = [];
  const made = plan.source.family === 'subhook' ? makeSubhook(plan.source, delivery.recipe, now, making) : makeSmn(plan.source, delivery.recipe, now, making);
  making.steps.push(made);
  making.next++;
  return made.request;
}

function makeSubhook(source: SubhookSource, recipe: DeliveryRecipe, now: number, { random, steps }: Making): Made {
  if (recipe.kind !== 'subhook-event' && recipe.kind !== 'tampered-subhook-event') throw new TypeError(`a SUBHOOK plan has no ${recipe.kind} delivery`);
  const shape = subhookEventShape(source.product, recipe.event)!;
  const generate = (shared?: SubhookEvent): SubhookEvent => generateSubhookEvent(shape, { key: source.key, random, now, shared, overrides: source.overrides.get(recipe.event) });
  const encode = (fields: SubhookEvent): HttpDelivery => encodeSubhookDelivery(source.to, fields, source.encoding, random, USER_AGENT);
  if (recipe.kind === 'subhook-event') {
    const event = generate(recipe.sharesWith === undefined ? undefined : steps[recipe.sharesWith]!.event);
    return { request: encode(event), event };
  }
  const earlier = recipe.tokenOf === undefined ? undefined : steps[recipe.tokenOf]!.event!;
  const captured = earlier && { token: earlier[TOKEN_FIELD], signature: earlier[SIGNATURE_FIELD] };
  const tampered = tamper(recipe.tamper, shape, generate(), { key: source.key, random, now, captured });
  return { request: encode(tampered.event) };
}

function makeSmn(source: SmnSource, recipe: DeliveryRecipe, now: number, { random }: Making): Made {
  const notification = (timestamp = now): SmnNotification => {
    const event = generateSmsCallbackEvent(source.eventType, { random, now, overrides: source.overrides });
    return smnNotification(source.topicUrn, event, {
      random,
      timestamp,
      subscriptionUrn: source.subscriptionUrn,
      signingCertUrl: source.signingCertUrl,
      signer: { privateKey: source.signer.privateKey, hash: source.signer.hash },
    });
  };
  const request = (sent: SmnNotification): Made => ({
    request: { method: 'POST', url: source.to, headers: { 'user-agent': USER_AGENT, ...sent.headers }, body: JSON.stringify(sent.body) },
  });
  switch (recipe.kind) {
    case 'smn-notification':
      return request(notification());
    case 'tampered-smn-notification': {
      const old = recipe.tamper === 'stale-timestamp' || recipe.tamper === 'replayed-message';
      const sent = notification(old ? now - STALE_SECONDS * 1000 : now);
      return request(tamperNotification(recipe.tamper, sent, { random, now, source }));
    }
    default:
      throw new TypeError(`an SMN plan has no ${recipe.kind} delivery`);
  }
}

/**
 * A valid, signed notification broken the way `kind` says, so that only the rule the
 * kind names is broken (a changed field is well formed; a stale timestamp is signed).
 */
function tamperNotification(kind: SmnTamperKind, sent: SmnNotification, context: { random: Random; now: number; source: SmnSource }): SmnNotification {
  const { random, now, source } = context;
  const body: Record<string, unknown> = { ...sent.body };
  const headers = { ...sent.headers };
  switch (kind) {
    case 'signature': {
      // A real signature by the right key, of another message: only verifying it finds it.
      const other = signSmnNotification({ ...sent.body, message_id: random.hex(32) }, source.signer.privateKey, { hash: source.signer.hash });
      body.signature = other.signature;
      break;
    }
    case 'changed-field':
      // Another event of the same type, still valid against its schema: only the signature no longer fits.
      body.message = JSON.stringify(generateSmsCallbackEvent(source.eventType, { random, now, overrides: source.overrides }));
      break;
    case 'header-mismatch':
      headers['X-SMN-MESSAGE-ID'] = random.hex(32);
      break;
    case 'missing-field':
      delete body.signature_version;
      break;
    case 'stale-timestamp':
    case 'replayed-message':
      // Signed when it was made, a day ago: nothing but its age is wrong.
      break;
  }
  return { headers, body: body as unknown as SmnNotification['body'] };
}
