// The options of each command are told in three places that must agree: the parser
// (what the command accepts), its --help, and its reference page's table of options. And
// every command line the docs and examples show uses options the command has. An option
// added to a command without a line in its help and a row in its page fails here, and so
// does a row or an example left after an option went.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Command } from '../src/commands/command.js';
import { commands } from '../src/commands/main.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

/** Each command's reference page, and the heading of its table of options there. */
const REFERENCE: Record<string, { page: string; heading: string }> = {
  mock: { page: 'docs/mock.md', heading: '## Options' },
  conformance: { page: 'docs/conformance.md', heading: '## Options and environment' },
  validate: { page: 'docs/listen-fire-validate.md', heading: '### validate: options' },
  listen: { page: 'docs/listen-fire-validate.md', heading: '### listen: options' },
  fire: { page: 'docs/listen-fire-validate.md', heading: '### fire: options' },
};

const loaded = new Map<string, Command>();
for (const entry of commands) loaded.set(entry.name, await entry.load());

/** What the parser accepts: every option, and --help, which main() adds to each. */
const parserOptions = (command: Command): string[] => [...Object.keys(command.options), 'help'].sort();

const optionNames = (text: string): string[] => [...text.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((m) => m[1]!);

/**
 * The options the help's synopses and its options sections name. Other programs' options
 * in the prose (`curl --cacert FILE`, `smn-kit fire --tamper`) are left out: from the
 * program's name to the end of its parenthesis or line.
 */
function helpOptions(name: string, usage: string): string[] {
  const blocks = usage.split('\n\n');
  // Every synopsis (a command may have several forms: conformance --target, --receiver).
  const synopses = blocks.filter((block) => block.startsWith('Usage:')).join('\n');
  // Every options section ("Options", "Receiver options"), to its first line that is not indented.
  const lines = usage.split('\n');
  const section: string[] = [];
  lines.forEach((line, start) => {
    if (!/^([A-Z][a-z]+ )?[Oo]ptions\b/.test(line)) return;
    for (const next of lines.slice(start + 1)) {
      if (next !== '' && !next.startsWith(' ')) break;
      section.push(next);
    }
  });
  const own = section.join('\n').replace(new RegExp(`(curl|smn-kit (?!${name}\\b)\\w+)[^)\\n]*`, 'g'), '');
  return [...new Set([...optionNames(synopses), ...optionNames(own)])].sort();
}

/** The options the first column of the page's table under `heading` names. */
function pageOptions(page: string, heading: string): string[] {
  const text = read(page);
  const start = text.indexOf(`\n${heading}\n`);
  expect(start, `${page}: no "${heading}"`).toBeGreaterThan(-1);
  const level = heading.split(' ')[0]!.length;
  const end = text.slice(start + heading.length + 2).search(new RegExp(`^#{1,${level}} `, 'm'));
  const section = end === -1 ? text.slice(start) : text.slice(start, start + heading.length + 2 + end);
  const firstCells = [...section.matchAll(/^\| ([^|]+) \|/gm)].map((m) => m[1]!).filter((cell) => cell !== 'option' && !/^-+$/.test(cell.trim()));
  const names = firstCells.flatMap(optionNames);
  return [...new Set(names)].sort();
}

describe('each command: parser, --help and reference page name the same options', () => {
  it.each(Object.keys(REFERENCE))('%s', (name) => {
    const command = loaded.get(name)!;
    const expected = parserOptions(command);
    expect(helpOptions(name, command.usage), `smn-kit ${name} --help`).toEqual(expected);
    const { page, heading } = REFERENCE[name]!;
    expect(pageOptions(page, heading), `${page} ${heading}`).toEqual(expected);
  });

  it('covers every command', () => {
    expect([...loaded.keys()].sort()).toEqual(Object.keys(REFERENCE).sort());
  });
});

/** The shell lines of the Markdown's sh and bash blocks, and of the examples' scripts and workflows, continued lines joined. */
function shellLines(): { where: string; line: string }[] {
  const found: { where: string; line: string }[] = [];
  const add = (where: string, lines: string[]): void => {
    let pending = '';
    for (const raw of lines) {
      const line = pending + raw.trim();
      if (line.endsWith('\\')) {
        pending = `${line.slice(0, -1)} `;
        continue;
      }
      pending = '';
      found.push({ where, line });
    }
  };
  const markdown = ['README.md', 'CONTRIBUTING.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  for (const page of markdown) {
    for (const block of read(page).matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)) add(page, block[1]!.split('\n'));
  }
  add('examples/first-session.sh', read('examples/first-session.sh').split('\n'));
  for (const file of readdirSync(join(root, 'examples/ci'))) add(`examples/ci/${file}`, read(`examples/ci/${file}`).split('\n'));
  return found;
}

describe('the command lines of the docs and examples', () => {
  const invocations = shellLines().flatMap(({ where, line }) =>
    [...line.replace(/(^|\s)#.*$/, '').matchAll(/(?:npx smn-kit|node dist\/cli\.js|smn-kit) (\w+)((?:(?!\s[|;&]|\$\().)*)/g)].map((m) => ({ where, line, name: m[1]!, rest: m[2]! })),
  );

  it('are found in every page that shows one', () => {
    expect(new Set(invocations.map((i) => i.name))).toEqual(new Set(Object.keys(REFERENCE)));
  });

  it('use only commands and options that exist', () => {
    const wrong: string[] = [];
    for (const { where, line, name, rest } of invocations) {
      const command = loaded.get(name);
      if (!command) {
        wrong.push(`${where}: no command ${name}: ${line}`);
        continue;
      }
      for (const option of optionNames(rest)) if (!parserOptions(command).includes(option)) wrong.push(`${where}: smn-kit ${name} has no --${option}: ${line}`);
    }
    expect(wrong).toEqual([]);
  });
});
