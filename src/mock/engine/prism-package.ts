// Prism (@stoplight/prism-http, @stoplight/prism-core) is an optional dependency of the
// installed kit: only `--engine prism`, and a contract of your own that the fast engine
// cannot mirror without it, load it. Both come through here, so that a kit installed
// without Prism says in one line what to install instead of a stack of module errors.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const PRISM_PACKAGES = ['@stoplight/prism-http', '@stoplight/prism-core'];

/** `npm install ...` with the versions the kit is tested with (its package.json's peerDependencies). */
export function prismInstallCommand(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { peerDependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  const versions = { ...manifest.devDependencies, ...manifest.peerDependencies };
  return `npm install --save-dev ${PRISM_PACKAGES.map((name) => (versions[name] ? `${name}@${versions[name]}` : name)).join(' ')}`;
}

/** Prism is not installed: the message says what needed it and what to install. */
export class PrismMissingError extends Error {
  override readonly name = 'PrismMissingError';
  constructor(what: string) {
    super(`${what} needs Prism, which is not installed: ${prismInstallCommand()}`);
  }
}

const isMissing = (error: unknown): boolean =>
  (error as { code?: string }).code === 'MODULE_NOT_FOUND' || (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND';

/** Whether Prism can be loaded here. */
export function prismInstalled(): boolean {
  try {
    for (const name of PRISM_PACKAGES) require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** Throws PrismMissingError (naming `what`) unless Prism is installed. */
export function needPrism(what: string): void {
  if (!prismInstalled()) throw new PrismMissingError(what);
}

/** A module of Prism's packages (`@stoplight/prism-http`, or one of its files or its own dependencies). */
export function requireFromPrism<T>(id: string, what: string): T {
  needPrism(what);
  try {
    return createRequire(require.resolve('@stoplight/prism-http'))(id) as T;
  } catch (error) {
    if (isMissing(error)) throw new PrismMissingError(what);
    throw error;
  }
}
