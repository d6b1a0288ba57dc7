// The values of options that several commands take (integers, secrets and the SUBHOOK
// key, SMN certificates, products, report paths), read and checked in one place, and
// the help text that explains them.
import { X509Certificate } from 'node:crypto';
import { EDITIONS, type Edition } from '../contract/editions.js';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { readSmnSigningCertificate } from '../notification/index.js';
import { subhookProductIds } from '../judge/subhook.js';
import { UsageError, type OptionValues, type OptionValue } from './command.js';

/** Reads an integer option, naming the option and the rule when the value is wrong. */
export function integerOption(value: OptionValue, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const text = String(value);
  const number = Number(text);
  if (!/^-?\d+$/.test(text) || number < min || number > max) {
    throw new UsageError(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return number;
}

/** `--edition huawei|otc`: the vendor edition whose stricter rules are hard; undefined when not given. */
export function editionOption(value: OptionValue): Edition | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!(EDITIONS as readonly string[]).includes(text)) throw new UsageError(`--edition must be one of ${EDITIONS.join(', ')} (Huawei Cloud, Open Telekom Cloud), got "${text.slice(0, 40)}"`);
  return text as Edition;
}

/** How a command names one of its secrets. */
export interface SecretSource {
  /** The option: `token` for --token and --token-file. */
  name: string;
  /** The environment variable read when neither option is given. */
  variable: string;
  /** What the secret is, for messages: "the SUBHOOK secret". */
  what: string;
}

/**
 * A secret given as `--NAME VALUE`, `--NAME-file FILE` or the environment variable: the
 * file and the environment keep it out of the process list, where `--NAME` shows it to
 * every user of the machine. The file holds the secret alone (an editor's final newline
 * is not part of it); an empty environment variable counts as unset. Undefined when
 * none is given; a usage error, naming the option or the file and never the secret,
 * when both options are given or a value is empty.
 */
export function secretOption(values: OptionValues, source: SecretSource, environment: NodeJS.ProcessEnv = process.env): string | undefined {
  const { name, variable, what } = source;
  const direct = values[name];
  const file = values[`${name}-file`];
  if (direct !== undefined && file !== undefined) throw new UsageError(`give ${what} once: --${name} or --${name}-file, not both`);
  if (file !== undefined) return secretFromFile(String(file), `--${name}-file`, what);
  if (direct === '') throw new UsageError(`--${name} is empty; give ${what} or leave it out`);
  return direct === undefined ? environment[variable] || undefined : String(direct);
}

function secretFromFile(path: string, option: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${option} ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret === '') throw new UsageError(`${option} ${path} is empty; put ${what} in it`);
  if (/[\r\n]/.test(secret)) throw new UsageError(`${option} ${path} has more than one line; put only ${what} in it`);
  return secret;
}

export const KEY_VARIABLE = 'SUBHOOK_KEY';

/** How the help of a command that takes the SUBHOOK key explains where it comes from. */
export const KEY_SOURCES = `--key-file, ${KEY_VARIABLE} or --key`;

/** The SUBHOOK key: `--key`, `--key-file` or SUBHOOK_KEY (secretOption). */
export const subhookKeyOption = (values: OptionValues, environment: NodeJS.ProcessEnv = process.env): string | undefined =>
  secretOption(values, { name: 'key', variable: KEY_VARIABLE, what: 'the SUBHOOK secret' }, environment);

/**
 * The certificate of `--smn-cert FILE` (PEM or DER), read once; a usage error naming the
 * file when it cannot be read or cannot verify SMN signatures (an EC key, RSASSA-PSS...).
 */
export function smnCertificateOption(path: OptionValue, option = '--smn-cert'): X509Certificate | undefined {
  if (path === undefined) return undefined;
  let bytes: Buffer;
  try {
    bytes = readFileSync(String(path));
  } catch (error) {
    throw new UsageError(`${option} ${String(path)}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(bytes);
  } catch {
    throw new UsageError(`${option} ${String(path)}: not an X.509 certificate (PEM or DER)`);
  }
  const read = readSmnSigningCertificate(certificate);
  if (!read.ok) throw new UsageError(`${option} ${String(path)}: cannot verify SMN signatures: expected ${read.problem.expected}, got ${read.problem.received}`);
  return certificate;
}

/** How the judges' problems and notes name the options that check signatures (the judges name no option themselves). */
export const SIGNATURE_HINTS = {
  /** What made an unchecked signature a fault. */
  requiredBy: '--require-signature',
  /** What gives a SUBHOOK key. */
  noKey: `give ${KEY_SOURCES}`,
  /** Why SMN signatures are not checked. */
  noCertificate: 'no certificate given: --smn-cert FILE',
};

/** The help's lines on --smn-cert, shared by validate and listen. */
export const SMN_CERT_HELP = `  --smn-cert FILE   the X.509 certificate (PEM or DER) that SMN notifications are signed
                    with, the file at their signing_cert_url: every notification's
                    signature is verified with it. The test-only certificate of smn-kit
                    fire's default key is fixtures/smn/test-only-certificate.pem`;

export function productOption(value: OptionValue, allowAuto: boolean): string | undefined {
  if (value === undefined || (allowAuto && value === 'auto')) return undefined;
  const products = subhookProductIds();
  if (!products.includes(String(value))) {
    throw new UsageError(`--product must be ${[...(allowAuto ? ['auto'] : []), ...products].join(', ')}, got "${String(value)}"`);
  }
  return String(value);
}

/** Opens a report path for writing now, so that a bad path is a usage error before any work. */
export function writablePath(path: string | undefined, option: string): string | undefined {
  if (path === undefined) return undefined;
  try {
    closeSync(openSync(path, 'w'));
  } catch (error) {
    throw new UsageError(`${option} ${path}: cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return path;
}

/** The help's lines on the key, shared by the commands that check signatures. */
export const KEY_OPTIONS_HELP = `  --key-file FILE   read the SUBHOOK secret from FILE (the key alone in it) and check
                    signatures. This file, or the ${KEY_VARIABLE} environment variable,
                    keeps the key out of the process list, where --key shows it to
                    every user of the machine (default: ${KEY_VARIABLE}; with neither,
                    signatures are not checked, and the summary says so)
  --key K           the SUBHOOK secret on the command line (prefer --key-file)`;
