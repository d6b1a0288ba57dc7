// The two packages as another repository gets them today: `npm run package`, then each
// tarball installed alone into a fresh project, as the README says. The contract package:
// a TypeScript file and the README's consumer example compiled with --strict against it
// (its own .d.ts files checked too), and run; the kit: its tarball alone (the contract
// package travels inside it), `npx smn-kit` from its installed bin.
//
// Both installs run at once, after one packing; the TypeScript checks run in this process
// through the compiler's API, one program for all consumer files.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; private?: boolean; devDependencies: Record<string, string> };
const { version } = rootPackage;
const contractTarball = join(root, 'build', `smn-kit-contract-${version}.tgz`);
const kitTarball = join(root, 'build', `smn-kit-${version}.tgz`);
// The contract of every operation of the vendor's SDK (73, issue 20) is most of it: its
// dereferenced JSON repeats the shared error answers in every operation (5.6 MB measured).
const SIZE_LIMIT_BYTES = 6 * 1024 * 1024;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking this process, so that two installs can overlap. */
function run(command: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function npmInstall(cwd: string, ...args: string[]): Promise<void> {
  // --prefer-offline: the packages `npm ci` already cached come from the cache; the rest from the registry.
  const result = await run('npm', ['install', ...args, '--no-audit', '--no-fund', '--prefer-offline'], cwd);
  if (result.status !== 0) throw new Error(`npm install ${args.join(' ')} failed in ${cwd}:\n${result.stderr}`);
}

const projects: string[] = [];
function project(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `smn-kit-${name}-`));
  projects.push(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type: 'module' }));
  return dir;
}

const sizeOf = (dir: string): number =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => statSync(join(dir, entry)))
    .filter((stat) => stat.isFile())
    .reduce((sum, stat) => sum + stat.size, 0);

const tarballFiles = (tarball: string): string[] => execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
const tarballPackage = (tarball: string) =>
  JSON.parse(execFileSync('tar', ['xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as Record<string, unknown>;

/** The README's consumer example: the first TypeScript block of "Use the types in your repo". */
function readmeConsumerExample(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Use the types in your repo\n'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (!block?.[1]) throw new Error('README.md: no ```ts block under "## Use the types in your repo"');
  return block[1];
}

let contractDir: string;
let kitDir: string;
let contractInstalled: Promise<void>;
let kitInstalled: Promise<void>;

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'scripts/package.mjs')], { cwd: root, stdio: 'pipe' });
  // As the README says: the contract as a dependency (with @types/node, which a TypeScript
  // consumer of node:fs has anyway), the kit as a dev dependency, each from its tarball alone.
  contractDir = project('contract-consumer');
  contractInstalled = npmInstall(contractDir, contractTarball, '--save-dev', `@types/node@${rootPackage.devDependencies['@types/node']}`);
  kitDir = project('kit-consumer');
  kitInstalled = npmInstall(kitDir, '--save-dev', kitTarball);
  // Neither failure may go unobserved while the other install is awaited.
  contractInstalled.catch(() => {});
  kitInstalled.catch(() => {});
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([contractInstalled, kitInstalled]);
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

describe('the tarballs', () => {
  it('hold what a consumer needs and nothing of tests, benchmarks or sources', () => {
    const contract = tarballFiles(contractTarball);
    const kit = tarballFiles(kitTarball);
    for (const file of ['package/lib/library.js', 'package/lib/library.d.ts', 'package/types/index.d.ts', 'package/types/subhook.js', 'package/spec/smn.openapi.yaml', 'package/spec/subhook.asyncapi.yaml', 'package/fixtures/subhook/signature-vectors.json', 'package/generated/smn.openapi.json']) {
      expect(contract).toContain(file);
      // The kit carries the same contract package inside it.
      expect(kit).toContain(file.replace(/^package\//, 'package/node_modules/smn-kit-contract/'));
    }
    for (const file of ['package/dist/cli.js', 'package/conformance/smn.test.ts', 'package/fixtures/smn/subscriptions.json']) expect(kit).toContain(file);
    // The suite imports the checks from src/ in the repository; the package has their build only, and its copy imports that.
    const suite = execFileSync('tar', ['xzOf', kitTarball, 'package/conformance/smn.test.ts'], { encoding: 'utf8' });
    const imported = [...suite.matchAll(/from '\.\.\/([^']+)'/g)].map((match) => `package/${match[1]}`);
    expect(imported).toContain('package/dist/conformance/runner.js');
    for (const file of imported) expect(kit).toContain(file);
    for (const files of [contract, kit]) {
      expect(files.filter((f) => /^package\/(node_modules\/smn-kit-contract\/)?(test|bench|src|scripts|\.ci)\//.test(f))).toEqual([]);
    }
  });

  it('are publishable, and the repository itself is not', () => {
    expect(rootPackage.private).toBe(true);
    const contract = tarballPackage(contractTarball);
    const kit = tarballPackage(kitTarball);
    expect(contract).toMatchObject({ name: 'smn-kit-contract', version });
    expect(kit).toMatchObject({ name: 'smn-kit', version, bundleDependencies: ['smn-kit-contract'], dependencies: { 'smn-kit-contract': version } });
    expect(contract.private).toBeUndefined();
    expect(kit.private).toBeUndefined();
  });
});

describe('smn-kit-contract, installed alone', () => {
  beforeAll(() => contractInstalled, 180_000);

  it(`installs under 6 MB with its dependencies: Ajv, ajv-formats and content-type, nothing else`, () => {
    const modules = join(contractDir, 'node_modules');
    // @types/node is the consumer's own dev dependency, not the contract's.
    const size = sizeOf(modules) - sizeOf(join(modules, '@types'));
    console.log(`smn-kit-contract installed with its dependencies: ${(size / 1024 / 1024).toFixed(2)} MB`);
    expect(size).toBeLessThan(SIZE_LIMIT_BYTES);
    const installed = readdirSync(modules).filter((name) => !name.startsWith('.'));
    expect(installed).toEqual(expect.arrayContaining(['smn-kit-contract', 'ajv', 'ajv-formats', 'content-type']));
    for (const heavy of ['yaml', '@stoplight', 'vitest', '@apidevtools', 'node-forge', 'json-schema-faker']) expect(installed).not.toContain(heavy);
  });

  it('lets --strict TypeScript files (one of them the README example) import the types and the library, and run; a misuse of a type fails', () => {
    const dir = contractDir;
    writeFileSync(
      join(dir, 'main.ts'),
      `import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { signSubhook, smnResponses, validateSubhookEvent, verifySubhookSignature } from 'smn-kit-contract';
import { smsSubhookEventNames, type ListSubscriptionsResponse, type SmsSubhookEvent, type paths } from 'smn-kit-contract/types';

const fixture = (path: string): unknown =>
  JSON.parse(readFileSync(fileURLToPath(import.meta.resolve(\`smn-kit-contract/fixtures/\${path}\`)), 'utf8'));

const verdict = validateSubhookEvent<SmsSubhookEvent>(fixture('subhook/sms/valid/delivered.json'), { product: 'sms' });
if (!verdict.valid) throw new Error('the delivered fixture should be valid');
const event: SmsSubhookEvent = verdict.payload;

const vectors = fixture('subhook/signature-vectors.json') as { valid: { token: string; key: string; signature: string }[] };
const signed = vectors.valid.every((v) => signSubhook(v.token, v.key) === v.signature && verifySubhookSignature({ token: v.token, signature: v.signature }, v.key));

type Page = paths['/v2/{project_id}/notifications/subscriptions']['get']['responses'][200]['content']['application/json'];
const page: Page & ListSubscriptionsResponse = { request_id: '4650b14bf221492fb819c231d167e6fe', subscription_count: 0, subscriptions: [] };
console.log(JSON.stringify({ event: event.events, names: smsSubhookEventNames.length, signed, smnProblems: smnResponses().validate('ListSubscriptions', 200, page).length }));
`,
    );
    writeFileSync(join(dir, 'readme.ts'), readmeConsumerExample());
    writeFileSync(join(dir, 'wrong.ts'), `import type { SmsSubhookEvent } from 'smn-kit-contract/types';\nconst e: SmsSubhookEvent = { events: 'not-an-event' };\nexport { e };\n`);

    // What a consumer's tsconfig says; no skipLibCheck, so the package's own .d.ts files are checked too.
    const options: ts.CompilerOptions = {
      strict: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      outDir: join(dir, 'out'),
      types: ['node'],
    };
    const program = ts.createProgram({ rootNames: ['main.ts', 'readme.ts', 'wrong.ts'].map((f) => join(dir, f)), options });
    const file = (name: string) => program.getSourceFile(join(dir, name))!;
    const describeAll = (diagnostics: readonly ts.Diagnostic[]) =>
      diagnostics.map((d) => `${d.file ? `${d.file.fileName}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    // The contract's declarations; @types/node and TypeScript's own lib are not ours to check.
    const contractDeclarations = program.getSourceFiles().filter((f) => f.fileName.includes('/node_modules/smn-kit-contract/'));
    expect(contractDeclarations.length).toBeGreaterThan(5);
    const problems = [
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...[file('main.ts'), file('readme.ts'), ...contractDeclarations].flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
    ];
    expect(describeAll(problems)).toEqual([]);
    expect(describeAll(program.getSemanticDiagnostics(file('wrong.ts'))).join('\n')).toMatch(/wrong\.ts: Type '"not-an-event"' is not assignable to type/);

    const emitted = program.emit(file('main.ts'));
    expect(describeAll(emitted.diagnostics)).toEqual([]);
    const ran = spawnSync(process.execPath, [join(dir, 'out/main.js')], { encoding: 'utf8' });
    expect(ran.stderr).toBe('');
    expect(JSON.parse(ran.stdout)).toEqual({ event: 'delivered', names: 8, signed: true, smnProblems: 0 });
  });
});

describe('smn-kit, installed alone from its tarball', () => {
  beforeAll(() => kitInstalled, 300_000);

  it('runs npx smn-kit --version and --help', async () => {
    const [versionRun, help] = await Promise.all([
      run('npx', ['--no-install', 'smn-kit', '--version'], kitDir),
      run('npx', ['--no-install', 'smn-kit', '--help'], kitDir),
    ]);
    expect(versionRun.stderr).toBe('');
    expect(versionRun.stdout.trim()).toBe(version);
    expect(help.stdout).toMatch(/^\s+validate\s+/m);
  });

  it('carries the contract package inside it, never fetched from the registry', () => {
    const lock = JSON.parse(readFileSync(join(kitDir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; inBundle?: boolean }> };
    expect(lock.packages['node_modules/smn-kit/node_modules/smn-kit-contract']).toMatchObject({ version, inBundle: true });
    expect(Object.keys(lock.packages).filter((path) => path.endsWith('/smn-kit-contract') && !lock.packages[path]?.inBundle)).toEqual([]);
    expect(existsSync(join(kitDir, 'node_modules/smn-kit-contract'))).toBe(false);
    // The kit's library modules are re-exports of the bundled package's, not a second copy of its code.
    const dist = join(kitDir, 'node_modules/smn-kit/dist');
    expect(readFileSync(join(dist, 'library.js'), 'utf8')).toBe("export * from 'smn-kit-contract';\n");
    const libraryModules = ['contract', 'subhook', 'auth'].flatMap((dir) =>
      readdirSync(join(dist, dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js')).map((f) => join(dir, f)),
    );
    expect(libraryModules.length).toBeGreaterThan(5);
    for (const module of libraryModules) expect(readFileSync(join(dist, module), 'utf8')).toBe(`export * from 'smn-kit-contract/lib/${module}';\n`);
  });

  it('validates a shipped fixture, and refuses an invalid one', async () => {
    const smnKit = join(kitDir, 'node_modules/.bin/smn-kit');
    const fixtures = join(kitDir, 'node_modules/smn-kit/node_modules/smn-kit-contract/fixtures/subhook/sms');
    // The invalid fixtures describe their case around the fields: validate the fields.
    const broken = JSON.parse(readFileSync(join(fixtures, 'invalid/missing-send-id.json'), 'utf8')) as { fields: unknown };
    writeFileSync(join(kitDir, 'broken.json'), JSON.stringify(broken.fields));
    const [valid, invalid] = await Promise.all([
      run(smnKit, ['validate', join(fixtures, 'valid/delivered.json')], kitDir),
      run(smnKit, ['validate', join(kitDir, 'broken.json')], kitDir),
    ]);
    expect(valid.status).toBe(0);
    expect(valid.stdout).toContain('1 valid');
    expect(invalid.status).toBe(1);
    expect(invalid.stdout).toContain('missing-field');
  });
});
