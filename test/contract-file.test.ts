// An SMN contract from another file than the kit's: its references are resolved when it
// is loaded, by the same resolver and options as `npm run generate` resolves the kit's,
// and the mock serves it (MockOptions.specPath).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSmnContract, loadSmnContractFile, smnSpecDereferencedPath, smnSpecPath } from '../src/contract/smn.js';
import { smnResponses } from '../src/contract/smn-responses.js';
import { startMock } from '../src/mock/server.js';

const dir = mkdtempSync(join(tmpdir(), 'smn-kit-contract-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The kit's contract with the message of SMN.0015 reworded, so that an answer shows which file was served.
const copy = join(dir, 'smn.openapi.yaml');
writeFileSync(copy, readFileSync(smnSpecPath, 'utf8').replace('message: "Parameter: Offset or limit is invalid."', 'message: "Reworded in another file."'));

describe('loadSmnContractFile', () => {
  it('resolves the references of the kit\'s contract as npm run generate does', async () => {
    const contract = await loadSmnContractFile(smnSpecPath);
    const { 'x-generated-from': _from, ...generated } = JSON.parse(readFileSync(smnSpecDereferencedPath, 'utf8')) as Record<string, unknown>;
    expect(contract.dereferenced).toEqual(generated);
  });

  it('makes validators of another file; loaded without its references resolved, it says how to load it', async () => {
    expect(smnResponses(await loadSmnContractFile(copy)).validate('ListSubscriptions', 200, {})).toContainEqual(expect.objectContaining({ rule: 'required', pointer: '/request_id' }));
    expect(() => smnResponses(loadSmnContract(copy))).toThrow('load it with loadSmnContractFile(path)');
  });

  it('is what the mock serves from MockOptions.specPath', async () => {
    const mock = await startMock({ port: 0, specPath: copy, stateless: true });
    try {
      const response = await fetch(`${mock.url}/v2/f96188c7ccaf4ffba0c9aa149ab2bd57/notifications/subscriptions?limit=0`, { headers: { 'X-Auth-Token': 'any-token' } });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'SMN.0015', message: 'Reworded in another file.' });
    } finally {
      await mock.close();
    }
  });
});
