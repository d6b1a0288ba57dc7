// The emulator's service information over a real socket: ListVersions (`GET /`),
// ListVersion (`GET /v2`), ListProtocols, ListCloudService and ListCloudServices, as the
// vendor's pages give them, every answer judged against the contract.
import { describe, expect, it } from 'vitest';
import { smnResponses } from '../src/contract/smn-responses.js';
import type { MockOptions, RunningMock } from '../src/mock/server.js';
import { startTestMock } from './support/mocks.js';
import { call, createTopic, HEADERS, TOPICS } from './support/emulator-client.js';

const emulator = (options: MockOptions = {}): Promise<RunningMock> => startTestMock({ ...options });

describe('versions', () => {
  it('ListVersions (GET /) lists v2 as the vendor\'s sample does (OTC api-ref "Listing All SMN API Versions"), its self link leading to this mock, where ListVersion answers', async () => {
    const mock = await emulator();
    const listed = await call(mock, 'GET', '/');
    expect(listed.status).toBe(200);
    const v2 = { id: 'v2', links: [{ href: `${mock.url}/v2`, rel: 'self' }], min_version: '', status: 'CURRENT', updated: '2018-09-19T00:00:00Z', version: '' };
    expect(listed.body).toEqual({ versions: [v2] });
    const followed = await call(mock, 'GET', new URL(v2.links[0]!.href).pathname);
    expect(followed).toMatchObject({ status: 200, body: { version: v2 } });
  });

  it('GET / needs the credentials the API needs (the contract keeps the API\'s): 401 without them', async () => {
    const mock = await emulator();
    const refused = await call(mock, 'GET', '/', undefined, {});
    expect(refused.status).toBe(401);
    expect((await call(mock, 'GET', '/v2', undefined, {})).status).toBe(401);
  });
});

describe('protocols', () => {
  it('ListProtocols lists the protocols a new subscription may use (the contract\'s SubscribingProtocol): AddSubscription takes them, and refuses one it does not list', async () => {
    const mock = await emulator();
    const { status, body } = await call(mock, 'GET', '/v2/notifications/protocols');
    expect(status).toBe(200);
    const protocols = body.protocols as string[];
    expect(protocols).toEqual((smnResponses().componentSchema('SubscribingProtocol') as { enum: string[] }).enum);
    expect(protocols).toEqual(expect.arrayContaining(['email', 'sms', 'http', 'https', 'functionstage']));
    const topic = await createTopic(mock, 'protocols');
    const subscribe = (protocol: string, endpoint: string) => call(mock, 'POST', `${TOPICS}/${topic}/subscriptions`, { protocol, endpoint });
    expect((await subscribe('sms', '+8613800000000')).status).toBe(201);
    expect((await subscribe('email', 'ops@example.com')).status).toBe(201);
    // `dms` is a protocol deployments list in subscriptions, not one a subscription may be made with.
    expect(protocols).not.toContain('dms');
    expect(await subscribe('dms', 'queue-1')).toMatchObject({ status: 400, body: { code: 'SMN.0011' } });
  });
});

describe('cloud services', () => {
  it('ListCloudService and ListCloudServices list the vendor\'s sample (Huawei Cloud API reference "Querying Authorized Cloud Services"), the same at both paths and in the stateless mock', async () => {
    const sample = [
      { name: 'obs', show_name: 'OBS' },
      { name: 'vod', show_name: 'VOD' },
      { name: 'mts', show_name: 'MPC' },
    ];
    const mock = await emulator();
    const stateless = await emulator({ stateless: true });
    for (const server of [mock, stateless]) {
      for (const path of ['/v2/notifications/cloud_service', '/v2/notifications/cloud-services']) {
        const { status, body, headers } = await call(server, 'GET', path, undefined, HEADERS);
        expect(status).toBe(200);
        expect(body.cloud_services).toEqual(sample);
        expect(body.request_id).toBe(headers.get('x-request-id'));
      }
    }
  });
});
