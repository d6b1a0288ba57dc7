// Compiled validators kept between runs, so that the mock answers its first request
// without loading Ajv and compiling: Ajv's standalone code of each schema is written to
// `node_modules/.cache/smn-kit/validators/`, named by a hash of the schema, Ajv's version
// and the options, and loaded from there by the next run (a few milliseconds, against
// about 100 for loading Ajv and compiling). A cache that cannot be written (a read-only
// install) or read costs nothing but the time: the schema is compiled in memory.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv, Options, ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);
const cacheDir = fileURLToPath(new URL('../../../node_modules/.cache/smn-kit/validators/', import.meta.url));

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
  let version: string | undefined;
  return {
    compile(schema) {
      version ??= (JSON.parse(readFileSync(require.resolve('ajv/package.json'), 'utf8')) as { version: string }).version;
      const key = createHash('sha256').update(JSON.stringify([name, version, options, schema])).digest('hex').slice(0, 32);
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
        const code = standaloneCode(ajv, validate);
        mkdirSync(cacheDir, { recursive: true });
        const temporary = `${file}.${process.pid}.tmp`;
        writeFileSync(temporary, code);
        renameSync(temporary, file);
      } catch {
        // A schema Ajv cannot write as standalone code (a custom format), or a cache that cannot be written.
      }
      return validate;
    },
  };
}
