// The README's table of the kit's choices lists exactly the rules the specs mark
// `x-kit-choice`: a choice added to a spec without a row, or a row left after the
// choice went, fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSmnContract } from '../src/contract/smn.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const table = readme.slice(readme.indexOf('## Strictness'), readme.indexOf('\n## ', readme.indexOf('## Strictness') + 3));

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

describe("README: the kit's choices", () => {
  it('lists every x-kit-choice of the specs, and nothing else', () => {
    const rows = [...table.matchAll(/^\| (smn|subhook) \| `([^`]+)` \|/gm)].map((m) => `${m[1]} ${m[2]}`);
    const subhookFiles = readdirSync(new URL('../spec/subhook/', import.meta.url), { recursive: true }).map(String).filter((name) => name.endsWith('.json'));
    const expected = [...loadSmnContract().kitChoices.map((c) => `smn ${c.pointer}`), ...subhookFiles.flatMap(marked).map((where) => `subhook ${where}`)];
    expect(rows.sort()).toEqual(expected.sort());
  });
});
