// Mobile push applications and device endpoints over a real socket (Huawei Cloud API
// reference, the Application and Application endpoint operations; SDK models
// CreateApplicationRequestBody, ApplicationItem, ApplicationEndpoint; the vendor's
// error-code table): made, listed, filtered, paged, changed and deleted; the credential
// a secret that only the state file keeps; a restart with --state-file keeps them all.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MockOptions, RunningMock } from '../src/mock/server.js';
import { startTestMock } from './support/mocks.js';
import { APPLICATION_LIMITS } from '../src/mock/emulator/families/applications.js';
import { generateSelfSigned } from '../src/notify/self-signed.js';
import { admin, againstMockAdmin, call, PROJECT } from './support/emulator-client.js';

const emulator = (options: MockOptions = {}): Promise<RunningMock> => startTestMock({ ...options });

const APPS = `/v2/${PROJECT}/notifications/applications`;
const ENDPOINTS = `/v2/${PROJECT}/notifications/endpoints`;
const SECRET = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6-never-shown';

const hms = (name: string, credential = SECRET) => ({ name, platform: 'HMS', platform_principal: '100123456', platform_credential: credential });

async function createApplication(mock: RunningMock, body: Record<string, string>): Promise<string> {
  const created = await call(mock, 'POST', APPS, body);
  expect(created.status).toBe(200);
  return String(created.body.application_urn);
}

describe('applications', () => {
  it('CreateApplication makes one that ListApplications and ListApplicationAttributes show; the same again is the same one; the name with other properties is 400 SMN.0121', async () => {
    const mock = await emulator();
    const created = await call(mock, 'POST', APPS, hms('test_app'));
    expect(created.status).toBe(200);
    const { application_urn: urn, application_id: id } = created.body as { application_urn: string; application_id: string };
    expect(urn).toMatch(new RegExp(`^urn:smn:cn-north-4:${PROJECT}:app-HMS-test_app-[0-9a-f]{12}$`));
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    const listed = await call(mock, 'GET', APPS);
    expect(listed.body).toMatchObject({ application_count: 1, applications: [{ name: 'test_app', platform: 'HMS', application_urn: urn, application_id: id, enabled: 'true' }] });
    expect((listed.body.applications as Record<string, unknown>[])[0]!.create_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(await call(mock, 'GET', `${APPS}/${urn}`)).toMatchObject({ status: 200, body: { application_id: id, attributes: { enabled: 'true' } } });

    expect(await call(mock, 'POST', APPS, hms('test_app'))).toMatchObject({ status: 200, body: { application_urn: urn, application_id: id } });
    // "An application with the same name but different properties already exists."
    expect(await call(mock, 'POST', APPS, hms('test_app', 'another-secret-of-32-characters!'))).toMatchObject({ status: 400, body: { code: 'SMN.0121' } });
    expect(await call(mock, 'POST', APPS, { ...hms('test_app'), platform: 'APNS' })).toMatchObject({ status: 400, body: { code: 'SMN.0121' } });
    expect((await call(mock, 'GET', APPS)).body.application_count).toBe(1);
  });

  it('ListApplications filters by the start of the name and by platform, pages, and counts all the account\'s applications whatever the filters and page (SDK model ListApplicationsResponse)', async () => {
    const mock = await emulator();
    for (const name of ['shop_android', 'shop_ios', 'news']) await createApplication(mock, name === 'shop_ios' ? { ...hms(name), platform: 'APNS_SANDBOX' } : hms(name));
    const names = async (query: string) => {
      const { body } = await call(mock, 'GET', `${APPS}?${query}`);
      return { count: body.application_count, names: (body.applications as { name: string }[]).map((a) => a.name) };
    };
    expect(await names('offset=0&limit=100')).toEqual({ count: 3, names: ['shop_android', 'shop_ios', 'news'] });
    expect(await names('name=shop')).toEqual({ count: 3, names: ['shop_android', 'shop_ios'] });
    expect(await names('name=hop')).toEqual({ count: 3, names: [] });
    expect(await names('platform=APNS_SANDBOX')).toEqual({ count: 3, names: ['shop_ios'] });
    expect(await names('offset=1&limit=1')).toEqual({ count: 3, names: ['shop_ios'] });
    expect(await call(mock, 'GET', `${APPS}?platform=GCM`)).toMatchObject({ status: 403, body: { code: 'SMN.0116' } });
  });

  it('an APNS application\'s apple_certificate_expiration_date is when its certificate (platform_principal, base64) expires; UpdateApplication replaces the credentials', async () => {
    const mock = await emulator();
    const made = generateSelfSigned({ commonName: 'push test' });
    const certificate = new X509Certificate(made.certificatePem);
    const expiry = new Date(certificate.validTo).toISOString().replace('.000Z', 'Z');
    const urn = await createApplication(mock, { name: 'ios', platform: 'APNS', platform_principal: certificate.raw.toString('base64'), platform_credential: Buffer.from(made.privateKeyPem).toString('base64') });
    expect((await call(mock, 'GET', `${APPS}/${urn}`)).body).toMatchObject({ attributes: { enabled: 'true', apple_certificate_expiration_date: expiry } });
    expect((await call(mock, 'GET', APPS)).body.applications).toMatchObject([{ apple_certificate_expiration_date: expiry }]);
    // A principal that is no certificate has no expiry to tell.
    expect(await call(mock, 'PUT', `${APPS}/${urn}`, { platform_principal: 'bm90IGEgY2VydGlmaWNhdGU=', platform_credential: 'a2V5' })).toMatchObject({ status: 200 });
    const attributes = (await call(mock, 'GET', `${APPS}/${urn}`)).body.attributes as Record<string, unknown>;
    expect(attributes).toEqual({ enabled: 'true' });
  });

  it('DeleteApplication deletes it and its endpoints; a URN the project does not have is 404 SMN.0122, one that is no URN 400 SMN.0123', async () => {
    const mock = await emulator();
    const urn = await createApplication(mock, hms('doomed'));
    const endpoint = String((await call(mock, 'POST', `${APPS}/${urn}/endpoints`, { token: 'device-1', user_data: 'user 1' })).body.endpoint_urn);
    expect(await call(mock, 'DELETE', `${APPS}/${urn}`)).toMatchObject({ status: 200 });
    expect((await call(mock, 'GET', APPS)).body).toMatchObject({ application_count: 0, applications: [] });
    expect(await call(mock, 'GET', `${ENDPOINTS}/${endpoint}`)).toMatchObject({ status: 404, body: { code: 'SMN.0125' } });
    for (const [method, body] of [['GET'], ['PUT', { platform_principal: 'a', platform_credential: 'b' }], ['DELETE'], ['POST', { token: 't', user_data: '' }]] as const) {
      const path = method === 'POST' ? `${APPS}/${urn}/endpoints` : `${APPS}/${urn}`;
      expect(await call(mock, method, path, body), `${method} ${path}`).toMatchObject({ status: 404, body: { code: 'SMN.0122' } });
    }
    expect(await call(mock, 'GET', `${APPS}/${urn}/endpoints`)).toMatchObject({ status: 404, body: { code: 'SMN.0122' } });
    expect(await call(mock, 'GET', `${APPS}/not-a-urn`)).toMatchObject({ status: 400, body: { code: 'SMN.0123' } });
  });
});

describe('application endpoints', () => {
  it('CreateApplicationEndpoint adds a device; a token the application has is 400 SMN.0133; attributes, update and delete as the SDK models them', async () => {
    const mock = await emulator();
    const app = await createApplication(mock, hms('test_app'));
    const created = await call(mock, 'POST', `${APPS}/${app}/endpoints`, { token: 'AFeT086123', user_data: 'user 42' });
    expect(created.status).toBe(200);
    const urn = String(created.body.endpoint_urn);
    expect(urn).toMatch(new RegExp(`^urn:smn:cn-north-4:${PROJECT}:endpoint-HMS-test_app-[0-9a-f]{12}-[0-9a-f]{16}$`));
    expect(await call(mock, 'POST', `${APPS}/${app}/endpoints`, { token: 'AFeT086123', user_data: 'someone else' })).toMatchObject({ status: 400, body: { code: 'SMN.0133' } });
    // Another application may have the same token.
    const other = await createApplication(mock, hms('other_app'));
    expect((await call(mock, 'POST', `${APPS}/${other}/endpoints`, { token: 'AFeT086123', user_data: '' })).status).toBe(200);

    expect(await call(mock, 'GET', `${ENDPOINTS}/${urn}`)).toMatchObject({ status: 200, body: { attributes: { enabled: 'true', token: 'AFeT086123', user_data: 'user 42' } } });
    expect(await call(mock, 'PUT', `${ENDPOINTS}/${urn}`, { enabled: 'false' })).toMatchObject({ status: 200 });
    expect((await call(mock, 'GET', `${ENDPOINTS}/${urn}`)).body.attributes).toEqual({ enabled: 'false', token: 'AFeT086123', user_data: 'user 42' });
    expect(await call(mock, 'PUT', `${ENDPOINTS}/${urn}`, { user_data: 'user 43' })).toMatchObject({ status: 200 });
    expect((await call(mock, 'GET', `${ENDPOINTS}/${urn}`)).body.attributes).toEqual({ enabled: 'false', token: 'AFeT086123', user_data: 'user 43' });
    expect(await call(mock, 'PUT', `${ENDPOINTS}/${urn}`, { enabled: 'maybe' })).toMatchObject({ status: 400, body: { code: 'SMN.0136' } });
    expect(await call(mock, 'DELETE', `${ENDPOINTS}/${urn}`)).toMatchObject({ status: 200 });
    for (const method of ['GET', 'DELETE'] as const) expect(await call(mock, method, `${ENDPOINTS}/${urn}`)).toMatchObject({ status: 404, body: { code: 'SMN.0125' } });
    expect(await call(mock, 'PUT', `${ENDPOINTS}/${urn}`, { enabled: 'true' })).toMatchObject({ status: 404, body: { code: 'SMN.0125' } });
  });

  it('ListApplicationEndpoints filters by enabled, token and user_data, pages, and says whether a next page follows (next_page_flag)', async () => {
    const mock = await emulator();
    const app = await createApplication(mock, hms('test_app'));
    const urns: string[] = [];
    for (const [token, user_data] of [['t1', 'alice'], ['t2', 'bob'], ['t3', 'alice']]) urns.push(String((await call(mock, 'POST', `${APPS}/${app}/endpoints`, { token, user_data })).body.endpoint_urn));
    await call(mock, 'PUT', `${ENDPOINTS}/${urns[1]}`, { enabled: 'false' });
    const page = async (query: string) => {
      const { body } = await call(mock, 'GET', `${APPS}/${app}/endpoints?${query}`);
      return { more: body.next_page_flag, tokens: (body.endpoints as { token: string }[]).map((e) => e.token) };
    };
    expect(await page('offset=0&limit=100')).toEqual({ more: false, tokens: ['t1', 't2', 't3'] });
    expect(await page('offset=0&limit=2')).toEqual({ more: true, tokens: ['t1', 't2'] });
    expect(await page('offset=2&limit=2')).toEqual({ more: false, tokens: ['t3'] });
    expect(await page('enabled=false')).toEqual({ more: false, tokens: ['t2'] });
    expect(await page('user_data=alice')).toEqual({ more: false, tokens: ['t1', 't3'] });
    expect(await page('token=t3')).toEqual({ more: false, tokens: ['t3'] });
    const { body } = await call(mock, 'GET', `${APPS}/${app}/endpoints?token=t1`);
    expect(body.endpoints).toEqual([{ create_time: expect.stringMatching(/Z$/) as unknown, endpoint_urn: urns[0], user_data: 'alice', enabled: 'true', token: 't1' }]);
  });
});

describe('the credential, and a restart', () => {
  it('platform_credential is in no answer, no log line and not in GET /_mock/state; the state file (0600) keeps it, and a restart keeps applications and endpoints as they were', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smn-applications-')), 'state.json');
    const lines: string[] = [];
    const first = await emulator({ stateFile: file, log: (line) => lines.push(line) });
    const answers: string[] = [];
    const app = await createApplication(first, hms('test_app'));
    const endpoint = await call(first, 'POST', `${APPS}/${app}/endpoints`, { token: 'device-1', user_data: 'user 1' });
    await call(first, 'PUT', `${ENDPOINTS}/${String(endpoint.body.endpoint_urn)}`, { enabled: 'false' });
    for (const path of [APPS, `${APPS}/${app}`, `${APPS}/${app}/endpoints`]) answers.push((await call(first, 'GET', path)).text);
    const state = await admin(first, 'GET', 'state');
    expect(againstMockAdmin('State', state)).toEqual([]);
    expect(JSON.stringify(state)).toContain('100123456');
    const requests = JSON.stringify(await admin(first, 'GET', 'requests'));
    for (const seen of [...answers, JSON.stringify(state), requests, lines.join('\n')]) expect(seen).not.toContain(SECRET);
    await first.close();
    expect(readFileSync(file, 'utf8') + readFileSync(`${file}.journal`, 'utf8')).toContain(SECRET);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = await emulator({ stateFile: file });
    expect((await call(second, 'GET', APPS)).body).toMatchObject({ application_count: 1, applications: [{ name: 'test_app', application_urn: app }] });
    expect((await call(second, 'GET', `${APPS}/${app}/endpoints`)).body.endpoints).toMatchObject([{ token: 'device-1', user_data: 'user 1', enabled: 'false' }]);
    expect(JSON.stringify(await admin(second, 'GET', 'state'))).not.toContain(SECRET);
    // The credential came back too: the same application again is the one there, another credential is "other properties".
    expect(await call(second, 'POST', APPS, hms('test_app'))).toMatchObject({ status: 200, body: { application_urn: app } });
    expect(await call(second, 'POST', APPS, hms('test_app', 'x'.repeat(40)))).toMatchObject({ status: 400, body: { code: 'SMN.0121' } });
  });
});

describe('limits', () => {
  it(`past ${APPLICATION_LIMITS.applications.max} applications (all projects together) CreateApplication gets 403 ${APPLICATION_LIMITS.applications.code}; deleting one makes room`, async () => {
    const mock = await emulator();
    const { max } = APPLICATION_LIMITS.applications;
    let first = '';
    for (let i = 0; i < max; i += 50) {
      const urns = await Promise.all(Array.from({ length: Math.min(50, max - i) }, (_, j) => createApplication(mock, hms(`app_${i + j}`))));
      first ||= urns[0]!;
    }
    expect(await call(mock, 'POST', APPS, hms('one_too_many'))).toMatchObject({ status: 403, body: { code: APPLICATION_LIMITS.applications.code } });
    await call(mock, 'DELETE', `${APPS}/${first}`);
    expect((await call(mock, 'POST', APPS, hms('one_too_many'))).status).toBe(200);
  });
});

describe('the stateless mock', () => {
  it('filters and pages the examples as the emulator does: application_count stays the account\'s, next_page_flag follows the page', async () => {
    const mock = await emulator({ stateless: true });
    const listed = await call(mock, 'GET', `${APPS}?platform=APNS`);
    expect(listed.body).toMatchObject({ application_count: 1, applications: [] });
    const app = 'urn:smn:regionId:f96188c7ccaf4ffba0c9aa149ab2bd57:app-HMS-test_app-b6c3f0e8a4d2';
    expect((await call(mock, 'GET', `${APPS}/${app}/endpoints?enabled=false`)).body).toMatchObject({ next_page_flag: false, endpoints: [] });
    expect((await call(mock, 'GET', `${APPS}/${app}/endpoints?enabled=true`)).body.endpoints).toHaveLength(1);
  });
});
