// npm run lint: the type check of tsconfig.json (what `tsc --noEmit` reports), ESLint on
// src/ (typescript-eslint's type-checked rules and the layers of eslint.config.mjs), and
// Spectral on the OpenAPI contracts. Exit 1 when any of them finds an error.
//
// tsc and ESLint's typed rules share one TypeScript program: ESLint is given the program
// the type check built (parserOptions.programs) instead of building its own through the
// project service, so the sources are parsed and checked once, not twice.
//
// Both keep caches under .cache/lint/ (git-ignored), and neither may hide a failure:
// - the type check is incremental (tsc's own .tsbuildinfo): an unchanged file keeps its
//   diagnostics, a changed one and every file its change can affect are checked again;
// - ESLint's results are kept per file, and a file is linted again when its text changed,
//   when the type check found it affected by a change elsewhere (a typed rule's verdict
//   depends on the types it imports, which ESLint's own --cache does not see), or when
//   the configuration, the lint's dependencies or the type check's state are not those
//   the results were made with.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
const cacheDir = join(root, '.cache/lint');
const buildInfoFile = join(cacheDir, 'tsc.tsbuildinfo');
const eslintCacheFile = join(cacheDir, 'eslint.json');
const contracts = ['spec/smn.openapi.yaml', 'spec/mock-admin.openapi.yaml'];

const sha1 = (text) => createHash('sha1').update(text).digest('hex');
const readOr = (path, fallback) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
};
// Coloured as on a terminal when there is one, or when FORCE_COLOR asks (npm test's pipe).
const pretty = process.stdout.isTTY === true || (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0');

// Spectral is a program of its own: it runs beside the type check.
const spectral = new Promise((resolve) => {
  const bin = join(root, 'node_modules/@stoplight/spectral-cli/dist/index.js');
  const child = spawn(process.execPath, [bin, 'lint', '--fail-severity', 'error', '--ruleset', '.spectral.yaml', ...contracts], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  child.on('error', (error) => resolve({ status: 1, output: `spectral could not start: ${error.message}\n` }));
  child.on('close', (status) => resolve({ status, output }));
});

// --- the type check ---------------------------------------------------------------
const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), { noEmit: true, incremental: true, tsBuildInfoFile: buildInfoFile }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')) });
const builder = ts.createIncrementalProgram({ rootNames: config.fileNames, options: config.options, configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(config), projectReferences: config.projectReferences });
const program = builder.getProgram();
// Each file the type check looks at again (changed, or reached by a change) is one whose ESLint verdict may have changed too.
const affected = new Set();
for (let next; (next = builder.getSemanticDiagnosticsOfNextAffectedFile()); ) {
  if (next.affected === program || !('fileName' in next.affected)) affected.add('*');
  else affected.add(next.affected.fileName);
}
const diagnostics = ts.sortAndDeduplicateDiagnostics([
  ...builder.getConfigFileParsingDiagnostics(),
  ...builder.getOptionsDiagnostics(),
  ...builder.getGlobalDiagnostics(),
  ...builder.getSyntacticDiagnostics(),
  ...builder.getSemanticDiagnostics(),
]);

// --- ESLint on src/ ---------------------------------------------------------------
const sources = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })
  .filter((name) => /\.[cm]?[jt]s$/.test(name))
  .map((name) => join(root, 'src', name))
  .sort();
const packageVersion = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
// What every verdict depends on besides the file itself (the type check's state is added when saved).
const configKey = sha1(
  JSON.stringify([
    readOr(join(root, 'eslint.config.mjs'), ''),
    readOr(join(root, 'scripts/layers.mjs'), ''),
    readOr(join(root, 'tsconfig.json'), ''),
    ['eslint', 'typescript-eslint', 'typescript'].map(packageVersion),
    readOr(join(root, 'package-lock.json'), ''),
  ]),
);
const saved = JSON.parse(readOr(eslintCacheFile, '{}'));
const cacheUsable = saved.configKey === configKey && saved.buildInfo === sha1(readOr(buildInfoFile, '')) && !affected.has('*');
const texts = new Map(sources.map((file) => [file, readFileSync(file, 'utf8')]));
const keyOf = (file) => relative(root, file);
const fresh = (file) => cacheUsable && !affected.has(file) && saved.files?.[keyOf(file)]?.sha1 === sha1(texts.get(file));
const toLint = sources.filter((file) => !fresh(file));

const eslint = new ESLint({
  cwd: root,
  // The program of the type check, instead of one the project service would build again.
  overrideConfig: { files: ['src/**/*.ts'], languageOptions: { parserOptions: { projectService: false, programs: [program] } } },
});
const linted = toLint.length > 0 ? await eslint.lintFiles(toLint) : [];
const byFile = new Map(linted.map((result) => [result.filePath, result]));
const results = sources.map((file) => byFile.get(file) ?? { ...saved.files[keyOf(file)].result, filePath: file });

// Save the lint results, then the type check's state they go with: if this stops between the
// two, the next run finds the pair mismatched and lints everything again.
mkdirSync(cacheDir, { recursive: true });
rmSync(eslintCacheFile, { force: true });
builder.emit();
const files = Object.fromEntries(results.map((result) => [keyOf(result.filePath), { sha1: sha1(texts.get(result.filePath)), result: { ...result, filePath: keyOf(result.filePath), source: undefined } }]));
writeFileSync(`${eslintCacheFile}.tmp`, JSON.stringify({ configKey, buildInfo: sha1(readOr(buildInfoFile, '')), files }));
renameSync(`${eslintCacheFile}.tmp`, eslintCacheFile);

// --- the report -------------------------------------------------------------------
let failed = false;
if (diagnostics.length > 0) {
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
  process.stdout.write(pretty ? ts.formatDiagnosticsWithColorAndContext(diagnostics, host) : ts.formatDiagnostics(diagnostics, host));
  const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).length;
  process.stdout.write(`\ntsc: ${errors} error${errors === 1 ? '' : 's'}\n`);
  failed ||= errors > 0;
}
const formatted = await (await eslint.loadFormatter('stylish')).format(results);
if (formatted) process.stdout.write(formatted);
failed ||= results.some((result) => result.errorCount > 0 || result.fatalErrorCount > 0);
const checked = await spectral;
if (checked.status !== 0) process.stdout.write(checked.output);
failed ||= checked.status !== 0;
console.log(`lint: ${failed ? 'failed' : 'passed'}: tsc on ${program.getRootFileNames().length} files (${affected.size} checked again), ESLint on ${sources.length} files of src/ (${toLint.length} linted again), Spectral on ${contracts.length} contracts`);
process.exitCode = failed ? 1 : 0;

function fail(message) {
  console.error(`lint: ${message}`);
  process.exit(2);
}
