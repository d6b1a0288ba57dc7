// AK/SK signing as the SDKs do it: what a verifier accepts, and every way it refuses.
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalRequest, parseAuthorization, sdkDate, signRequest, verifyRequestSignature, type SignableRequest } from '../src/auth/aksk.js';

const credentials = { ak: 'QTWAOYTTINDUT2QVKYUC', sk: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc' };
const secretOf = (ak: string) => (ak === credentials.ak ? credentials.sk : undefined);
const at = new Date(Date.UTC(2026, 10, 24, 9, 30, 0));
const urn = 'urn:smn:cn-north-4:f96188c7ccaf4ffba0c9aa149ab2bd57:alerts';

function signed(request: SignableRequest): SignableRequest {
  return { ...request, headers: { ...request.headers, ...signRequest(request, credentials, at) } };
}

const base: SignableRequest = {
  method: 'PUT',
  url: 'https://smn.cn-north-4.myhuaweicloud.com/v2/f96188c7ccaf4ffba0c9aa149ab2bd57/notifications/sms/callback',
  headers: { 'Content-Type': 'application/json;charset=UTF-8', 'X-Project-Id': 'f96188c7ccaf4ffba0c9aa149ab2bd57' },
  body: '{"callback":[{"event_type":"sms_fail_event","topic_urn":""}]}',
};

describe('canonicalRequest', () => {
  it('is the documented form: encoded path with a trailing slash, sorted query, headers, body hash', () => {
    const text = canonicalRequest(
      { method: 'get', url: `https://h.example/v2/p/notifications/topics/${urn}/subscriptions?offset=0&limit=10&a=b c`, headers: { Host: 'h.example', 'X-Sdk-Date': '20261124T093000Z' } },
      ['host', 'x-sdk-date'],
    );
    expect(text).toBe(
      [
        'GET',
        '/v2/p/notifications/topics/urn%3Asmn%3Acn-north-4%3Af96188c7ccaf4ffba0c9aa149ab2bd57%3Aalerts/subscriptions/',
        'a=b%20c&limit=10&offset=0',
        'host:h.example\nx-sdk-date:20261124T093000Z\n',
        'host;x-sdk-date',
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      ].join('\n'),
    );
  });

  it('signs the formula of the reference by hand', () => {
    const request = signed(base);
    const parsed = parseAuthorization(request.headers.Authorization as string)!;
    const stringToSign = `SDK-HMAC-SHA256\n${sdkDate(at)}\n${createHash('sha256').update(canonicalRequest(request, parsed.signedHeaders)).digest('hex')}`;
    expect(parsed.signature).toBe(createHmac('sha256', credentials.sk).update(stringToSign).digest('hex'));
    expect(parsed.signedHeaders).toEqual(['content-type', 'host', 'x-project-id', 'x-sdk-date']);
    expect(request.headers['X-Sdk-Date']).toBe('20261124T093000Z');
  });
});

describe('verifyRequestSignature', () => {
  it('accepts what signRequest signs, with a raw or an encoded URN in the path', () => {
    expect(verifyRequestSignature(signed(base), secretOf)).toEqual({ ok: true, access: credentials.ak });
    const raw = signed({ method: 'GET', url: `https://h.example/v2/p/notifications/topics/${urn}/subscriptions`, headers: {} });
    const encoded = { ...raw, url: `https://h.example/v2/p/notifications/topics/${encodeURIComponent(urn)}/subscriptions` };
    expect(verifyRequestSignature(raw, secretOf).ok).toBe(true);
    expect(verifyRequestSignature(encoded, secretOf).ok).toBe(true);
  });

  it.each([
    ['a changed body', (r: SignableRequest) => ({ ...r, body: '{"callback":[]}' }), 'signature does not match'],
    ['a changed query', (r: SignableRequest) => ({ ...r, url: `${r.url as string}?limit=1` }), 'signature does not match'],
    ['a changed signed header', (r: SignableRequest) => ({ ...r, headers: { ...r.headers, 'X-Project-Id': '0'.repeat(32) } }), 'signature does not match'],
    ['another method', (r: SignableRequest) => ({ ...r, method: 'POST' }), 'signature does not match'],
    ['an unknown AK', (r: SignableRequest) => ({ ...r, headers: { ...r.headers, Authorization: (r.headers.Authorization as string).replace(credentials.ak, 'OTHER') } }), 'unknown access key'],
    ['no X-Sdk-Date', (r: SignableRequest) => ({ ...r, headers: { ...r.headers, 'X-Sdk-Date': undefined } }), 'X-Sdk-Date is missing'],
    ['a token instead of a signature', (r: SignableRequest) => ({ ...r, headers: { ...r.headers, Authorization: 'Bearer abc' } }), 'Authorization is not'],
  ])('refuses %s', (_name, tamper, reason) => {
    const result = verifyRequestSignature(tamper(signed(base)), secretOf);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });

  it('never puts the secret key in a reason', () => {
    const result = verifyRequestSignature({ ...signed(base), body: 'x' }, secretOf);
    expect(JSON.stringify(result)).not.toContain(credentials.sk);
  });
});
