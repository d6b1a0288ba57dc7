// The certificate downloads over a real socket: DownloadHttpCert (`GET /smn/{id}`, the URL
// a message's `signing_cert_url` names) and DownloadHttpSignCert (`GET
// /v2/notifications/certifications/download/{id}`) give the certificate the emulator's
// notifications are signed with, as PEM; another id is a certificate the service does
// not have (404); a restart with --state-file keeps the certificate.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { smnResponses } from '../src/contract/smn-responses.js';
import type { MockOptions, RunningMock } from '../src/mock/server.js';
import { startTestMock } from './support/mocks.js';
import { verifySmnNotification } from '../src/notification/index.js';
import { admin, call, createTopic, receiver, TOPICS } from './support/emulator-client.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const emulator = (options: MockOptions = {}): Promise<RunningMock> => startTestMock({ ...options });

/** The signed message a new http subscription receives, and the certificate URL it names. */
async function confirmation(mock: RunningMock): Promise<{ body: Record<string, string>; headers: Record<string, string | string[] | undefined>; certificateUrl: URL }> {
  const hook = await receiver();
  closers.push(hook.close);
  const topic = await createTopic(mock, 'signed');
  await call(mock, 'POST', `${TOPICS}/${topic}/subscriptions`, { protocol: 'http', endpoint: `${hook.url}/smn` });
  const delivered = hook.received[0]!;
  const body = JSON.parse(delivered.text) as Record<string, string>;
  return { body, headers: delivered.headers, certificateUrl: new URL(body.signing_cert_url!) };
}

describe('certificate downloads', () => {
  it('the certificate a message names (signing_cert_url) is what both operations download: PEM that verifies the message, with the API\'s X-Request-Id', async () => {
    const mock = await emulator();
    const { body, headers, certificateUrl } = await confirmation(mock);
    expect(certificateUrl.origin).toBe(mock.url);
    const name = certificateUrl.pathname.split('/').at(-1)!;
    expect(name).toMatch(/^SMN_cn-north-4_[0-9a-f]{32}\.pem$/);

    // A receiver fetches it with no credentials, as it does from SMN.
    const fetched = await fetch(certificateUrl);
    const pem = await fetched.text();
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-type')).toBe('application/octet-stream');
    expect(fetched.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(smnResponses().validateSchema('SigningCertificatePem', pem)).toEqual([]);
    expect(verifySmnNotification(body, { certificatePem: pem, headers: headers as Record<string, string> }).valid).toBe(true);

    for (const path of [`/smn/${name}`, `/v2/notifications/certifications/download/${name}`]) {
      const downloaded = await call(mock, 'GET', path);
      expect(downloaded.status, path).toBe(200);
      expect(downloaded.headers.get('content-type')).toBe('application/octet-stream');
      expect(downloaded.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
      expect(downloaded.text).toBe(pem);
    }
    // The download is the API's: recorded with the other requests.
    const { requests } = await admin<{ requests: { path: string; status: number }[] }>(mock, 'GET', 'requests');
    expect(requests.filter((r) => r.path.endsWith(name)).map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it('another certificate id is one the service does not have: 404 on both paths (the gateway\'s APIGW.0101, which the contract accepts beside SMN\'s), 401 without credentials', async () => {
    const mock = await emulator();
    const other = 'SMN_cn-north-4_0123456789abcdef0123456789abcdef.pem';
    for (const path of [`/smn/${other}`, `/v2/notifications/certifications/download/${other}`]) {
      expect(await call(mock, 'GET', path), path).toMatchObject({ status: 404, body: { error_code: 'APIGW.0101' } });
      expect((await call(mock, 'GET', path, undefined, {})).status, path).toBe(401);
    }
    // The API's path, unlike the links' /smn/, needs credentials for the real certificate too.
    const { certificateUrl } = await confirmation(mock);
    const name = certificateUrl.pathname.split('/').at(-1)!;
    expect((await call(mock, 'GET', `/v2/notifications/certifications/download/${name}`, undefined, {})).status).toBe(401);
  });

  it('with --state-file, a restart keeps the certificate: the same name downloads the same PEM', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smn-certificates-')), 'state.json');
    const first = await emulator({ stateFile: file });
    const { certificateUrl } = await confirmation(first);
    const name = certificateUrl.pathname.split('/').at(-1)!;
    const pem = (await call(first, 'GET', `/smn/${name}`)).text;
    await first.close();
    const second = await emulator({ stateFile: file });
    const again = await call(second, 'GET', `/v2/notifications/certifications/download/${name}`);
    expect(again.status).toBe(200);
    expect(again.text).toBe(pem);
  });
});
