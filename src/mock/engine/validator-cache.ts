// Compiled validators kept between runs, so that the mock answers its first request
// without loading Ajv and compiling: Ajv's standalone code of each schema is written to
// the user's cache folder (kitCacheDir), named by a hash of the schema, Ajv's version and
// location and the options, and loaded from there by the next run (a few milliseconds,
// against about 100 for loading Ajv and compiling). A cache that cannot be written (a
// read-only home) or read costs nothing but the time: the schema is compiled in memory.
//
// The cache lives outside node_modules: npm reads the whole tree again when something
// under node_modules changed since its last install, which made every `npx smn-kit` in
// the repository slower once the mock had run.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Ajv, Options, ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);

/**
 * The kit's folder in the user's cache: SMN_KIT_CACHE_DIR when set, else the platform's
 * cache folder (XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches on macOS,
 * %LOCALAPPDATA% on Windows) + smn-kit.
 */
export function kitCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SMN_KIT_CACHE_DIR) return env.SMN_KIT_CACHE_DIR;
  if (process.platform === 'win32') return join(env.LOCALAPPDATA || join(homedir(), 'AppData', 'Local'), 'smn-kit', 'Cache');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'smn-kit');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'smn-kit');
}

/**
 * Ajv's standalone code requires its runtime helpers by package name
 * (`require("ajv/dist/runtime/ucs2length")`), which would be looked for beside the
 * cached file: they are written as this installation's absolute paths instead. Undefined
 * when one cannot be resolved (the code is then not kept).
 */
function withResolvedRequires(code: string): string | undefined {
  try {
    return code.replace(/require\("([^"./][^"]*)"\)/g, (_, id: string) => `require(${JSON.stringify(require.resolve(id))})`);
  } catch {
    return undefined;
  }
}

export interface ValidatorCompiler {
  compile(schema: object): ValidateFunction;
}

/**
 * A compiler for `options` whose validators come from the cache when they are there.
 * `make` builds the Ajv instance (with its formats), called only when a schema must
 * be compiled; it must set `code.source` for the compiled code to be kept.
 */
export function cachedCompiler(name: string, options: Options, make: () => Ajv): ValidatorCompiler {
  let ajv: Ajv | undefined;
  let ajvIdentity: string | undefined;
  const cacheDir = join(kitCacheDir(), 'validators');
  return {
    compile(schema) {
      // The Ajv this code was made by and will require: its version, and where it is installed.
      if (ajvIdentity === undefined) {
        const manifest = require.resolve('ajv/package.json');
        ajvIdentity = `${(JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version} ${dirname(manifest)}`;
      }
      const key = createHash('sha256').update(JSON.stringify([name, ajvIdentity, options, schema])).digest('hex').slice(0, 32);
      const file = join(cacheDir, `${key}.cjs`);
      try {
        return require(file) as ValidateFunction;
      } catch {
        // Not cached yet (or unreadable): compile, and keep the code for the next run.
      }
      ajv ??= make();
      const validate = ajv.compile(schema);
      try {
        const { default: standaloneCode } = require('ajv/dist/standalone/index.js') as typeof import('ajv/dist/standalone/index.js');
        const code = withResolvedRequires(standaloneCode(ajv, validate));
        if (code !== undefined) {
          mkdirSync(cacheDir, { recursive: true });
          const temporary = `${file}.${process.pid}.tmp`;
          writeFileSync(temporary, code);
          renameSync(temporary, file);
        }
      } catch {
        // A schema Ajv cannot write as standalone code (a custom format), or a cache that cannot be written.
      }
      return validate;
    },
  };
}
