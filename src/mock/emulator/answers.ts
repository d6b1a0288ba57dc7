// The emulator's answer to a request the contract accepted: the family that answers the
// operation (registry.ts) reads or changes the state; a change past a limit is answered
// with 403 and the SMN code of that quota.
import type { Answer } from '../engine/api.js';
import type { OperationRequest } from './family.js';
import { StateLimitError } from './limits.js';
import type { EmulatorState } from './state.js';

/**
 * The emulator's answer for a request the contract accepted (request_id is added later),
 * or undefined when no family answers the operation: the contract's example is then the
 * answer, as the stateless mock's.
 */
export async function stateAnswer(state: EmulatorState, request: OperationRequest): Promise<Answer | undefined> {
  const { operation } = request;
  const handler = state.handler(operation.iid);
  if (!handler) return undefined;
  try {
    return await handler(request);
  } catch (error) {
    if (error instanceof StateLimitError) return { error: error.code, status: 403, reason: error.message, where: [] };
    throw error;
  }
}
