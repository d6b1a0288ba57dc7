// JUnit XML is read by CI systems, which refuse a report that is not well-formed XML and
// then show nothing. Names and messages come from what was judged (file names, paths of
// deliveries, received values), so any text can reach them: the report must escape it
// whatever it is. Checked with a strict reader (test/support/xml.ts), which refuses what
// lenient parsers let through, on the report written whole, written case by case, and
// written by `smn-kit validate` for a file whose name is hostile.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateCommand } from '../src/commands/validate.js';
import { junitXml, openJunitReport, type JunitCase } from '../src/report/report.js';
import { runCommand } from './support/command.js';
import { parseStrictXml, type XmlElement } from './support/xml.js';

const work = mkdtempSync(join(tmpdir(), 'smn-kit-junit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Everything XML gives a meaning to, characters it cannot hold at all, and a few that
// it can: markup, both quotes, an entity, the end of a CDATA section, C0 controls, DEL,
// a lone surrogate, U+FFFE, and non-ASCII text.
const HOSTILE = 'a<b>&amp;"c\'d]]>e\u0000f\u0001g\u0008h\u000bi\u001fj\u007fk\ud800l\ufffem\t\n\r中文😀';
/** What XML can carry of HOSTILE: the characters it cannot hold dropped, the rest kept. */
const CARRIED = 'a<b>&amp;"c\'d]]>efghij\u007fklm\t\n\r中文😀';

const cases: JunitCase[] = [
  { suite: `suite ${HOSTILE}`, name: `pass ${HOSTILE}`, status: 'pass' },
  { suite: `suite ${HOSTILE}`, name: `fail ${HOSTILE}`, status: 'fail', message: `message ${HOSTILE}`, details: `details ${HOSTILE}` },
  { suite: 'plain', name: `error ${HOSTILE}`, status: 'error', message: `message ${HOSTILE}` },
  { suite: 'plain', name: `skip ${HOSTILE}`, status: 'skip', message: `message ${HOSTILE}` },
  { suite: 'plain', name: `warn ${HOSTILE}`, status: 'warn', message: `message ${HOSTILE}`, details: `details ${HOSTILE}` },
];

const testcases = (root: XmlElement): XmlElement[] => root.children.flatMap((suite) => suite.children);

// Attribute values are normalized by XML readers (a literal tab, newline or carriage
// return becomes a space); the strict reader does not, so what is compared here is what
// the report holds.
function checkReport(xml: string): void {
  const root = parseStrictXml(xml);
  expect(root.name).toBe('testsuites');
  expect(root.attributes.name).toBe(`report ${CARRIED}`);
  expect(root.children.map((suite) => suite.attributes.name)).toEqual([`suite ${CARRIED}`, 'plain']);
  const [pass, fail, error, skip, warn] = testcases(root);
  expect(pass!.attributes.name).toBe(`pass ${CARRIED}`);
  expect(fail!.attributes.name).toBe(`fail ${CARRIED}`);
  expect(fail!.children[0]).toMatchObject({ name: 'failure', attributes: { message: `message ${CARRIED}` }, text: `details ${CARRIED}` });
  expect(error!.children[0]).toMatchObject({ name: 'error', attributes: { message: `message ${CARRIED}` }, text: `message ${CARRIED}` });
  expect(skip!.children[0]).toMatchObject({ name: 'skipped', attributes: { message: `message ${CARRIED}` } });
  expect(warn!.children[0]).toMatchObject({ name: 'system-out', text: `warning: details ${CARRIED}` });
}

describe('JUnit XML escapes any name and message', () => {
  it('the strict reader refuses what XML forbids', () => {
    for (const bad of ['<a b="<"/>', '<a>x & y</a>', '<a>]]></a>', '<a b="x""/>', '<a>\u0001</a>', '<a>&nope;</a>', '<a>&#1;</a>', '<a></b>', '<a/><b/>']) {
      expect(() => parseStrictXml(bad), bad).toThrow(/not well-formed XML/);
    }
    expect(parseStrictXml('<?xml version="1.0" encoding="UTF-8"?>\n<a b="&lt;&amp;&quot;">x &gt; &#x1F600;</a>\n')).toMatchObject({ name: 'a', attributes: { b: '<&"' }, text: 'x > 😀' });
  });

  it('written whole: well-formed, and every name and message reads back as given', () => {
    checkReport(junitXml(`report ${HOSTILE}`, cases));
  });

  it('written case by case: the same document', () => {
    const path = join(work, 'streamed.xml');
    const report = openJunitReport(path, `report ${HOSTILE}`);
    for (const c of cases) report.add(c);
    report.close();
    const xml = readFileSync(path, 'utf8');
    expect(xml).toBe(junitXml(`report ${HOSTILE}`, cases));
    checkReport(xml);
  });

  it('smn-kit validate --junit, for a file whose name holds markup and control characters', async () => {
    const file = join(work, 'x<&"]]>\u0001\u001f.jsonl');
    writeFileSync(file, '{"events": "no-such-event"}\n');
    const junit = join(work, 'validate.xml');
    const result = await runCommand(validateCommand, [file, '--junit', junit]);
    expect(result.status).toBe(1);
    const [testcase] = testcases(parseStrictXml(readFileSync(junit, 'utf8')));
    const shown = file.replace(/[\u0001\u001f]/g, '');
    expect(testcase!.attributes.name).toBe(shown);
    expect(testcase!.children[0]!.text).toContain(`invalid ${shown}:1 `);
  });
});
