// The emulator is bounded: past a limit a change is refused with the code SMN answers
// past its quotas, so no client can grow the mock's memory or its state file without
// end. The families declare their own limits (registry.ts gathers them in
// STATE_LIMITS); the core's is the number of projects.

/** At most `max`; past it, the SMN error `code`. */
export interface Limit {
  readonly max: number;
  readonly code: string;
}

/** Projects with a change of their own (a binding, a subscription, a topic, a template). */
export const PROJECT_LIMITS = { projects: { max: 1000, code: 'SMN.0001' } } as const;

/** The state's size, as the JSON of its snapshot: what fits in memory, and in a state file smn-kit reads back. */
export const STATE_BYTES = { max: 64 * 2 ** 20, code: PROJECT_LIMITS.projects.code } as const;

/** A change refused because the state is full: `code` is the SMN error to answer with. */
export class StateLimitError extends Error {
  override readonly name = 'StateLimitError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
