// The `listen --out` file: one JSON line per delivery, the request as received and the
// verdict it got, appended and handed to the operating system before the sender gets
// its answer. It is also a raw-delivery file `smn-kit validate` reads (see
// src/validate/judge.ts), so its fields are the delivery fields plus what only the
// moment of reception knows.
import { closeSync, fchmodSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import type { Status } from '../report/report.js';
import type { Problem, SignatureCheck, Verdict } from './verdict.js';

/**
 * Rules that only the receiver can judge, at reception: `validate` cannot re-derive
 * them offline, so it takes them from the recorded verdict.
 */
export const RECEPTION_RULES: readonly string[] = ['replayed-token', 'replayed-message', 'stale-timestamp', 'body-too-large'];

export interface DeliveryRecord {
  /** Sequence number of the delivery since listen started, from 1. */
  n: number;
  receivedAt: string;
  remoteAddress?: string;
  method: string;
  /** The request target as received, query string included (a GET delivery is its query). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body as UTF-8 text, or base64 when it is not UTF-8 (`bodyEncoding`); null when not kept. */
  body: string | null;
  bodyEncoding?: 'base64';
  /** Bytes of body received (for an oversized body, as far as it was read or announced). */
  bodyBytes: number;
  /** Why the body was not kept: it was over the limit. */
  bodyOmitted?: string;
  /**
   * `kind` is subhook or smn-notification; `event` a SUBHOOK event or a notification's
   * type; `signature` is checked or not-checked when the delivery carries one, with
   * `note` saying why not (see Verdict).
   */
  verdict: {
    status: Status;
    kind?: Verdict['kind'];
    product?: string;
    event?: string;
    smsEvent?: string;
    problems: Problem[];
    warnings?: Problem[];
    signature?: SignatureCheck;
    note?: string;
  };
  /** The answer given after recording. */
  answer: { status: number; delayMs: number };
  /**
   * An SMN notification whose message_id an earlier delivery (this `n`) brought and got
   * 2xx for: SMN redelivering it (after a 5xx or no answer in time). It is judged as that
   * one was, counted once, and answered as a new valid one is.
   */
  redeliveryOf?: number;
}

export function bodyForRecord(bytes: Buffer): Pick<DeliveryRecord, 'body' | 'bodyEncoding'> {
  const text = bytes.toString('utf8');
  // A round trip that changes the bytes means they were not UTF-8: keep them exactly, in base64.
  return Buffer.from(text, 'utf8').equals(bytes) ? { body: text } : { body: bytes.toString('base64'), bodyEncoding: 'base64' };
}

export interface Recorder {
  append(record: DeliveryRecord): void;
  /** Several records in one write, in order. */
  appendAll(records: DeliveryRecord[]): void;
  close(): void;
}

/** Owner read and write only: the records hold raw deliveries, tokens and signatures included. */
export const RECORD_FILE_MODE = 0o600;

/** Makes the file private; one the user may write but does not own (EPERM) keeps its mode. */
function tighten(fd: number): void {
  try {
    fchmodSync(fd, RECORD_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
  }
}

/**
 * Opens the file for appending (what an earlier run recorded stays). Records are
 * written synchronously: once append returns, the lines are with the operating system
 * and survive the process being killed, so answering afterwards cannot lose them.
 * A regular file is made readable by its owner only, and when an earlier run was killed
 * in the middle of a line, the next record starts on a line of its own (the partial
 * line stays, for `validate` to name, and the new records stay whole).
 */
export function openRecorder(path: string): Recorder {
  // a+: appends like `a`, and the last byte can be read.
  const fd = openSync(path, 'a+', RECORD_FILE_MODE);
  try {
    const stat = fstatSync(fd);
    // Not a FIFO or a terminal (--out /dev/stdout), whose mode is not ours to change.
    if (stat.isFile()) {
      if ((stat.mode & 0o777 & ~RECORD_FILE_MODE) !== 0) tighten(fd);
      if (stat.size > 0) {
        const last = Buffer.alloc(1);
        readSync(fd, last, 0, 1, stat.size - 1);
        if (last[0] !== 0x0a) writeSync(fd, '\n');
      }
    }
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  const appendAll = (records: DeliveryRecord[]): void => {
    const text = records.map((record) => `${JSON.stringify(record)}\n`).join('');
    // A write may take fewer bytes than given; the rest follows until all are written.
    const written = writeSync(fd, text);
    if (written === Buffer.byteLength(text)) return;
    const bytes = Buffer.from(text, 'utf8');
    for (let at = written; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
  };
  return {
    append: (record) => appendAll([record]),
    appendAll,
    close() {
      closeSync(fd);
    },
  };
}
