// The mock's compiled validators are kept in the user's cache folder, never under
// node_modules (where a change makes npm read the whole tree again on every `npx`), and
// a kept validator works wherever the folder is: Ajv's runtime helpers are required by
// this installation's paths, not looked for beside the cached file.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedCompiler, kitCacheDir } from '../src/mock/engine/validator-cache.js';

const made: string[] = [];
const saved = process.env.SMN_KIT_CACHE_DIR;
afterEach(() => {
  if (saved === undefined) delete process.env.SMN_KIT_CACHE_DIR;
  else process.env.SMN_KIT_CACHE_DIR = saved;
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// maxLength makes Ajv's code require its ucs2length helper.
const schema = { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 8 } } };

describe('the validator cache', () => {
  it('is the platform cache folder, or SMN_KIT_CACHE_DIR', () => {
    expect(kitCacheDir({ SMN_KIT_CACHE_DIR: '/somewhere' })).toBe('/somewhere');
    if (process.platform === 'linux') {
      expect(kitCacheDir({ XDG_CACHE_HOME: '/xdg' })).toBe('/xdg/smn-kit');
      expect(kitCacheDir({})).toMatch(/\/\.cache\/smn-kit$/);
    }
    expect(kitCacheDir({})).not.toContain('node_modules');
  });

  it('keeps a compiled validator there, which the next run loads without compiling', () => {
    const dir = mkdtempSync(join(tmpdir(), 'smn-kit-cache-'));
    made.push(dir);
    process.env.SMN_KIT_CACHE_DIR = dir;
    const first = cachedCompiler('test', { allErrors: true }, () => new Ajv({ allErrors: true, code: { source: true } })).compile(schema);
    expect(first({ name: 'short' })).toBe(true);
    const files = readdirSync(join(dir, 'validators'));
    expect(files).toHaveLength(1);
    const code = readFileSync(join(dir, 'validators', files[0]!), 'utf8');
    // Its helpers by absolute path: the file works from the cache folder.
    const required = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!);
    expect(required.length).toBeGreaterThan(0);
    for (const path of required) expect(existsSync(path), path).toBe(true);

    // A second run: Ajv is never made, the validator comes from the folder and judges alike.
    const second = cachedCompiler('test', { allErrors: true }, () => {
      throw new Error('compiled again instead of loaded from the cache');
    }).compile(schema);
    expect(second({ name: 'short' })).toBe(true);
    expect(second({ name: 'much too long' })).toBe(false);
    expect(second({})).toBe(false);
  });
});
