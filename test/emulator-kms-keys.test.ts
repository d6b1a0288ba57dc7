// The emulator's KMS keys (CreateKmsKey, ShowKmsKey, UpdateKmsKey, DeleteKmsKey) over a
// real socket, as Huawei Cloud's pages describe them ("Binding a KMS Key to a Topic": `id`
// "所使用密钥对应的ID。该ID由SMN生成，是主题下的该密钥的唯一标识ID"; "Querying the KMS Key Bound to
// a Topic": `key_id`, `status`, `id`; "UpdateKmsKey": "当前已绑定密钥的资源ID"). Every answer
// is judged against the contract; --state-file keeps the binding.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MockOptions, RunningMock } from '../src/mock/server.js';
import { startTestMock } from './support/mocks.js';
import { call, createTopic, mockState, PROJECT, topicPath } from './support/smn-client.js';

const emulator = (options: MockOptions = {}): Promise<RunningMock> => startTestMock({ ...options });

const kmsPath = (urn: string) => `${topicPath(urn)}/kms`;
const KEY = '0d0466b0-e727-4d9c-b35d-f84bb474a37f';
const OTHER_KEY = '3e5f7a9b-1c2d-4e6f-8a0b-2c4d6e8f0a1b';

describe('KMS keys', () => {
  it('CreateKmsKey binds the key (an id SMN makes); ShowKmsKey answers it ENABLED; a topic without a key shows only its request id', async () => {
    const mock = await emulator();
    const { urn } = await createTopic(mock.url, 'orders');
    const none = await call(mock.url, 'GET', kmsPath(urn));
    expect(none.status).toBe(200);
    expect(Object.keys(none.body!)).toEqual(['request_id']);
    const created = await call(mock.url, 'POST', kmsPath(urn), { key_id: KEY });
    expect(created).toMatchObject({ status: 200, body: { id: expect.stringMatching(/^[0-9a-f]{32}$/) } });
    expect((await call(mock.url, 'GET', kmsPath(urn))).body).toMatchObject({ key_id: KEY, status: 'ENABLED', id: created.body!.id });
  });

  it('a topic has one key: binding another changes its key and keeps the binding id', async () => {
    const mock = await emulator();
    const { urn } = await createTopic(mock.url, 'orders');
    const first = await call(mock.url, 'POST', kmsPath(urn), { key_id: KEY });
    const second = await call(mock.url, 'POST', kmsPath(urn), { key_id: OTHER_KEY });
    expect(second.body!.id).toBe(first.body!.id);
    expect((await call(mock.url, 'GET', kmsPath(urn))).body).toMatchObject({ key_id: OTHER_KEY, id: first.body!.id });
  });

  it('UpdateKmsKey changes the key of the binding it names; DeleteKmsKey removes it; an id that is not the binding is 404', async () => {
    const mock = await emulator();
    const { urn } = await createTopic(mock.url, 'orders');
    const id = String((await call(mock.url, 'POST', kmsPath(urn), { key_id: KEY })).body!.id);
    expect(await call(mock.url, 'PUT', `${kmsPath(urn)}/c6b2f7a1e3d84f5a9b0c1d2e3f4a5b6c`, { key_id: OTHER_KEY })).toMatchObject({ status: 404, body: { code: 'SMN.0099' } });
    expect(await call(mock.url, 'PUT', `${kmsPath(urn)}/${id}`, { key_id: OTHER_KEY })).toMatchObject({ status: 200, body: { id } });
    expect((await call(mock.url, 'GET', kmsPath(urn))).body).toMatchObject({ key_id: OTHER_KEY, id });
    expect(await call(mock.url, 'DELETE', `${kmsPath(urn)}/c6b2f7a1e3d84f5a9b0c1d2e3f4a5b6c`)).toMatchObject({ status: 404, body: { code: 'SMN.0099' } });
    expect((await call(mock.url, 'DELETE', `${kmsPath(urn)}/${id}`)).status).toBe(200);
    expect(Object.keys((await call(mock.url, 'GET', kmsPath(urn))).body!)).toEqual(['request_id']);
    expect((await call(mock.url, 'DELETE', `${kmsPath(urn)}/${id}`)).status).toBe(404);
    expect((await call(mock.url, 'PUT', `${kmsPath(urn)}/${id}`, { key_id: KEY })).status).toBe(404);
  });

  it('a topic the project does not have is 404 SMN.0006; the binding goes with its topic', async () => {
    const mock = await emulator();
    const missing = `urn:smn:cn-north-4:${PROJECT}:nothing_here`;
    for (const [method, path, body] of [
      ['POST', kmsPath(missing), { key_id: KEY }],
      ['GET', kmsPath(missing), undefined],
      ['PUT', `${kmsPath(missing)}/x`, { key_id: KEY }],
      ['DELETE', `${kmsPath(missing)}/x`, undefined],
    ] as const) {
      expect(await call(mock.url, method, path, body), `${method} ${path}`).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
    }
    const { urn } = await createTopic(mock.url, 'orders');
    await call(mock.url, 'POST', kmsPath(urn), { key_id: KEY });
    await call(mock.url, 'DELETE', topicPath(urn));
    expect((await mockState(mock.url)).projects[PROJECT]!.kms_keys).toBeUndefined();
    const again = await createTopic(mock.url, 'orders');
    expect(Object.keys((await call(mock.url, 'GET', kmsPath(again.urn))).body!)).toEqual(['request_id']);
  });

  it('--state-file: a restart keeps the binding and its key', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'smn-kms-')), 'state.json');
    const first = await emulator({ stateFile });
    const { urn } = await createTopic(first.url, 'orders');
    const other = await createTopic(first.url, 'invoices');
    const id = String((await call(first.url, 'POST', kmsPath(urn), { key_id: KEY })).body!.id);
    await call(first.url, 'PUT', `${kmsPath(urn)}/${id}`, { key_id: OTHER_KEY });
    const otherId = String((await call(first.url, 'POST', kmsPath(other.urn), { key_id: KEY })).body!.id);
    await call(first.url, 'DELETE', `${kmsPath(other.urn)}/${otherId}`);
    await first.close();
    const second = await emulator({ stateFile });
    expect((await call(second.url, 'GET', kmsPath(urn))).body).toMatchObject({ key_id: OTHER_KEY, status: 'ENABLED', id });
    expect(Object.keys((await call(second.url, 'GET', kmsPath(other.urn))).body!)).toEqual(['request_id']);
  });
});
