// The two packages as another repository gets them today: `npm run package`, then the
// tarballs installed into fresh projects, as the README says, and used there:
//
// - smn-kit-contract alone, with no @types/node: a TypeScript file compiled with the
//   options `tsc --init` writes (strict, exactOptionalPropertyTypes, `types: []`), the
//   package's own .d.ts files checked too (skipLibCheck off), and run;
// - the examples of examples/ (a SUBHOOK receiver, an SMN endpoint, a typed SMN client)
//   and the README's consumer example, compiled the same way (with Node's types) in an
//   ES module project and in a CommonJS one (`npm init -y`), and each run against the
//   installed kit: its fire sends to the receivers, its mock answers the client;
// - smn-kit alone: its size, no Prism or vitest installed, `npx smn-kit` and its time,
//   validate, --engine prism saying what to install, and the steps of
//   examples/ci/smn-conformance.yml and receiver-conformance.yml run as written.
//
// One packing, then the three installs at once; the TypeScript checks run in this process
// through the compiler's API.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EMULATED_OPERATIONS, EMULATOR_GAPS, isKitChoiceWarning } from './support/emulated.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; private?: boolean; devDependencies: Record<string, string>; peerDependencies: Record<string, string> };
const { version } = rootPackage;
const contractTarball = join(root, 'build', `smn-kit-contract-${version}.tgz`);
const kitTarball = join(root, 'build', `smn-kit-${version}.tgz`);
// The contract of every operation of the vendor's SDK (73, issue 20) is most of it: its
// dereferenced JSON repeats the shared error answers in every operation (5.6 MB measured).
const CONTRACT_SIZE_LIMIT_BYTES = 6 * 1024 * 1024;
const KIT_SIZE_LIMIT_KB = 40 * 1024;
const EXAMPLES = ['subhook-receiver.ts', 'smn-receiver.ts', 'smn-client.ts'];

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking this process, so that installs and servers can overlap. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
function project(name: string, type: 'module' | 'commonjs' = 'module'): string {
  const dir = mkdtempSync(join(tmpdir(), `smn-kit-${name}-`));
  projects.push(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type }));
  return dir;
}

/** Long-running processes a test started (receivers, mocks), each in a process group of its own. */
const running: ChildProcess[] = [];
afterAll(async () => {
  for (const child of running) stopGroup(child);
  await Promise.allSettled([contractInstalled, examplesInstalled, kitInstalled]);
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

/** Ends a process started with `detached` and whatever it started (its process group). */
function stopGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
  } catch {
    // The group has ended already.
  }
}

/** Starts a server and resolves with its URL once it prints one; `stop` ends it and whatever it started. */
function serve(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ url: string; output: () => string; stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running.push(child);
    let output = '';
    const closed = new Promise<void>((done) => child.on('close', () => done()));
    const stop = async (): Promise<void> => {
      stopGroup(child);
      await closed;
    };
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (url) resolve({ url, output: () => output, stop });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => reject(new Error(`${command} ${args.join(' ')} ended (${status}) before listening:\n${output}`)));
  });
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const sizeOf = (dir: string): number =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => statSync(join(dir, entry)))
    .filter((stat) => stat.isFile())
    .reduce((sum, stat) => sum + stat.size, 0);

const tarballFiles = (tarball: string): string[] => execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
const tarballPackage = (tarball: string) =>
  JSON.parse(execFileSync('tar', ['xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as Record<string, unknown>;

/** The README's consumer example: the first TypeScript block of "Types in your repo". */
function readmeConsumerExample(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Types in your repo\n'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (!block?.[1]) throw new Error('README.md: no ```ts block under "## Types in your repo"');
  return block[1];
}

/** What `tsc --init` writes: the same in every folder, so it runs once (in a folder of its own). */
let tscInit: Record<string, unknown> | undefined;
function tscInitCompilerOptions(): Record<string, unknown> {
  if (!tscInit) {
    const dir = project('tsc-init');
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--init'], { cwd: dir, stdio: 'pipe' });
    const { config } = ts.readConfigFile(join(dir, 'tsconfig.json'), ts.sys.readFile) as { config: { compilerOptions: Record<string, unknown> } };
    tscInit = config.compilerOptions;
  }
  return tscInit;
}

/**
 * The compiler options `tsc --init` writes (TypeScript's defaults for a new
 * project: strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess,
 * verbatimModuleSyntax, `types: []`, skipLibCheck), with `changes` on top.
 */
function tscInitOptions(dir: string, changes: Record<string, unknown>): ts.CompilerOptions {
  const written = { ...tscInitCompilerOptions(), ...changes };
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify({ compilerOptions: written }, null, 2)}\n`);
  return ts.convertCompilerOptionsFromJson(written, dir).options;
}

const describeAll = (diagnostics: readonly ts.Diagnostic[]): string[] =>
  diagnostics.map((d) => `${d.file ? `${d.file.fileName}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);

/**
 * Compiles `files` of `dir` (emitting into its out/), with the .d.ts files of `checkedPackage`
 * checked too; returns every problem. `beside` are files put in the same program, neither
 * emitted nor counted (each is a module of its own: nothing of theirs reaches `files`).
 */
function compile(dir: string, files: string[], options: ts.CompilerOptions, checkedPackage: string, beside: string[] = []): { problems: string[]; program: ts.Program } {
  const program = ts.createProgram({ rootNames: [...files, ...beside].map((f) => join(dir, f)), options: { ...options, outDir: join(dir, 'out') } });
  const declarations = program.getSourceFiles().filter((f) => f.fileName.includes(`/node_modules/${checkedPackage}/`));
  expect(declarations.length, `${checkedPackage}'s declarations`).toBeGreaterThan(5);
  const sources = files.map((f) => program.getSourceFile(join(dir, f))!);
  // One file at a time: the same output, but emit() of the whole program first type-checks
  // every file of it, the lib and @types/node declarations included (3-4 s, and those
  // diagnostics were never among the problems reported here).
  const emitted = sources.flatMap((f) => program.emit(f).diagnostics);
  const problems = describeAll([
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...[...sources, ...declarations].flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
    ...emitted,
  ]);
  return { problems, program };
}

let contractDir: string;
let examplesDir: string;
let kitDir: string;
let contractInstalled: Promise<void>;
let examplesInstalled: Promise<void>;
let kitInstalled: Promise<void>;

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'scripts/package.mjs')], { cwd: root, stdio: 'pipe' });
  // The contract alone: nothing else, not even @types/node.
  contractDir = project('contract-consumer');
  contractInstalled = npmInstall(contractDir, contractTarball);
  // The examples' project: the contract, openapi-fetch and Node's types, as the examples say.
  examplesDir = project('examples-consumer');
  examplesInstalled = npmInstall(examplesDir, contractTarball, `openapi-fetch@${rootPackage.devDependencies['openapi-fetch']}`, '--save-dev', `@types/node@${rootPackage.devDependencies['@types/node']}`);
  // The kit as a dev dependency, from its tarball alone.
  kitDir = project('kit-consumer');
  kitInstalled = npmInstall(kitDir, '--save-dev', kitTarball);
  // No failure may go unobserved while another install is awaited.
  for (const installed of [contractInstalled, examplesInstalled, kitInstalled]) installed.catch(() => {});
}, 120_000);

describe('the tarballs', () => {
  it('hold what a consumer needs and nothing of tests, benchmarks or sources', () => {
    const contract = tarballFiles(contractTarball);
    const kit = tarballFiles(kitTarball);
    for (const file of ['package/lib/library.js', 'package/lib/library.d.ts', 'package/types/index.d.ts', 'package/types/subhook.js', 'package/spec/smn.openapi.yaml', 'package/spec/subhook.asyncapi.yaml', 'package/fixtures/subhook/signature-vectors.json', 'package/generated/smn.openapi.json', 'package/LICENSE']) {
      expect(contract).toContain(file);
      // The kit carries the same contract package inside it.
      expect(kit).toContain(file.replace(/^package\//, 'package/node_modules/smn-kit-contract/'));
    }
    for (const file of ['package/dist/cli.js', 'package/conformance/smn.test.ts', 'package/fixtures/smn/subscriptions.json', 'package/generated/smn.prism-bodies.json', 'package/LICENSE']) expect(kit).toContain(file);
    // The suite imports the checks from src/ in the repository; the package has their build only, and its copy imports that.
    const suite = execFileSync('tar', ['xzOf', kitTarball, 'package/conformance/smn.test.ts'], { encoding: 'utf8' });
    const imported = [...suite.matchAll(/from '\.\.\/([^']+)'/g)].map((match) => `package/${match[1]}`);
    expect(imported).toContain('package/dist/conformance/runner.js');
    for (const file of imported) expect(kit).toContain(file);
    for (const files of [contract, kit]) {
      expect(files.filter((f) => /^package\/(node_modules\/smn-kit-contract\/)?(test|bench|src|scripts|examples|\.ci)\//.test(f))).toEqual([]);
    }
  });

  it('are publishable, the repository itself is not, and Prism and vitest are optional for the kit', () => {
    expect(rootPackage.private).toBe(true);
    const contract = tarballPackage(contractTarball);
    const kit = tarballPackage(kitTarball);
    expect(contract).toMatchObject({ name: 'smn-kit-contract', version, license: 'MIT' });
    expect(kit).toMatchObject({ name: 'smn-kit', version, license: 'MIT', bundleDependencies: ['smn-kit-contract'], dependencies: { 'smn-kit-contract': version } });
    expect(contract.private).toBeUndefined();
    expect(kit.private).toBeUndefined();
    // What only --engine prism and the vitest suite need is no dependency npm installs.
    const optional = ['@stoplight/prism-core', '@stoplight/prism-http', 'vitest'];
    expect(Object.keys(kit.dependencies as object)).not.toEqual(expect.arrayContaining([expect.stringMatching(/prism|vitest/)]));
    expect(Object.keys(kit.peerDependencies as object).sort()).toEqual(optional);
    expect(kit.peerDependenciesMeta).toEqual(Object.fromEntries(optional.map((name) => [name, { optional: true }])));
  });
});

describe('smn-kit-contract, installed alone', () => {
  beforeAll(() => contractInstalled, 180_000);

  it('installs under 6 MB with its dependencies: Ajv, ajv-formats and content-type, nothing else', () => {
    const modules = join(contractDir, 'node_modules');
    const size = sizeOf(modules);
    console.log(`smn-kit-contract installed with its dependencies: ${(size / 1024 / 1024).toFixed(2)} MB`);
    expect(size).toBeLessThan(CONTRACT_SIZE_LIMIT_BYTES);
    const installed = readdirSync(modules).filter((name) => !name.startsWith('.'));
    expect(installed).toEqual(expect.arrayContaining(['smn-kit-contract', 'ajv', 'ajv-formats', 'content-type']));
    for (const heavy of ['yaml', '@stoplight', 'vitest', '@apidevtools', 'node-forge', 'json-schema-faker', '@types']) expect(installed).not.toContain(heavy);
  });

  it("compiles with tsc --init's options, no @types/node and its .d.ts files checked, and runs; a misuse of a type fails", () => {
    const dir = contractDir;
    writeFileSync(
      join(dir, 'main.ts'),
      `import { signRequest, signSubhook, smnResponses, validateSubhookEvent, verifySmnNotification, verifySubhookSignature } from 'smn-kit-contract';
import { smsSubhookEventNames, type ListSubscriptionsResponse, type SmsSubhookEvent, type paths } from 'smn-kit-contract/types';

// Optional fields given as possibly undefined, as code under exactOptionalPropertyTypes has them.
const body: string | undefined = maybeBody();
function maybeBody(): string | undefined {
  return undefined;
}
const signed = signRequest({ method: 'GET', url: new URL('http://127.0.0.1:4010/v2/p/notifications/topics'), headers: {}, body }, { ak: 'AK', sk: 'SK' });

const token = '0123456789abcdef0123456789abcdef';
const verdict = validateSubhookEvent<SmsSubhookEvent>({ events: 'request', address: '13800138000', app: '10001', send_id: 'a1', timestamp: String(Math.floor(Date.now() / 1000)), token, signature: signSubhook(token, 'k') }, { product: 'sms', key: 'k', strict: undefined });
const event = verdict.valid ? verdict.payload.events : verdict.problems.map((p) => p.rule).join(',');

const smn = verifySmnNotification({}, { certificatePem: 'not a certificate', headers: undefined, toleranceSeconds: undefined });

type Page = paths['/v2/{project_id}/notifications/subscriptions']['get']['responses'][200]['content']['application/json'];
const page: Page & ListSubscriptionsResponse = { request_id: '4650b14bf221492fb819c231d167e6fe', subscription_count: 0, subscriptions: [] };
console.log(JSON.stringify({ signedHeaders: Object.keys(signed).length > 0, event, names: smsSubhookEventNames.length, verified: verifySubhookSignature({ token: 't', signature: signSubhook('t', 'k') }, 'k'), smnValid: smn.valid, smnProblems: smnResponses().validate('ListSubscriptions', 200, page).length }));
`,
    );
    writeFileSync(join(dir, 'wrong.ts'), `import type { SmsSubhookEvent } from 'smn-kit-contract/types';\nconst e: SmsSubhookEvent = { events: 'not-an-event' };\nexport { e };\n`);

    const options = tscInitOptions(dir, { skipLibCheck: false });
    expect(options.types).toEqual([]);
    expect(options.exactOptionalPropertyTypes).toBe(true);
    // wrong.ts goes in the same program (parsing the libraries once), and must fail there.
    const { problems, program } = compile(dir, ['main.ts'], options, 'smn-kit-contract', ['wrong.ts']);
    expect(problems).toEqual([]);
    // No Node types reached the program: the package's declarations need none.
    expect(program.getSourceFiles().filter((f) => f.fileName.includes('/@types/node/'))).toEqual([]);
    expect(describeAll(program.getSemanticDiagnostics(program.getSourceFile(join(dir, 'wrong.ts')))).join('\n')).toMatch(/wrong\.ts: Type '"not-an-event"' is not assignable to type/);

    const ran = spawnSync(process.execPath, [join(dir, 'out/main.js')], { encoding: 'utf8' });
    expect(ran.stderr).toBe('');
    expect(JSON.parse(ran.stdout)).toEqual({ signedHeaders: true, event: 'request', names: 8, verified: true, smnValid: false, smnProblems: 0 });
  });
});

describe('examples/, compiled from the tarballs and run against the installed kit', () => {
  // Each example in an ES module project, and in a CommonJS one (npm init -y) that reuses its node_modules.
  const builds = ['esm', 'cjs'] as const;
  const outOf = (build: (typeof builds)[number]) => join(build === 'esm' ? examplesDir : join(examplesDir, 'cjs'), 'out');
  const kitBin = () => join(kitDir, 'node_modules/.bin/smn-kit');
  const { SUBHOOK_KEY: _ignored, ...cleanEnv } = process.env;

  beforeAll(async () => {
    await Promise.all([examplesInstalled, kitInstalled]);
    const cjsDir = join(examplesDir, 'cjs');
    mkdirSync(cjsDir);
    writeFileSync(join(cjsDir, 'package.json'), `${JSON.stringify({ name: 'examples-cjs', version: '1.0.0', private: true, type: 'commonjs' })}\n`);
    for (const dir of [examplesDir, cjsDir]) {
      for (const file of EXAMPLES) cpSync(join(root, 'examples', file), join(dir, file));
      writeFileSync(join(dir, 'readme.ts'), readmeConsumerExample());
    }
  }, 300_000);

  it.each(builds)('compile in the %s project with strict and exactOptionalPropertyTypes, the contract\'s .d.ts files checked', (build) => {
    const dir = build === 'esm' ? examplesDir : join(examplesDir, 'cjs');
    // Node's types for node:http; in the CommonJS project, imports become require() calls (Node 20.19 requires ES modules).
    const options = tscInitOptions(dir, { skipLibCheck: false, types: ['node'], ...(build === 'cjs' ? { verbatimModuleSyntax: false } : {}) });
    expect(options.strict && options.exactOptionalPropertyTypes).toBe(true);
    const { problems } = compile(dir, [...EXAMPLES, 'readme.ts'], options, 'smn-kit-contract');
    expect(problems).toEqual([]);
    if (build === 'cjs') expect(readFileSync(join(outOf(build), 'smn-client.js'), 'utf8')).toContain('require("smn-kit-contract")');
  });

  it.each(builds)('the SUBHOOK receiver (%s) accepts every event fire sends, signed with its key, and refuses a forged one', async (build) => {
    const env = { ...cleanEnv, SUBHOOK_KEY: 'example-subhook-key', PORT: '0' };
    const receiver = await serve(process.execPath, [join(outOf(build), 'subhook-receiver.js')], examplesDir, env);
    try {
      const all = await run(kitBin(), ['fire', 'all', '--to', `${receiver.url}/subhook`], kitDir, env);
      expect(all.status, all.stdout + all.stderr).toBe(0);
      expect(all.stdout).toMatch(/8 deliveries in .*: every answer as expected/);
      const forged = await run(kitBin(), ['fire', 'request', '--tamper', 'signature', '--to', `${receiver.url}/subhook`], kitDir, env);
      expect(forged.status, forged.stdout).toBe(0);
      expect(forged.stdout).toMatch(/-> 400 .*refused, as it should be/);
    } finally {
      await receiver.stop();
    }
    expect(receiver.output()).toMatch(/^message \w+ delivered to \+?\d+$/m);
    expect(receiver.output()).toMatch(/^refused: bad-signature \/signature$/m);
  }, 60_000);

  it.each(builds)('the SMN endpoint (%s) takes signed SMS callback notifications and refuses a changed one', async (build) => {
    const certificate = join(examplesDir, 'node_modules/smn-kit-contract/fixtures/smn/test-only-certificate.pem');
    const receiver = await serve(process.execPath, [join(outOf(build), 'smn-receiver.js')], examplesDir, { ...cleanEnv, SMN_CERTIFICATE: certificate, PORT: '0' });
    try {
      const valid = await run(kitBin(), ['fire', 'sms_fail_event', '--count', '2', '--to', `${receiver.url}/smn`], kitDir, cleanEnv);
      expect(valid.status, valid.stdout + valid.stderr).toBe(0);
      const changed = await run(kitBin(), ['fire', 'sms_fail_event', '--tamper', 'changed-field', '--to', `${receiver.url}/smn`], kitDir, cleanEnv);
      expect(changed.status, changed.stdout).toBe(0);
    } finally {
      await receiver.stop();
    }
    expect(receiver.output().match(/^sms_fail_event for \d{3}\*{4}\d{4}$/gm)).toHaveLength(2);
    expect(receiver.output()).toMatch(/^refused: bad-signature \/signature$/m);
  }, 60_000);

  it('the SMN client (both builds) creates, subscribes and publishes on the kit\'s mock, which verifies its AK/SK signatures', async () => {
    const keys = { SMN_MOCK_AK: 'HPUAEXAMPLEACCESSKEY', SMN_MOCK_SK: 'example-secret-key' };
    const mock = await serve(kitBin(), ['mock', '--port', '0', '--auth', 'aksk', '--quiet'], kitDir, { ...cleanEnv, ...keys });
    try {
      const client = { ...cleanEnv, SMN_ENDPOINT: mock.url, SMN_PROJECT_ID: '0123456789abcdef0123456789abcdef', SMN_AK: keys.SMN_MOCK_AK, SMN_SK: keys.SMN_MOCK_SK };
      for (const [build, created] of [['esm', 201], ['cjs', 200]] as const) {
        const ran = await run(process.execPath, [join(outOf(build), 'smn-client.js')], examplesDir, client);
        expect(ran.stderr, build).toBe('');
        expect(ran.status).toBe(0);
        // The second run finds the topic and the subscription there: 200, the same URNs.
        expect(ran.stdout).toMatch(new RegExp(`^topic urn:smn:cn-north-4:0123456789abcdef0123456789abcdef:orders \\(${created}\\)\\nsubscription urn:smn:\\S+ \\(${created}\\)\\nmessage [0-9a-f]{32}\\n$`));
      }
      const forged = await run(process.execPath, [join(outOf('esm'), 'smn-client.js')], examplesDir, { ...client, SMN_SK: 'another-secret' });
      expect(forged.status).toBe(1);
      expect(forged.stderr).toMatch(/^CreateTopic: 401 .*APIGW\.0301/);
    } finally {
      await mock.stop();
    }
  }, 60_000);
});

describe('smn-kit, installed alone from its tarball', () => {
  beforeAll(() => kitInstalled, 300_000);

  it('installs under 40 MB, without Prism or vitest', () => {
    const modules = join(kitDir, 'node_modules');
    const kilobytes = Number(execFileSync('du', ['-sk', modules], { encoding: 'utf8' }).split('\t')[0]);
    console.log(`smn-kit installed with its dependencies: ${(kilobytes / 1024).toFixed(1)} MB (du -sk)`);
    expect(kilobytes).toBeLessThan(KIT_SIZE_LIMIT_KB);
    expect(existsSync(join(modules, '@stoplight'))).toBe(false);
    expect(existsSync(join(modules, 'vitest'))).toBe(false);
  });

  it('runs npx smn-kit --version and --help, quickly', async () => {
    const [versionRun, help] = await Promise.all([
      run('npx', ['--no-install', 'smn-kit', '--version'], kitDir),
      run('npx', ['--no-install', 'smn-kit', '--help'], kitDir),
    ]);
    expect(versionRun.stderr).toBe('');
    expect(versionRun.stdout.trim()).toBe(version);
    expect(help.stdout).toMatch(/^\s+validate\s+/m);
    // The best of up to three, so that a busy machine is not measured: a run under the limit
    // ends the trials (the best is then under it too); npx's own start is npm's.
    const timed = async (command: string, args: string[], limit: number): Promise<number> => {
      let best = Infinity;
      for (let i = 0; i < 3 && best >= limit; i++) {
        const started = performance.now();
        expect((await run(command, args, kitDir)).status).toBe(0);
        best = Math.min(best, performance.now() - started);
      }
      return best;
    };
    const bin = await timed(join(kitDir, 'node_modules/.bin/smn-kit'), ['--version'], 500);
    const npx = await timed('npx', ['--no-install', 'smn-kit', '--version'], 1500);
    console.log(`smn-kit --version: ${bin.toFixed(0)} ms from its bin, ${npx.toFixed(0)} ms through npx (best of up to three)`);
    expect(bin).toBeLessThan(500);
    expect(npx).toBeLessThan(1500);
  }, 60_000);

  it('validates request bodies as Prism does without Prism, and says in one line what to install for --engine prism', async () => {
    const smnKit = join(kitDir, 'node_modules/.bin/smn-kit');
    const prism = await run(smnKit, ['mock', '--engine', 'prism', '--port', '0'], kitDir);
    expect(prism.status).toBe(2);
    expect(prism.stderr).toBe(
      `smn-kit: --engine prism needs Prism, which is not installed: npm install --save-dev @stoplight/prism-http@${rootPackage.peerDependencies['@stoplight/prism-http']} @stoplight/prism-core@${rootPackage.peerDependencies['@stoplight/prism-core']}\n`,
    );
    // AddSubscription's body has allOf, which Prism reworks before validating: npm run generate did that for the kit.
    const mock = await serve(smnKit, ['mock', '--port', '0', '--quiet'], kitDir, process.env);
    try {
      const topic = 'urn:smn:cn-north-4:f96188c7ccaf4ffba0c9aa149ab2bd57:test_fail';
      const subscribe = (body: object) =>
        fetch(`${mock.url}/v2/f96188c7ccaf4ffba0c9aa149ab2bd57/notifications/topics/${topic}/subscriptions`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Auth-Token': 'any' },
          body: JSON.stringify(body),
        });
      const refused = await subscribe({ protocol: 'pigeon', endpoint: 'x' });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ code: 'SMN.0011' });
      expect((await subscribe({ protocol: 'http', endpoint: 'http://127.0.0.1:9/hook' })).status).toBe(201);
    } finally {
      await mock.stop();
    }
    expect(mock.output()).not.toMatch(/Prism|internal error/);
  }, 60_000);

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

  it('runs the steps of examples/ci/smn-conformance.yml as written: every check passes (but those waiting for the emulator), the JUnit report written', async () => {
    const workflow = parse(readFileSync(join(root, 'examples/ci/smn-conformance.yml'), 'utf8')) as {
      jobs: { conformance: { env: Record<string, string>; steps: { run?: string; uses?: string }[] } };
    };
    const job = workflow.jobs.conformance;
    // checkout, setup-node and the report action are GitHub's; npm ci is the install done above.
    const steps = job.steps.map((step) => step.run).filter((step): step is string => step !== undefined && step.trim() !== 'npm ci');
    expect(steps).toHaveLength(3);
    // One shell for the steps, as the job's steps share its machine; the mock's port is a free one.
    const port = String(await freePort());
    const report = (): { results: { operation: string; check: string; status: string; message: string }[] } => JSON.parse(readFileSync(join(kitDir, 'conformance.json'), 'utf8')) as { results: { operation: string; check: string; status: string; message: string }[] };
    // The conformance step is the last: the script's exit status is its verdict.
    const script = `set -euo pipefail\n${steps.map((step) => step.replaceAll('4010', port)).join('\n')}`;
    const env = { ...process.env, ...job.env, SMN_TARGET: job.env.SMN_TARGET!.replace('4010', port) };
    const child = spawn('bash', ['-c', script], { cwd: kitDir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running.push(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    // The mock the steps started in the background ends with its process group.
    stopGroup(child);
    // It checks every operation, as the emulator answers every one from its state (support/emulated.ts).
    expect(job.env.SMN_OPERATIONS).toBeUndefined();
    expect(new Set(report().results.map((r) => r.operation))).toEqual(new Set(EMULATED_OPERATIONS));
    // Nothing fails but what waits for the emulator's fidelity work (support/emulated.ts); with none waiting, the job passes.
    const found = report().results.filter((r) => ['fail', 'error', 'warn'].includes(r.status) && !isKitChoiceWarning(r)).map((r) => `${r.operation} ${r.check}`);
    expect(found, output).toEqual(EMULATOR_GAPS);
    expect(status, output).toBe(EMULATOR_GAPS.length === 0 ? 0 : 1);
    // What is skipped says why (an id the account must already have, a write not allowed...).
    expect(report().results.filter((r) => r.status === 'skip').every((r) => r.message.length > 0)).toBe(true);
    expect(readFileSync(join(kitDir, 'conformance.xml'), 'utf8')).toMatch(new RegExp(`<testsuites name="smn-kit conformance http://127\\.0\\.0\\.1:\\d+"[^>]* failures="${EMULATOR_GAPS.length}" errors="0"`));
  }, 120_000);

  it('runs the steps of examples/ci/receiver-conformance.yml as written: both receivers (smn-kit listen standing in) pass, the reports written', async () => {
    const workflow = parse(readFileSync(join(root, 'examples/ci/receiver-conformance.yml'), 'utf8')) as {
      jobs: { receivers: { env: Record<string, string>; steps: { run?: string; uses?: string }[] } };
    };
    const job = workflow.jobs.receivers;
    const steps = job.steps.map((step) => step.run).filter((step): step is string => step !== undefined && step.trim() !== 'npm ci');
    expect(steps).toHaveLength(3);
    // The receivers' ports are free ones; one shell, as the job's steps share its machine.
    const [subhook, smn] = [String(await freePort()), String(await freePort())];
    const script = `set -euo pipefail\n${steps.map((step) => step.replaceAll('8787', subhook).replaceAll('9000', smn)).join('\n')}`;
    const child = spawn('bash', ['-c', script], { cwd: kitDir, env: { ...process.env, ...job.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running.push(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    // The receivers the steps started in the background end with its process group.
    stopGroup(child);
    expect(status, output).toBe(0);
    for (const [name, product] of [['subhook-receiver', 'sms'], ['smn-receiver', 'smn']] as const) {
      const report = JSON.parse(readFileSync(join(kitDir, `${name}.json`), 'utf8')) as { product: string; results: { check: string; status: string }[] };
      expect(report.product).toBe(product);
      expect(report.results.length).toBeGreaterThan(10);
      expect(report.results.filter((r) => r.status === 'fail' || r.status === 'error'), name).toEqual([]);
      expect(readFileSync(join(kitDir, `${name}.xml`), 'utf8')).toMatch(/<testsuites [^>]*failures="0" errors="0"/);
    }
  }, 120_000);
});
