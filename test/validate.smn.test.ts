// `smn-kit validate` on saved SMN notifications (issue 12, item 5): the fixtures of
// fixtures/smn/notifications/ get their named verdicts, with the test-only certificate;
// bodies alone and raw deliveries in JSON Lines are judged the same way; signatures not
// checked are said to be so; the strictness policy applies.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { validateCommand } from '../src/commands/validate.js';
import { runCommand } from './support/command.js';
import { vectors } from './support/smn-vectors.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const folder = join(root, 'fixtures/smn/notifications');
const TEST_CERT = join(root, 'fixtures/smn/test-only-certificate.pem');
const work = mkdtempSync(join(tmpdir(), 'smn-kit-validate-smn-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Expected {
  rule: string;
  pointer: string;
  where?: string;
}
interface Fixture {
  description: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  expect?: Expected;
  warnings?: Expected[];
}
interface Item {
  source: string;
  status: string;
  kind?: string;
  event?: string;
  smsEvent?: string;
  signature?: string;
  note?: string;
  problems: Expected[];
  warnings: Expected[];
}
interface Report {
  items: Item[];
  summary: { pass: number; fail: number; warn: number; skip: number };
  smnSignatures: { certificate: string; checked: number; notChecked: number };
}

const fixtures = (kind: string): [string, Fixture][] =>
  readdirSync(join(folder, kind))
    .filter((name) => name.endsWith('.json'))
    .map((name) => [name, JSON.parse(readFileSync(join(folder, kind, name), 'utf8')) as Fixture]);

let reports = 0;
async function validate(...args: string[]) {
  const json = join(work, `report-${++reports}.json`);
  const ran = await runCommand(validateCommand, [...args, '--json', json]);
  return { ...ran, report: JSON.parse(readFileSync(json, 'utf8')) as Report };
}
const itemOf = (report: Report, name: string): Item | undefined => report.items.find((item) => item.source.endsWith(`/${name}`));
const shape = ({ rule, pointer, where }: Expected): Expected => (where === undefined ? { rule, pointer } : { rule, pointer, where });

describe('fixtures/smn/notifications, with the test-only certificate', () => {
  it('valid/: every one valid, its signature checked', async () => {
    const { status, report } = await validate(join(folder, 'valid'), '--smn-cert', TEST_CERT, '--require-signature');
    expect(status).toBe(0);
    expect(report.items.length).toBe(fixtures('valid').length);
    for (const item of report.items) expect(item, item.source).toMatchObject({ status: 'pass', kind: 'smn-notification', signature: 'checked', problems: [], warnings: [] });
    expect(report.smnSignatures).toEqual({ certificate: 'file', checked: report.items.length, notChecked: 0 });
  });

  it('invalid/: each gets the problem it names, and exit 1', async () => {
    const { status, report } = await validate(join(folder, 'invalid'), '--smn-cert', TEST_CERT);
    expect(status).toBe(1);
    for (const [name, fixture] of fixtures('invalid')) {
      const item = itemOf(report, name);
      expect(item?.status, name).toBe('fail');
      expect(item?.problems.map(shape), name).toContainEqual(shape(fixture.expect!));
    }
  });

  it('warn/: valid, with exactly the warnings each names; --strict makes them invalid', async () => {
    const { status, report } = await validate(join(folder, 'warn'), '--smn-cert', TEST_CERT);
    expect(status).toBe(0);
    for (const [name, fixture] of fixtures('warn')) {
      const item = itemOf(report, name);
      expect(item?.status, name).toBe('warn');
      expect(item?.warnings.map(shape), name).toEqual(fixture.warnings!.map(shape));
    }
    const strict = await validate(join(folder, 'warn'), '--smn-cert', TEST_CERT, '--strict');
    expect(strict.status).toBe(1);
    for (const [name, fixture] of fixtures('warn')) expect(itemOf(strict.report, name)?.problems.map(shape), name).toEqual(fixture.warnings!.map(shape));
  });

  it('another certificate verifies none of them', async () => {
    const other = join(work, 'other.pem');
    writeFileSync(other, vectors.other_certificates.other_key!.certificate);
    const { status, report } = await validate(join(folder, 'valid'), '--smn-cert', other);
    expect(status).toBe(1);
    for (const item of report.items) expect(item.problems.map((p) => p.rule), item.source).toEqual(['bad-signature']);
  });
});

describe('without a certificate', () => {
  it('the signatures are not checked: valid, and the summary and --json say so; --require-signature fails them', async () => {
    const { status, stdout, report } = await validate(join(folder, 'valid'));
    expect(status).toBe(0);
    expect(stdout).toMatch(/; SMN signatures not checked \(no certificate given: --smn-cert FILE\): 4 items carry one\n$/);
    expect(report.smnSignatures).toEqual({ certificate: 'none', checked: 0, notChecked: 4 });
    for (const item of report.items) expect(item).toMatchObject({ status: 'pass', signature: 'not-checked', note: 'no certificate given: --smn-cert FILE' });
    const required = await validate(join(folder, 'valid'), '--require-signature');
    expect(required.status).toBe(1);
    for (const item of required.report.items) expect(item.problems.map((p) => p.rule)).toEqual(['unchecked-signature']);
  });
});

describe('bodies alone and raw deliveries, in JSON Lines', () => {
  it('judges a body without its headers, and a raw delivery {method, url, headers, body} with them', async () => {
    const valid = fixtures('valid');
    const bodies = valid.map(([, fixture]) => JSON.stringify(fixture.body));
    const deliveries = valid.map(([, fixture]) => JSON.stringify({ method: 'POST', url: '/smn', headers: fixture.headers, body: JSON.stringify(fixture.body) }));
    const mismatch = fixtures('invalid').find(([name]) => name === 'header-type-mismatch.json')![1];
    const lines = [
      ...bodies,
      ...deliveries,
      JSON.stringify({ method: 'POST', url: '/smn', headers: mismatch.headers, body: JSON.stringify(mismatch.body) }),
      JSON.stringify({ method: 'PUT', url: '/smn', headers: valid[0]![1].headers, body: JSON.stringify(valid[0]![1].body) }),
    ];
    const file = join(work, 'notifications.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const { status, report } = await validate(file, '--smn-cert', TEST_CERT);
    expect(status).toBe(1);
    expect(report.items.map((item) => [item.kind, item.status])).toEqual([...bodies, ...deliveries].map(() => ['smn-notification', 'pass']).concat([['smn-notification', 'fail'], ['smn-notification', 'fail']]));
    expect(report.items.at(-2)?.problems.map(shape)).toEqual([mismatch.expect]);
    expect(report.items.at(-1)?.problems.map(shape)).toEqual([{ rule: 'wrong-method', pointer: '', where: 'method' }]);
  });

  it('--kind smn judges notifications as SMN too; --kind subhook judges them as SUBHOOK', async () => {
    const file = join(folder, 'valid/notification.json');
    expect((await validate('--kind', 'smn', file, '--smn-cert', TEST_CERT)).report.items[0]).toMatchObject({ kind: 'smn-notification', status: 'pass', event: 'Notification', smsEvent: 'sms_fail_event' });
    const subhook = await validate('--kind', 'subhook', file);
    expect(subhook.status).toBe(1);
    expect(subhook.report.items[0]).toMatchObject({ kind: 'subhook', status: 'fail' });
  });

  it('an SMS callback event inside message is judged against its schema', async () => {
    const body = { ...fixtures('valid').find(([name]) => name === 'notification.json')![1].body };
    body.message = JSON.stringify({ ...(JSON.parse(body.message as string) as object), fee_num: 'one' });
    const file = join(work, 'bad-event.json');
    writeFileSync(file, JSON.stringify(body));
    const { status, stdout } = await validate(file);
    expect(status).toBe(1);
    expect(stdout).toMatch(/^invalid .*bad-event\.json:1 smn Notification sms_fail_event: wrong-type message JSON \/fee_num: expected .*, received "one"$/m);
  });
});
