// npm start's prestart: compiles src/ to dist/ only when dist/ is missing or older than a
// source, so that `npm start` after `npm ci` (whose prepare step builds) serves at once.
// Stale means: a file or folder under src/ (a folder changes when a file is added or
// removed), a generated type file, tsconfig.json, tsconfig.build.json,
// tsconfig.generated.json or package.json was changed after the last build wrote
// dist/.tsbuildinfo.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const buildInfo = join(root, 'dist/.tsbuildinfo');

const mtimeOf = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
};

function staleBecause() {
  const built = mtimeOf(buildInfo);
  if (built === undefined || mtimeOf(join(root, 'dist/cli.js')) === undefined) return 'dist/ is missing';
  const sources = [
    'src',
    ...readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' }).map((name) => join('src', name)),
    ...readdirSync(join(root, 'generated')).filter((name) => name.endsWith('.ts')).map((name) => join('generated', name)),
    'tsconfig.json',
    'tsconfig.build.json',
    'tsconfig.generated.json',
    'package.json',
  ];
  const changed = sources.find((path) => (mtimeOf(join(root, path)) ?? 0) > built);
  return changed && `${changed} changed since the last build`;
}

const reason = staleBecause();
if (reason) {
  console.error(`building dist/ (${reason})`);
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  // An incremental build that found nothing to emit leaves the file as it was: mark it now.
  const now = new Date();
  utimesSync(buildInfo, now, now);
}
