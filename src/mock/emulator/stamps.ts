// What SMN stamps a resource it makes with (a message template, a logtank binding, a KMS key binding, a
// notify policy): an id of 32 hexadecimal digits, as the vendor's samples and the
// Huawei Cloud pages' bounds show ("最小长度:32 最大长度:32"), and times in UTC to the
// second (the contract's SmnTime, `2016-08-01T02:16:38Z`).
import { randomBytes } from 'node:crypto';

/** A new id of 32 hexadecimal digits. */
export const newResourceId = (): string => randomBytes(16).toString('hex');

/** A time as SMN writes it: `YYYY-MM-DDTHH:MM:SSZ`. */
export const smnTime = (at: Date = new Date()): string => at.toISOString().replace(/\.\d{3}Z$/, 'Z');
