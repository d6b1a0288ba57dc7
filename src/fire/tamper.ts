// `--tamper KIND`: one deliberately bad delivery, to test that a receiver refuses it.
// Each kind breaks one rule a receiver must enforce, and names the rule smn-kit reports
// for it (its SUBHOOK library, its SMN notification library, or listen's replay guard),
// so a test can check that the refusal is for the right reason. SUBHOOK events and SMN
// notifications have kinds of their own; a few names are shared.
import type { SmnNotificationRule } from '../notification/index.js';
import type { SubhookRule } from '../subhook/problem.js';
import { signSubhook } from '../subhook/signature.js';
import { FireError } from './errors.js';
import type { Random } from '../generate/random.js';
import { isDataField, SIGNATURE_FIELD, TIMESTAMP_FIELD, TOKEN_FIELD, type SubhookEvent, type SubhookEventShape } from '../generate/subhook-event.js';

export const TAMPER_KINDS = ['signature', 'reused-token', 'stale-timestamp', 'missing-field', 'wrong-type'] as const;
export type TamperKind = (typeof TAMPER_KINDS)[number];

/** What each kind does, for the help text and the delivery line. */
export const TAMPER_DESCRIPTIONS: Record<TamperKind, string> = {
  signature: 'signed with a wrong key: md5(token + another key)',
  'reused-token': 'a valid delivery, then another event with its token and signature',
  'stale-timestamp': 'a timestamp one day old',
  'missing-field': 'the first field the event requires left out',
  'wrong-type': 'a number for a field that must be a string (JSON only)',
};

/** The rule smn-kit's SUBHOOK library (validateSubhookEvent, the replay guard) reports for each kind. */
export const TAMPER_RULES: Record<TamperKind, SubhookRule> = {
  signature: 'bad-signature',
  'reused-token': 'replayed-token',
  'stale-timestamp': 'stale-timestamp',
  'missing-field': 'missing-field',
  'wrong-type': 'wrong-type',
};

/** The kinds for SMS callback events, sent as SMN notifications. */
export const SMN_TAMPER_KINDS = ['signature', 'changed-field', 'header-mismatch', 'stale-timestamp', 'missing-field', 'replayed-message'] as const;
export type SmnTamperKind = (typeof SMN_TAMPER_KINDS)[number];

export const SMN_TAMPER_DESCRIPTIONS: Record<SmnTamperKind, string> = {
  signature: 'signed by the right key, but over another message_id',
  'changed-field': 'message (a signed field) changed after signing',
  'header-mismatch': 'an X-SMN-MESSAGE-ID header other than the body\'s message_id',
  'stale-timestamp': 'a timestamp one day old, signed',
  'missing-field': 'signature_version (required, not signed) left out',
  // Not the same notification twice in a row: that is what SMN does after a 5xx or a
  // lost answer, and a receiver must take it (2xx). An attacker's copy is an old one.
  'replayed-message': 'a notification SMN signed a day ago, sent again now, as whoever captured it would: message_id, timestamp and signature as then',
};

/**
 * The rule smn-kit reports for each (verifySmnNotification's). A replayed message is told
 * by its age: the signature is SMN's, and a message_id seen before is SMN redelivering.
 */
export const SMN_TAMPER_RULES: Record<SmnTamperKind, SmnNotificationRule> = {
  signature: 'bad-signature',
  'changed-field': 'bad-signature',
  'header-mismatch': 'header-mismatch',
  'stale-timestamp': 'stale-timestamp',
  'missing-field': 'missing-field',
  'replayed-message': 'stale-timestamp',
};

/** How old a stale timestamp is: far outside any tolerance window (Standard Webhooks uses 5 minutes). */
export const STALE_SECONDS = 24 * 60 * 60;

/** The value of `--tamper` (a kind of either family), or a FireError listing the kinds. */
export function tamperKind(value: string): TamperKind | SmnTamperKind {
  const kind = TAMPER_KINDS.find((k) => k === value) ?? SMN_TAMPER_KINDS.find((k) => k === value);
  if (!kind) throw new FireError(`--tamper must be one of ${TAMPER_KINDS.join(', ')} (SUBHOOK events) or ${SMN_TAMPER_KINDS.join(', ')} (SMS callback events), got "${value}"`);
  return kind;
}

export const isSubhookTamperKind = (kind: string): kind is TamperKind => (TAMPER_KINDS as readonly string[]).includes(kind);
export const isSmnTamperKind = (kind: string): kind is SmnTamperKind => (SMN_TAMPER_KINDS as readonly string[]).includes(kind);

// The first field the event requires that fire is free to change (not its name, token,
// signature or timestamp), optionally only among those whose schema is just a string.
function firstDataField(shape: SubhookEventShape, onlyStrings: boolean): string {
  const field = shape.required.find((f) => isDataField(f) && (!onlyStrings || shape.schemaOf(f).type === 'string'));
  return field ?? TOKEN_FIELD;
}

export interface TamperContext {
  key: string;
  random: Random;
  /** The clock in milliseconds. */
  now: number;
  /** For reused-token: the token and signature of an earlier, valid delivery. */
  captured?: { token: unknown; signature: unknown };
}

/**
 * `event` (valid and signed) broken the way `kind` says; the result names the field.
 * reused-token needs the token and signature of an earlier delivery in `context.captured`.
 */
export function tamper(kind: TamperKind, shape: SubhookEventShape, event: SubhookEvent, context: TamperContext): { event: SubhookEvent; field: string } {
  const bad = { ...event };
  switch (kind) {
    case 'signature': {
      // Well formed (32 lower-case hex digits), so only checking it against the key finds it.
      const wrongKey = `${context.key}-not-the-key-${context.random.hex(8)}`;
      bad[SIGNATURE_FIELD] = signSubhook(String(event[TOKEN_FIELD]), wrongKey);
      return { event: bad, field: SIGNATURE_FIELD };
    }
    case 'reused-token': {
      if (!context.captured) throw new Error('tamper reused-token: no earlier delivery to take the token from');
      bad[TOKEN_FIELD] = context.captured.token;
      bad[SIGNATURE_FIELD] = context.captured.signature;
      return { event: bad, field: TOKEN_FIELD };
    }
    case 'stale-timestamp': {
      if (!shape.fields.includes(TIMESTAMP_FIELD)) throw new FireError(`--tamper stale-timestamp: ${shape.product} ${shape.event} has no ${TIMESTAMP_FIELD}`);
      bad[TIMESTAMP_FIELD] = Math.floor(context.now / 1000) - STALE_SECONDS;
      return { event: bad, field: TIMESTAMP_FIELD };
    }
    case 'missing-field': {
      const field = firstDataField(shape, false);
      delete bad[field];
      return { event: bad, field };
    }
    case 'wrong-type': {
      const field = firstDataField(shape, true);
      const digits = String(event[field]).replace(/[^0-9]/g, '').slice(0, 15);
      bad[field] = digits.length > 0 ? Number(digits) : 1;
      return { event: bad, field };
    }
  }
}
