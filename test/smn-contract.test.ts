// The SMN contract itself: a valid OpenAPI 3.1 document whose every example obeys its
// own schema, under the JSON Schema dialect of OpenAPI 3.1 (2020-12) and under the
// draft-07 dialect Prism validates with.
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSmnContract, smnSpecPath } from '../src/contract/smn.js';

type Json = Record<string, unknown>;

interface ExampleCase {
  where: string;
  schema: Json;
  value: unknown;
}

// Every example in the dereferenced document with the schema it illustrates.
function collectExamples(document: Json): ExampleCase[] {
  const cases: ExampleCase[] = [];
  const visit = (node: unknown, where: string): void => {
    if (typeof node !== 'object' || node === null) return;
    const object = node as Json;
    const schema = object.schema as Json | undefined;
    if (schema && typeof schema === 'object') {
      if ('example' in object) cases.push({ where: `${where}/example`, schema, value: object.example });
      for (const [name, example] of Object.entries((object.examples as Record<string, Json> | undefined) ?? {})) {
        cases.push({ where: `${where}/examples/${name}`, schema, value: example.value });
      }
    }
    if (Array.isArray(object.examples) && (object.type || object.anyOf || object.enum)) {
      object.examples.forEach((value, i) => cases.push({ where: `${where}/examples/${i}`, schema: object, value }));
    }
    for (const [key, child] of Object.entries(object)) visit(child, `${where}/${key}`);
  };
  visit(document, '#');
  return cases;
}

// The spec's own extensions (x-error, x-kit-choice...), as strict Ajv must be told of them.
const extensionKeywords = [...new Set(JSON.stringify(loadSmnContract().document.components).match(/"x-[a-z-]+"(?=:)/g)!.map((k) => k.slice(1, -1)))];
const withFormats = <T extends Ajv>(ajv: T): T => {
  ajvFormats.default(ajv);
  return ajv;
};

describe('spec/smn.openapi.yaml', () => {
  let dereferenced: Json;
  let examples: ExampleCase[];

  beforeAll(async () => {
    await SwaggerParser.validate(smnSpecPath);
    dereferenced = (await SwaggerParser.dereference(smnSpecPath)) as unknown as Json;
    examples = collectExamples(dereferenced);
  });

  it('passes swagger-parser validation as OpenAPI 3.1 with the ten operations', () => {
    expect(dereferenced.openapi).toBe('3.1.0');
    const operationIds = Object.values(dereferenced.paths as Record<string, Record<string, Json>>).flatMap((item) =>
      Object.values(item).map((operation) => operation.operationId).filter(Boolean),
    );
    expect(operationIds.sort()).toEqual([
      'AddSubscription',
      'CancelSubscription',
      'CreateTopic',
      'DeleteTopic',
      'ListSmsEvent',
      'ListSubscriptions',
      'ListSubscriptionsByTopic',
      'ListTopics',
      'PublishMessage',
      'UpdateSmsEvent',
    ]);
  });

  it('has an example for every response of every operation', () => {
    const missing: string[] = [];
    for (const [path, item] of Object.entries(dereferenced.paths as Record<string, Record<string, Json>>)) {
      for (const [method, operation] of Object.entries(item)) {
        for (const [status, response] of Object.entries((operation.responses as Record<string, Json> | undefined) ?? {})) {
          const media = (response.content as Record<string, Json> | undefined)?.['application/json'];
          if (!media || Object.keys((media.examples as Json | undefined) ?? {}).length === 0) missing.push(`${method.toUpperCase()} ${path} ${status}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it.each([
    ['JSON Schema 2020-12', () => withFormats(new Ajv2020({ strict: true, allErrors: true, keywords: extensionKeywords }))],
    ['draft-07 (what Prism uses)', () => withFormats(new Ajv({ strict: true, allErrors: true, keywords: extensionKeywords }))],
  ])('every example validates against its schema under %s', (_dialect, makeAjv) => {
    const ajv = makeAjv();
    const failures = examples.flatMap(({ where, schema, value }) => {
      const validate = ajv.compile(schema);
      return validate(value) ? [] : [`${where}: ${ajv.errorsText(validate.errors)}`];
    });
    expect(failures).toEqual([]);
  });

  it('keeps the seed documents\' examples as they are', () => {
    const values = examples.map((e) => JSON.stringify(e.value));
    expect(values).toContain(
      JSON.stringify({
        request_id: 'ce7f2f7343224f8c9597b05a9a0bcc2e',
        callback: [
          { event_type: 'sms_reply_event', topic_urn: 'urn:smn:regionId:f96188c7ccaf4ffba0c9aa149ab2bd57:test_reply' },
          { event_type: 'sms_fail_event', topic_urn: 'urn:smn:regionId:f96188c7ccaf4ffba0c9aa149ab2bd57:test_fail' },
          { event_type: 'sms_success_event', topic_urn: 'urn:smn:regionId:f96188c7ccaf4ffba0c9aa149ab2bd57:test_success' },
        ],
      }),
    );
    expect(values.some((v) => v.includes('"subscription_count":2') && v.includes('a2d52a9f5c3b47f48c3fafb177a58796'))).toBe(true);
  });

  it('rejects what the documents forbid and accepts what real services send', () => {
    const ajv = new Ajv2020({ strict: true, keywords: extensionKeywords });
    const schemas = (dereferenced.components as { schemas: Record<string, Json> }).schemas;
    const valid = (name: string, value: unknown) => ajv.validate(schemas[name]!, value);
    const urn = 'urn:smn:regionId:762bdb3251034f268af0e395c53ea09b:test_topic_v1';
    const subscription = {
      topic_urn: urn,
      protocol: 'functiongraph',
      subscription_urn: `${urn}:2e778e84408e44058e6cbc6d3c377837`,
      owner: '762bdb3251034f268af0e395c53ea09b',
      endpoint: 'https://example.com/hook',
      remark: '',
      status: 1,
      filter_polices: [{ name: 'alarm', string_equals: ['os'] }],
      extension: { verification_code_enabled: true },
    };
    expect(valid('Subscription', subscription)).toBe(true);
    expect(valid('Subscription', { ...subscription, status: 7 })).toBe(false);
    expect(valid('Subscription', { ...subscription, status: '1' })).toBe(false);
    expect(valid('Subscription', { ...subscription, protocol: 42 })).toBe(false);
    const { owner: _owner, ...withoutOwner } = subscription;
    expect(valid('Subscription', withoutOwner)).toBe(false);

    expect(valid('UpdateSmsEventRequest', { callback: [] })).toBe(false);
    expect(valid('UpdateSmsEventRequest', { callback: [{ event_type: 'sms_fail_event', topic_urn: '' }] })).toBe(true);
    expect(valid('UpdateSmsEventRequest', { callback: [{ event_type: 'approval_event', topic_urn: urn }] })).toBe(false);
    expect(valid('UpdateSmsEventRequest', { callback: [{ event_type: 'sms_fail_event', topic_urn: 'urn:smn:x' }] })).toBe(false);
    expect(valid('UpdateSmsEventRequest', { callback: Array(4).fill({ event_type: 'sms_fail_event', topic_urn: '' }) })).toBe(false);
    expect(valid('ListSmsEventResponse', { request_id: 'ce7f2f7343224f8c9597b05a9a0bcc2e', callback: [{ event_type: 'approval_event', topic_urn: urn }] })).toBe(true);
    expect(valid('ListSmsEventResponse', { request_id: 'not-hex', callback: [] })).toBe(false);
  });

  it('holds the topic, subscription and publishing rules of both editions', () => {
    const ajv = new Ajv2020({ strict: true, keywords: extensionKeywords });
    const schemas = (dereferenced.components as { schemas: Record<string, Json> }).schemas;
    const valid = (name: string, value: unknown) => ajv.validate(schemas[name]!, value);
    expect(valid('CreateTopicRequest', { name: 'test_topic_v2', display_name: 'testtest' })).toBe(true);
    expect(valid('CreateTopicRequest', { name: 'a'.repeat(255), display_name: '' })).toBe(true);
    expect(valid('CreateTopicRequest', { name: 'a'.repeat(256), display_name: '' })).toBe(false);
    expect(valid('CreateTopicRequest', { name: '_starts_badly', display_name: '' })).toBe(false);
    expect(valid('CreateTopicRequest', { name: 't' })).toBe(false);
    expect(valid('CreateTopicRequest', { name: 't', display_name: 'x'.repeat(193) })).toBe(false);
    expect(valid('AddSubscriptionRequest', { protocol: 'http', endpoint: 'http://example.com/smn' })).toBe(true);
    expect(valid('AddSubscriptionRequest', { protocol: 'http', endpoint: 'https://example.com/smn' })).toBe(false);
    expect(valid('AddSubscriptionRequest', { protocol: 'https', endpoint: 'http://example.com/smn' })).toBe(false);
    expect(valid('AddSubscriptionRequest', { protocol: 'dingTalkBot', endpoint: 'robot', extension: { app_key: 'k' } })).toBe(true);
    expect(valid('AddSubscriptionRequest', { protocol: 'pigeon', endpoint: 'x' })).toBe(false);
    expect(valid('AddSubscriptionRequest', { protocol: 'sms', endpoint: '+8613800000000', remark: 'x'.repeat(129) })).toBe(false);
    // Header names: Open Telekom Cloud's start with x-, Huawei Cloud's with a letter; neither with x-smn.
    expect(valid('AddSubscriptionRequest', { protocol: 'https', endpoint: 'https://e', extension: { header: { 'x-abc-cba': 'v', abc: 'w' } } })).toBe(true);
    expect(valid('AddSubscriptionRequest', { protocol: 'https', endpoint: 'https://e', extension: { header: { 'X-SMN-x': 'v' } } })).toBe(false);
    expect(valid('AddSubscriptionRequest', { protocol: 'https', endpoint: 'https://e', extension: { header: { 'x--a': 'v' } } })).toBe(false);
    expect(valid('AddSubscriptionRequest', { protocol: 'sms', endpoint: '1', subscriptions: Array(51).fill({ protocol: 'sms', endpoint: '1' }) })).toBe(false);
    expect(valid('PublishMessageRequest', { subject: 'only a subject' })).toBe(false);
    expect(valid('PublishMessageRequest', { message: 'm', time_to_live: '604800' })).toBe(true);
    expect(valid('PublishMessageRequest', { message: 'm', time_to_live: '604801' })).toBe(false);
    expect(valid('PublishMessageRequest', { message: 'm', time_to_live: '0' })).toBe(false);
    expect(valid('PublishMessageRequest', { message: 'm', time_to_live: 3600 })).toBe(false);
    expect(valid('PublishMessageRequest', { message_template_name: 'confirm_message', tags: { topic_id: 'x' } })).toBe(true);
    expect(valid('PublishMessageRequest', { message_template_name: 'confirm_message', tags: { ['k'.repeat(22)]: 'x' } })).toBe(false);
    expect(valid('PublishMessageRequest', { message: 'm', subject: 's'.repeat(513) })).toBe(false);
    const topic = { topic_urn: 'urn:smn:regionId:8bad8a40e0f7462f8c1676e3f93a8183:t', name: 't', display_name: '', push_policy: 0 };
    expect(valid('ListTopicsResponse', { request_id: 'ce7f2f7343224f8c9597b05a9a0bcc2e', topic_count: 1, topics: [topic] })).toBe(true);
    expect(valid('ListTopicsResponse', { request_id: 'ce7f2f7343224f8c9597b05a9a0bcc2e', topic_count: 1, topics: [{ ...topic, push_policy: 2 }] })).toBe(false);
    expect(valid('ListTopicsResponse', { request_id: 'ce7f2f7343224f8c9597b05a9a0bcc2e', topic_count: 1, topics: [{ ...topic, create_time: '2016-08-01 02:16:38' }] })).toBe(false);
  });
});

describe('loadSmnContract', () => {
  it('reads every documented error with its status from the spec', () => {
    const contract = loadSmnContract();
    const codes = [...contract.errors.values()].map((e) => ('code' in e.body ? e.body.code : e.body.error_code));
    for (const code of ['SMN.0015', 'SMN.0100', 'SMN.0140', 'SMN.0141', 'SMN.0142', 'SMN.0143', 'SMN.0144', 'SMN.0145', 'SMN.0005', 'SMN.0090', 'SMN.0001', 'SMN.0018', 'APIGW.0301', 'APIGW.0101']) {
      expect(codes).toContain(code);
    }
    expect(contract.errors.get('SMN.0015')?.status).toBe(400);
    expect(contract.errors.get('token_missing')?.status).toBe(401);
    expect(contract.errors.get('SMN.0001')?.status).toBe(403);
    expect(contract.errors.get('SMN.0018')?.status).toBe(500);
    expect(contract.parameterErrors.get('query:limit')).toBe('SMN.0015');
    expect(contract.topicUrnErrors.sms_reply_event).toEqual({ malformed: 'SMN.0144', not_found: 'SMN.0145' });
  });
});
