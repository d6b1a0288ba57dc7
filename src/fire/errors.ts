// A problem the user of `smn-kit fire` can fix (an argument, an override, the key, the
// receiver's address). Its code says which; the command maps codes to an exit status
// and a hint (src/commands/errors.ts).
export type FireErrorCode =
  /** Options that cannot go together, or a value fire does not know (product, event, tamper kind, scenario, topic URN, signing key). */
  | 'invalid-options'
  /** A `field=value` override that is malformed, names no field, or makes the event invalid. */
  | 'invalid-override'
  /** A SUBHOOK event to send and no key to sign it with. */
  | 'key-required'
  /** The receiver cannot be reached at all. */
  | 'receiver-unreachable';

export class FireError extends Error {
  override readonly name = 'FireError';
  constructor(
    message: string,
    readonly code: FireErrorCode = 'invalid-options',
    /** A name fire does not know, and the names it does (the command suggests the closest). */
    readonly unknownName?: { given: string; known: readonly string[] },
  ) {
    super(message);
  }
}
