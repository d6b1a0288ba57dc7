// Reading Markdown as GitHub renders it, for the tests that keep the docs honest: the
// headings and the anchors GitHub gives them, and the links, both outside code blocks.

/** The lines of a Markdown text that are not inside a fenced code block. */
function proseLines(text: string): string[] {
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of text.split('\n')) {
    const opener = /^\s*(```+|~~~+)/.exec(line)?.[1];
    if (opener && (fence === undefined || opener.startsWith(fence))) {
      fence = fence === undefined ? opener : undefined;
      continue;
    }
    if (fence === undefined) lines.push(line);
  }
  return lines;
}

/** A heading's text as rendered: links to their text, code and emphasis marks gone. */
const headingText = (markdown: string): string =>
  markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .replace(/\*\*?|__/g, '')
    .trim();

/**
 * The anchor GitHub gives a heading (github-slugger): lower case, punctuation removed
 * (letters, digits, `_`, `-` and spaces kept), each space a hyphen.
 */
export const slugOf = (text: string): string =>
  headingText(text)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}_\- ]/gu, '')
    .replace(/ /g, '-');

/** Every heading of the text with its anchor, a repeated one numbered as GitHub numbers it (`-1`, `-2`). */
export function headingsOf(text: string): { text: string; slug: string }[] {
  const headings: { text: string; slug: string }[] = [];
  const seen = new Map<string, number>();
  for (const line of proseLines(text)) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slugOf(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    headings.push({ text: headingText(heading), slug: count === 0 ? base : `${base}-${count}` });
  }
  return headings;
}

/** The anchor of each heading's text (the first, for a repeated one). */
export function markdownSlugs(text: string): Map<string, string> {
  const slugs = new Map<string, string>();
  for (const heading of headingsOf(text)) if (!slugs.has(heading.text)) slugs.set(heading.text, heading.slug);
  return slugs;
}

/** The anchors a page offers. */
export const anchorsOf = (text: string): Set<string> => new Set(headingsOf(text).map((heading) => heading.slug));

/** Every link target of the text outside code: inline links and images, and reference definitions. */
export function linksOf(text: string): { target: string; line: number }[] {
  const links: { target: string; line: number }[] = [];
  let inFence: string | undefined;
  text.split('\n').forEach((line, index) => {
    const opener = /^\s*(```+|~~~+)/.exec(line)?.[1];
    if (opener && (inFence === undefined || opener.startsWith(inFence))) {
      inFence = inFence === undefined ? opener : undefined;
      return;
    }
    if (inFence !== undefined) return;
    // Inline code spans hold examples, not links.
    const prose = line.replace(/`[^`]*`/g, '');
    for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ target: match[1]!, line: index + 1 });
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(prose);
    if (definition) links.push({ target: definition[1]!, line: index + 1 });
  });
  return links;
}
