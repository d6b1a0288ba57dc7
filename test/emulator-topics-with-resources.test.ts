// ListTopicsWithAssociatedResources over a real socket (Huawei Cloud "Querying Topics and
// Associated Resources", SDK models ListTopicsWithAssociatedResourcesResponse and
// ListTopicsWithAssociatedResourcesItem): the project's topics as ListTopics lists them,
// each with its tags, its access policy attribute and its logtanks, read from the families
// that keep them; and the stateless mock's answer shaped by the same filters.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MockOptions, RunningMock } from '../src/mock/server.js';
import { startTestMock } from './support/mocks.js';
import { call, createTopic, mockState, PROJECT, topicPath } from './support/smn-client.js';

const emulator = (options: MockOptions = {}): Promise<RunningMock> => startTestMock({ ...options });

const listPath = (query = '') => `/v2/${PROJECT}/notifications/topics-with-associated-resources${query}`;
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('ListTopicsWithAssociatedResources', () => {
  it("lists each topic with its tags, access policy and logtanks; a topic without any has empty lists and the policy's default, an empty string", async () => {
    const mock = await emulator();
    const a = await createTopic(mock.url, 'alpha');
    const b = await createTopic(mock.url, 'beta');
    await call(mock.url, 'POST', `/v2/${PROJECT}/smn_topic/${a.id}/tags`, { tag: { key: 'env', value: 'dev' } });
    const policy = JSON.stringify({ Version: '2016-09-07', Id: 'p', Statement: [{ Sid: 's', Effect: 'Allow', Principal: { Service: ['obs'] }, Action: 'SMN:Publish', Resource: a.urn }] });
    await call(mock.url, 'PUT', `${topicPath(a.urn)}/attributes/access_policy`, { value: policy });
    await call(mock.url, 'PUT', `${topicPath(a.urn)}/attributes/introduction`, { value: 'not listed here' });
    const logtank = { log_group_id: '0ad8cbb2-8a1d-4e60-b6b5-6f7e6d9a4b11', log_stream_id: '4f1c2a3b-5d6e-4f70-8a9b-0c1d2e3f4a5b' };
    const { body: bound } = await call(mock.url, 'POST', `${topicPath(a.urn)}/logtanks`, logtank);
    const { body } = await call(mock.url, 'GET', listPath());
    const listedTopics = (await call(mock.url, 'GET', `/v2/${PROJECT}/notifications/topics`)).body!.topics as Record<string, unknown>[];
    expect(body).toMatchObject({ topic_count: 2 });
    const topics = body!.topics as Record<string, unknown>[];
    // Newest first, each with every field ListTopics gives it.
    expect(topics.map((t) => t.name)).toEqual(['beta', 'alpha']);
    expect(topics[0]).toEqual({ ...listedTopics[0], tags: [], attributes: { access_policy: '' }, logtanks: [] });
    expect(topics[0]!.topic_id).toBe(b.id);
    expect(topics[1]).toEqual({
      ...listedTopics[1],
      tags: [{ key: 'env', value: 'dev' }],
      attributes: { access_policy: policy, create_time: expect.stringMatching(TIME), update_time: expect.stringMatching(TIME) },
      logtanks: [{ id: bound!.id, ...logtank, create_time: expect.stringMatching(TIME), update_time: expect.stringMatching(TIME) }],
    });
  });

  it("filters and pages as ListTopics does; topic_count is the project's total whatever the filters and the page", async () => {
    const mock = await emulator();
    for (const name of ['alpha', 'beta', 'gamma']) await createTopic(mock.url, name);
    const names = async (query: string) => {
      const { body } = await call(mock.url, 'GET', listPath(query));
      return { count: body!.topic_count, names: (body!.topics as { name: string }[]).map((t) => t.name) };
    };
    expect(await names('?offset=1&limit=1')).toEqual({ count: 3, names: ['beta'] });
    expect(await names('?fuzzy_name=AMM')).toEqual({ count: 3, names: ['gamma'] });
    expect(await names('?name=alpha')).toEqual({ count: 3, names: ['alpha'] });
    expect(await call(mock.url, 'GET', listPath('?limit=101'))).toMatchObject({ status: 400, body: { code: 'SMN.0015' } });
  });

  it("a deleted topic is not listed, and what it had is gone with it", async () => {
    const mock = await emulator();
    const a = await createTopic(mock.url, 'alpha');
    await call(mock.url, 'POST', `/v2/${PROJECT}/smn_topic/${a.id}/tags`, { tag: { key: 'env', value: 'dev' } });
    await call(mock.url, 'DELETE', topicPath(a.urn));
    const again = await createTopic(mock.url, 'alpha');
    const { body } = await call(mock.url, 'GET', listPath());
    expect(body!.topics).toMatchObject([{ topic_urn: again.urn, topic_id: again.id, tags: [], logtanks: [] }]);
  });

  it('--state-file: a topic deleted with everything it had stays deleted with all of it after a restart (the journal replays the deletion)', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'smn-topic-resources-')), 'state.json');
    const first = await emulator({ stateFile });
    const doomed = await createTopic(first.url, 'doomed');
    const kept = await createTopic(first.url, 'kept');
    for (const { urn, id } of [doomed, kept]) {
      await call(first.url, 'POST', `/v2/${PROJECT}/smn_topic/${id}/tags`, { tag: { key: 'env', value: 'dev' } });
      await call(first.url, 'PUT', `${topicPath(urn)}/attributes/introduction`, { value: 'about' });
      await call(first.url, 'POST', `${topicPath(urn)}/logtanks`, { log_group_id: '0ad8cbb2-8a1d-4e60-b6b5-6f7e6d9a4b11', log_stream_id: '4f1c2a3b-5d6e-4f70-8a9b-0c1d2e3f4a5b' });
      await call(first.url, 'POST', `${topicPath(urn)}/kms`, { key_id: '0d0466b0-e727-4d9c-b35d-f84bb474a37f' });
      const callee = String((await call(first.url, 'POST', `${topicPath(urn)}/subscriptions`, { protocol: 'callnotify', endpoint: '+8613800000001' })).body!.subscription_urn);
      await call(first.url, 'POST', `${topicPath(urn)}/notify-policy`, { protocol: 'callnotify', polling: [{ order: 1, subscription_urns: [callee] }] });
    }
    await call(first.url, 'DELETE', topicPath(doomed.urn));
    await first.close();
    const second = await emulator({ stateFile });
    const project = (await mockState(second.url)).projects[PROJECT]!;
    for (const part of ['topic_attributes', 'resource_tags', 'logtanks', 'kms_keys', 'notify_policies']) {
      expect(JSON.stringify(project[part]), part).not.toContain(doomed.urn);
      expect(JSON.stringify(project[part]), part).toContain(kept.urn);
    }
    expect((await call(second.url, 'GET', listPath())).body!.topics).toMatchObject([{ name: 'kept', tags: [{ key: 'env', value: 'dev' }], logtanks: [{}] }]);
  });

  it("the stateless mock answers the contract's example, filtered and paged, its topic_count kept", async () => {
    const mock = await emulator({ stateless: true });
    expect((await call(mock.url, 'GET', listPath())).body).toMatchObject({ topic_count: 1, topics: [{ name: 'test_topic_v2' }] });
    expect((await call(mock.url, 'GET', listPath('?name=other'))).body).toMatchObject({ topic_count: 1, topics: [] });
  });
});
