// The emulator's message templates (issue 20, Build 2), over real sockets: the five
// template operations as the vendor's pages describe them (Open Telekom Cloud api-ref
// "Template Operations", Huawei Cloud's CreateMessageTemplate), PublishMessage with
// `message_template_name` and `tags` delivered to a real http receiver and to the
// outbox, the shortcut POST /_mock/templates over the same state, the quota, and what a
// restart with --state-file keeps. Every answer is also judged against the contract.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { smnResponses } from '../src/contract/smn-responses.js';
import type { MockOptions, RunningMock } from '../src/mock/server.js';
import { startTestMock } from './support/mocks.js';

const project = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
const headers = { 'X-Auth-Token': 't', 'Content-Type': 'application/json' };
const templatesPath = `/v2/${project}/notifications/message_template`;
const topicsPath = `/v2/${project}/notifications/topics`;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const emulator = (options: MockOptions = {}): Promise<RunningMock> => startTestMock({ ...options });

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** Calls an operation; the answer must obey the contract for that operation and status. */
async function call(mock: RunningMock, method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${mock.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const answer = { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  const operation = smnResponses().find(method, path.split('?')[0]!);
  expect(operation, `${method} ${path} is an operation of the contract`).toBeDefined();
  expect(smnResponses().validate(operation!.operationId, answer.status, answer.body), `${method} ${path} ${answer.status}`).toEqual([]);
  return answer;
}

const create = async (mock: RunningMock, message_template_name: string, protocol: string | undefined, content: string): Promise<string> => {
  const answer = await call(mock, 'POST', templatesPath, { message_template_name, ...(protocol ? { protocol } : {}), content });
  expect(answer.status).toBe(200);
  return String(answer.body.message_template_id);
};

interface Listed {
  message_template_id: string;
  message_template_name: string;
  protocol: string;
  tag_names: string[];
  create_time: string;
  update_time: string;
  content?: string;
}

const list = async (mock: RunningMock, query = ''): Promise<{ count: unknown; templates: Listed[] }> => {
  const { body } = await call(mock, 'GET', `${templatesPath}${query}`);
  return { count: body.message_template_count, templates: body.message_templates as Listed[] };
};

interface Received {
  path: string;
  body: Record<string, string>;
}

async function receiver(): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(text) as Record<string, string> });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

const outbox = async (mock: RunningMock) => ((await (await fetch(`${mock.url}/_mock/outbox`)).json()) as { messages: Record<string, string>[] }).messages;

/** A topic with a confirmed http, sms and email subscriber. */
async function topicWithSubscribers(options: MockOptions = {}) {
  const mock = await emulator({ autoConfirm: true, ...options });
  const urn = String((await call(mock, 'POST', topicsPath, { name: 'orders', display_name: 'Orders' })).body.topic_urn);
  const http = await receiver();
  for (const [protocol, endpoint] of [['http', `${http.url}/smn`], ['sms', '+8613800000000'], ['email', 'ops@example.com']]) {
    expect((await call(mock, 'POST', `${topicsPath}/${urn}/subscriptions`, { protocol, endpoint })).status).toBe(201);
  }
  return { mock, urn, http, publish: (body: unknown) => call(mock, 'POST', `${topicsPath}/${urn}/publish`, body) };
}

describe('the template operations', () => {
  it('CreateMessageTemplate answers a 32-hexadecimal id; a name has one template per protocol, `default` when none is given; the same name and protocol again is 400 SMN.0025', async () => {
    const mock = await emulator();
    const https = await create(mock, 'confirm_message', 'https', '(1/2)You are invited to subscribe to topic({topic_id}).');
    expect(https).toMatch(/^[0-9a-f]{32}$/);
    const fallback = await create(mock, 'confirm_message', undefined, 'Invited to {topic_id}');
    expect(fallback).not.toBe(https);
    // "Template already exists." (error-code table, 400 SMN.0025)
    expect(await call(mock, 'POST', templatesPath, { message_template_name: 'confirm_message', protocol: 'https', content: 'again' })).toMatchObject({ status: 400, body: { code: 'SMN.0025' } });
    expect(await call(mock, 'POST', templatesPath, { message_template_name: 'confirm_message', protocol: 'default', content: 'again' })).toMatchObject({ status: 400, body: { code: 'SMN.0025' } });
    const { templates } = await list(mock);
    expect(templates.map((t) => [t.message_template_id, t.protocol])).toEqual([
      [https, 'https'],
      [fallback, 'default'],
    ]);
  });

  it.each([
    [{ message_template_name: '_starts_badly', content: 'x' }, 'SMN.0032'],
    [{ message_template_name: 't'.repeat(65), content: 'x' }, 'SMN.0032'],
    [{ message_template_name: 'ok', protocol: 'pigeon', content: 'x' }, 'SMN.0011'],
    [{ message_template_name: 'ok', content: '' }, 'SMN.0024'],
    [{ message_template_name: 'ok' }, 'SMN.0024'],
  ])('CreateMessageTemplate %j: 400 %s, nothing made', async (body, code) => {
    const mock = await emulator();
    expect(await call(mock, 'POST', templatesPath, body)).toMatchObject({ status: 400, body: { code } });
    expect((await list(mock)).count).toBe(0);
  });

  it('ListMessageTemplates lists oldest first without content, filters by name and protocol, pages, and counts every page', async () => {
    const mock = await emulator();
    expect(await list(mock)).toEqual({ count: 0, templates: [] }); // "If no template has been created, an empty list is returned."
    const ids = [
      await create(mock, 'shipped', 'sms', 'Order {order_id} shipped'),
      await create(mock, 'shipped', 'default', 'Order {order_id} shipped to {city}, {order_id}'),
      await create(mock, 'welcome', 'email', 'Hello {name}'),
      await create(mock, 'welcome', 'default', 'Hello'),
    ];
    const all = await list(mock);
    // "The list is sorted by the template creation time in ascending order."
    expect(all.count).toBe(4);
    expect(all.templates.map((t) => t.message_template_id)).toEqual(ids);
    expect(all.templates[1]).toEqual({
      message_template_id: ids[1],
      message_template_name: 'shipped',
      protocol: 'default',
      tag_names: ['order_id', 'city'],
      create_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      update_time: all.templates[1]!.create_time,
    });
    expect(all.templates.every((t) => t.content === undefined)).toBe(true);
    expect(await list(mock, '?message_template_name=welcome')).toMatchObject({ count: 2, templates: [{ message_template_id: ids[2] }, { message_template_id: ids[3] }] });
    expect(await list(mock, '?protocol=default')).toMatchObject({ count: 2, templates: [{ message_template_id: ids[1] }, { message_template_id: ids[3] }] });
    expect(await list(mock, '?message_template_name=welcome&protocol=email')).toMatchObject({ count: 1, templates: [{ message_template_id: ids[2] }] });
    expect(await list(mock, '?offset=1&limit=2')).toMatchObject({ count: 4, templates: [{ message_template_id: ids[1] }, { message_template_id: ids[2] }] });
    expect(await list(mock, '?offset=4')).toEqual({ count: 4, templates: [] });
    expect(await call(mock, 'GET', `${templatesPath}?protocol=pigeon`)).toMatchObject({ status: 400, body: { code: 'SMN.0011' } });
    expect(await call(mock, 'GET', `${templatesPath}?limit=101`)).toMatchObject({ status: 400 });
    // Another project has none of them.
    expect((await call(mock, 'GET', `/v2/0123456789abcdef0123456789abcdef/notifications/message_template`)).body).toMatchObject({ message_template_count: 0, message_templates: [] });
  });

  it('ListMessageTemplateDetails shows the content; UpdateMessageTemplate replaces it (its variables with it); DeleteMessageTemplate removes it; an unknown id is 404 SMN.0027', async () => {
    const mock = await emulator();
    const id = await create(mock, 'confirm_message', 'https', 'Join ({topic_id_id4}).');
    const details = await call(mock, 'GET', `${templatesPath}/${id}`);
    expect(details.body).toMatchObject({ message_template_id: id, message_template_name: 'confirm_message', protocol: 'https', content: 'Join ({topic_id_id4}).', tag_names: ['topic_id_id4'] });

    // Braces around a text with a space, or around more than a tag key's 21 characters, are no variable (the contract's MessageTemplateContent).
    const content = 'Join {topic} now, {name} {"a": 1} {not a tag} {a_name_of_23_characters} {}';
    expect(await call(mock, 'PUT', `${templatesPath}/${id}`, { content })).toMatchObject({ status: 200 });
    const updated = (await call(mock, 'GET', `${templatesPath}/${id}`)).body;
    expect(updated).toMatchObject({ message_template_name: 'confirm_message', protocol: 'https', content, tag_names: ['topic', 'name'], create_time: details.body.create_time });
    expect(String(updated.update_time) >= String(details.body.create_time)).toBe(true);
    expect(await call(mock, 'PUT', `${templatesPath}/${id}`, { content: '' })).toMatchObject({ status: 400, body: { code: 'SMN.0024' } });

    expect(await call(mock, 'DELETE', `${templatesPath}/${id}`)).toMatchObject({ status: 200 });
    for (const method of ['GET', 'PUT', 'DELETE']) {
      expect(await call(mock, method, `${templatesPath}/${id}`, method === 'PUT' ? { content: 'x' } : undefined)).toMatchObject({ status: 404, body: { code: 'SMN.0027' } });
    }
    expect((await list(mock)).count).toBe(0);
    // "Parameter: template_id is invalid." for an id that cannot be one.
    expect(await call(mock, 'GET', `${templatesPath}/not%20an%20id`)).toMatchObject({ status: 400, body: { code: 'SMN.0031' } });
    // A template of another project is not this project's.
    const other = await create(mock, 'mine', undefined, 'x');
    expect(await call(mock, 'GET', `/v2/0123456789abcdef0123456789abcdef/notifications/message_template/${other}`)).toMatchObject({ status: 404, body: { code: 'SMN.0027' } });
  });

  it('past 100 templates ("a user can create a maximum of 100 message templates"), CreateMessageTemplate gets 400 SMN.0044; a deleted one makes room', async () => {
    const mock = await emulator();
    let last = '';
    for (let i = 0; i < 100; i++) last = await create(mock, `t${i}`, undefined, 'x');
    // 400, the status of the vendor's error-code table ("Exceeded template limit.").
    expect(await call(mock, 'POST', templatesPath, { message_template_name: 'one_more', content: 'x' })).toMatchObject({ status: 400, body: { code: 'SMN.0044' } });
    await call(mock, 'DELETE', `${templatesPath}/${last}`);
    await create(mock, 'one_more', undefined, 'x');
  });

  it('POST /_mock/templates is a shortcut over the same state: listed, shown, changed and deleted by the API; adding one again replaces its content, its id kept', async () => {
    const mock = await emulator();
    const added = await fetch(`${mock.url}/_mock/templates`, { method: 'POST', body: JSON.stringify({ message_template_name: 'shipped', content: 'Shipped {id}' }) });
    expect(added.status).toBe(201);
    const kept = (await added.json()) as Listed;
    expect(kept).toMatchObject({ message_template_id: expect.stringMatching(/^[0-9a-f]{32}$/), message_template_name: 'shipped', protocol: 'default', content: 'Shipped {id}' });
    expect((await list(mock)).templates).toEqual([{ ...kept, content: undefined, tag_names: ['id'] }].map(({ content: _content, ...t }) => t));
    // The API sees it as its own: a duplicate, and its id.
    expect(await call(mock, 'POST', templatesPath, { message_template_name: 'shipped', content: 'x' })).toMatchObject({ status: 400, body: { code: 'SMN.0025' } });
    const again = (await (await fetch(`${mock.url}/_mock/templates`, { method: 'POST', body: JSON.stringify({ message_template_name: 'shipped', content: 'Sent {id}' }) })).json()) as Listed;
    expect(again.message_template_id).toBe(kept.message_template_id);
    expect((await call(mock, 'GET', `${templatesPath}/${kept.message_template_id}`)).body).toMatchObject({ content: 'Sent {id}' });
    // The protocols a template may be for are the contract's: Huawei Cloud's functionstage too.
    expect((await fetch(`${mock.url}/_mock/templates`, { method: 'POST', body: JSON.stringify({ message_template_name: 'shipped', protocol: 'functionstage', content: 'f' }) })).status).toBe(201);
    expect((await fetch(`${mock.url}/_mock/templates`, { method: 'POST', body: JSON.stringify({ message_template_name: 'shipped', protocol: 'pigeon', content: 'f' }) })).status).toBe(400);
  });
});

describe('PublishMessage with a template', () => {
  it('gives each subscriber the template of its protocol, else the default one, its {variables} replaced by the tags', async () => {
    const { mock, http, publish } = await topicWithSubscribers();
    await create(mock, 'shipped', 'default', 'Order {order_id} shipped to {city}');
    await create(mock, 'shipped', 'sms', 'Order {order_id} shipped');
    await create(mock, 'shipped', 'http', 'http: {order_id} {city} {order_id}');
    expect((await publish({ subject: 'Shipped', message_template_name: 'shipped', tags: { order_id: '42', city: "Xi'an" } })).status).toBe(200);
    expect(http.received.map((r) => r.body.message)).toEqual(["http: 42 Xi'an 42"]);
    expect((await outbox(mock)).map((m) => `${m.protocol}: ${m.message}`)).toEqual(['sms: Order 42 shipped', "email: Order 42 shipped to Xi'an"]);
  });

  it('leaves a variable the tags do not name as written, and uses the content as it is after UpdateMessageTemplate', async () => {
    const { mock, http, publish } = await topicWithSubscribers();
    const id = await create(mock, 'note', undefined, 'Dear {name}, {unknown} stays');
    await publish({ message_template_name: 'note', tags: { name: 'Ann' } });
    expect(http.received.map((r) => r.body.message)).toEqual(['Dear Ann, {unknown} stays']);
    await call(mock, 'PUT', `${templatesPath}/${id}`, { content: 'Bye {name}' });
    await publish({ message_template_name: 'note', tags: { name: 'Ann' } });
    expect(http.received.map((r) => r.body.message)).toEqual(['Dear Ann, {unknown} stays', 'Bye Ann']);
  });

  it('a name with templates but no default one is 404 SMN.0076 ("Default message template not found"), nothing sent; so is one whose default was deleted', async () => {
    const { mock, http, publish } = await topicWithSubscribers();
    await create(mock, 'partial', 'sms', 'only sms {x}');
    await create(mock, 'partial', 'http', 'only http {x}');
    expect(await publish({ message_template_name: 'partial', tags: { x: '1' } })).toMatchObject({ status: 404, body: { code: 'SMN.0076' } });
    const fallback = await create(mock, 'partial', 'default', 'default {x}');
    expect((await publish({ message_template_name: 'partial', tags: { x: '1' } })).status).toBe(200);
    expect(http.received.map((r) => r.body.message)).toEqual(['only http 1']);
    await call(mock, 'DELETE', `${templatesPath}/${fallback}`);
    expect(await publish({ message_template_name: 'partial', tags: { x: '2' } })).toMatchObject({ status: 404, body: { code: 'SMN.0076' } });
    expect(http.received).toHaveLength(1);
    expect((await outbox(mock)).map((m) => m.message)).toEqual(['only sms 1', 'default 1']);
  });

  it('a template the project does not have is 404 SMN.0027; no tags 400 SMN.0038 ("mandatory when you use a message template"); message_structure wins over a template, a template over message', async () => {
    const { mock, http, publish } = await topicWithSubscribers();
    expect(await publish({ message_template_name: 'nope', tags: { a: 'b' } })).toMatchObject({ status: 404, body: { code: 'SMN.0027' } });
    await create(mock, 'hello', undefined, 'template {a}');
    expect(await publish({ message_template_name: 'hello' })).toMatchObject({ status: 400, body: { code: 'SMN.0038' } });
    expect(await publish({ message_template_name: 'hello', tags: {} })).toMatchObject({ status: 400, body: { code: 'SMN.0038' } });
    expect(http.received).toEqual([]);
    // "message_structure > message_template_name > message"
    await publish({ message: 'plain', message_template_name: 'hello', tags: { a: 'b' } });
    await publish({ message: 'plain', message_template_name: 'hello', tags: { a: 'b' }, message_structure: JSON.stringify({ default: 'structured' }) });
    expect(http.received.map((r) => r.body.message)).toEqual(['template b', 'structured']);
  });
});

describe('state', () => {
  it('--state-file keeps the templates, their ids, times, updated content and deletions across a restart', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smn-templates-')), 'state.json');
    const first = await emulator({ stateFile: file });
    const kept = await create(first, 'kept', undefined, 'Hi {name}');
    const sms = await create(first, 'kept', 'sms', 'SMS {name}');
    const gone = await create(first, 'gone', undefined, 'x');
    await call(first, 'PUT', `${templatesPath}/${kept}`, { content: 'Hello {name}' });
    await call(first, 'DELETE', `${templatesPath}/${gone}`);
    const before = await list(first);
    await first.close();

    const second = await emulator({ stateFile: file, autoConfirm: true });
    expect(await list(second)).toEqual(before);
    expect(before.templates.map((t) => t.message_template_id)).toEqual([kept, sms]);
    expect((await call(second, 'GET', `${templatesPath}/${kept}`)).body).toMatchObject({ content: 'Hello {name}' });
    // And a publication uses them.
    const urn = String((await call(second, 'POST', topicsPath, { name: 'after', display_name: '' })).body.topic_urn);
    await call(second, 'POST', `${topicsPath}/${urn}/subscriptions`, { protocol: 'sms', endpoint: '+8613800000000' });
    await call(second, 'POST', `${topicsPath}/${urn}/subscriptions`, { protocol: 'email', endpoint: 'a@example.com' });
    expect((await call(second, 'POST', `${topicsPath}/${urn}/publish`, { message_template_name: 'kept', tags: { name: 'Ann' } })).status).toBe(200);
    expect((await outbox(second)).map((m) => m.message)).toEqual(['SMS Ann', 'Hello Ann']);
  });

  it('reads a state file written before CreateMessageTemplate (templates without ids or times): each gets an id, the same at every start', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smn-templates-')), 'state.json');
    writeFileSync(file, JSON.stringify({ projects: { [project]: { bindings: [], templates: [{ message_template_name: 'old', protocol: 'default', content: 'Old {x}' }] } }, topics: [], seq: 0 }));
    const first = await emulator({ stateFile: file });
    const [template] = (await list(first)).templates;
    expect(template).toMatchObject({ message_template_id: expect.stringMatching(/^[0-9a-f]{32}$/), message_template_name: 'old', tag_names: ['x'] });
    await first.close();
    const second = await emulator({ stateFile: file });
    expect((await list(second)).templates).toEqual([template]);
    expect(JSON.parse(readFileSync(file, 'utf8')).projects[project].templates[0]).toMatchObject({ message_template_id: template!.message_template_id });
  });
});

describe('the stateless mock', () => {
  it("answers the vendor's sample list, filtered by protocol and paged", async () => {
    const mock = await emulator({ stateless: true });
    expect((await list(mock)).count).toBe(3);
    expect(await list(mock, '?protocol=email')).toMatchObject({ count: 1, templates: [{ protocol: 'email', message_template_id: 'ecf63465804a4b10a0573980be78ffba' }] });
    expect(await list(mock, '?offset=2&limit=1')).toMatchObject({ count: 3, templates: [{ protocol: 'https' }] });
  });
});
