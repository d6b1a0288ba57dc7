// npm run package: assembles the two installable packages from the build and the top
// level, and packs each into a tarball under build/.
//
//   smn-kit-contract  the specs, the generated types, the fixtures, and the library that
//                     validates against them (src/library.ts and what it imports); its
//                     only run-time dependencies are Ajv, ajv-formats and content-type
//                     (the media-type parser of SUBHOOK decoding).
//   smn-kit           the CLI (mock, conformance, validate, listen, fire). It carries
//                     smn-kit-contract inside its tarball (bundleDependencies), so the kit
//                     installs on its own; its copies of the library's modules are one-line
//                     re-exports of the contract package's, so both run the same code.
//                     Prism (--engine prism) and vitest (the conformance/ suite run with
//                     vitest) are optional peer dependencies: npm does not install them,
//                     and the CLI says what to install when a run needs Prism.
//
// Both are publish-ready (`npm publish build/<name>-<version>.tgz`); the repository's own
// package.json is private, so `npm publish` at the top can never publish the whole tree.
//
// The repository keeps one tree (spec/, generated/, fixtures/, conformance/ at the top,
// one `npm ci`); this script is the only place that knows how it splits.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { LAYERS } from './layers.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'build');
const dist = join(root, 'dist');
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const CONTRACT = 'smn-kit-contract';
/** The library's folders in dist/: the contract layer, which imports nothing above it (npm run lint). */
const LIBRARY_DIRS = LAYERS[0].folders;

if (!existsSync(join(dist, 'library.js'))) {
  console.error('package: dist/ is missing; run npm run build first');
  process.exit(1);
}

rmSync(out, { recursive: true, force: true });
const contractDir = join(out, 'contract');
const kitDir = join(out, 'kit');

const copy = (from, to, filter) => cpSync(join(root, from), to, { recursive: true, filter: filter ?? (() => true) });
const write = (path, text) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
};
const files = (dir) =>
  readdirSync(dir, { recursive: true })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());

// --- smn-kit-contract -------------------------------------------------------------
const common = {
  version: rootPackage.version,
  license: rootPackage.license,
  type: 'module',
  engines: rootPackage.engines,
};

for (const name of ['library.js', 'library.d.ts', 'library.js.map', 'library.d.ts.map']) {
  if (existsSync(join(dist, name))) cpSync(join(dist, name), join(contractDir, 'lib', name));
}
for (const dir of LIBRARY_DIRS) cpSync(join(dist, dir), join(contractDir, 'lib', dir), { recursive: true });

// The generated types, compiled to .js (the event-name lists are values) and .d.ts. They use
// no ambient types: `types: []` keeps the compiler from loading every @types package here.
const typesProgram = ts.createProgram({
  rootNames: readdirSync(join(root, 'generated')).filter((f) => f.endsWith('.ts')).map((f) => join(root, 'generated', f)),
  options: {
    outDir: join(contractDir, 'types'),
    rootDir: join(root, 'generated'),
    declaration: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    types: [],
  },
});
const typesDiagnostics = [...ts.getPreEmitDiagnostics(typesProgram), ...typesProgram.emit().diagnostics];
if (typesDiagnostics.length > 0) {
  console.error(ts.formatDiagnostics(typesDiagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' }));
  process.exit(1);
}
const typeModules = readdirSync(join(contractDir, 'types')).filter((f) => f.endsWith('.js')).map((f) => f.replace(/\.js$/, ''));
write(join(contractDir, 'types/index.js'), `${typeModules.map((m) => `export * from './${m}.js';`).join('\n')}\n`);
write(join(contractDir, 'types/index.d.ts'), `${typeModules.map((m) => `export * from './${m}.js';`).join('\n')}\n`);

// The library reads generated/*.json at run time; spec/ and fixtures/ are for consumers.
// (The emulator's admin contract, resolved, is the kit's: it goes with the kit below.)
copy('generated', join(contractDir, 'generated'), (path) => statSync(path).isDirectory() || (path.endsWith('.json') && !path.includes('mock-admin') && !path.includes('prism-bodies')));
copy('spec', join(contractDir, 'spec'));
copy('fixtures', join(contractDir, 'fixtures'));

const dependencyVersion = (name) => {
  const version = rootPackage.dependencies[name];
  if (!version) throw new Error(`package: ${name} is not a dependency of the root package.json`);
  return version;
};
write(
  join(contractDir, 'package.json'),
  `${JSON.stringify(
    {
      name: CONTRACT,
      ...common,
      description: 'Contracts of Huawei Cloud SMN (SMS callback settings, subscriptions) and SUBMAIL SUBHOOK, their TypeScript types, fixtures, and validators',
      main: './lib/library.js',
      types: './lib/library.d.ts',
      exports: {
        '.': { types: './lib/library.d.ts', default: './lib/library.js' },
        './types': { types: './types/index.d.ts', default: './types/index.js' },
        './lib/*': { types: './lib/*.d.ts', default: './lib/*' },
        './spec/*': './spec/*',
        './fixtures/*': './fixtures/*',
        './generated/*': './generated/*',
        './package.json': './package.json',
      },
      files: ['lib', 'types', 'generated', 'spec', 'fixtures', 'README.md'],
      dependencies: { ajv: dependencyVersion('ajv'), 'ajv-formats': dependencyVersion('ajv-formats'), 'content-type': dependencyVersion('content-type') },
    },
    null,
    2,
  )}\n`,
);
write(
  join(contractDir, 'README.md'),
  `# ${CONTRACT}

The contracts of smn-kit, for other repositories: Huawei Cloud SMN's API and the
notifications it sends to http(s) subscribers (\`spec/smn.openapi.yaml\`) and SUBMAIL
SUBHOOK (\`spec/subhook.asyncapi.yaml\`), their TypeScript types, fixtures and signature
vectors, and the library that validates against them. Run-time dependencies: Ajv,
ajv-formats and content-type. An ES module; a CommonJS project uses it through Node's
require() of ES modules (Node 20.19+). Its types need no @types/node.

- \`import { validateSubhookEvent, decodeSubhookDelivery, verifySmnNotification, smnResponses, signRequest } from '${CONTRACT}'\`
- \`import type { SmsSubhookEvent, SmnNotification, ListSubscriptionsResponse, paths } from '${CONTRACT}/types'\`
- \`${CONTRACT}/spec/*\`, \`${CONTRACT}/fixtures/*\`

See the smn-kit repository: README.md, section "Types in your repo", and docs/packages.md.
`,
);

// --- smn-kit ----------------------------------------------------------------------
cpSync(dist, join(kitDir, 'dist'), {
  recursive: true,
  filter: (path) => !relative(dist, path).startsWith('.tsbuildinfo'),
});
// The library's modules become re-exports of the contract package's (same paths).
for (const dir of LIBRARY_DIRS) {
  for (const path of files(join(kitDir, 'dist', dir))) {
    const inside = relative(join(kitDir, 'dist'), path).replaceAll('\\', '/');
    if (path.endsWith('.map')) rmSync(path);
    else if (path.endsWith('.d.ts')) write(path, `export * from '${CONTRACT}/lib/${inside.replace(/\.d\.ts$/, '.js')}';\n`);
    else if (path.endsWith('.js')) write(path, `export * from '${CONTRACT}/lib/${inside}';\n`);
  }
}
for (const name of ['library.js', 'library.d.ts']) write(join(kitDir, 'dist', name), `export * from '${CONTRACT}';\n`);
rmSync(join(kitDir, 'dist/library.js.map'), { force: true });
rmSync(join(kitDir, 'dist/library.d.ts.map'), { force: true });
copy('conformance', join(kitDir, 'conformance'));
// The suite imports the checks from src/ (vitest compiles them, so the repository needs
// no rebuild); the package ships their build, so its copy imports ../dist/ instead.
for (const path of files(join(kitDir, 'conformance'))) {
  const text = readFileSync(path, 'utf8');
  const built = text.replace(/(['"])\.\.\/src\//g, '$1../dist/');
  if (built !== text) write(path, built);
}
copy('fixtures/smn', join(kitDir, 'fixtures/smn'));
// The emulator checks state files with the State schema of its admin contract, resolved by npm run generate,
// and validates request bodies as Prism does with the schemas npm run generate normalised with Prism.
for (const file of ['mock-admin.openapi.dereferenced.json', 'smn.prism-bodies.json']) copy(`generated/${file}`, join(kitDir, 'generated', file));
cpSync(join(root, 'README.md'), join(kitDir, 'README.md'));
// The licence goes with both packages (npm packs a LICENSE file it finds).
for (const dir of [contractDir, kitDir]) cpSync(join(root, 'LICENSE'), join(dir, 'LICENSE'));

// The bundled contract package brings no node_modules of its own: its dependencies (Ajv,
// ajv-formats, content-type) are the kit's too, so npm installs them beside the kit.
cpSync(contractDir, join(kitDir, 'node_modules', CONTRACT), { recursive: true });
write(
  join(kitDir, 'package.json'),
  `${JSON.stringify(
    {
      name: rootPackage.name,
      ...common,
      description: rootPackage.description,
      bin: rootPackage.bin,
      main: './dist/index.js',
      types: './dist/index.d.ts',
      exports: {
        '.': { types: './dist/index.d.ts', default: './dist/index.js' },
        './package.json': './package.json',
      },
      files: ['dist', 'conformance', 'fixtures', 'generated', 'README.md'],
      dependencies: { [CONTRACT]: rootPackage.version, ...rootPackage.dependencies },
      peerDependencies: rootPackage.peerDependencies,
      peerDependenciesMeta: rootPackage.peerDependenciesMeta,
      bundleDependencies: [CONTRACT],
    },
    null,
    2,
  )}\n`,
);

// --- pack ---------------------------------------------------------------------------
const pack = (dir) =>
  new Promise((resolvePack, rejectPack) => {
    execFile('npm', ['pack', '--silent', '--pack-destination', out], { cwd: dir, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) rejectPack(new Error(`npm pack in ${relative(root, dir)} failed:\n${stderr}`));
      else resolvePack(join(out, stdout.trim().split('\n').pop()));
    });
  });
for (const tarball of await Promise.all([contractDir, kitDir].map(pack))) console.log(`packed ${relative(root, tarball)}`);
