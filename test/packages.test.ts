// The two packages as another repository gets them: packed, installed from the
// tarballs into fresh projects, a TypeScript file compiled with --strict against the
// contract package alone and run, and the kit's CLI run from its installed bin.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const version = (JSON.parse(execFileSync('node', ['-p', 'JSON.stringify(require("./package.json"))'], { cwd: root, encoding: 'utf8' })) as { version: string }).version;
const contractTarball = join(root, 'build', `smn-kit-contract-${version}.tgz`);
const kitTarball = join(root, 'build', `smn-kit-${version}.tgz`);
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const SIZE_LIMIT_BYTES = 5 * 1024 * 1024;

function npm(cwd: string, ...args: string[]): string {
  const result = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${result.stderr}`);
  return result.stdout;
}

function project(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `smn-kit-${name}-`));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type: 'module' }));
  return dir;
}

const sizeOf = (dir: string): number =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => statSync(join(dir, entry)))
    .filter((stat) => stat.isFile())
    .reduce((sum, stat) => sum + stat.size, 0);

const tarballFiles = (tarball: string): string[] => execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n');

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'scripts/package.mjs')], { cwd: root, stdio: 'pipe' });
}, 120_000);

describe('the tarballs', () => {
  it('hold what a consumer needs and nothing of tests, benchmarks or sources', () => {
    const contract = tarballFiles(contractTarball);
    const kit = tarballFiles(kitTarball);
    for (const file of ['package/lib/library.js', 'package/lib/library.d.ts', 'package/types/index.d.ts', 'package/types/subhook.js', 'package/spec/smn.openapi.yaml', 'package/spec/subhook.asyncapi.yaml', 'package/fixtures/subhook/signature-vectors.json', 'package/generated/smn.openapi.json']) {
      expect(contract).toContain(file);
    }
    for (const file of ['package/dist/cli.js', 'package/conformance/smn.test.ts', 'package/fixtures/smn/subscriptions.json']) expect(kit).toContain(file);
    for (const files of [contract, kit]) {
      expect(files.filter((f) => /^package\/(test|bench|src|scripts|\.ci)\//.test(f))).toEqual([]);
    }
  });
});

describe('smn-kit-contract, installed alone', () => {
  let dir: string;

  beforeAll(() => {
    dir = project('contract-consumer');
    npm(dir, 'install', contractTarball);
  }, 180_000);

  it(`installs under 5 MB with its dependencies, Ajv and ajv-formats only`, () => {
    const size = sizeOf(join(dir, 'node_modules'));
    console.log(`smn-kit-contract installed with its dependencies: ${(size / 1024 / 1024).toFixed(2)} MB`);
    expect(size).toBeLessThan(SIZE_LIMIT_BYTES);
    const installed = readdirSync(join(dir, 'node_modules')).filter((name) => !name.startsWith('.'));
    expect(installed).not.toContain('yaml');
    expect(installed).not.toContain('@stoplight');
    expect(installed).not.toContain('vitest');
  });

  it('lets a --strict TypeScript file import the types and the library, and run', () => {
    npm(dir, 'install', '--save-dev', '@types/node@20');
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
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', outDir: 'out', types: ['node'] }, files: ['main.ts'] }),
    );
    const compiled = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
    expect(compiled.stdout + compiled.stderr).toBe('');
    const ran = spawnSync(process.execPath, [join(dir, 'out/main.js')], { encoding: 'utf8' });
    expect(ran.stderr).toBe('');
    expect(JSON.parse(ran.stdout)).toEqual({ event: 'delivered', names: 8, signed: true, smnProblems: 0 });
  });

  it('fails to compile when a consumer misuses a generated type', () => {
    writeFileSync(join(dir, 'wrong.ts'), `import type { SmsSubhookEvent } from 'smn-kit-contract/types';\nconst e: SmsSubhookEvent = { events: 'not-an-event' };\nexport { e };\n`);
    writeFileSync(join(dir, 'tsconfig.wrong.json'), JSON.stringify({ extends: './tsconfig.json', files: ['wrong.ts'] }));
    const compiled = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.wrong.json'), '--noEmit'], { encoding: 'utf8' });
    expect(compiled.status).not.toBe(0);
    expect(compiled.stdout).toContain('wrong.ts');
  });
});

describe('smn-kit, installed with its contract package', () => {
  let dir: string;

  beforeAll(() => {
    dir = project('kit-consumer');
    npm(dir, 'install', contractTarball, kitTarball);
  }, 300_000);

  const smnKit = (...args: string[]) => spawnSync('npx', ['--no-install', 'smn-kit', ...args], { cwd: dir, encoding: 'utf8' });

  it('runs npx smn-kit --version and --help', () => {
    expect(smnKit('--version').stdout.trim()).toBe(version);
    expect(smnKit('--help').stdout).toMatch(/^\s+validate\s+/m);
  });

  it('uses the contract package, not a copy of it', () => {
    const listed = npm(dir, 'ls', 'smn-kit-contract', '--all');
    expect(listed).toMatch(/smn-kit-contract@.* deduped/);
  });

  it('validates a shipped fixture, and refuses an invalid one', () => {
    const fixtures = join(dir, 'node_modules/smn-kit-contract/fixtures/subhook/sms');
    const valid = smnKit('validate', join(fixtures, 'valid/delivered.json'));
    expect(valid.status).toBe(0);
    expect(valid.stdout).toContain('1 valid');
    // The invalid fixtures describe their case around the fields: validate the fields.
    const broken = JSON.parse(readFileSync(join(fixtures, 'invalid/missing-send-id.json'), 'utf8')) as { fields: unknown };
    writeFileSync(join(dir, 'broken.json'), JSON.stringify(broken.fields));
    const invalid = smnKit('validate', join(dir, 'broken.json'));
    expect(invalid.status).toBe(1);
    expect(invalid.stdout).toContain('missing-field');
  });
});
