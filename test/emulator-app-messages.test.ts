// PublishAppMessage over a real socket (Huawei Cloud API reference "Publishing an App
// Message"; SDK model PublishAppMessageRequestBody): what the device would have received
// is in the outbox (GET /_mock/outbox, an AppNotification), the payload for the
// application's platform, with its time_to_live; the vendor's bounds (HMS 2 KB, APNS
// 4 KB) and errors.
import { describe, expect, it } from 'vitest';
import type { MockOptions, RunningMock } from '../src/mock/server.js';
import { startTestMock } from './support/mocks.js';
import { admin, againstMockAdmin, call, PROJECT } from './support/emulator-client.js';

const emulator = (options: MockOptions = {}): Promise<RunningMock> => startTestMock({ ...options });

const APPS = `/v2/${PROJECT}/notifications/applications`;
const ENDPOINTS = `/v2/${PROJECT}/notifications/endpoints`;

/** An application of `platform` with one device; its URNs. */
async function device(mock: RunningMock, platform: string, token = 'device-token-1'): Promise<{ application: string; endpoint: string }> {
  const application = String((await call(mock, 'POST', APPS, { name: `app_${platform}`, platform, platform_principal: 'cHJpbmNpcGFs', platform_credential: 'c2VjcmV0' })).body.application_urn);
  const endpoint = String((await call(mock, 'POST', `${APPS}/${application}/endpoints`, { token, user_data: 'user 42' })).body.endpoint_urn);
  return { application, endpoint };
}

const publish = (mock: RunningMock, endpoint: string, body: unknown) => call(mock, 'POST', `${ENDPOINTS}/${endpoint}/publish`, body);
const pushed = async (mock: RunningMock) => (await admin<{ messages: Record<string, unknown>[] }>(mock, 'GET', 'outbox')).messages.filter((m) => m.type === 'AppNotification');

describe('PublishAppMessage', () => {
  it('puts what the device would receive in the outbox: the message, its platform, device and time_to_live (3600 when not given)', async () => {
    const mock = await emulator();
    const { application, endpoint } = await device(mock, 'APNS');
    const published = await publish(mock, endpoint, { message: '{"aps":{"alert":"hello world"}}', time_to_live: '60' });
    expect(published.status).toBe(200);
    expect(published.body.message_id).toMatch(/^[0-9a-f]{32}$/);
    await publish(mock, endpoint, { message: '{"aps":{"alert":"again"}}' });
    const messages = await pushed(mock);
    expect(messages).toMatchObject([
      { project_id: PROJECT, platform: 'APNS', application_urn: application, endpoint_urn: endpoint, token: 'device-token-1', message_id: published.body.message_id, message: '{"aps":{"alert":"hello world"}}', time_to_live: 60 },
      { message: '{"aps":{"alert":"again"}}', time_to_live: 3600 },
    ]);
    for (const message of messages) expect(againstMockAdmin('AppOutboxMessage', message)).toEqual([]);
  });

  it('message_structure gives the payload for the application\'s platform; one without it, or not a JSON object, is 400 SMN.0021', async () => {
    const mock = await emulator();
    const { endpoint } = await device(mock, 'HMS');
    const structure = { HMS: { hps: { msg: { type: 1, body: { key: 'value' } } } }, APNS: { aps: { alert: 'not for HMS' } } };
    expect((await publish(mock, endpoint, { message_structure: JSON.stringify(structure) })).status).toBe(200);
    expect((await pushed(mock)).map((m) => m.message)).toEqual([JSON.stringify(structure.HMS)]);
    expect(await publish(mock, endpoint, { message_structure: JSON.stringify({ APNS: structure.APNS }) })).toMatchObject({ status: 400, body: { code: 'SMN.0021' } });
    expect(await publish(mock, endpoint, { message_structure: '{"HMS": ' })).toMatchObject({ status: 400, body: { code: 'SMN.0021' } });
    expect(await publish(mock, endpoint, { message_structure: '["HMS"]' })).toMatchObject({ status: 400, body: { code: 'SMN.0021' } });
    expect(await pushed(mock)).toHaveLength(1);
  });

  it('a payload past its platform\'s bound (HMS 2 KB, APNS 4 KB: the SDK model) is 403 SMN.0009; within it is accepted', async () => {
    const mock = await emulator();
    const hms = (await device(mock, 'HMS')).endpoint;
    const apns = (await device(mock, 'APNS')).endpoint;
    expect(await publish(mock, hms, { message: 'x'.repeat(2049) })).toMatchObject({ status: 403, body: { code: 'SMN.0009' } });
    expect((await publish(mock, hms, { message: 'x'.repeat(2048) })).status).toBe(200);
    expect((await publish(mock, apns, { message: 'x'.repeat(4096) })).status).toBe(200);
    expect(await publish(mock, hms, { message_structure: JSON.stringify({ HMS: 'é'.repeat(1025) }) })).toMatchObject({ status: 403, body: { code: 'SMN.0009' } });
    expect((await pushed(mock)).map((m) => (m.message as string).length)).toEqual([2048, 4096]);
  });

  it('a disabled device receives nothing; the message is accepted all the same', async () => {
    const mock = await emulator();
    const { endpoint } = await device(mock, 'HMS');
    await call(mock, 'PUT', `${ENDPOINTS}/${endpoint}`, { enabled: 'false' });
    expect((await publish(mock, endpoint, { message: 'hello' })).status).toBe(200);
    expect(await pushed(mock)).toEqual([]);
    await call(mock, 'PUT', `${ENDPOINTS}/${endpoint}`, { enabled: 'true' });
    await publish(mock, endpoint, { message: 'hello' });
    expect(await pushed(mock)).toHaveLength(1);
  });

  it('an endpoint the project does not have is 404 SMN.0125; neither message nor message_structure is 403 SMN.0009', async () => {
    const mock = await emulator();
    const { endpoint } = await device(mock, 'HMS');
    await call(mock, 'DELETE', `${ENDPOINTS}/${endpoint}`);
    expect(await publish(mock, endpoint, { message: 'hello' })).toMatchObject({ status: 404, body: { code: 'SMN.0125' } });
    const other = (await device(mock, 'APNS', 'device-2')).endpoint;
    expect(await publish(mock, other, { time_to_live: '60' })).toMatchObject({ status: 403, body: { code: 'SMN.0009' } });
  });
});
