// The README is a guide a newcomer reads in ten minutes: at most about 20 KB, a table of
// contents near the top that lists every section, the two commands and the first session
// first, and each use ending with a link to its reference page. The reference's table of
// the kit's choices (docs/strictness.md) lists exactly the rules the specs mark
// `x-kit-choice`: a choice added to a spec without a row, or a row left after the choice
// went, fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSmnContract } from '../src/contract/smn.js';
import { markdownSlugs } from './support/markdown.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const sections = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]!);

/** The text of a `## ` section of the README, up to the next one. */
const sectionOf = (title: string): string => {
  const start = readme.indexOf(`\n## ${title}\n`);
  const end = readme.indexOf('\n## ', start + 4);
  return readme.slice(start, end === -1 ? undefined : end);
};

describe('README.md, the guide', () => {
  it('is at most about 20 KB', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(20 * 1024);
  });

  it('lists every section in its table of contents, in the first screen, in order', () => {
    const firstSection = readme.indexOf('\n## ');
    const contents = readme.slice(0, firstSection);
    expect(contents.split('\n').length).toBeLessThan(40);
    const slugs = markdownSlugs(readme);
    const linked = [...contents.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
    expect(linked).toEqual(sections.map((title) => slugs.get(title)));
    expect(sections.slice(0, 2)).toEqual(['The two commands', 'A first session']);
  });

  it.each([
    ['Mock SMN for your app', 'docs/mock.md'],
    ['Conformance of an SMN deployment', 'docs/conformance.md'],
    ['Conformance of your receiver', 'docs/conformance.md'],
    ['Validate captures', 'docs/listen-fire-validate.md'],
    ['Types in your repo', 'docs/packages.md'],
  ])('ends the section "%s" with a link to its reference page, %s', (title, page) => {
    expect(sections).toContain(title);
    const lastParagraph = sectionOf(title).trim().split('\n\n').at(-1)!;
    expect(lastParagraph).toMatch(new RegExp(`^Reference: \\[${page.replace('.', '\\.')}\\]\\(${page.replace('.', '\\.')}(#[^)]+)?\\)`));
  });
});

function marked(file: string): string[] {
  const found: string[] = [];
  const walk = (node: unknown, pointer: string): void => {
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'x-kit-choice') found.push(pointer);
      else walk(value, `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`);
    }
  };
  walk(JSON.parse(readFileSync(new URL(`../spec/subhook/${file}`, import.meta.url), 'utf8')), '');
  return found.map((pointer) => `${file}#${pointer}`);
}

describe("docs/strictness.md: the kit's choices", () => {
  it('lists every x-kit-choice of the specs, and nothing else', () => {
    const page = readFileSync(new URL('../docs/strictness.md', import.meta.url), 'utf8');
    const table = page.slice(page.indexOf("## The kit's choices"), page.indexOf('\n## ', page.indexOf("## The kit's choices") + 3));
    const rows = [...table.matchAll(/^\| (smn|subhook) \| `([^`]+)` \|/gm)].map((m) => `${m[1]} ${m[2]}`);
    const subhookFiles = readdirSync(new URL('../spec/subhook/', import.meta.url), { recursive: true }).map(String).filter((name) => name.endsWith('.json'));
    const expected = [...loadSmnContract().kitChoices.map((c) => `smn ${c.pointer}`), ...subhookFiles.flatMap(marked).map((where) => `subhook ${where}`)];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.sort()).toEqual(expected.sort());
  });
});
