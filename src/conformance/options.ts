// How a conformance run is configured, and the rules its options obey. The values come
// from a program, from `smn-kit conformance` (which reads its flags and secret files), or,
// for plain `npx vitest run conformance/`, from environment variables of the same meaning;
// an error calls each option as the user gave it.
import { EDITIONS, type Edition } from '../contract/editions.js';
import { DEFAULT_PROJECT_ID } from '../contract/smn.js';
import { maskUserinfo } from './secrets.js';

export interface ConformanceOptions {
  /** Base URL of the SMN implementation, e.g. `https://smn.cn-north-4.myhuaweicloud.com`. */
  target: string;
  projectId: string;
  token?: string;
  ak?: string;
  sk?: string;
  /** Send the requests that write (UpdateSmsEvent; the topic operations, on the run's own topics); off by default so a live system is never changed. */
  allowWrites: boolean;
  /** Fields the contract does not know fail instead of warning. */
  strict: boolean;
  /** Requests per second at most; undefined for no bound. */
  rate?: number;
  /** Milliseconds to wait for each answer. */
  timeoutMs: number;
  /** Largest response body read; a larger answer fails its check. */
  maxBodyBytes: number;
  /**
   * The vendor edition the target is (`x-editions`): its stricter rules fail, and an
   * operation only the other edition documents may be missing. Without one, where the
   * editions differ, what either allows passes with a warning naming both readings.
   */
  edition?: Edition;
}

// The project id of the vendor's examples: fine for mocks, which accept any.
export { DEFAULT_PROJECT_ID } from '../contract/smn.js';
export const DEFAULT_TIMEOUT_MS = 10_000;
/** SMN's answers are a few kilobytes; 4 MiB leaves room and bounds memory. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The environment variables, by option: the vitest suite in conformance/ reads its options from them, and the command falls back on them. */
export const ENVIRONMENT = {
  target: 'SMN_TARGET',
  projectId: 'SMN_PROJECT_ID',
  token: 'SMN_AUTH_TOKEN',
  ak: 'SMN_AK',
  sk: 'SMN_SK',
  allowWrites: 'SMN_ALLOW_WRITES',
  strict: 'SMN_STRICT',
  rate: 'SMN_RATE',
  timeoutMs: 'SMN_TIMEOUT',
  maxBodyBytes: 'SMN_MAX_BODY',
  edition: 'SMN_EDITION',
} as const;

/** The options a run is configured with, by their names in ConformanceOptions. */
export type ConformanceField = 'target' | 'projectId' | 'token' | 'ak' | 'sk' | 'rate' | 'timeoutMs' | 'maxBodyBytes' | 'edition';

/**
 * How a message names each option: as the caller's user gave it (a flag, an environment
 * variable). An option not named here is called by its field name.
 */
export type OptionNames = Partial<Record<ConformanceField, string>>;

/**
 * What is wrong: `missing` (a required option), `invalid` (a value its rule refuses),
 * `conflict` (options that exclude or need each other), `credentials-in-target` (a
 * user:password@ in the target URL).
 */
export type ConfigurationCode = 'missing' | 'invalid' | 'conflict' | 'credentials-in-target';

/**
 * A configuration the user must fix. `problem` names the option and the rule; `hint`,
 * when there is one, says what to do instead. A caller with words of its own for that
 * (a command's flags and files) can replace the hint, chosen by `code`.
 */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  constructor(
    readonly code: ConfigurationCode,
    readonly field: ConformanceField,
    readonly problem: string,
    readonly hint?: string,
  ) {
    super(hint ? `${problem}: ${hint}` : problem);
  }
}

const truthy = (value: string | undefined): boolean => value !== undefined && /^(1|true|yes|on)$/i.test(value);

/** The options before they are checked: from a program, from a command's flags, or from the environment. */
export interface RawConformanceOptions {
  target?: string;
  projectId?: string;
  /** The token itself; a caller that takes it from a file reads the file. */
  token?: string;
  ak?: string;
  /** The secret key itself; a caller that takes it from a file reads the file. */
  sk?: string;
  allowWrites?: boolean | string;
  strict?: boolean | string;
  rate?: string | number;
  timeoutMs?: string | number;
  maxBodyBytes?: string | number;
  edition?: string;
}

/** Checks and completes raw option values; errors call each option by `names` (its field name otherwise). */
export function resolveOptions(raw: RawConformanceOptions, names: OptionNames = {}): ConformanceOptions {
  const name = (field: ConformanceField): string => names[field] ?? field;
  if (!raw.target) throw new ConfigurationError('missing', 'target', `${name('target')} is required: the base URL of the SMN implementation`);
  const shown = maskUserinfo(raw.target);
  let url: URL;
  try {
    url = new URL(raw.target);
  } catch {
    throw new ConfigurationError('invalid', 'target', `${name('target')} must be an http(s) URL, got "${shown}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigurationError('invalid', 'target', `${name('target')} must be an http(s) URL, got "${shown}"`);
  if (url.username || url.password) {
    throw new ConfigurationError(
      'credentials-in-target',
      'target',
      `${name('target')} must not carry credentials (${shown})`,
      `give a token with ${name('token')}, or an access key with ${name('ak')} and ${name('sk')}`,
    );
  }
  const target = raw.target.replace(/\/+$/, '');
  // The suite adds /v2/{project_id}/...; a target ending in /v2 would ask for /v2/v2/...
  if (/\/v2$/i.test(new URL(target).pathname)) {
    throw new ConfigurationError('invalid', 'target', `${name('target')} is the base URL, without /v2: use ${target.replace(/\/v2$/i, '')} (smn-kit adds /v2/{project_id}/... itself)`);
  }
  const token = raw.token || undefined;
  const sk = raw.sk || undefined;
  if (token && (raw.ak || sk)) throw new ConfigurationError('conflict', 'token', `give either ${name('token')} or ${name('ak')}/${name('sk')}, not both`);
  if (Boolean(raw.ak) !== Boolean(sk)) throw new ConfigurationError('conflict', raw.ak ? 'sk' : 'ak', `${name('ak')} and ${name('sk')} go together: give both or neither`);
  const projectId = raw.projectId || DEFAULT_PROJECT_ID;
  if (!/^[A-Za-z0-9-]{1,64}$/.test(projectId)) throw new ConfigurationError('invalid', 'projectId', `${name('projectId')} must be letters, digits and hyphens, got "${projectId}"`);
  let rate: number | undefined;
  if (raw.rate !== undefined && raw.rate !== '') {
    rate = Number(raw.rate);
    if (!Number.isFinite(rate) || rate <= 0) throw new ConfigurationError('invalid', 'rate', `${name('rate')} must be a positive number of requests per second, got "${raw.rate}"`);
  }
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  if (raw.timeoutMs !== undefined && raw.timeoutMs !== '') {
    timeoutMs = Number(raw.timeoutMs);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new ConfigurationError('invalid', 'timeoutMs', `${name('timeoutMs')} must be a positive whole number of milliseconds, got "${raw.timeoutMs}"`);
  }
  let maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
  if (raw.maxBodyBytes !== undefined && raw.maxBodyBytes !== '') {
    maxBodyBytes = Number(raw.maxBodyBytes);
    if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) throw new ConfigurationError('invalid', 'maxBodyBytes', `${name('maxBodyBytes')} must be a positive whole number of bytes, got "${raw.maxBodyBytes}"`);
  }
  let edition: Edition | undefined;
  if (raw.edition !== undefined && raw.edition !== '') {
    if (!(EDITIONS as readonly string[]).includes(raw.edition)) throw new ConfigurationError('invalid', 'edition', `${name('edition')} must be one of ${EDITIONS.join(', ')} (Huawei Cloud, Open Telekom Cloud), got "${raw.edition.slice(0, 40)}"`);
    edition = raw.edition as Edition;
  }
  return {
    target,
    projectId,
    token,
    ak: raw.ak || undefined,
    sk,
    allowWrites: typeof raw.allowWrites === 'string' ? truthy(raw.allowWrites) : Boolean(raw.allowWrites),
    strict: typeof raw.strict === 'string' ? truthy(raw.strict) : Boolean(raw.strict),
    rate,
    timeoutMs,
    maxBodyBytes,
    ...(edition ? { edition } : {}),
  };
}

/** The options of the vitest suite, from the environment; an error names the variable. */
export function optionsFromEnvironment(env: NodeJS.ProcessEnv = process.env): ConformanceOptions {
  return resolveOptions(
    {
      target: env[ENVIRONMENT.target],
      projectId: env[ENVIRONMENT.projectId],
      token: env[ENVIRONMENT.token],
      ak: env[ENVIRONMENT.ak],
      sk: env[ENVIRONMENT.sk],
      allowWrites: env[ENVIRONMENT.allowWrites],
      strict: env[ENVIRONMENT.strict],
      rate: env[ENVIRONMENT.rate],
      timeoutMs: env[ENVIRONMENT.timeoutMs],
      maxBodyBytes: env[ENVIRONMENT.maxBodyBytes],
      edition: env[ENVIRONMENT.edition],
    },
    ENVIRONMENT,
  );
}
