// The checks of a SUBHOOK receiver (`--product sms|intersms`): every event of the
// product in every encoding SUBMAIL uses, the vendor's value variants, the forgeries a
// receiver must refuse, malformed input, and the time it takes to answer. SUBMAIL's
// console sets one encoding per receiver ("POST or GET"; form, JSON or multipart):
// `--encoding` names the ones a receiver takes, and without it an encoding the receiver
// refuses as a whole (every valid push 4xx, while it takes another) is a warning, not a
// failure; the forgeries are sent in an encoding it takes, where a refusal means
// something. The events,
// their fields and the encodings come from the contract (spec/subhook/**, through
// generate/subhook-event.ts and notify/subhook-push.ts); nothing here names an event.
import { createRandom, type Random } from '../../generate/random.js';
import { EVENT_FIELD, generateSubhookEvent, isDataField, SIGNATURE_FIELD, subhookEventNames, subhookEventShape, TIMESTAMP_FIELD, TOKEN_FIELD, type SubhookEvent, type SubhookEventShape } from '../../generate/subhook-event.js';
import { overridesFor, type Override } from '../../generate/overrides.js';
import { OverrideError } from '../../generate/sms-callback.js';
import { typesOf, valueFor } from '../../generate/values.js';
import type { HttpDelivery } from '../../net/deliver.js';
import { encodeSubhookDelivery, SUBHOOK_ENCODINGS, type SubhookEncoding } from '../../notify/subhook-push.js';
import { subhookContract } from '../../subhook/contract.js';
import { signSubhook } from '../../subhook/signature.js';
import { errored, expectAccepted, expectClientError, expectRefused, failed, kitRule, sentAndGot, skipped, warned, type ReceiverCheck, type ReceiverCheckContext, type ReceiverOutcome } from './check.js';
import { answersInTime } from './timing.js';
import { is2xx, is4xx, USER_AGENT, type Answer, type Sent } from './sender.js';

/** A day: far outside any window a receiver keeps for timestamps (Standard Webhooks: 5 minutes). */
export const STALE_SECONDS = 24 * 60 * 60;

/** The size of the oversized body: 1 MiB, far past any SUBHOOK push (a few hundred bytes). */
export const OVERSIZED_BYTES = 1024 * 1024;

export interface SubhookReceiverOptions {
  url: URL;
  product: string;
  /** The SUBHOOK key the receiver checks signatures with. */
  key: string;
  /**
   * The encodings the receiver takes (`--encoding`), each of which must take every valid
   * push; none given: every encoding SUBMAIL uses is sent, and one refused as a whole is a warning.
   */
  encodings?: readonly SubhookEncoding[];
  /** Values of data fields the receiver expects (`--set app=10495`: its own app), in every push of an event that has the field. */
  sets?: readonly Override[];
}

/**
 * Why `--set` (parsed: each field once) cannot be used for the product's pushes, or
 * undefined: a field no event of the product has, a field the checks make themselves (the
 * event's name, the token, the signature, the timestamp), or a value an event's schema refuses.
 */
export function receiverOverrideProblem(product: string, sets: readonly Override[]): string | undefined {
  const shapes = subhookEventNames(product).map((event) => subhookEventShape(product, event)!);
  for (const { field } of sets) {
    if (!isDataField(field)) return `--set ${field}: the checks make ${field} themselves (signed pushes, stale and replayed ones); set a data field, such as app`;
    if (!shapes.some((shape) => shape.fields.includes(field))) return `--set ${field}: no ${product} event has a field "${field}"`;
  }
  for (const shape of shapes) {
    try {
      generateSubhookEvent(shape, { key: 'trial', random: createRandom(1), overrides: overridesFor(sets, shape.fields, shape.schemaOf) });
    } catch (error) {
      if (error instanceof OverrideError) return `--set ${error.message}`;
      throw error;
    }
  }
  return undefined;
}

/** How an encoding's valid pushes were answered. */
interface EncodingTally {
  judged: number;
  accepted: number;
  clientErrors: number;
}

const ENCODING_WORDS: Record<SubhookEncoding, string> = { form: 'form', json: 'JSON', multipart: 'multipart', get: 'GET' };

const ACCEPT_VALID = 'SUBMAIL pushes its events so (the encoding is chosen in its console); a receiver that refuses a valid push loses the event, since the vendor documents a 2xx answer and nothing else';
const SIGNATURE_RULE = 'signature = md5(token + key), which the receiver recomputes and compares (the vendor\'s rule): a receiver that accepts this takes events from anyone';
const REPLAY_RISK = 'the vendor signs the token and the key only, so a token and signature seen once (in a log, a proxy, a GET URL) authenticate any body later: a receiver that remembers the tokens it accepted refuses them again';

/** The keyword of a field that one vendor document lists for the event and another does not. */
const DISPUTED = 'x-not-in-every-document';

/** The event's fields that not every vendor document lists. */
const disputedFields = (shape: SubhookEventShape): string[] => shape.fields.filter((field) => shape.schemaOf(field)[DISPUTED] !== undefined);

/** The push without the fields not every vendor document lists (the signature stays: it signs the token only). */
function lean(shape: SubhookEventShape, event: SubhookEvent): SubhookEvent {
  const rest = { ...event };
  for (const field of disputedFields(shape)) delete rest[field];
  return rest;
}

/** The fields of another event or product that this event lacks: what a newer vendor release may add to it. */
function newerField(shape: SubhookEventShape, random: Random): { field: string; value: unknown } | undefined {
  const products = [...subhookContract().keys()];
  // The same event in another product first (the international `delivered` carries content, template_id), then any event.
  const sameEvent = products.filter((product) => product !== shape.product).map((product) => subhookEventShape(product, shape.event));
  const anyEvent = products.flatMap((product) => subhookEventNames(product).map((event) => subhookEventShape(product, event)));
  for (const other of [...sameEvent, ...anyEvent]) {
    const field = other?.fields.find((name) => !shape.fields.includes(name));
    if (other && field !== undefined) return { field, value: valueFor(other.schemaOf(field), random) };
  }
  return undefined;
}

/** The event with every number its schema also allows as a string sent as a string, as the vendor's template samples send timestamp. */
function numbersAsStrings(shape: SubhookEventShape, event: SubhookEvent): { event: SubhookEvent; fields: string[] } {
  const fields = shape.fields.filter((field) => typeof event[field] === 'number' && typesOf(shape.schemaOf(field)).includes('string'));
  return { event: { ...event, ...Object.fromEntries(fields.map((field) => [field, String(event[field])])) }, fields };
}

export function subhookChecks(options: SubhookReceiverOptions): ReceiverCheck[] {
  const { url, product, key } = options;
  const encodings = options.encodings ?? SUBHOOK_ENCODINGS;
  const random = createRandom();
  const events = subhookEventNames(product);
  const shapeOf = (event: string): SubhookEventShape => subhookEventShape(product, event)!;
  /** A valid push with every field the spec gives the event. */
  const full = (shape: SubhookEventShape): SubhookEvent => generateSubhookEvent(shape, { key, random, overrides: overridesFor(options.sets ?? [], shape.fields, shape.schemaOf) });
  // Where the vendor's documents disagree on an event's fields (`x-not-in-every-document`),
  // a receiver written from the one that leaves a field out may refuse it: the valid push
  // is then sent again without those fields, and its acceptance is a warning naming both
  // documents, not a failure. The checks after the valid pushes then send such pushes.
  let leanPushes = false;
  const valid = (shape: SubhookEventShape): SubhookEvent => (leanPushes ? lean(shape, full(shape)) : full(shape));
  const encode = (fields: SubhookEvent, encoding: SubhookEncoding): HttpDelivery => encodeSubhookDelivery(url, fields, encoding, random, USER_AGENT);
  const send = (context: ReceiverCheckContext, request: HttpDelivery, what: string): Promise<Sent> => context.sender.send(request, what);
  const described = (event: string, encoding: SubhookEncoding, how: string): string => `${how} ${product} ${event} event, ${encoding === 'get' ? 'GET, fields in the query' : `POST ${encoding}`}`;
  const checks: ReceiverCheck[] = [];

  const tallies = new Map<SubhookEncoding, EncodingTally>(encodings.map((encoding) => [encoding, { judged: 0, accepted: 0, clientErrors: 0 }]));
  const tally = (encoding: SubhookEncoding): EncodingTally => tallies.get(encoding)!;
  const count = (encoding: SubhookEncoding, answer: Answer): void => {
    const t = tally(encoding);
    t.judged++;
    if (is2xx(answer)) t.accepted++;
    else if (is4xx(answer)) t.clientErrors++;
  };
  const allJudged = (): boolean => encodings.every((encoding) => tally(encoding).judged === events.length);
  /** Every valid push of the encoding refused with a 4xx, while another encoding took some: the receiver is set to another. */
  const notTaken = (encoding: SubhookEncoding): boolean =>
    tally(encoding).clientErrors === events.length && encodings.some((other) => other !== encoding && tally(other).accepted > 0);
  const taking = (): SubhookEncoding[] => encodings.filter((encoding) => tally(encoding).accepted > 0);
  /** The encoding the checks after the valid pushes use: one that took every valid push, else one that took some. */
  const takenEncoding = (): SubhookEncoding | undefined =>
    encodings.find((encoding) => tally(encoding).accepted === events.length) ?? encodings.find((encoding) => tally(encoding).accepted > 0);
  const NONE_TAKEN = 'no verdict: the receiver took no valid push in any encoding, so a refusal here would prove nothing';

  for (const encoding of encodings) {
    for (const event of events) {
      checks.push({
        name: 'valid_event_accepted',
        operation: `${product} ${event} ${encoding}`,
        run: async (context): Promise<ReceiverOutcome> => {
          const shape = shapeOf(event);
          const pushed = full(shape);
          const sent = await send(context, encode(pushed, encoding), described(event, encoding, 'a valid, signed'));
          const disputed = disputedFields(shape).filter((field) => field in pushed);
          if (disputed.length > 0 && is4xx(sent.answer)) {
            const without = await send(context, encode(lean(shape, pushed), encoding), described(event, encoding, `then without ${disputed.join(', ')}, a valid, signed`));
            if (is2xx(without.answer)) {
              count(encoding, without.answer);
              leanPushes = true;
              // The fields that one note covers, named once with it.
              const notes = new Map<string, string[]>();
              for (const field of disputed) {
                const note = String(shape.schemaOf(field)[DISPUTED]);
                notes.set(note, [...(notes.get(note) ?? []), field]);
              }
              const documents = [...notes].map(([note, fields]) => `${fields.join(', ')}: ${note}`).join(' ');
              return warned(context, `${sentAndGot(sent)}; ${sentAndGot(without)}: it refuses ${disputed.join(' and ')}, which the vendor's documents disagree on (${documents}) A push with them is what the fuller document describes: accept the fields you do not use`, sent);
            }
          }
          count(encoding, sent.answer);
          const verdict = expectAccepted(context, sent, ACCEPT_VALID);
          // Encodings the user named must each take every push; an encoding merely tried may be one the receiver is not set to.
          if (verdict.status !== 'fail' || options.encodings || !is4xx(sent.answer)) return verdict;
          return {
            ready: allJudged,
            verdict: () => {
              if (!notTaken(encoding)) return verdict;
              const others = taking().filter((other) => other !== encoding);
              // Said once per encoding, at its first event; the others point there.
              if (event !== events[0]) return kitRule(context, `${sentAndGot(sent)}: this receiver takes no ${ENCODING_WORDS[encoding]} pushes (see ${product} ${events[0]!} ${encoding})`);
              return kitRule(
                context,
                `${sentAndGot(sent)}: this receiver takes no ${ENCODING_WORDS[encoding]} pushes (all ${events.length} valid ones got 4xx) and takes ${others.map((other) => ENCODING_WORDS[other]).join(', ')}; ` +
                  `fine if SUBMAIL's console is set to send it ${others.length > 1 ? 'one of those' : 'that'} (the receiver chooses there: POST or GET; form, JSON or multipart): say so with --encoding ${others.join(',')}, and any refusal there fails`,
                sent,
              );
            },
          };
        },
      });
    }
  }

  for (const event of events) {
    if (!encodings.includes('json')) break;
    const shape = shapeOf(event);
    const probe = numbersAsStrings(shape, valid(shape));
    if (probe.fields.length === 0) continue;
    checks.push({
      name: 'string_values_accepted',
      operation: `${product} ${event} json`,
      run: async (context) => {
        if (tally('json').judged === events.length && tally('json').accepted === 0) return skipped('the receiver took no valid JSON push; in the other encodings every value is a string already');
        const variant = numbersAsStrings(shape, valid(shape));
        const sent = await send(context, encode(variant.event, 'json'), described(event, 'json', `a valid, signed (${variant.fields.join(', ')} as strings)`));
        return expectAccepted(context, sent, 'the vendor\'s samples send these as strings too (timestamp in the template events), and every value is a string in its other encodings');
      },
    });
  }

  // The checks after the valid pushes send in an encoding the receiver took (form first,
  // what most receivers read): a refusal in one it does not take would say nothing of the
  // receiver's checks. The operation names the encoding used; none taken: no verdict.
  const inTakenEncoding = (name: string, event: string, run: (context: ReceiverCheckContext, encoding: SubhookEncoding) => Promise<ReceiverOutcome>): ReceiverCheck => {
    const check: ReceiverCheck = {
      name,
      operation: `${product} ${event} ${encodings[0]!}`,
      run: (context) => {
        const encoding = takenEncoding();
        if (!encoding) return Promise.resolve(errored(context, NONE_TAKEN));
        check.operation = `${product} ${event} ${encoding}`;
        return run(context, encoding);
      },
    };
    return check;
  };

  for (const event of events) {
    const shape = shapeOf(event);
    const extra = newerField(shape, random);
    if (!extra) continue;
    checks.push(
      inTakenEncoding('newer_field_accepted', event, async (context, encoding) => {
        const sent = await send(context, encode({ ...valid(shape), [extra.field]: extra.value }, encoding), described(event, encoding, `a valid, signed (with "${extra.field}", a field ${event} does not list)`));
        if (is2xx(sent.answer) || !('status' in sent.answer)) return expectAccepted(context, sent, '');
        const why = `other SUBHOOK events carry "${extra.field}": a newer vendor release may add a field to any event, and a receiver that refuses one then loses every push`;
        if (sent.answer.status >= 500) return failed(context, `${sentAndGot(sent)}: the receiver fails on a field it does not know; ${why}`, sent);
        return kitRule(context, `${sentAndGot(sent)}: refused; ${why}`, sent);
      }),
    );
  }

  // Forgeries and replays: the first event of the product.
  const forged = shapeOf(events[0]!);
  // Each breaks the signature rule, which the vendor documents: accepting one is a failure.
  const forge = (name: string, what: string, change: (event: SubhookEvent) => SubhookEvent): ReceiverCheck =>
    inTakenEncoding(name, forged.event, async (context, encoding) => {
      const sent = await send(context, encode(change(valid(forged)), encoding), described(forged.event, encoding, what));
      return expectRefused(context, sent, (message) => failed(context, `${message}; ${SIGNATURE_RULE}`, sent));
    });
  checks.push(
    forge('wrong_signature_refused', 'an otherwise valid (its signature 32 hex digits that are no md5 of the token and key)', (event) => ({ ...event, [SIGNATURE_FIELD]: random.hex(32) })),
    forge('foreign_key_signature_refused', 'an otherwise valid (signed with another key: md5(token + another key))', (event) => ({ ...event, [SIGNATURE_FIELD]: signSubhook(String(event[TOKEN_FIELD]), `${key}-another-key-${random.hex(8)}`) })),
    forge('missing_token_refused', 'an otherwise valid (no token)', (event) => withoutField(event, TOKEN_FIELD)),
    forge('missing_signature_refused', 'an otherwise valid (no signature)', (event) => withoutField(event, SIGNATURE_FIELD)),
  );

  checks.push(
    inTakenEncoding('reused_signature_refused', forged.event, async (context, encoding) => {
      const first = valid(forged);
      const original = await send(context, encode(first, encoding), described(forged.event, encoding, 'a valid, signed'));
      if (!is2xx(original.answer)) return errored(context, `${sentAndGot(original)}: no verdict, as the valid delivery that gives the token was not accepted`, original);
      // Another event: new data, the captured token and signature.
      const other = { ...valid(forged), [TOKEN_FIELD]: first[TOKEN_FIELD], [SIGNATURE_FIELD]: first[SIGNATURE_FIELD] };
      const reused = await send(context, encode(other, encoding), described(forged.event, encoding, 'then another (other values) with the token and signature of that one:'));
      return expectRefused(context, reused, (message) => kitRule(context, `${message}; ${REPLAY_RISK}`, original, reused));
    }),
  );

  const dated = events.map(shapeOf).find((shape) => shape.fields.includes(TIMESTAMP_FIELD));
  if (dated) {
    checks.push(
      inTakenEncoding('stale_timestamp_refused', dated.event, async (context, encoding) => {
        const event = { ...valid(dated), [TIMESTAMP_FIELD]: Math.floor(Date.now() / 1000) - STALE_SECONDS };
        const sent = await send(context, encode(event, encoding), described(dated.event, encoding, 'a signed (its timestamp a day old)'));
        const why = 'the vendor neither signs the timestamp nor asks receivers to check it, so this receiver may keep no window; one that does (Standard Webhooks keeps 5 minutes) refuses pushes an attacker replays later';
        return expectRefused(context, sent, (message) => kitRule(context, `${message}; ${why}`, sent));
      }),
    );
  }

  checks.push(
    inTakenEncoding('replayed_token_refused', forged.event, async (context, encoding) => {
      const request = encode(valid(forged), encoding);
      const original = await send(context, request, described(forged.event, encoding, 'a valid, signed'));
      if (!is2xx(original.answer)) return errored(context, `${sentAndGot(original)}: no verdict, as the valid delivery to replay was not accepted`, original);
      const again = await send(context, request, 'the very same push again, token and signature included');
      return expectRefused(context, again, (message) => kitRule(context, `${message}; ${REPLAY_RISK}`, original, again));
    }),
  );

  checks.push(...malformedChecks(url, product, forged, random), answersInTime(product, 'SUBMAIL documents no timeout; a receiver answers at once and works after'));
  return checks;
}

function withoutField(event: SubhookEvent, field: string): SubhookEvent {
  const rest = { ...event };
  delete rest[field];
  return rest;
}

/** Deliveries no sender would send: each must get a 4xx, never a 2xx, a 5xx or no answer. None carries a valid signature. */
function malformedChecks(url: URL, product: string, shape: SubhookEventShape, random: Random): ReceiverCheck[] {
  const { event } = shape;
  // A field of the event's own that carries data, to hold the broken bytes.
  const field = shape.fields.find(isDataField) ?? EVENT_FIELD;
  const post = (contentType: string, body: string | Buffer): HttpDelivery => ({ method: 'POST', url, headers: { 'user-agent': USER_AGENT, 'content-type': contentType }, body });
  const check = (name: string, what: string, request: () => HttpDelivery): ReceiverCheck => ({
    name,
    operation: `${product} malformed`,
    run: async (context) => expectClientError(context, await context.sender.send(request(), what)),
  });
  return [
    check('malformed_form_refused', 'a form whose percent-escapes are broken (%E0%A4%A, %, %ZZ)', () => post('application/x-www-form-urlencoded', `${EVENT_FIELD}=${event}&${field}=%E0%A4%A&${TOKEN_FIELD}=%&${SIGNATURE_FIELD}=%ZZ`)),
    check('malformed_json_refused', 'a JSON body cut off in the middle', () => post('application/json', `{"${EVENT_FIELD}":"${event}","${TOKEN_FIELD}":`)),
    {
      name: 'oversized_body_refused',
      operation: `${product} malformed`,
      run: async (context) => {
        // On a connection of its own: a receiver that answers before reading the whole body
        // leaves the rest of it on the connection, where the next delivery would wait behind it.
        const request = { ...post('application/x-www-form-urlencoded', Buffer.alloc(OVERSIZED_BYTES, 'a')), headers: { 'user-agent': USER_AGENT, 'content-type': 'application/x-www-form-urlencoded', connection: 'close' } };
        const sent = await context.sender.send(request, `a form of ${OVERSIZED_BYTES} bytes (no push is more than a few hundred)`);
        // A body limit may be enforced by closing the connection mid-upload: not an answer, but no crash either (the next deliveries tell).
        if (!('status' in sent.answer) && sent.answer.failure === 'no-answer' && /^(ECONNRESET|EPIPE)$/.test(sent.answer.reason)) {
          return kitRule(context, `${sentAndGot(sent)}: the receiver closed the connection instead of answering 413; fine if it enforces a body limit so, not if it crashed (the checks after this one tell)`, sent);
        }
        return expectClientError(context, sent);
      },
    },
    check('invalid_utf8_refused', `a JSON body whose ${field} is not UTF-8 (bytes C3 28 FF), with a random token and signature`, () =>
      post('application/json', Buffer.concat([Buffer.from(`{"${EVENT_FIELD}":"${event}","${field}":"`), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(`","${TOKEN_FIELD}":"${random.hex(32)}","${SIGNATURE_FIELD}":"${random.hex(32)}"}`)])),
    ),
  ];
}
