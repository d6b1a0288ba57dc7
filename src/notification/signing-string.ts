// The string SMN signs: for each signed field of the message's type that the body
// carries, in the contract's order, a line with the name and a line with the value,
// every line ending with "\n". Which fields a type signs is read from the contract
// (`x-signed-fields`).
import { smnNotificationContract, type SmnMessageTypeContract } from './contract.js';

export interface SmnSigningStringOptions {
  /**
   * What to do with an optional signed field that is present but empty (a
   * Notification's `subject`): `omit` it as the guide's text says (default), or
   * `include` it as the guide's Java and Go samples do.
   */
  emptyFields?: 'omit' | 'include' | undefined;
}

/** The contract of the body's type, or undefined for a body whose `type` is not a message type. */
export function messageTypeOf(body: unknown): SmnMessageTypeContract | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const type = (body as Record<string, unknown>).type;
  return typeof type === 'string' ? smnNotificationContract().types.get(type) : undefined;
}

/** The signed fields that are present but empty, for which two signing strings exist. */
export function emptyOptionalFields(body: Record<string, unknown>, type: SmnMessageTypeContract): string[] {
  return type.optionalSignedFields.filter((field) => body[field] === '');
}

/** Why a signing string cannot be built from `body`, or undefined when it can. */
export function unsignableReason(body: unknown): string | undefined {
  const type = messageTypeOf(body);
  if (!type) return `its type is not one of ${[...smnNotificationContract().types.keys()].join(', ')}`;
  const record = body as Record<string, unknown>;
  for (const field of type.signedFields) {
    const value = record[field];
    if (value === undefined && type.optionalSignedFields.includes(field)) continue;
    if (typeof value !== 'string') return `${field} must be a string (${type.type} signs it), got ${value === undefined ? 'nothing' : typeof value}`;
  }
  return undefined;
}

/**
 * The signing string of an SMN notification (see `SmnNotification` in the SMN
 * contract). Throws a TypeError when the body cannot be signed: an unknown `type`, or
 * a signed field that is missing or not a string.
 */
export function smnSigningString(body: object, options: SmnSigningStringOptions = {}): string {
  const reason = unsignableReason(body);
  if (reason !== undefined) throw new TypeError(`smnSigningString: the notification cannot be signed: ${reason}`);
  const type = messageTypeOf(body) as SmnMessageTypeContract;
  const record = body as Record<string, unknown>;
  const keepEmpty = options.emptyFields === 'include';
  let text = '';
  for (const field of type.signedFields) {
    const value = record[field] as string | undefined;
    if (value === undefined) continue;
    if (value === '' && !keepEmpty && type.optionalSignedFields.includes(field)) continue;
    text += `${field}\n${value}\n`;
  }
  return text;
}
