// `smn-kit validate` as a user runs it, over the fixtures and over files made here: its
// lines, its --json and --junit files, its exit codes. The command runs in this process
// (its code, its option parsing, its output); a few tests run the built CLI, for what only
// a process shows.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCommand } from '../src/commands/validate.js';
import { signSubhook } from '../src/subhook/signature.js';
import { validateFiles } from '../src/validate/run.js';
import { judgeSmnNotification } from '../src/judge/smn-notification.js';
import { judgeSubhookFields } from '../src/judge/subhook.js';
import { cleanEnv, runCommand } from './support/command.js';
import { heapAfterCollection } from './support/heap.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const KEY = 'test-subhook-key-0123456789abcdef';
const work = mkdtempSync(join(tmpdir(), 'smn-kit-validate-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const environment = cleanEnv;
/** `smn-kit validate ...args`, in this process. */
const run = (...args: string[]) => runCommand(validateCommand, args, environment);
/** `smn-kit validate ...args`, the built CLI in a child process. */
const runCli = (args: string[], env: NodeJS.ProcessEnv = environment) => spawnSync(process.execPath, [cli, 'validate', ...args], { cwd: root, encoding: 'utf8', timeout: 30_000, env });
const fixture = (path: string): unknown => JSON.parse(readFileSync(join(root, 'fixtures', path), 'utf8'));

interface ReportItem {
  source: string;
  line?: number;
  pointer?: string;
  status: string;
  kind?: string;
  product?: string;
  event?: string;
  operation?: string;
  httpStatus?: number;
  problems: { rule: string; pointer: string; where?: string }[];
  warnings: { rule: string; pointer: string }[];
  signature?: string;
}
interface Report {
  paths: string[];
  items: ReportItem[];
  summary: { pass: number; fail: number; warn: number; skip: number };
  signatures: { keyGiven: boolean; checked: number; notChecked: number };
}

let reports = 0;
/** Runs validate with --json and returns the exit status, the output and the parsed report. */
async function validate(...args: string[]) {
  const json = join(work, `report-${++reports}.json`);
  const result = await run(...args, '--json', json);
  const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, report };
}

const write = (name: string, text: string): string => {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
};
const jsonLines = (name: string, values: unknown[]): string => write(name, values.map((value) => JSON.stringify(value)).join('\n') + '\n');
const firstProblem = (item: ReportItem | undefined) => item && { rule: item.problems[0]?.rule, pointer: item.problems[0]?.pointer };

describe('smn-kit validate --help', () => {
  it('explains every option with its default, the exit codes, and gives an example', async () => {
    const result = await run('--help');
    expect(result.status).toBe(0);
    for (const option of Object.keys(validateCommand.options)) expect(result.stdout).toContain(`--${option}`);
    expect(result.stdout).toContain('auto (default)');
    expect(result.stdout).toContain('Exit status: 0');
    expect(result.stdout).toContain('\nExample:\n  smn-kit validate');
  });

  it('says that the key file or the environment keeps the key out of the process list', () => {
    expect(validateCommand.usage).toMatch(/--key-file FILE[^\n]*\n.*SUBHOOK_KEY environment variable,\n\s+keeps the key out of the process list/);
  });
});

describe('SMN payloads and HAR exchanges (fixtures/smn/payloads)', () => {
  let status: number | null;
  let stdout: string;
  let report: Report;
  beforeAll(async () => ({ status, stdout, report } = await validate('fixtures/smn/payloads')));
  const item = (file: string, at: number | string) =>
    report.items.find((i) => i.source.endsWith(file) && (typeof at === 'number' ? i.line === at : i.pointer === at));

  it('exits 1 and sums up every item', () => {
    expect(status).toBe(1);
    expect(report.summary).toEqual({ pass: 8, fail: 10, warn: 1, skip: 1 });
    expect(stdout).toMatch(/smn-kit validate: 20 items in 8 files: 9 valid \(1 with warnings\), 10 invalid, 1 skipped/);
  });

  it('tells each body its operation, error bodies included', () => {
    const operations = report.items.filter((i) => i.source.includes('/valid/')).map((i) => [i.source.split('/').pop(), i.operation, i.status]);
    expect(operations).toEqual([
      ['gateway-error.json', 'error body', 'pass'],
      ['list-sms-event.json', 'ListSmsEvent', 'pass'],
      ['list-subscriptions.json', 'ListSubscriptions', 'pass'],
      ['smn-error.json', 'error body', 'pass'],
      ['update-sms-event.json', 'UpdateSmsEvent', 'pass'],
    ]);
  });

  it('names the rule and pointer of each broken body, by line', () => {
    const file = 'invalid/bodies.jsonl';
    expect([1, 2, 3, 4, 5, 6].map((line) => firstProblem(item(file, line)))).toEqual([
      { rule: 'type', pointer: '/subscription_count' },
      { rule: 'enum', pointer: '/callback/0/event_type' },
      { rule: 'enum', pointer: '/subscriptions/0/status' },
      { rule: 'pattern', pointer: '/code' },
      { rule: 'unrecognized-body', pointer: '' },
      { rule: 'malformed-json', pointer: '' },
    ]);
    expect(stdout).toMatch(/^invalid fixtures\/smn\/payloads\/invalid\/bodies\.jsonl:1 ListSubscriptions 200: type \/subscription_count: expected a value of type integer, received "1"$/m);
    expect(stdout).toMatch(/^invalid \S+bodies\.jsonl:6 payload: malformed-json/m);
  });

  it('warns about fields the contract does not declare, without failing', () => {
    const warned = item('undeclared-field.json', 1);
    expect(warned?.status).toBe('warn');
    expect(warned?.warnings).toEqual([expect.objectContaining({ rule: 'undeclared-field', pointer: '/marker' })]);
  });

  it('judges HAR responses for their status, and requests the contract refuses that got a 2xx', () => {
    const entries = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => item('exchanges.har', `/log/entries/${i}`));
    expect(entries.map((e) => e?.status)).toEqual(['pass', 'pass', 'fail', 'fail', 'fail', 'skip', 'pass', 'fail']);
    expect(entries.map((e) => [e?.operation, e?.httpStatus])[1]).toEqual(['ListSubscriptions', 400]);
    expect(entries[2]?.problems).toEqual([expect.objectContaining({ rule: 'accepted-invalid-request', where: 'request query limit' })]);
    expect(firstProblem(entries[3])).toEqual({ rule: 'pattern', pointer: '/callback/0/topic_urn' });
    expect(entries[4]?.problems.map((p) => p.pointer)).toEqual(['/request_id', '/code', '/message']);
    expect(firstProblem(entries[7])).toEqual({ rule: 'status', pointer: '' });
    expect(stdout).toMatch(/^skipped \S+exchanges\.har#\/log\/entries\/5 .*not an SMN operation/m);
  });

  it('judges every body as SMN with --kind smn, and refuses SUBHOOK events then', async () => {
    const result = await validate('--kind', 'smn', 'fixtures/subhook/sms/valid/delivered.json');
    expect(result.status).toBe(1);
    expect(firstProblem(result.report.items[0])).toEqual({ rule: 'unrecognized-body', pointer: '' });
  });
});

describe('SUBHOOK events', () => {
  it('accepts every valid sample and finds its product from its event', async () => {
    const paths = ['sms', 'intersms'].flatMap((product) =>
      readdirSync(join(root, 'fixtures/subhook', product, 'valid'))
        .filter((name) => name.endsWith('.json'))
        .map((name) => `fixtures/subhook/${product}/valid/${name}`),
    );
    const { status, report } = await validate(...paths);
    expect(status).toBe(0);
    expect(report.items).toHaveLength(paths.length);
    // Events both products define alike go to the first product of the spec; --product decides those. (A domestic
    // sending without tag, optional since the samples omit it, is the international sample's shape too.)
    const alike = ['intersms/valid/request.json', 'intersms/valid/sending.json', 'intersms/valid/template_accept.json', 'intersms/valid/template_reject.json'];
    for (const item of report.items) {
      expect(item.status, `${item.source}: ${JSON.stringify(item.problems)}`).toBe('pass');
      expect(item.product).toBe(alike.some((path) => item.source.endsWith(path)) ? 'sms' : item.source.split('/')[2]);
      expect(item.event).toBe((JSON.parse(readFileSync(join(root, item.source), 'utf8')) as { events: string }).events);
    }
  });

  it.each(['sms', 'intersms'])('takes each %s fixture that breaks only a kit rule as valid with that warning, and invalid with --strict', async (product) => {
    type Case = { fields: unknown; expect: { rule: string; pointer: string } };
    const folder = join(root, 'fixtures/subhook', product, 'warnings');
    const cases = readdirSync(folder).map((name) => fixture(`subhook/${product}/warnings/${name}`) as Case);
    const path = jsonLines(`${product}-warnings.jsonl`, cases.map((c) => c.fields));
    const lenient = await validate(path, '--product', product);
    expect(lenient.status).toBe(0);
    expect(lenient.report.items.map((item) => item.status)).toEqual(cases.map(() => 'warn'));
    expect(lenient.report.items.map((item) => item.warnings.map((p) => ({ rule: p.rule, pointer: p.pointer })))).toEqual(cases.map((c) => [c.expect]));
    const strict = await validate(path, '--product', product, '--strict');
    expect(strict.status).toBe(1);
    expect(strict.report.items.map((item) => item.problems.map((p) => ({ rule: p.rule, pointer: p.pointer })))).toEqual(cases.map((c) => [c.expect]));
  });

  it.each(['sms', 'intersms'])('reports the rule and pointer of each invalid %s fixture, line by line', async (product) => {
    const folder = join(root, 'fixtures/subhook', product, 'invalid');
    type Case = { fields: unknown; key?: string; expect: { rule: string; pointer: string } };
    const cases = readdirSync(folder)
      .filter((name) => name !== 'deliveries.json')
      .map((name) => fixture(`subhook/${product}/invalid/${name}`) as Case);
    for (const withKey of [false, true]) {
      const chosen = cases.filter((c) => (c.key !== undefined) === withKey);
      const path = jsonLines(`${product}-invalid-${withKey}.jsonl`, chosen.map((c) => c.fields));
      const { status, report } = await validate(path, '--product', product, ...(withKey ? ['--key', KEY] : []));
      expect(status).toBe(1);
      expect(report.items.map((item) => item.status)).toEqual(chosen.map(() => 'fail'));
      expect(report.items.map((item) => item.problems.map((p) => ({ rule: p.rule, pointer: p.pointer })))).toEqual(chosen.map((c) => [c.expect]));
    }
  });
});

describe('raw deliveries (JSON Lines of {method, url, headers, body})', () => {
  type Deliveries = { deliveries: { delivery: unknown }[] };
  const valid = ['sms', 'intersms'].flatMap((product) =>
    ['form', 'get', 'multipart'].flatMap((form) => (fixture(`subhook/${product}/deliveries/${form}.json`) as Deliveries).deliveries.map((d) => d.delivery)),
  );
  let path: string;
  beforeAll(() => (path = jsonLines('deliveries.jsonl', valid)));

  it('decodes each form and checks signatures with --key', async () => {
    const { status, report } = await validate(path, '--key', KEY);
    expect(status).toBe(0);
    expect(report.summary).toEqual({ pass: valid.length, fail: 0, warn: 0, skip: 0 });
  });

  it('finds a bad signature for every delivery under another key, and never prints the key or a token', async () => {
    const otherKey = 'another-subhook-key-fedcba9876543210';
    const { status, stdout, report } = await validate(path, '--key', otherKey);
    expect(status).toBe(1);
    expect(report.items.map((item) => firstProblem(item))).toEqual(valid.map(() => ({ rule: 'bad-signature', pointer: '/signature' })));
    const everything = stdout + JSON.stringify(report);
    expect(everything).not.toContain(otherKey);
    for (const delivery of valid as { body?: string; url: string }[]) {
      const token = /token=([^&]+)/.exec(delivery.body ?? delivery.url)?.[1] ?? /name="token"\r\n\r\n(\w+)/.exec(delivery.body ?? '')?.[1];
      expect(token).toMatch(/^\w{32}$/);
      expect(everything).not.toContain(token);
    }
  });

  it('takes the key from SUBHOOK_KEY when --key is not given (its exit code)', async () => {
    const result = await runCommand(validateCommand, [path], { ...environment, SUBHOOK_KEY: 'wrong-key' });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('bad-signature');
  });

  it('names the decoding rule and where for requests that are not deliveries', async () => {
    type Bad = { deliveries: { delivery: unknown; expect: { rule: string; where: string } }[] };
    const bad = (fixture('subhook/sms/invalid/deliveries.json') as Bad).deliveries;
    const { status, report } = await validate(jsonLines('bad-deliveries.jsonl', bad.map((d) => d.delivery)));
    expect(status).toBe(1);
    expect(report.items.map((item) => ({ rule: item.problems[0]?.rule, where: item.problems[0]?.where }))).toEqual(bad.map((d) => d.expect));
  });
});

describe('files as they come', () => {
  const event = fixture('subhook/sms/valid/delivered.json') as Record<string, unknown>;

  it('numbers JSON Lines by line through a BOM, CRLF, blank lines and a broken line', async () => {
    const path = write('mixed.jsonl', `\uFEFF${JSON.stringify(event)}\r\n\r\n{"events": "delivered",\r\n${JSON.stringify({ ...event, tag: 7 })}`);
    const { status, stdout, report } = await validate(path);
    expect(status).toBe(1);
    expect(report.items.map((item) => [item.line, item.status, item.problems[0]?.rule])).toEqual([
      [1, 'pass', undefined],
      [3, 'fail', 'malformed-json'],
      [4, 'fail', 'wrong-type'],
    ]);
    expect(stdout).toContain(`${path}:3 payload: malformed-json`);
  });

  it('gives each element of a .json array the line it starts on', async () => {
    const text = `[\n  ${JSON.stringify(event)},\n\n  {\n    "events": "nope"\n  },\n  "a string, with [brackets] and \\"quotes\\""\n]\n`;
    const { report } = await validate(write('array.json', text));
    expect(report.items.map((item) => [item.line, item.status])).toEqual([
      [2, 'pass'],
      [4, 'fail'],
      [7, 'fail'],
    ]);
  });

  it('writes a JUnit file with one test case per source file', async () => {
    const junit = join(work, 'validate.xml');
    const result = await run('fixtures/smn/payloads/valid', 'fixtures/smn/payloads/invalid', '--junit', junit);
    expect(result.status).toBe(1);
    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(6);
    expect(xml).toMatch(/<testcase classname="smn-kit validate" name="fixtures\/smn\/payloads\/invalid\/bodies.jsonl"[^>]*>\s*<failure message="6 of 6 items invalid">/);
  });

  it('reads standard input for -, as JSON Lines, and reports its items as stdin:LINE', async () => {
    const file = 'fixtures/smn/payloads/invalid/bodies.jsonl';
    const fromFile = await run(file);
    const piped = runCli(['-'], environment);
    // Spawned with no input: an empty standard input is zero items.
    expect(piped.status).toBe(0);
    const fed = spawnSync(process.execPath, [cli, 'validate', '-', '--json', join(work, 'stdin.json')], { cwd: root, encoding: 'utf8', env: environment, input: readFileSync(join(root, file)) });
    expect(fed.stderr).toBe('');
    expect(fed.status).toBe(1);
    const lines = (text: string) => text.split('\n').filter((line) => !line.startsWith('smn-kit validate:') && !/^\d+ items?\b/.test(line));
    expect(lines(fed.stdout).join('\n')).toBe(lines(fromFile.stdout).join('\n').replaceAll(`${file}:`, 'stdin:'));
    expect(fed.stdout).toMatch(/^invalid stdin:1 /m);
    const report = JSON.parse(readFileSync(join(work, 'stdin.json'), 'utf8')) as Report;
    expect(fromFile.status).toBe(1);
    expect(report.summary).toMatchObject({ pass: 0, fail: 6 });
    expect(new Set(report.items.map((item) => item.source))).toEqual(new Set(['stdin']));
  });

  it.each([
    [[], /give at least one PATH/],
    [['nowhere.jsonl'], /nowhere\.jsonl: no such file or folder/],
    [['-', '-'], /- \(standard input\) can be read only once; give it once/],
    [['README.md'], /README\.md: cannot tell its format from its name; use \.json, \.jsonl, \.ndjson, \.har/],
    [['fixtures/smn', '--kind', 'xml'], /--kind must be auto, smn, subhook, got "xml"/],
    [['fixtures/smn', '--product', 'mms'], /--product must be sms, intersms, got "mms"/],
    [['fixtures/smn', '--json', '/nonexistent/dir/report.json'], /--json \/nonexistent\/dir\/report\.json: cannot be written \(ENOENT\)/],
    [['src'], /src: no \.json, \.jsonl, \.ndjson, \.har file in this folder/],
    [['fixtures/smn', '--key-file', '/nonexistent/subhook.key'], /--key-file \/nonexistent\/subhook\.key: cannot be read \(ENOENT\)/],
    [['fixtures/smn', '--key-file', 'package.json'], /--key-file package\.json has more than one line; put only the SUBHOOK secret in it/],
    [['fixtures/smn', '--key-file', 'package.json', '--key', KEY], /give the SUBHOOK secret once: --key or --key-file, not both/],
  ])('refuses %j with one line and exit 2', async (args, message) => {
    const result = await run(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toContain(KEY);
  });

  it('the built CLI turns a usage error into one line and exit 2', () => {
    const result = runCli(['nowhere.jsonl']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('smn-kit: nowhere.jsonl: no such file or folder\n');
  });
});

describe('every folder named valid/ holds only valid items', () => {
  const validFolders = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((entry) => (entry.name === 'valid' ? [join(folder, entry.name)] : validFolders(join(folder, entry.name))));
  const folders = validFolders(join(root, 'fixtures')).map((path) => path.slice(root.length));

  it('finds them', () => {
    expect(folders).toEqual(expect.arrayContaining(['fixtures/smn/payloads/valid', 'fixtures/subhook/sms/valid', 'fixtures/subhook/intersms/valid']));
  });

  it.each(folders)('smn-kit validate %s: all valid, exit 0', async (folder) => {
    const { status, stdout, report } = await validate(folder);
    expect(stdout.split('\n').filter((line) => /^(invalid|warning|skipped) /.test(line))).toEqual([]);
    expect(status).toBe(0);
    expect(report.items.length).toBeGreaterThan(0);
    expect(report.summary).toEqual({ pass: report.items.length, fail: 0, warn: 0, skip: 0 });
  });
});

describe('signatures without a key', () => {
  // A push that listen refused for its signature, as its --out file holds it: signed with another key.
  const token = 'a'.repeat(32);
  const refused = {
    n: 1,
    receivedAt: '2025-01-01T00:00:00.000Z',
    method: 'POST',
    url: '/subhook',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...(event() as Record<string, string>), app: '10001', timestamp: '1415014855', token, signature: signSubhook(token, 'a-forger-key') }).toString(),
    bodyBytes: 0,
    verdict: { status: 'fail', product: 'sms', event: 'delivered', problems: [{ rule: 'bad-signature', pointer: '/signature', expected: 'md5(token + key)', received: '...' }] },
    answer: { status: 400, delayMs: 0 },
  };
  let capture: string;
  beforeAll(() => (capture = jsonLines('refused.jsonl', [refused])));

  it('says in the summary and in --json that signatures were not checked', async () => {
    const { status, stdout, report } = await validate(capture);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^smn-kit validate: 1 item in 1 file: 1 valid \(0 with warnings\), 0 invalid, 0 skipped \(\d+\.\d+ s\); signatures not checked \(no key given\): 1 item carries one$/m);
    expect(report.signatures).toEqual({ keyGiven: false, checked: 0, notChecked: 1 });
    expect(report.items[0]?.signature).toBe('not-checked');
  });

  it('fails an item that carries a signature with --require-signature', async () => {
    const { status, stdout, report } = await validate(capture, '--require-signature');
    expect(status).toBe(1);
    expect(report.items.map((item) => item.problems.map((p) => [p.rule, p.pointer]))).toEqual([[['unchecked-signature', '/signature']]]);
    expect(stdout).toMatch(/^invalid \S+refused\.jsonl:1 sms delivered: unchecked-signature \/signature: expected a signature checked against the SUBHOOK key \(--require-signature\), received no key to check it with \(give --key-file, SUBHOOK_KEY or --key\)$/m);
  });

  it('the judges name no option: the command words what checks a signature', async () => {
    const judged = judgeSubhookFields(fixture('subhook/sms/valid/delivered.json'), { requireSignature: true });
    const saved = fixture('smn/notifications/valid/notification.json') as { body: unknown };
    const smn = await judgeSmnNotification(saved.body, undefined, { requireSignature: true });
    const problems = [...judged.problems, ...smn.verdict.problems];
    expect(problems.map((p) => p.rule)).toEqual(['unchecked-signature', 'unchecked-signature']);
    for (const problem of problems) expect(`${problem.expected} ${problem.received}`).not.toMatch(/--|SUBHOOK_KEY/);
  });

  it('finds the forged signature with the key from --key-file, which it never prints', async () => {
    const keyFile = write('subhook.key', `${KEY}\r\n`);
    const { status, stdout, report } = await validate(capture, '--key-file', keyFile, '--require-signature');
    expect(status).toBe(1);
    expect(firstProblem(report.items[0])).toEqual({ rule: 'bad-signature', pointer: '/signature' });
    expect(report.signatures).toEqual({ keyGiven: true, checked: 1, notChecked: 0 });
    expect(stdout).not.toContain('signatures not checked');
    expect(stdout + JSON.stringify(report)).not.toContain(KEY);
  });

  it('says nothing about signatures when no item carries one', async () => {
    const { status, stdout, report } = await validate('fixtures/smn/payloads/valid', '--require-signature');
    expect(status).toBe(0);
    expect(stdout).not.toContain('signature');
    expect(report.signatures).toEqual({ keyGiven: false, checked: 0, notChecked: 0 });
  });
});

describe('streaming', () => {
  it('keeps memory flat: the heap does not grow with the number of lines read', async () => {
    // 200 000 events: about 42 MB of text, and far more once parsed. Held at once (a
    // reader that parsed the whole file before handing items on), the heap would grow by
    // tens of megabytes; streamed, it stays near where it started.
    const line = `${JSON.stringify(event())}\n`;
    const path = join(work, 'many.jsonl');
    writeFileSync(path, line.repeat(200_000));
    // What the heap holds, garbage collected, every 25 000 lines: what a reader keeps, not
    // the garbage it leaves, whose amount depends on what else this process has loaded.
    const growth: number[] = [];
    let seen = 0;
    const before = heapAfterCollection();
    const summary = await validateFiles([{ path, format: 'jsonl' }], { kind: 'auto' }, () => {
      if (++seen % 25_000 === 0) growth.push(heapAfterCollection() - before);
      return undefined;
    });
    expect(summary.pass).toBe(200_000);
    const peak = Math.max(...growth);
    expect(peak, `peak heap growth ${(peak / 2 ** 20).toFixed(1)} MB`).toBeLessThan(12 * 2 ** 20);
  });
});

function event(): Record<string, unknown> {
  return fixture('subhook/sms/valid/delivered.json') as Record<string, unknown>;
}
