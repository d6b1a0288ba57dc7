// Every relative link of the Markdown a user or a contributor reads (README.md,
// CONTRIBUTING.md, CHANGELOG.md, docs/, bench/, examples/, fixtures/) leads somewhere:
// the file or folder exists, and an anchor into a Markdown page names one of its
// headings as GitHub renders them. Links off the repository are not followed.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { anchorsOf, linksOf, slugOf } from './support/markdown.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function markdownUnder(dir: string): string[] {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(dir, name));
}

const pages = ['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md', ...['docs', 'bench', 'examples', 'fixtures'].flatMap(markdownUnder)];

describe('the links of the Markdown pages', () => {
  it('reads the pages it should', () => {
    expect(pages).toEqual(expect.arrayContaining(['README.md', 'CONTRIBUTING.md', 'docs/mock.md', 'docs/conformance.md', 'bench/README.md', 'examples/README.md']));
  });

  it('finds anchors as GitHub makes them', () => {
    expect(slugOf('`smn-kit fire`: events at any receiver')).toBe('smn-kit-fire-events-at-any-receiver');
    expect(slugOf("The kit's choices")).toBe('the-kits-choices');
    expect(slugOf('Engines: fast and prism')).toBe('engines-fast-and-prism');
    expect(anchorsOf('# A\n```sh\n# not a heading\n```\n## A\n')).toEqual(new Set(['a', 'a-1']));
  });

  it('reports a link to a missing file, a missing anchor, and an anchor into a folder', () => {
    const text = '[a](docs/nowhere.md) [b](docs/mock.md#no-such-heading) [c](docs/mock.md#options) [d](docs#x) [e](#here)\n## Here\n```sh\n[f](gone.md)\n```\n';
    expect(brokenLinks('README.md', text)).toEqual([
      'README.md:1 docs/nowhere.md: no docs/nowhere.md',
      'README.md:1 docs/mock.md#no-such-heading: no heading #no-such-heading in docs/mock.md',
      'README.md:1 docs#x: an anchor into something that is not a Markdown page',
    ]);
  });

  it.each(pages)('%s: every relative link and anchor leads somewhere', (page) => {
    expect(brokenLinks(page, readFileSync(join(root, page), 'utf8'))).toEqual([]);
  });
});

/** The links of `text` (the page `page`, relative to the repository) that lead nowhere, each with why. */
function brokenLinks(page: string, text: string): string[] {
  const broken: string[] = [];
  for (const { target, line } of linksOf(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const [path = '', anchor] = target.split('#', 2);
    const file = path === '' ? join(root, page) : join(root, dirname(page), decodeURIComponent(path));
    const where = `${page}:${line} ${target}`;
    if (!existsSync(file)) {
      broken.push(`${where}: no ${relative(root, file)}`);
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (statSync(file).isDirectory() || !file.endsWith('.md')) {
      broken.push(`${where}: an anchor into something that is not a Markdown page`);
      continue;
    }
    const targetText = path === '' ? text : readFileSync(file, 'utf8');
    if (!anchorsOf(targetText).has(anchor)) broken.push(`${where}: no heading #${anchor} in ${relative(root, file)}`);
  }
  return broken;
}
