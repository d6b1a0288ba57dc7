// What every /_mock/ endpoint shares: its context, its replies, and how it reads a body
// and the project it means.
import type { Schema, SmnResponses } from '../../contract/smn-responses.js';
import { JsonInputError, parseJson } from '../../net/json.js';
import type { Notifier } from '../delivery/notifier.js';
import type { RequestTarget } from '../engine/request.js';
import type { EmulatorState } from '../emulator/state.js';

export const ADMIN_PREFIX = '/_mock/';

export interface AdminReply {
  status: number;
  body?: unknown;
}

export interface AdminContext {
  state: EmulatorState;
  /** The contract's validators: what the mock serves is what its endpoints check against. */
  responses: SmnResponses;
  /** The project an admin request means when it names none. */
  defaultProject: string;
  notifier: Notifier;
  /** New subscriptions are confirmed at once, with no SubscriptionConfirmation (--auto-confirm). */
  autoConfirm: boolean;
}

export const problem = (status: number, error: string, problems?: unknown[]): AdminReply => ({ status, body: problems ? { error, problems } : { error } });

export function parseObject(text: string): { value?: Record<string, unknown>; error?: AdminReply } {
  if (text.trim() === '') return { error: problem(400, 'the body must be a JSON object') };
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (error) {
    if (error instanceof JsonInputError) return { error: problem(400, `the body is ${error.message}`) };
    throw error;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: problem(400, 'the body must be a JSON object') };
  return { value: value as Record<string, unknown> };
}

/**
 * The project a request means (`project_id` of the body, else of the query, else the
 * default), or the 400 reply when it is not a project id the API would take: the admin
 * routes keep nothing the API could not have made (a `__proto__` project, a 1 MB id).
 */
export function projectOf(target: RequestTarget, body: Record<string, unknown> | undefined, context: AdminContext): string | AdminReply {
  const given = body?.project_id ?? target.query.get('project_id');
  if (given === undefined || given === null || given === '') return context.defaultProject;
  const problems = context.responses.validateWith('path project_id', projectIdSchema(context.responses), given);
  if (problems.length > 0) return problem(400, 'project_id is not a project id the API takes (1 to 64 letters, digits and hyphens)', problems.map((p) => ({ ...p, pointer: `/project_id${p.pointer}` })));
  return given as string;
}

/** The schema of the API's project_id path parameter. */
function projectIdSchema(responses: SmnResponses): Schema {
  const parameter = responses.operations.flatMap((operation) => operation.parameters).find((p) => p.in === 'path' && p.name === 'project_id');
  return parameter?.schema ?? { type: 'string', minLength: 1 };
}
