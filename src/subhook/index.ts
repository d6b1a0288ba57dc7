// SUBHOOK for receivers and for the kit: a delivery flows
// decodeSubhookDelivery -> validateSubhookEvent (schema, then signature) -> replay guard.
export { decodeSubhookDelivery, SubhookDeliveryError } from './decode.js';
export type { SubhookDelivery, SubhookFields, SubhookDeliveryRule } from './decode.js';
export { validateSubhookEvent } from './validate.js';
export type { SubhookVerdict, ValidateSubhookOptions } from './validate.js';
export { signSubhook, verifySubhookSignature } from './signature.js';
export { createSubhookReplayGuard, DEFAULT_REPLAY_CAPACITY } from './replay.js';
export type { SubhookReplayGuard, SubhookReplayGuardOptions } from './replay.js';
export type { SubhookProblem, SubhookRule } from './problem.js';
export { subhookSpecPath, loadSubhookContract } from './contract.js';
export type { SubhookProductContract, SubhookEventContract } from './contract.js';
