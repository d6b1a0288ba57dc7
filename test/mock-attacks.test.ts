// The second adversarial review of the mock (issue 19), over real sockets: each attack
// sent as the reviewer sent it, against the mock started as a user starts it, and what
// a client must get instead.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signRequest } from '../src/auth/aksk.js';
import { mockCommand } from '../src/commands/mock.js';
import { serveInProcess } from './support/command.js';

const project = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
const callbackPath = `/v2/${project}/notifications/sms/callback`;
const topic = (name: string): string => `urn:smn:cn-north-4:${project}:${name}`;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const bindingOf = (name: string): string => JSON.stringify({ callback: [{ event_type: 'sms_fail_event', topic_urn: topic(name) }] });

describe('AK/SK: the body a signature covers', () => {
  const keys = { ak: 'AKATTACK', sk: 'sk-attack-5b1e' };
  const start = () => serveInProcess(mockCommand, ['--port', '0', '--quiet', '--auth', 'aksk', '--ak', keys.ak, '--sk', keys.sk]);
  const bound = async (url: string): Promise<unknown> => {
    const headers = { 'X-Project-Id': project };
    const response = await fetch(`${url}${callbackPath}`, { headers: { ...headers, ...signRequest({ method: 'GET', url: `${url}${callbackPath}`, headers: { ...headers, host: new URL(url).host } }, keys) } });
    return ((await response.json()) as { callback: unknown }).callback;
  };

  it('a captured signed PUT sent again with another body and the first body\'s hash in an unsigned X-Sdk-Content-Sha256: 401, nothing stored', async () => {
    const mock = await start();
    const url = `${mock.url}${callbackPath}`;
    const headers = { 'Content-Type': 'application/json', 'X-Project-Id': project, host: new URL(mock.url).host };
    const original = bindingOf('original');
    const signed = { ...headers, ...signRequest({ method: 'PUT', url, headers, body: original }, keys) };
    expect((await fetch(url, { method: 'PUT', headers: signed, body: original })).status).toBe(200);
    // Before the fix: 200, and the forged binding stored.
    const forged = await fetch(url, { method: 'PUT', headers: { ...signed, 'X-Sdk-Content-Sha256': sha256(original) }, body: bindingOf('forged') });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error_code: string }).error_code).toBe('APIGW.0301');
    expect(await bound(mock.url)).toEqual([{ event_type: 'sms_fail_event', topic_urn: topic('original') }]);
  });

  it('a signed X-Sdk-Content-Sha256 must be the hash of the body; a signed UNSIGNED-PAYLOAD (what the SDKs send with charset=UTF-8) is accepted', async () => {
    const mock = await start();
    const url = `${mock.url}${callbackPath}`;
    const send = (declared: string, body: string) => {
      const headers = { 'Content-Type': 'application/json;charset=UTF-8', 'X-Project-Id': project, host: new URL(mock.url).host, 'X-Sdk-Content-Sha256': declared };
      return fetch(url, { method: 'PUT', headers: { ...headers, ...signRequest({ method: 'PUT', url, headers, body }, keys) }, body });
    };
    const lying = await send(sha256(bindingOf('declared')), bindingOf('sent'));
    expect(lying.status).toBe(401);
    expect(((await lying.json()) as { error_msg: string }).error_msg).toMatch(/verify aksk signature fail/);
    expect((await send(sha256(bindingOf('honest')), bindingOf('honest'))).status).toBe(200);
    expect((await send('UNSIGNED-PAYLOAD', bindingOf('sdk'))).status).toBe(200);
    expect(await bound(mock.url)).toEqual([{ event_type: 'sms_fail_event', topic_urn: topic('sdk') }]);
  });
});
