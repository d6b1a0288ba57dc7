// The SMN contract itself: a valid OpenAPI 3.1 document whose every example obeys its
// own schema, under the JSON Schema dialect of OpenAPI 3.1 (2020-12) and under the
// draft-07 dialect Prism validates with.
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { fieldError } from '../src/contract/body-fields.js';
import { lengthViolation } from '../src/contract/byte-lengths.js';
import { editionRuleAt } from '../src/contract/editions.js';
import { loadSmnContract, smnSpecPath } from '../src/contract/smn.js';
import { smnResponses } from '../src/contract/smn-responses.js';

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
/** The 71 operations of the official SDK's SmnClient (huaweicloud-sdk-nodejs-v3, services/smn/v2/SmnClient.ts): name, method, path. */
const SDK_OPERATIONS = [
  ['AddSubscription', 'POST', '/v2/{project_id}/notifications/topics/{topic_urn}/subscriptions'],
  ['AddSubscriptionFromSubscriptionUser', 'POST', '/v2/{project_id}/notifications/topics/{topic_urn}/subscriptions/from-subscription-users'],
  ['BatchCreateOrDeleteResourceTags', 'POST', '/v2/{project_id}/{resource_type}/{resource_id}/tags/action'],
  ['BatchCreateSubscriptionsFilterPolices', 'POST', '/v2/{project_id}/notifications/subscriptions/filter_polices'],
  ['BatchDeleteSubscriptions', 'DELETE', '/v2/{project_id}/notifications/subscriptions'],
  ['BatchDeleteSubscriptionsByTopic', 'DELETE', '/v2/{project_id}/notifications/topics/{topic_urn}/subscriptions'],
  ['BatchDeleteSubscriptionsFilterPolices', 'DELETE', '/v2/{project_id}/notifications/subscriptions/filter_polices'],
  ['BatchUpdateSubscriptionsFilterPolices', 'PUT', '/v2/{project_id}/notifications/subscriptions/filter_polices'],
  ['CancelSubscription', 'DELETE', '/v2/{project_id}/notifications/subscriptions/{subscription_urn}'],
  ['ConfirmSubscription', 'GET', '/rest/v2/notifications/subscription/confirm'],
  ['CreateApplication', 'POST', '/v2/{project_id}/notifications/applications'],
  ['CreateApplicationEndpoint', 'POST', '/v2/{project_id}/notifications/applications/{application_urn}/endpoints'],
  ['CreateKmsKey', 'POST', '/v2/{project_id}/notifications/topics/{topic_urn}/kms'],
  ['CreateLogtank', 'POST', '/v2/{project_id}/notifications/topics/{topic_urn}/logtanks'],
  ['CreateMessageTemplate', 'POST', '/v2/{project_id}/notifications/message_template'],
  ['CreateNotifyPolicy', 'POST', '/v2/{project_id}/notifications/topics/{topic_urn}/notify-policy'],
  ['CreateResourceTag', 'POST', '/v2/{project_id}/{resource_type}/{resource_id}/tags'],
  ['CreateTopic', 'POST', '/v2/{project_id}/notifications/topics'],
  ['DeleteApplication', 'DELETE', '/v2/{project_id}/notifications/applications/{application_urn}'],
  ['DeleteApplicationEndpoint', 'DELETE', '/v2/{project_id}/notifications/endpoints/{endpoint_urn}'],
  ['DeleteKmsKey', 'DELETE', '/v2/{project_id}/notifications/topics/{topic_urn}/kms/{id}'],
  ['DeleteLogtank', 'DELETE', '/v2/{project_id}/notifications/topics/{topic_urn}/logtanks/{logtank_id}'],
  ['DeleteMessageTemplate', 'DELETE', '/v2/{project_id}/notifications/message_template/{message_template_id}'],
  ['DeleteNotifyPolicy', 'DELETE', '/v2/{project_id}/notifications/topics/{topic_urn}/notify-policy/{notify_policy_id}'],
  ['DeleteResourceTag', 'DELETE', '/v2/{project_id}/{resource_type}/{resource_id}/tags/{key}'],
  ['DeleteSubscriptionsByTopic', 'DELETE', '/v2/{project_id}/notifications/topics/{topic_urn}/subscriptions/{subscription_urn}'],
  ['DeleteTopic', 'DELETE', '/v2/{project_id}/notifications/topics/{topic_urn}'],
  ['DeleteTopicAttributeByName', 'DELETE', '/v2/{project_id}/notifications/topics/{topic_urn}/attributes/{name}'],
  ['DeleteTopicAttributes', 'DELETE', '/v2/{project_id}/notifications/topics/{topic_urn}/attributes'],
  ['DownloadHttpCert', 'GET', '/smn/{certificate_id}'],
  ['DownloadHttpSignCert', 'GET', '/v2/notifications/certifications/download/{certificate_id}'],
  ['ListApplicationAttributes', 'GET', '/v2/{project_id}/notifications/applications/{application_urn}'],
  ['ListApplicationEndpointAttributes', 'GET', '/v2/{project_id}/notifications/endpoints/{endpoint_urn}'],
  ['ListApplicationEndpoints', 'GET', '/v2/{project_id}/notifications/applications/{application_urn}/endpoints'],
  ['ListApplications', 'GET', '/v2/{project_id}/notifications/applications'],
  ['ListCloudService', 'GET', '/v2/notifications/cloud_service'],
  ['ListCloudServices', 'GET', '/v2/notifications/cloud-services'],
  ['ListLogtank', 'GET', '/v2/{project_id}/notifications/topics/{topic_urn}/logtanks'],
  ['ListMessageTemplateDetails', 'GET', '/v2/{project_id}/notifications/message_template/{message_template_id}'],
  ['ListMessageTemplates', 'GET', '/v2/{project_id}/notifications/message_template'],
  ['ListProjectTags', 'GET', '/v2/{project_id}/{resource_type}/tags'],
  ['ListProtocols', 'GET', '/v2/notifications/protocols'],
  ['ListResourceInstances', 'POST', '/v2/{project_id}/{resource_type}/resource_instances/action'],
  ['ListResourceTags', 'GET', '/v2/{project_id}/{resource_type}/{resource_id}/tags'],
  ['ListSubscriptions', 'GET', '/v2/{project_id}/notifications/subscriptions'],
  ['ListSubscriptionsByTopic', 'GET', '/v2/{project_id}/notifications/topics/{topic_urn}/subscriptions'],
  ['ListTopicAttributes', 'GET', '/v2/{project_id}/notifications/topics/{topic_urn}/attributes'],
  ['ListTopicDetails', 'GET', '/v2/{project_id}/notifications/topics/{topic_urn}'],
  ['ListTopicMessageStatistics', 'GET', '/v2/{project_id}/notifications/topics/{topic_urn}/statistics'],
  ['ListTopics', 'GET', '/v2/{project_id}/notifications/topics'],
  ['ListTopicsWithAssociatedResources', 'GET', '/v2/{project_id}/notifications/topics-with-associated-resources'],
  ['ListVersion', 'GET', '/v2'],
  ['ListVersions', 'GET', '/'],
  ['PublishAppMessage', 'POST', '/v2/{project_id}/notifications/endpoints/{endpoint_urn}/publish'],
  ['PublishHttpDetect', 'POST', '/v2/{project_id}/notifications/topics/{topic_urn}/detection'],
  ['PublishMessage', 'POST', '/v2/{project_id}/notifications/topics/{topic_urn}/publish'],
  ['ShowHttpDetectResult', 'GET', '/v2/{project_id}/notifications/topics/{topic_urn}/detection/{task_id}'],
  ['ShowKmsKey', 'GET', '/v2/{project_id}/notifications/topics/{topic_urn}/kms'],
  ['ShowNotifyPolicy', 'GET', '/v2/{project_id}/notifications/topics/{topic_urn}/notify-policy'],
  ['SubscribeTopic', 'GET', '/v2/notifications/subscriptions/subscribe'],
  ['UnsubscribeSubscription', 'GET', '/rest/v2/notifications/subscription/unsubscribe'],
  ['UnsubscribeTopic', 'GET', '/v2/notifications/subscriptions/unsubscribe'],
  ['UpdateApplication', 'PUT', '/v2/{project_id}/notifications/applications/{application_urn}'],
  ['UpdateApplicationEndpoint', 'PUT', '/v2/{project_id}/notifications/endpoints/{endpoint_urn}'],
  ['UpdateKmsKey', 'PUT', '/v2/{project_id}/notifications/topics/{topic_urn}/kms/{id}'],
  ['UpdateLogtank', 'PUT', '/v2/{project_id}/notifications/topics/{topic_urn}/logtanks/{logtank_id}'],
  ['UpdateMessageTemplate', 'PUT', '/v2/{project_id}/notifications/message_template/{message_template_id}'],
  ['UpdateNotifyPolicy', 'PUT', '/v2/{project_id}/notifications/topics/{topic_urn}/notify-policy/{notify_policy_id}'],
  ['UpdateSubscription', 'PUT', '/v2/{project_id}/notifications/topics/{topic_urn}/subscriptions/{subscription_urn}'],
  ['UpdateTopic', 'PUT', '/v2/{project_id}/notifications/topics/{topic_urn}'],
  ['UpdateTopicAttribute', 'PUT', '/v2/{project_id}/notifications/topics/{topic_urn}/attributes/{name}'],
];

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

  it('passes swagger-parser validation as OpenAPI 3.1 with every operation of the official SDK, and the two of the older generation', () => {
    expect(dereferenced.openapi).toBe('3.1.0');
    const operations = Object.entries(dereferenced.paths as Record<string, Record<string, Json>>).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => method !== 'parameters')
        .map(([method, operation]) => [String(operation.operationId), method.toUpperCase(), path]),
    );
    // SmnClient.ts of huaweicloud-sdk-nodejs-v3 (services/smn/v2): each method's HTTP method and path.
    expect(operations.filter(([id]) => id !== 'ListSmsEvent' && id !== 'UpdateSmsEvent').sort()).toEqual(SDK_OPERATIONS);
    expect(operations.filter(([id]) => id === 'ListSmsEvent' || id === 'UpdateSmsEvent')).toEqual([
      ['ListSmsEvent', 'GET', '/v2/{project_id}/notifications/sms/callback'],
      ['UpdateSmsEvent', 'PUT', '/v2/{project_id}/notifications/sms/callback'],
    ]);
  });

  it('gives every operation its success status: 201 new and 200 existing for CreateTopic and AddSubscription, 201 for CreateLogtank and CreateNotifyPolicy, 200 for the others', () => {
    // SmnClient.ts: "接口是幂等的 ... 返回的status code为200，否则返回的status code为201" (CreateTopic, AddSubscription);
    // Open Telekom Cloud api-ref, Returned Value: 200 "The task is submitted successfully", 201 "Resource creation succeeds".
    const statuses = Object.fromEntries(
      Object.values(dereferenced.paths as Record<string, Record<string, Json>>).flatMap((item) =>
        Object.entries(item)
          .filter(([method]) => method !== 'parameters')
          .map(([, operation]) => [String(operation.operationId), Object.keys(operation.responses as Json).filter((code) => code.startsWith('2')).sort()]),
      ),
    );
    // Huawei Cloud API reference, "Binding a Cloud Log" and "Creating a Notification Policy": "Status code: 201".
    const created = new Set(['CreateLogtank', 'CreateNotifyPolicy']);
    for (const [id, codes] of Object.entries(statuses)) expect(codes, id).toEqual(id === 'CreateTopic' || id === 'AddSubscription' ? ['200', '201'] : created.has(id) ? ['201'] : ['200']);
  });

  it('has an example for every response of every operation, in each of its media types', () => {
    const missing: string[] = [];
    const bodiless: string[] = [];
    for (const [path, item] of Object.entries(dereferenced.paths as Record<string, Record<string, Json>>)) {
      for (const [method, operation] of Object.entries(item)) {
        for (const [status, response] of Object.entries((operation.responses as Record<string, Json> | undefined) ?? {})) {
          const content = response.content as Record<string, Json> | undefined;
          if (!content) bodiless.push(String(operation.operationId));
          for (const [type, media] of Object.entries(content ?? {})) {
            if (Object.keys((media.examples as Json | undefined) ?? {}).length === 0) missing.push(`${method.toUpperCase()} ${path} ${status} ${type}`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
    // The only answers without a body are those the vendor documents with "Response: None" (the tag writes).
    expect(bodiless.sort()).toEqual(['BatchCreateOrDeleteResourceTags', 'CreateResourceTag', 'DeleteResourceTag']);
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
    // Header names, the same rule in both editions: "key must start with x- but not x-smn. Examples: x-abc-cba or x-abc"
    // (Open Telekom Cloud api-ref, Adding a Subscription; Huawei Cloud SDK model SubscriptionExtension: key需要以"x-"开头，不能以"x-smn"开头).
    const header = (names: Record<string, string>) => valid('AddSubscriptionRequest', { protocol: 'https', endpoint: 'https://e', extension: { header: names } });
    expect(header({ 'x-abc-cba': 'v', 'x-abc': 'w', 'X-Trace-Id': 'z' })).toBe(true);
    expect(header({ abc: 'w' })).toBe(false);
    expect(header({ 'X-SMN-x': 'v' })).toBe(false);
    expect(header({ 'x-smnfoo': 'v' })).toBe(false);
    expect(header({ 'x--a': 'v' })).toBe(false);
    expect(header({ 'x-a-': 'v' })).toBe(false);
    expect(header({ 'x-a': 'caf\u00e9' })).toBe(false);
    expect(header(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`x-h${i}`, 'v'])))).toBe(false);
    const headers = (dereferenced.components as { schemas: Record<string, Json> }).schemas.SubscriptionHeaders!;
    expect(headers['x-max-total-length']).toBe(1024);
    expect(String(headers.description)).not.toMatch(/editions differ/);
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

describe('the vendor rules of issue 20 that live in the contract', () => {
  const contract = loadSmnContract();
  const responses = smnResponses(contract);
  const ajv = new Ajv2020({ strict: false });
  const schema = (name: string) => responses.componentSchema(name);
  const rule = (pointer: string, edition: 'huawei' | 'otc') => editionRuleAt(contract.editions, pointer, edition);

  it('exposes where the editions differ, and each edition\'s stricter rule applies on top of the contract\'s', () => {
    // time_to_live: "a positive integer at most 3600*24" (SDK model PublishMessageRequestBody) against
    // "less than or equal to 604,800 (3600 x 24 x 7)" (Open Telekom Cloud api-ref, Publishing Messages).
    const ttl = '/components/schemas/PublishMessageRequest/properties/time_to_live';
    const contractTtl = schema('PublishMessageRequest').properties as Record<string, Record<string, unknown>>;
    const huawei = rule(ttl, 'huawei')!;
    expect(rule(ttl, 'otc')!.note).toMatch(/604,800/);
    for (const [value, either, onHuawei] of [['86400', true, true], ['86401', true, false], ['604800', true, false], ['604801', false, false]] as const) {
      expect(ajv.validate(contractTtl.time_to_live!, value), value).toBe(either);
      expect(ajv.validate(contractTtl.time_to_live!, value) && ajv.validate(huawei.schema!, value), value).toBe(onHuawei);
    }
    // An empty display name: "left blank by default" (both editions) against Huawei Cloud's table, 1 to 192 bytes.
    expect(ajv.validate(schema('TopicDisplayName'), '')).toBe(true);
    expect(ajv.validate(rule('/components/schemas/TopicDisplayName', 'huawei')!.schema!, '')).toBe(false);
    // Filters only Huawei Cloud documents, operations only one edition has, mobile push deprecated in one.
    expect(rule('/components/parameters/ProtocolFilter', 'otc')).toMatchObject({ documented: false });
    expect(rule('/paths/~1v2~1{project_id}~1notifications~1subscriptions~1filter_polices/post', 'otc')).toMatchObject({ documented: false });
    expect(rule('/paths/~1v2~1{project_id}~1notifications~1applications/post', 'otc')).toMatchObject({ deprecated: true });
    expect((contract.document.paths['/v2/{project_id}/notifications/applications']!.post as { deprecated?: boolean }).deprecated).toBe(true);
    expect(contract.editions.every((r) => r.edition === 'huawei' || r.edition === 'otc')).toBe(true);
  });

  it('keeps ListSmsEvent and UpdateSmsEvent, saying that neither current SDK nor the Open Telekom Cloud api-ref has them', () => {
    for (const method of ['get', 'put']) {
      const pointer = `/paths/~1v2~1{project_id}~1notifications~1sms~1callback/${method}`;
      expect(rule(pointer, 'huawei')).toMatchObject({ documented: false });
      expect(rule(pointer, 'otc')).toMatchObject({ documented: false });
    }
    expect(SDK_OPERATIONS.map(([id]) => id)).not.toContain('ListSmsEvent');
  });

  it('counts the vendor\'s byte lengths in bytes: subject 512, display_name 192, remark 128, fuzzy_remark 128', () => {
    const publish = schema('PublishMessageRequest').properties as Record<string, Record<string, unknown>>;
    expect(publish.subject!['x-max-bytes']).toBe(512);
    expect(schema('TopicDisplayName')['x-max-bytes']).toBe(192);
    expect(schema('SubscriptionRemark')['x-max-bytes']).toBe(128);
    const byTopic = responses.operations.find((op) => op.operationId === 'ListSubscriptionsByTopic')!;
    expect(byTopic.parameters.find((p) => p.name === 'fuzzy_remark')?.schema['x-max-bytes']).toBe(128);
    // 43 Chinese characters are 129 bytes: within maxLength (characters), past the bound the vendor counts.
    expect(lengthViolation(schema('SubscriptionRemark'), '中'.repeat(43))).toMatchObject({ keyword: 'x-max-bytes', limit: 128, actual: 129 });
    expect(lengthViolation(schema('SubscriptionRemark'), '中'.repeat(42))).toBeUndefined();
  });

  it('answers a remark that is not a string with SMN.0017 and one too long with SMN.0082, as the error-code table tells them apart', () => {
    const body = schema('AddSubscriptionRequest');
    expect(fieldError(body, ['remark'], 'type')).toBe('SMN.0017');
    expect(fieldError(body, ['remark'], 'maxLength')).toBe('SMN.0082');
    expect(fieldError(body, ['remark'], 'x-max-bytes')).toBe('SMN.0082');
    expect(contract.errors.get('SMN.0017')).toMatchObject({ status: 400, body: { message: 'Parameter: Remark is invalid.' } });
  });

  it('lists the protocol filter values the vendor lists ("enumeration values: http, https, sms, email, functionstage")', () => {
    const list = responses.operations.find((op) => op.operationId === 'ListSubscriptions')!;
    expect(list.parameters.find((p) => p.name === 'protocol')?.schema.enum).toEqual(['http', 'https', 'sms', 'email', 'functionstage']);
  });

  it('takes a topic name of up to 256 characters inside a URN as valid syntax, a longer one as malformed', () => {
    const urn = (length: number) => `urn:smn:cn-north-4:f96188c7ccaf4ffba0c9aa149ab2bd57:${'t'.repeat(length)}`;
    expect(ajv.validate(schema('TopicUrn'), urn(256))).toBe(true);
    expect(ajv.validate(schema('TopicUrn'), urn(257))).toBe(false);
  });

  it('requires no UUID or hex form of a message_id: the vendor says only "unique", so the 32-hex form is the kit\'s choice', () => {
    const judged = responses.judge('PublishMessage', 200, { request_id: 'ce7f2f7343224f8c9597b05a9a0bcc2e', message_id: '3f1c4e8a-2b7d-4c9e-8f10-6a5b4c3d2e1f' });
    expect(judged.problems).toEqual([]);
    expect(judged.warnings.map((w) => w.pointer)).toEqual(['/message_id']);
  });

  it('documents the refusal of private, loopback and link-local endpoints (SMN.0069), and the emulator accepting loopback as a kit choice', () => {
    expect(schema('SubscriptionEndpoint')['x-private-endpoints']).toMatchObject({ error: 'SMN.0069' });
    expect(contract.errors.get('SMN.0069')).toMatchObject({ status: 403, body: { message: 'Not authorized to subscribe internal endpoints.' } });
    expect(contract.kitChoices.some((choice) => choice.pointer.endsWith('/SubscriptionEndpoint/x-private-endpoints') && /loopback/.test(choice.why))).toBe(true);
  });

  it('documents status 2 for subscriptions that need no confirmation, and topic_count as the whole account\'s', () => {
    expect(schema('SubscriptionStatus').enum).toContain(2);
    expect(String(schema('SubscriptionStatus').description)).toMatch(/status 2 from the start/);
    const listTopics = contract.document.paths['/v2/{project_id}/notifications/topics']!.get as { description: string };
    expect(listTopics.description).toMatch(/whole\s+account, whatever `offset`, `limit` and the filters are/);
  });

  it('keys message_structure by the newer protocols too, and takes locale, message_attributes and time_to_live', () => {
    const publish = schema('PublishMessageRequest');
    const structure = (publish.properties as Record<string, Record<string, unknown>>).message_structure!.contentSchema as Record<string, unknown>;
    for (const protocol of ['dingding', 'wechat', 'feishu', 'welink', 'dingTalkBot', 'functiongraph', 'functionstage']) expect(Object.keys(structure.properties as object)).toContain(protocol);
    expect(ajv.validate(structure, { default: 'd', dingding: { msgType: 'text', text: 'x' } })).toBe(true);
    const message = {
      message: 'm',
      locale: 'en-us',
      time_to_live: '3600',
      message_attributes: [
        { name: 'alarm', type: 'STRING', value: 'os' },
        { name: 'severity', type: 'STRING_ARRAY', value: ['major', '严重'] },
        { name: 'protocols', type: 'PROTOCOL', value: ['sms'] },
      ],
    };
    expect(ajv.validate(publish, message)).toBe(true);
    expect(ajv.validate(publish, { ...message, message_attributes: [{ name: 'Alarm', type: 'STRING', value: 'os' }] })).toBe(false);
    // The user guide ("Using a Subscription Filtering Policy") writes a STRING attribute as a list, the SDK model as one text: either is accepted.
    expect(ajv.validate(publish, { ...message, message_attributes: [{ name: 'week', type: 'STRING', value: ['sunday'] }] })).toBe(true);
    expect(ajv.validate(publish, { ...message, message_attributes: [{ name: 'alarm', type: 'STRING', value: 42 }] })).toBe(false);
    expect(ajv.validate(publish, { ...message, message_attributes: [{ name: 'alarm', type: 'STRING', value: ['os', 'os'] }] })).toBe(false);
    expect(ajv.validate(publish, { ...message, message_attributes: [{ name: 'alarm', type: 'STRING_ARRAY', value: Array.from({ length: 11 }, (_, i) => `v${i}`) }] })).toBe(false);
  });
});
