// The emulator's logtanks (CreateLogtank, ListLogtank, UpdateLogtank, DeleteLogtank) over a
// real socket, as Huawei Cloud's pages describe them ("Binding a Cloud Log to a Topic":
// "bind a cloud log to a specified topic", its `id` "the resource identifier of the cloud
// log, which is unique", 32 characters; "Querying Cloud Logs": `count` and `logtanks`).
// Every answer is judged against the contract; --state-file keeps the bindings.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MockOptions, RunningMock } from '../src/mock/server.js';
import { startTestMock } from './support/mocks.js';
import { call, createTopic, mockState, PROJECT, topicPath } from './support/smn-client.js';

const emulator = (options: MockOptions = {}): Promise<RunningMock> => startTestMock({ ...options });

const logtanksPath = (urn: string) => `${topicPath(urn)}/logtanks`;
const group = '0ad8cbb2-8a1d-4e60-b6b5-6f7e6d9a4b11';
const stream = (n: number) => `4f1c2a3b-5d6e-4f70-8a9b-0c1d2e3f4a5${n}`;
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('logtanks', () => {
  it('CreateLogtank binds a log stream with an id of 32 hexadecimal digits; ListLogtank lists the bindings oldest first, with count', async () => {
    const mock = await emulator();
    const { urn } = await createTopic(mock.url, 'orders');
    expect(await call(mock.url, 'GET', logtanksPath(urn))).toMatchObject({ status: 200, body: { count: 0, logtanks: [] } });
    const first = await call(mock.url, 'POST', logtanksPath(urn), { log_group_id: group, log_stream_id: stream(1) });
    expect(first).toMatchObject({ status: 201, body: { id: expect.stringMatching(/^[0-9a-f]{32}$/) } });
    const second = await call(mock.url, 'POST', logtanksPath(urn), { log_group_id: group, log_stream_id: stream(2) });
    const { body } = await call(mock.url, 'GET', logtanksPath(urn));
    expect(body).toMatchObject({
      count: 2,
      logtanks: [
        { id: first.body!.id, log_group_id: group, log_stream_id: stream(1), create_time: expect.stringMatching(TIME), update_time: expect.stringMatching(TIME) },
        { id: second.body!.id, log_group_id: group, log_stream_id: stream(2) },
      ],
    });
  });

  it('binding the same group and stream again answers the binding the topic has, not a second one', async () => {
    const mock = await emulator();
    const { urn } = await createTopic(mock.url, 'orders');
    const first = await call(mock.url, 'POST', logtanksPath(urn), { log_group_id: group, log_stream_id: stream(1) });
    const again = await call(mock.url, 'POST', logtanksPath(urn), { log_group_id: group, log_stream_id: stream(1) });
    expect(again.body!.id).toBe(first.body!.id);
    expect((await call(mock.url, 'GET', logtanksPath(urn))).body!.count).toBe(1);
  });

  it('UpdateLogtank binds another stream in place and answers the binding; DeleteLogtank removes it; an id the topic has not is 404', async () => {
    const mock = await emulator();
    const { urn } = await createTopic(mock.url, 'orders');
    const other = await createTopic(mock.url, 'invoices');
    const { body } = await call(mock.url, 'POST', logtanksPath(urn), { log_group_id: group, log_stream_id: stream(1) });
    const id = String(body!.id);
    const created = ((await call(mock.url, 'GET', logtanksPath(urn))).body!.logtanks as Record<string, string>[])[0]!;
    const updated = await call(mock.url, 'PUT', `${logtanksPath(urn)}/${id}`, { log_group_id: group, log_stream_id: stream(2) });
    expect(updated).toMatchObject({ status: 200, body: { logtank: { id, log_group_id: group, log_stream_id: stream(2), create_time: created.create_time, update_time: expect.stringMatching(TIME) } } });
    expect((await call(mock.url, 'GET', logtanksPath(urn))).body!.logtanks).toEqual([updated.body!.logtank]);
    // Another topic's binding, or an id never given, is not this topic's.
    expect(await call(mock.url, 'PUT', `${logtanksPath(other.urn)}/${id}`, { log_group_id: group, log_stream_id: stream(3) })).toMatchObject({ status: 404, body: { code: 'SMN.0099' } });
    expect(await call(mock.url, 'DELETE', `${logtanksPath(urn)}/a2aa5ee6c0b34ce9a2e5b8a10f7b7b55`)).toMatchObject({ status: 404, body: { code: 'SMN.0099' } });
    expect(await call(mock.url, 'DELETE', `${logtanksPath(urn)}/${id}`)).toMatchObject({ status: 200, body: { request_id: expect.any(String) } });
    expect((await call(mock.url, 'GET', logtanksPath(urn))).body).toMatchObject({ count: 0, logtanks: [] });
    expect((await call(mock.url, 'DELETE', `${logtanksPath(urn)}/${id}`)).status).toBe(404);
  });

  it('a topic the project does not have is 404 SMN.0006; the bindings go with their topic', async () => {
    const mock = await emulator();
    const missing = `urn:smn:cn-north-4:${PROJECT}:nothing_here`;
    expect(await call(mock.url, 'POST', logtanksPath(missing), { log_group_id: group, log_stream_id: stream(1) })).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
    expect(await call(mock.url, 'GET', logtanksPath(missing))).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
    expect(await call(mock.url, 'PUT', `${logtanksPath(missing)}/x`, { log_group_id: group, log_stream_id: stream(1) })).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
    expect(await call(mock.url, 'DELETE', `${logtanksPath(missing)}/x`)).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
    const { urn } = await createTopic(mock.url, 'orders');
    await call(mock.url, 'POST', logtanksPath(urn), { log_group_id: group, log_stream_id: stream(1) });
    await call(mock.url, 'DELETE', topicPath(urn));
    expect((await mockState(mock.url)).projects[PROJECT]!.logtanks).toBeUndefined();
    const again = await createTopic(mock.url, 'orders');
    expect((await call(mock.url, 'GET', logtanksPath(again.urn))).body!.count).toBe(0);
  });

  it('a body without log_group_id is 400 SMN.0099', async () => {
    const mock = await emulator();
    const { urn } = await createTopic(mock.url, 'orders');
    expect(await call(mock.url, 'POST', logtanksPath(urn), { log_stream_id: stream(1) })).toMatchObject({ status: 400, body: { code: 'SMN.0099' } });
  });

  it('--state-file: a restart keeps the bindings as they were changed', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'smn-logtanks-')), 'state.json');
    const first = await emulator({ stateFile });
    const { urn } = await createTopic(first.url, 'orders');
    const a = await call(first.url, 'POST', logtanksPath(urn), { log_group_id: group, log_stream_id: stream(1) });
    const b = await call(first.url, 'POST', logtanksPath(urn), { log_group_id: group, log_stream_id: stream(2) });
    await call(first.url, 'PUT', `${logtanksPath(urn)}/${String(a.body!.id)}`, { log_group_id: group, log_stream_id: stream(3) });
    await call(first.url, 'DELETE', `${logtanksPath(urn)}/${String(b.body!.id)}`);
    const before = (await call(first.url, 'GET', logtanksPath(urn))).body;
    await first.close();
    const second = await emulator({ stateFile });
    const after = (await call(second.url, 'GET', logtanksPath(urn))).body;
    expect({ ...after, request_id: '' }).toEqual({ ...before, request_id: '' });
    expect(after!.logtanks).toMatchObject([{ id: a.body!.id, log_stream_id: stream(3) }]);
  });
});
