// A mock started with `specPath` serves that contract in everything it checks and makes:
// the API, and also the inspection endpoints, the SMS callback events it publishes and
// PublishMessage's message_structure. Each case starts the kit's mock and one on a copy
// of the contract with one rule or example changed, and sends both the same request.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../src/mock/server.js';

const project = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
const topic = `urn:smn:cn-north-4:${project}:receipts`;
const dir = mkdtempSync(join(tmpdir(), 'smn-kit-spec-path-'));
const kitContract = readFileSync(new URL('../generated/smn.openapi.json', import.meta.url), 'utf8');

type Schemas = Record<string, Record<string, unknown> & { properties?: Record<string, Record<string, unknown>>; examples?: Record<string, unknown>[] }>;

let copies = 0;
/** A copy of the kit's contract with `change` applied to its component schemas, written to a file. */
function contractCopy(change: (schemas: Schemas) => void): string {
  const document = JSON.parse(kitContract) as { components: { schemas: Schemas } };
  change(document.components.schemas);
  const path = join(dir, `smn-${++copies}.openapi.json`);
  writeFileSync(path, JSON.stringify(document));
  return path;
}

const running: RunningMock[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((mock) => mock.close()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The kit's mock and one serving `specPath`, both stateful with no seed. */
async function bothMocks(specPath: string): Promise<[RunningMock, RunningMock]> {
  const kit = await startMock({ port: 0, seedSubscriptions: [] });
  const copy = await startMock({ port: 0, seedSubscriptions: [], specPath });
  running.push(kit, copy);
  return [kit, copy];
}

async function send(mock: RunningMock, method: string, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${mock.url}${path}`, { method, headers: { 'X-Auth-Token': 't', 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('a contract served with specPath', () => {
  it('is what POST /_mock/templates checks a template name against', async () => {
    // The copy allows names of 1 to 8 characters instead of 64.
    const [kit, copy] = await bothMocks(contractCopy((schemas) => void (schemas.MessageTemplateName!.pattern = '^[A-Za-z0-9][-_A-Za-z0-9]{0,7}$')));
    const template = { message_template_name: 'confirm_message', protocol: 'default', content: 'Hello {name}' };
    expect((await send(kit, 'POST', '/_mock/templates', template)).status).toBe(201);
    const refused = await send(copy, 'POST', '/_mock/templates', template);
    expect(refused.status).toBe(400);
    expect(refused.body.problems).toEqual([expect.objectContaining({ rule: 'pattern', pointer: '/message_template_name', expected: 'a string matching ^[A-Za-z0-9][-_A-Za-z0-9]{0,7}$' })]);
  });

  it('is what POST /_mock/sms/events makes an event from', async () => {
    // The copy's delivery receipt example has another operator status; generated events start from the example.
    const [kit, copy] = await bothMocks(contractCopy((schemas) => void (schemas.SmsDeliveryReceipt!.examples![0]!.status_desc = 'FROMCOPY')));
    const statusOf = async (mock: RunningMock): Promise<unknown> => {
      const bound = await send(mock, 'PUT', `/v2/${project}/notifications/sms/callback`, { callback: [{ event_type: 'sms_success_event', topic_urn: topic }] });
      expect(bound.status).toBe(200);
      const published = await send(mock, 'POST', '/_mock/sms/events', { event_type: 'sms_success_event' });
      expect(published.status).toBe(200);
      return (published.body.event as Record<string, unknown>).status_desc;
    };
    expect(await statusOf(kit)).toBe('DELIVRD');
    expect(await statusOf(copy)).toBe('FROMCOPY');
  });

  it("is what PublishMessage checks a message_structure against (its contentSchema), with the copy's code", async () => {
    // The copy wants a text for sms as well as the default one.
    const [kit, copy] = await bothMocks(
      contractCopy((schemas) => {
        const structure = schemas.PublishMessageRequest!.properties!.message_structure! as { contentSchema: { required: string[] } };
        structure.contentSchema.required = ['default', 'sms'];
      }),
    );
    const publish = async (mock: RunningMock) => {
      expect((await send(mock, 'POST', '/_mock/topics', { topic_urn: topic })).status).toBe(201);
      return send(mock, 'POST', `/v2/${project}/notifications/topics/${encodeURIComponent(topic)}/publish`, { message_structure: '{"default":"hello"}' });
    };
    expect((await publish(kit)).status).toBe(200);
    const refused = await publish(copy);
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('SMN.0021');
  });
});
