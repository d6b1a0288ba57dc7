// `smn-kit fire` as a library: plan the deliveries (checked before anything is sent),
// then run them. The SUBHOOK and SMS callback event generators are usable on their own.
export { planFire, ALL_EVENTS } from './plan.js';
export type { FireOptions, FirePlan, PlannedDelivery } from './plan.js';
export { runFire } from './run.js';
export type { FireResult, RunOptions } from './run.js';
export { FireError } from './errors.js';
export { deliver, DeliveryError, DEFAULT_TIMEOUT_MS, printableUrl } from '../net/deliver.js';
export type { HttpDelivery, DeliveryAnswer } from '../net/deliver.js';
export { encodeSubhookDelivery, SUBHOOK_ENCODINGS, DEFAULT_ENCODING } from './encode.js';
export type { SubhookEncoding } from './encode.js';
export { generateSubhookEvent, subhookEventShape, subhookEventNames } from './subhook-event.js';
export { subhookProductIds } from '../judge/subhook.js';
export type { SubhookEvent, SubhookEventShape } from './subhook-event.js';
export { generateSmsCallbackEvent, smsCallbackEventTypes, smsCallbackShape } from '../generate/sms-callback.js';
export { TAMPER_KINDS, TAMPER_RULES, TAMPER_DESCRIPTIONS, SMN_TAMPER_KINDS, SMN_TAMPER_RULES, SMN_TAMPER_DESCRIPTIONS, STALE_SECONDS, tamperKind } from './tamper.js';
export type { TamperKind, SmnTamperKind } from './tamper.js';
export { testSmnSigner, smnSigner, signatureVectorsPath } from './smn-signer.js';
export type { SmnSigner } from './smn-signer.js';
export { SCENARIOS, scenarioOption } from './scenario.js';
export { createRandom, MAX_SEED } from '../generate/random.js';
export type { Random } from '../generate/random.js';
