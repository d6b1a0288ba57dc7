// The emulator's resource tags over a real socket, as the vendor's resource tag pages
// describe them (Open Telekom Cloud api-ref "Adding a Tag", "Adding or Deleting Tags in
// Batches", "Deleting a Tag", "Querying Tags of a Topic", "Querying Tags in a Specified
// Project", "Querying Topics by Tag"; the Huawei Cloud SDK's SmnClient.ts on resource_id:
// "当resource_type为smn_topic时，手动添加请求消息头X-SMN-RESOURCEID-TYPE=name，资源ID即为topic名称").
// Every answer is judged against the contract; --state-file keeps the tags.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MockOptions, RunningMock } from '../src/mock/server.js';
import { startTestMock } from './support/mocks.js';
import { call, createTopic, PROJECT, topicPath } from './support/smn-client.js';

const emulator = (options: MockOptions = {}): Promise<RunningMock> => startTestMock({ ...options });

const tagsPath = (id: string, type = 'smn_topic') => `/v2/${PROJECT}/${type}/${encodeURIComponent(id)}/tags`;
const byName = { 'X-SMN-RESOURCEID-TYPE': 'name' };
const tagsOf = async (url: string, id: string, type = 'smn_topic') => (await call(url, 'GET', tagsPath(id, type))).body!.tags;
const instances = (url: string, body: Record<string, unknown>, type = 'smn_topic') => call(url, 'POST', `/v2/${PROJECT}/${type}/resource_instances/action`, body);

describe('resource tags of a topic', () => {
  it('CreateResourceTag tags the topic named by its topic_id (200, no body: "Response: None"); the same key again overwrites its value', async () => {
    const mock = await emulator();
    const { id } = await createTopic(mock.url, 'orders');
    expect(await call(mock.url, 'POST', tagsPath(id), { tag: { key: 'DEV', value: 'DEV1' } })).toEqual({ status: 200, body: undefined });
    await call(mock.url, 'POST', tagsPath(id), { tag: { key: 'team', value: 'sms' } });
    // "If a to-be-created tag has the same key as an existing tag, the tag will be created and overwrite the existing one."
    await call(mock.url, 'POST', tagsPath(id), { tag: { key: 'DEV', value: 'DEV2' } });
    expect(await tagsOf(mock.url, id)).toEqual([
      { key: 'DEV', value: 'DEV2' },
      { key: 'team', value: 'sms' },
    ]);
  });

  it('X-SMN-RESOURCEID-TYPE: name names the topic by its name, for every operation on its tags', async () => {
    const mock = await emulator();
    const { id } = await createTopic(mock.url, 'orders');
    expect((await call(mock.url, 'POST', tagsPath('orders'), { tag: { key: 'env', value: 'dev' } }, byName)).status).toBe(200);
    expect((await call(mock.url, 'POST', `${tagsPath('orders')}/action`, { action: 'create', tags: [{ key: 'team', value: 'sms' }] }, byName)).status).toBe(200);
    expect((await call(mock.url, 'GET', tagsPath('orders'), undefined, byName)).body!.tags).toEqual(await tagsOf(mock.url, id));
    expect((await call(mock.url, 'DELETE', `${tagsPath('orders')}/env`, undefined, byName)).status).toBe(200);
    expect(await tagsOf(mock.url, id)).toEqual([{ key: 'team', value: 'sms' }]);
    // Without the header, the name is an id no topic has.
    expect(await call(mock.url, 'GET', tagsPath('orders'))).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
  });

  it('a topic the project does not have (an unknown id, a URN, a deleted topic) is 404 SMN.0006', async () => {
    const mock = await emulator();
    const { id, urn } = await createTopic(mock.url, 'orders');
    for (const resource of ['84698185946d44d08431aa441d8e2cf2', urn]) {
      expect(await call(mock.url, 'POST', tagsPath(resource), { tag: { key: 'a', value: 'b' } })).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
      expect(await call(mock.url, 'GET', tagsPath(resource))).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
      expect(await call(mock.url, 'POST', `${tagsPath(resource)}/action`, { action: 'delete', tags: [{ key: 'a' }] })).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
      expect(await call(mock.url, 'DELETE', `${tagsPath(resource)}/a`)).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
    }
    await call(mock.url, 'DELETE', topicPath(urn));
    expect(await call(mock.url, 'GET', tagsPath(id))).toMatchObject({ status: 404, body: { code: 'SMN.0006' } });
  });

  it('BatchCreateOrDeleteResourceTags: create adds and overwrites; delete ignores keys not there and needs no value; duplicate keys or a tag without value to create is 400, nothing changed', async () => {
    const mock = await emulator();
    const { id } = await createTopic(mock.url, 'orders');
    const batch = (body: unknown) => call(mock.url, 'POST', `${tagsPath(id)}/action`, body);
    expect(await batch({ action: 'create', tags: [{ key: 'key1', value: 'value1' }, { key: 'key', value: 'value3' }] })).toEqual({ status: 200, body: undefined });
    await batch({ action: 'create', tags: [{ key: 'key1', value: 'value2' }] });
    expect(await tagsOf(mock.url, id)).toEqual([
      { key: 'key1', value: 'value2' },
      { key: 'key', value: 'value3' },
    ]);
    // "if there are duplicate keys in the request body, an error is reported"
    expect(await batch({ action: 'create', tags: [{ key: 'x', value: '1' }, { key: 'x', value: '2' }] })).toMatchObject({ status: 400, body: { code: 'SMN.0099' } });
    expect(await batch({ action: 'create', tags: [{ key: 'y', value: '1' }, { key: 'z' }] })).toMatchObject({ status: 400, body: { code: 'SMN.0099' } });
    expect(await batch({ action: 'update', tags: [{ key: 'y', value: '1' }] })).toMatchObject({ status: 400, body: { code: 'SMN.0073' } });
    // "When tags are being deleted and some tags do not exist, the operation is considered successful"
    expect((await batch({ action: 'delete', tags: [{ key: 'key1' }, { key: 'never', value: 'there' }] })).status).toBe(200);
    expect(await tagsOf(mock.url, id)).toEqual([{ key: 'key', value: 'value3' }]);
  });

  it('DeleteResourceTag removes the key; a key the topic does not have is 404 ("If the key of the tag to be deleted does not exist, 404 will be returned")', async () => {
    const mock = await emulator();
    const { id } = await createTopic(mock.url, 'orders');
    await call(mock.url, 'POST', tagsPath(id), { tag: { key: 'team', value: 'sms' } });
    expect(await call(mock.url, 'DELETE', `${tagsPath(id)}/nothing`)).toMatchObject({ status: 404, body: { code: 'SMN.0099', message: 'The requested resource does not exist.' } });
    expect(await call(mock.url, 'DELETE', `${tagsPath(id)}/team`)).toEqual({ status: 200, body: undefined });
    expect(await tagsOf(mock.url, id)).toEqual([]);
    expect((await call(mock.url, 'DELETE', `${tagsPath(id)}/team`)).status).toBe(404);
  });

  it('a resource has at most 20 tags ("You can add a maximum of 20 tags to a resource"): the 21st is 403 SMN.0075 and nothing is added', async () => {
    const mock = await emulator();
    const { id } = await createTopic(mock.url, 'orders');
    const twenty = Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expect((await call(mock.url, 'POST', `${tagsPath(id)}/action`, { action: 'create', tags: twenty })).status).toBe(200);
    // A key it has already is a new value, not a new tag.
    expect((await call(mock.url, 'POST', tagsPath(id), { tag: { key: 'k0', value: 'w' } })).status).toBe(200);
    expect(await call(mock.url, 'POST', tagsPath(id), { tag: { key: 'k20', value: 'v' } })).toMatchObject({ status: 403, body: { code: 'SMN.0075' } });
    expect(await call(mock.url, 'POST', `${tagsPath(id)}/action`, { action: 'create', tags: [{ key: 'k1', value: 'w' }, { key: 'k21', value: 'v' }] })).toMatchObject({ status: 403, body: { code: 'SMN.0075' } });
    const tags = (await tagsOf(mock.url, id)) as { key: string; value: string }[];
    expect(tags).toHaveLength(20);
    expect(tags.find((t) => t.key === 'k1')?.value).toBe('v');
  });

  it('--edition huawei makes Huawei Cloud\'s limit hard ("一个资源上最多有10个标签", at most 10 tags on a resource): the 11th is 403 SMN.0075 and nothing is added; without it the 11th is accepted', async () => {
    const ten = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    const huawei = await emulator({ edition: 'huawei' });
    const { id } = await createTopic(huawei.url, 'orders');
    expect((await call(huawei.url, 'POST', `${tagsPath(id)}/action`, { action: 'create', tags: ten })).status).toBe(200);
    expect((await call(huawei.url, 'POST', tagsPath(id), { tag: { key: 'k0', value: 'w' } })).status).toBe(200);
    expect(await call(huawei.url, 'POST', tagsPath(id), { tag: { key: 'k10', value: 'v' } })).toMatchObject({ status: 403, body: { code: 'SMN.0075' } });
    expect(await call(huawei.url, 'POST', `${tagsPath(id)}/action`, { action: 'create', tags: [{ key: 'k1', value: 'w' }, { key: 'k11', value: 'v' }] })).toMatchObject({ status: 403, body: { code: 'SMN.0075' } });
    const tags = (await tagsOf(huawei.url, id)) as { key: string; value: string }[];
    expect(tags).toHaveLength(10);
    expect(tags.find((t) => t.key === 'k1')?.value).toBe('v');
    const either = await emulator();
    const other = await createTopic(either.url, 'orders');
    expect((await call(either.url, 'POST', `${tagsPath(other.id)}/action`, { action: 'create', tags: [...ten, { key: 'k10', value: 'v' }] })).status).toBe(200);
  });

  it("ListProjectTags lists every key used on the project's topics with all its values, once each", async () => {
    const mock = await emulator();
    const a = await createTopic(mock.url, 'a');
    const b = await createTopic(mock.url, 'b');
    await call(mock.url, 'POST', `${tagsPath(a.id)}/action`, { action: 'create', tags: [{ key: 'env', value: 'dev' }, { key: 'team', value: 'sms' }] });
    await call(mock.url, 'POST', `${tagsPath(b.id)}/action`, { action: 'create', tags: [{ key: 'env', value: 'prod' }, { key: 'team', value: 'sms' }] });
    expect((await call(mock.url, 'GET', `/v2/${PROJECT}/smn_topic/tags`)).body).toEqual({
      tags: [
        { key: 'env', values: ['dev', 'prod'] },
        { key: 'team', values: ['sms'] },
      ],
    });
    // The tags go with their topic.
    await call(mock.url, 'DELETE', topicPath(a.urn));
    expect((await call(mock.url, 'GET', `/v2/${PROJECT}/smn_topic/tags`)).body).toEqual({ tags: [{ key: 'env', values: ['prod'] }, { key: 'team', values: ['sms'] }] });
  });
});

describe('ListResourceInstances: finding topics by tag ("Querying Topics by Tag")', () => {
  async function threeTopics() {
    const mock = await emulator();
    const a = await createTopic(mock.url, 'a');
    const b = await createTopic(mock.url, 'b');
    const c = await createTopic(mock.url, 'c');
    await call(mock.url, 'POST', `${tagsPath(a.id)}/action`, { action: 'create', tags: [{ key: 'env', value: 'dev' }, { key: 'team', value: 'sms' }] });
    await call(mock.url, 'POST', tagsPath(b.id), { tag: { key: 'env', value: 'prod' } });
    const names = async (body: Record<string, unknown>) => {
      const answer = await instances(mock.url, { action: 'filter', ...body });
      expect(answer.status).toBe(200);
      return (answer.body!.resources as { resource_name: string }[]).map((r) => r.resource_name);
    };
    return { mock, a, b, c, names };
  }

  it('lists every topic, newest first as ListTopics does, with its id, name, URN and display name ("{topic_urn, display_name}") and all its tags', async () => {
    const { mock, a, c, names } = await threeTopics();
    const { body } = await instances(mock.url, { action: 'filter' });
    expect(body!.total_count).toBe(3);
    const resources = body!.resources as Record<string, unknown>[];
    expect(resources.map((r) => r.resource_name)).toEqual(['c', 'b', 'a']);
    expect(resources[2]).toEqual({
      resource_id: a.id,
      resource_name: 'a',
      resource_detail: { topic_urn: a.urn, display_name: 'a', enterprise_project_id: '0' },
      tags: [
        { key: 'env', value: 'dev' },
        { key: 'team', value: 'sms' },
      ],
    });
    // "If no tag is matched, an empty array is returned."
    expect(resources[0]).toMatchObject({ resource_id: c.id, tags: [] });
    expect(await names({ offset: '1', limit: '1' })).toEqual(['b']);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['tags: a value of the key', { tags: [{ key: 'env', values: ['dev'] }] }, ['a']],
    ['tags: no values is any value ("If values is left blank, it defaults to any_value")', { tags: [{ key: 'env', values: [] }] }, ['b', 'a']],
    ['tags: values are ORed ("only one needs to match")', { tags: [{ key: 'env', values: ['dev', 'prod'] }] }, ['b', 'a']],
    ['tags: keys are ANDed', { tags: [{ key: 'env', values: ['prod'] }, { key: 'team', values: [] }] }, []],
    ['tags_any: keys are ORed', { tags_any: [{ key: 'env', values: ['prod'] }, { key: 'team', values: [] }] }, ['b', 'a']],
    ['not_tags: keys in NAND (excludes those that have them all)', { not_tags: [{ key: 'env', values: ['dev'] }, { key: 'team', values: ['sms'] }] }, ['c', 'b']],
    ['not_tags: one key of two is not all of them', { not_tags: [{ key: 'env', values: [] }, { key: 'team', values: [] }] }, ['c', 'b']],
    ['not_tags: a key with any value', { not_tags: [{ key: 'env', values: [] }] }, ['c']],
    ['not_tags_any: keys in NOR (excludes those that have any)', { not_tags_any: [{ key: 'env', values: ['prod'] }, { key: 'team', values: [] }] }, ['c']],
    ['matches: resource_name exactly ("The value will be exactly matched")', { matches: [{ key: 'resource_name', value: 'b' }] }, ['b']],
    ['matches: a part of the name is no match', { matches: [{ key: 'resource_name', value: 'orders' }] }, []],
    ['without_any_tag (the tag lists then ignored)', { without_any_tag: true, tags: [{ key: 'env', values: [] }] }, ['c']],
    ['a value starting with * matches values containing the rest', { tags: [{ key: 'env', values: ['*ro'] }] }, ['b']],
    ['empty lists are no condition', { tags: [], tags_any: [], not_tags: [], not_tags_any: [] }, ['c', 'b', 'a']],
  ])('%s', async (_what, filter, expected) => {
    const { mock, names } = await threeTopics();
    expect(await names(filter)).toEqual(expected);
    expect((await instances(mock.url, { action: 'count', ...filter })).body).toEqual({ total_count: expected.length });
  });

  it('a bad action is 400 SMN.0073; offset and limit are strings of digits, limit 1 to 1000', async () => {
    const mock = await emulator();
    expect(await instances(mock.url, { action: 'list' })).toMatchObject({ status: 400, body: { code: 'SMN.0073' } });
    expect(await instances(mock.url, { action: 'filter', limit: '1001' })).toMatchObject({ status: 400, body: { code: 'SMN.0099' } });
    expect(await instances(mock.url, { action: 'filter', offset: 5 })).toMatchObject({ status: 400, body: { code: 'SMN.0099' } });
  });
});

describe('tags of the other resource types (Huawei Cloud smn_sms, smn_application)', () => {
  it('are kept by the id given (the emulator holds no SMS signatures), found with resource_detail null ("For other resources, the value is null")', async () => {
    const mock = await emulator();
    const signature = '3d4f1c2a5b6e4d8f9a0b1c2d3e4f5a6b';
    expect((await call(mock.url, 'POST', tagsPath(signature, 'smn_sms'), { tag: { key: 'brand', value: 'acme' } })).status).toBe(200);
    expect(await tagsOf(mock.url, signature, 'smn_sms')).toEqual([{ key: 'brand', value: 'acme' }]);
    expect((await instances(mock.url, { action: 'filter', tags: [{ key: 'brand', values: [] }] }, 'smn_sms')).body).toEqual({
      resources: [{ resource_id: signature, resource_detail: null, tags: [{ key: 'brand', value: 'acme' }] }],
      total_count: 1,
    });
    // Another type's tags are not the topics'.
    expect((await call(mock.url, 'GET', `/v2/${PROJECT}/smn_topic/tags`)).body).toEqual({ tags: [] });
  });
});

describe('resource tags and --state-file', () => {
  it('a restart keeps the tags, their order, and the keys deleted', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'smn-tags-')), 'state.json');
    const first = await emulator({ stateFile });
    const { id } = await createTopic(first.url, 'orders');
    await call(first.url, 'POST', `${tagsPath(id)}/action`, { action: 'create', tags: [{ key: 'b', value: '2' }, { key: 'a', value: '1' }, { key: 'c', value: '3' }] });
    await call(first.url, 'DELETE', `${tagsPath(id)}/a`);
    await first.close();
    const second = await emulator({ stateFile });
    expect(await tagsOf(second.url, id)).toEqual([
      { key: 'b', value: '2' },
      { key: 'c', value: '3' },
    ]);
    expect((await instances(second.url, { action: 'count', tags: [{ key: 'c', values: ['3'] }] })).body).toEqual({ total_count: 1 });
  });
});
