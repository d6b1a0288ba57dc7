// docs/mock.md's table of operations (issue 20: "a table of every operation: served by the
// emulator, the stateless mock, checked by conformance") says of each what the code does:
// one row per operation of the contract, its method and path, whether the stateless mock
// shapes its example by the query, whether conformance writes through it (only with
// --allow-writes) or can check only its refusals (what the account must have), and that
// a family of the emulator answers it. A row left after an operation went, or one that says
// what the code does not, fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { smnResponses } from '../src/contract/smn-responses.js';
import { isWrite, NOT_MADE } from '../src/conformance/operations.js';
import { createFamilies, EXAMPLE_SHAPES } from '../src/mock/emulator/registry.js';

const page = readFileSync(new URL('../docs/mock.md', import.meta.url), 'utf8');
const section = page.slice(page.indexOf('\n## Operations\n'), page.indexOf('\n## Answers\n'));
const rows = [...section.matchAll(/^\| (\w+) \| `(\w+) ([^`]+)` \| (.+?) \| (.+?) \| (.+?) \|$/gm)].map(([, operation, method, path, emulator, stateless, conformance]) => ({ operation: operation!, method: method!, path: path!, emulator: emulator!, stateless: stateless!, conformance: conformance! }));
const families = createFamilies({ change: () => undefined, topicDeleted: () => undefined, subscriptionDeleted: () => undefined }, { seed: [] });
const answered = new Set(Object.values(families).flatMap((family) => Object.keys(family.handlers)));

describe("docs/mock.md's operations", () => {
  it('lists every operation of the contract once, with its method and path', () => {
    const operations = smnResponses().operations;
    expect(rows.map((row) => row.operation).sort()).toEqual(operations.map((op) => op.operationId).sort());
    for (const row of rows) {
      const operation = operations.find((op) => op.operationId === row.operation)!;
      expect(`${row.method} ${row.path}`, row.operation).toBe(`${operation.method} ${operation.path}`);
    }
  });

  it('says of each what the emulator, the stateless mock and conformance do with it', () => {
    const operations = smnResponses().operations;
    for (const row of rows) {
      const operation = operations.find((op) => op.operationId === row.operation)!;
      expect(answered.has(row.operation), `${row.operation}: a family of the emulator answers it`).toBe(true);
      expect(row.emulator.length, row.operation).toBeGreaterThan(5);
      expect(row.stateless, row.operation).toBe(EXAMPLE_SHAPES.has(row.operation) ? 'example, filtered and paged' : 'example');
      if (NOT_MADE[row.operation]) expect(row.conformance, row.operation).toMatch(/^refusals only: a valid request needs /);
      else expect(row.conformance, row.operation).toBe(isWrite(operation) ? 'every check, with `--allow-writes`' : 'every check');
    }
  });
});
