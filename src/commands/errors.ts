// How a command ends when it cannot do its job. Every error the kit expects carries a
// code; this table says, per code, the exit status and how the one line on stderr reads
// (the message, with the option or variable that fixes it when the message cannot name
// it). A command ends through `commandError`; an error without a code of the table is a
// bug, which main() reports as unexpected (exit 1).
import type { FireErrorCode } from '../fire/errors.js';
import type { SourceErrorCode } from '../validate/sources.js';
import type { SmnHostsError } from '../listen/hosts.js';
import type { OverrideError } from '../generate/sms-callback.js';
import type { SmnSignerError } from '../notify/smn-signer.js';
import { UsageError } from './command.js';
import { KEY_VARIABLE } from './option-values.js';

export type ErrorCode = UsageError['code'] | FireErrorCode | SourceErrorCode | SmnHostsError['code'] | OverrideError['code'] | SmnSignerError['code'];

interface Ending {
  /** The exit status. */
  status: number;
  /** The line on stderr (after `smn-kit: `); default the message. */
  line?: (message: string) => string;
}

const usage: Ending = { status: 2 };

export const ENDINGS: Record<ErrorCode, Ending> = {
  usage,
  // fire
  'invalid-options': usage,
  'invalid-override': usage,
  'key-required': { status: 2, line: (message) => `${message}; put it in a file for --key-file, set ${KEY_VARIABLE}, or pass --key K` },
  'receiver-unreachable': usage,
  // validate
  'missing-path': usage,
  'unreadable-path': usage,
  'no-source-files': usage,
  'unknown-format': usage,
  'document-too-large': usage,
  // fire and conformance --receiver: --smn-key and --smn-cert
  'invalid-signer': usage,
  'stdin-twice': usage,
  // listen
  'invalid-hosts': { status: 2, line: (message) => `--smn-cert-host: ${message}` },
};

const codeOf = (error: unknown): ErrorCode | undefined => {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && Object.hasOwn(ENDINGS, code) ? (code as ErrorCode) : undefined;
};

/**
 * What a command throws for `error`: a UsageError with the line and exit status of its
 * code, or `error` itself when it has no code of the table.
 */
export function commandError(error: unknown): unknown {
  const code = codeOf(error);
  if (code === undefined || error instanceof UsageError) return error;
  const ending = ENDINGS[code];
  const message = (error as Error).message;
  return new UsageError(ending.line ? ending.line(message) : message, ending.status);
}
