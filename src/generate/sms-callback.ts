// Realistic SMS callback events, as SMN publishes them to the topic bound to an event
// type (`sms_success_event`, `sms_fail_event`, `sms_reply_event`). The event types, the
// fields and the look of the values come from spec/smn.openapi.yaml: the branches of
// `SmsCallbackMessage` and each branch's example. Times are now; ids are new.
import { SMS_CALLBACK_SCHEMA, SMS_EVENT_TYPE_FIELD, smsCallbackEventTypes, smsCallbackShape } from '../contract/sms-callback.js';
import { smnResponses, type SmnResponses } from '../contract/smn-responses.js';
import { createRandom, type Random } from './random.js';
import { isoSeconds, valueFor, vary, type ValueSchema } from './values.js';

export { SMS_CALLBACK_SCHEMA, SMS_EVENT_TYPE_FIELD, smsCallbackEventTypes, smsCallbackShape } from '../contract/sms-callback.js';
export type { SmsCallbackShape } from '../contract/sms-callback.js';

// A failed delivery receipt. The spec documents `status` as 1 delivered, 0 failed, and
// leaves `status_desc` open while naming CMPP states: a failed receipt gets status 0
// and one of the CMPP final states other than DELIVRD.
const FAILED_RECEIPT = 'sms_fail_event';
const FAILED_STATUS = 0;
const CMPP_FAILURE_STATES = ['UNDELIV', 'EXPIRED', 'REJECTD', 'DELETED', 'UNKNOWN'];

// Shared by calls without options.random, so their ids come from one stream.
let unseeded: Random | undefined;

export interface GenerateSmsCallbackOptions {
  /** Default: one unseeded generator shared by all calls. */
  random?: Random;
  /** The clock in milliseconds (default now): the latest time of the event. */
  now?: number;
  /** Values that replace the generated ones, already of the right JSON type. */
  overrides?: Record<string, unknown>;
  /** The contract whose event shapes and schemas make and check the event (default: the kit's). */
  responses?: SmnResponses;
}

/** An override that makes an event invalid (an SMS callback event, a SUBHOOK event): the message starts with the field's name. */
export class OverrideError extends Error {
  override readonly name = 'OverrideError';
  readonly code = 'invalid-override';
  constructor(
    readonly field: string,
    message: string,
    /** The rule the value breaks, as the validator names it. */
    readonly rule?: string,
  ) {
    super(message);
  }
}

const isDateTime = (schema: ValueSchema): boolean => schema.format === 'date-time';

/**
 * A realistic event of `eventType`, valid against `SmsCallbackMessage`: the fields of the
 * spec's example for its schema (and any other required field), with new ids, the
 * example's times moved so that the latest is `now` (a receipt's submit_time stays
 * before its deliver_time), and the overrides. Throws an OverrideError naming the field
 * when an override makes the event invalid, a TypeError for an event type the spec lacks.
 */
export function generateSmsCallbackEvent(eventType: string, options: GenerateSmsCallbackOptions = {}): Record<string, unknown> {
  const responses = options.responses ?? smnResponses();
  const shape = smsCallbackShape(eventType, responses);
  if (!shape) throw new TypeError(`generateSmsCallbackEvent: "${eventType}" is not one of ${smsCallbackEventTypes(responses).join(', ')}`);
  const random = options.random ?? (unseeded ??= createRandom());
  const now = options.now ?? Date.now();
  const times = shape.fields.filter((f) => isDateTime(shape.schemaOf(f)) && typeof shape.example[f] === 'string').map((f) => Date.parse(shape.example[f] as string));
  const latest = Math.max(...times.filter(Number.isFinite));

  const event: Record<string, unknown> = {};
  for (const field of shape.fields) {
    const schema = shape.schemaOf(field);
    const example = shape.example[field];
    if (field === SMS_EVENT_TYPE_FIELD) event[field] = eventType;
    else if (isDateTime(schema)) event[field] = isoSeconds(now - (typeof example === 'string' && Number.isFinite(latest) ? latest - Date.parse(example) : 0));
    else if (example !== undefined) event[field] = vary(example, random);
    else if (shape.required.includes(field)) event[field] = valueFor(schema, random);
  }
  if (eventType === FAILED_RECEIPT) {
    event.status = FAILED_STATUS;
    event.status_desc = random.pick(CMPP_FAILURE_STATES);
  }
  const overrides = options.overrides ?? {};
  Object.assign(event, overrides);

  const problems = responses.validateSchema(shape.schemaName, event);
  const problem = problems.find((p) => p.pointer.slice(1) in overrides);
  if (problem) {
    const field = problem.pointer.slice(1);
    throw new OverrideError(field, `${field}: ${eventType} expects ${problem.expected}, got ${problem.received} (${problem.rule})`);
  }
  const remaining = problems.length > 0 ? problems : responses.validateSchema(SMS_CALLBACK_SCHEMA, event);
  if (remaining.length > 0) {
    // Only a spec whose example does not fit its own schema gets here.
    throw new Error(`cannot make a valid ${eventType} from the spec: ${remaining.map((p) => `${p.pointer}: expected ${p.expected}, got ${p.received}`).join('; ')}`);
  }
  return event;
}
