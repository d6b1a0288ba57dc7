// How a conformance run is configured: from `smn-kit conformance` flags or, for plain
// `npx vitest run conformance/`, from environment variables of the same meaning.
export interface ConformanceOptions {
  /** Base URL of the SMN implementation, e.g. `https://smn.cn-north-4.myhuaweicloud.com`. */
  target: string;
  projectId: string;
  token?: string;
  ak?: string;
  sk?: string;
  /** Send PUT requests (UpdateSmsEvent); off by default so a live system is never changed. */
  allowWrites: boolean;
  /** Fields the contract does not know fail instead of warning. */
  strict: boolean;
  /** Requests per second at most; undefined for no bound. */
  rate?: number;
  /** Milliseconds to wait for each answer. */
  timeoutMs: number;
}

/** The project id of the vendor's examples: fine for mocks, which accept any. */
export const DEFAULT_PROJECT_ID = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
export const DEFAULT_TIMEOUT_MS = 10_000;

/** The environment variables, by option; the CLI sets them for the vitest workers. */
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
}): ConformanceOptions {
  if (!raw.target) throw new ConfigurationError(`--target (or ${ENVIRONMENT.target}) is required: the base URL of the SMN implementation`);
  let url: URL;
  try {
    url = new URL(raw.target);
  } catch {
    throw new ConfigurationError(`--target must be an http(s) URL, got "${raw.target}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigurationError(`--target must be an http(s) URL, got "${raw.target}"`);
  if (raw.token && (raw.ak || raw.sk)) throw new ConfigurationError('give either --token or --ak/--sk, not both');
  if (Boolean(raw.ak) !== Boolean(raw.sk)) throw new ConfigurationError('--ak and --sk go together: give both or neither');
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
  return {
    target: raw.target.replace(/\/+$/, ''),
    projectId,
    token: raw.token || undefined,
    ak: raw.ak || undefined,
    sk: raw.sk || undefined,
    allowWrites: typeof raw.allowWrites === 'string' ? truthy(raw.allowWrites) : Boolean(raw.allowWrites),
    strict: typeof raw.strict === 'string' ? truthy(raw.strict) : Boolean(raw.strict),
    rate,
    timeoutMs,
  };
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
  });
}

/** The environment that carries `options` to the vitest workers. */
export function environmentOf(options: ConformanceOptions): Record<string, string> {
  const env: Record<string, string> = {
    [ENVIRONMENT.target]: options.target,
    [ENVIRONMENT.projectId]: options.projectId,
    [ENVIRONMENT.allowWrites]: String(options.allowWrites),
    [ENVIRONMENT.strict]: String(options.strict),
    [ENVIRONMENT.timeoutMs]: String(options.timeoutMs),
  };
  if (options.token) env[ENVIRONMENT.token] = options.token;
  if (options.ak) env[ENVIRONMENT.ak] = options.ak;
  if (options.sk) env[ENVIRONMENT.sk] = options.sk;
  if (options.rate !== undefined) env[ENVIRONMENT.rate] = String(options.rate);
  return env;
}
