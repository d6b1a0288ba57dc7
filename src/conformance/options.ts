// How a conformance run is configured: from `smn-kit conformance` flags or, for plain
// `npx vitest run conformance/`, from environment variables of the same meaning.
import { readFileSync } from 'node:fs';
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
}

/** The project id of the vendor's examples: fine for mocks, which accept any. */
export const DEFAULT_PROJECT_ID = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
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
} as const;

/** A configuration the user must fix; the message names the option and the rule. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

const truthy = (value: string | undefined): boolean => value !== undefined && /^(1|true|yes|on)$/i.test(value);

/** Checks and completes raw option values (from flags or the environment). */
export function resolveOptions(raw: {
  target?: string;
  projectId?: string;
  token?: string;
  ak?: string;
  sk?: string;
  allowWrites?: boolean | string;
  strict?: boolean | string;
  rate?: string | number;
  timeoutMs?: string | number;
  maxBodyBytes?: string | number;
  /** Files holding the token or the SK (the safe way: not in the process list). */
  tokenFile?: string;
  skFile?: string;
}): ConformanceOptions {
  if (!raw.target) throw new ConfigurationError(`--target (or ${ENVIRONMENT.target}) is required: the base URL of the SMN implementation`);
  const shown = maskUserinfo(raw.target);
  let url: URL;
  try {
    url = new URL(raw.target);
  } catch {
    throw new ConfigurationError(`--target must be an http(s) URL, got "${shown}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigurationError(`--target must be an http(s) URL, got "${shown}"`);
  if (url.username || url.password) {
    throw new ConfigurationError(`--target must not carry credentials (${shown}): give a token with ${ENVIRONMENT.token} or --token-file, or an access key with --ak and ${ENVIRONMENT.sk} or --sk-file`);
  }
  const target = raw.target.replace(/\/+$/, '');
  // The suite adds /v2/{project_id}/...; a target ending in /v2 would ask for /v2/v2/...
  if (/\/v2$/i.test(new URL(target).pathname)) {
    throw new ConfigurationError(`--target is the base URL, without /v2: use ${target.replace(/\/v2$/i, '')} (smn-kit adds /v2/{project_id}/... itself)`);
  }
  const token = secretOption(raw.token, raw.tokenFile, '--token');
  const sk = secretOption(raw.sk, raw.skFile, '--sk');
  if (token && (raw.ak || sk)) throw new ConfigurationError('give either --token or --ak/--sk, not both');
  if (Boolean(raw.ak) !== Boolean(sk)) throw new ConfigurationError('--ak and --sk go together: give both or neither');
  const projectId = raw.projectId || DEFAULT_PROJECT_ID;
  if (!/^[A-Za-z0-9-]{1,64}$/.test(projectId)) throw new ConfigurationError(`--project-id must be letters, digits and hyphens, got "${projectId}"`);
  let rate: number | undefined;
  if (raw.rate !== undefined && raw.rate !== '') {
    rate = Number(raw.rate);
    if (!Number.isFinite(rate) || rate <= 0) throw new ConfigurationError(`--rate must be a positive number of requests per second, got "${raw.rate}"`);
  }
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  if (raw.timeoutMs !== undefined && raw.timeoutMs !== '') {
    timeoutMs = Number(raw.timeoutMs);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new ConfigurationError(`--timeout must be a positive whole number of milliseconds, got "${raw.timeoutMs}"`);
  }
  let maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
  if (raw.maxBodyBytes !== undefined && raw.maxBodyBytes !== '') {
    maxBodyBytes = Number(raw.maxBodyBytes);
    if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) throw new ConfigurationError(`--max-body must be a positive whole number of bytes, got "${raw.maxBodyBytes}"`);
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
  };
}

/** A secret from its flag or from a file (trailing newline dropped), never both. */
function secretOption(value: string | undefined, file: string | undefined, flag: string): string | undefined {
  if (file === undefined) return value || undefined;
  if (value) throw new ConfigurationError(`give either ${flag} or ${flag}-file, not both`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigurationError(`cannot read ${flag}-file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret === '') throw new ConfigurationError(`${flag}-file ${file} is empty`);
  return secret;
}

export function optionsFromEnvironment(env: NodeJS.ProcessEnv = process.env): ConformanceOptions {
  return resolveOptions({
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
  });
}
