// The emulator's answer to a request the contract accepted: the family that answers the
// operation (registry.ts) reads or changes the state; a change past a limit is answered
// with 403 and the SMN code of that quota.
import type { Answer } from '../engine/api.js';
import type { OperationRequest } from './family.js';
import { StateLimitError } from './limits.js';
import type { EmulatorState } from './state.js';

/** A change past a limit: 403 with the SMN code of that quota. */
function limitReached(error: unknown): Answer {
  if (error instanceof StateLimitError) return { error: error.code, status: 403, reason: error.message, where: [] };
  throw error;
}

/**
 * The emulator's answer for a request the contract accepted (request_id is added later),
 * or undefined when no family answers the operation: the contract's example is then the
 * answer, as the stateless mock's. Most operations answer at once; only those that
 * deliver (PublishMessage, a confirmation) are awaited: every promise on a request's way
 * costs a turn of the microtask queue and its garbage, and the mock answers tens of
 * thousands a second.
 */
export function stateAnswer(state: EmulatorState, request: OperationRequest): Answer | undefined | Promise<Answer> {
  const handler = state.handler(request.operation.iid);
  if (!handler) return undefined;
  try {
    const answer = handler(request);
    return answer instanceof Promise ? answer.catch(limitReached) : answer;
  } catch (error) {
    return limitReached(error);
  }
}
