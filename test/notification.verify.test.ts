// verifySmnNotification and validateSmnNotification: every way a notification can be
// wrong gives its named problem, and only that one. Certificates of every kind are
// made here by the openssl command line; the notifications are the vectors' and the
// fixtures' (fixtures/smn/notifications/, see the README there).
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  readSmnSigningCertificate,
  signSmnNotification,
  smnSigningString,
  validateSmnNotification,
  verifySmnNotification,
  type SmnNotificationProblem,
} from '../src/library.js';
import { certificateSignatureOid } from '../src/notification/certificate.js';
import { decodeOid, readElement } from '../src/notification/der.js';
import { smnNotification } from '../src/notify/envelope.js';
import { vectorBody, vectors, type Body } from './support/smn-vectors.js';

const only = (problems: SmnNotificationProblem[]) => problems.map(({ rule, pointer, where }) => ({ rule, pointer, ...(where ? { where } : {}) }));
const certificatePem = vectors.certificate;

const notification = vectorBody('Notification with a subject');
const confirmation = vectorBody('SubscriptionConfirmation');
const unsubscribed = vectorBody('UnsubscribeConfirmation');
const headersOf = (body: Body): Record<string, string> => vectors.valid.find((vector) => vector.body.message_id === body.message_id)!.headers;

// --- Certificates made by openssl, once for the file --------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'smn-certs-'));
const openssl = (...args: string[]): string => execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const subject = (what: string) => ['-subj', `/CN=smn-kit TEST ONLY (${what})`];
const certificates: Record<string, string> = {};

beforeAll(() => {
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa.pem');
  for (const hash of ['sha1', 'sha256', 'sha384', 'sha512']) {
    openssl('req', '-x509', '-new', '-key', 'rsa.pem', `-${hash}`, '-days', '2', ...subject(hash), '-out', `${hash}.crt`);
  }
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ec.pem');
  openssl('req', '-x509', '-new', '-key', 'ec.pem', '-sha256', '-days', '2', ...subject('ec'), '-out', 'ec.crt');
  openssl('req', '-x509', '-new', '-key', 'rsa.pem', '-sha256', '-sigopt', 'rsa_padding_mode:pss', '-days', '2', ...subject('pss'), '-out', 'pss.crt');
  openssl('genpkey', '-algorithm', 'ED25519', '-out', 'ed.pem');
  openssl('req', '-x509', '-new', '-key', 'ed.pem', '-days', '2', ...subject('ed25519'), '-out', 'ed.crt');
  // An EC key in a certificate an RSA authority signed with sha256WithRSA: the algorithm is fine, the key is not.
  openssl('req', '-new', '-key', 'ec.pem', ...subject('ec leaf'), '-out', 'leaf.csr');
  openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'sha256.crt', '-CAkey', 'rsa.pem', '-CAcreateserial', '-sha256', '-days', '2', '-out', 'ec-leaf.crt');
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.crt'))) certificates[name.replace('.crt', '')] = readFileSync(join(dir, name), 'utf8');
  certificates.rsaKey = readFileSync(join(dir, 'rsa.pem'), 'utf8');
  certificates.ecKey = readFileSync(join(dir, 'ec.pem'), 'utf8');
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The fields the guide says each type signs; every other field is not signed.
const SIGNED: Record<string, string[]> = {
  Notification: ['message', 'message_id', 'subject', 'timestamp', 'topic_urn', 'type'],
  SubscriptionConfirmation: ['message', 'message_id', 'subscribe_url', 'timestamp', 'topic_urn', 'type'],
  UnsubscribeConfirmation: ['message', 'message_id', 'subscribe_url', 'timestamp', 'topic_urn', 'type'],
};
// A value of the right form for each field, different from the vectors': only the signature can tell.
const ALTERED: Record<string, (body: Body) => unknown> = {
  message: () => '{"event_type":"sms_success_event"}',
  message_id: () => 'ffffffffffffffffffffffffffffffff',
  subject: () => 'sms_success_event',
  timestamp: () => '2026-11-24T09:59:59Z',
  topic_urn: (body) => String(body.topic_urn).replace('sms_callback', 'another_topic'),
  subscribe_url: (body) => `${String(body.subscribe_url)}&again=1`,
  // The two confirmations sign the same fields: relabelling one is caught by the signature only.
  type: (body) => (body.type === 'SubscriptionConfirmation' ? 'UnsubscribeConfirmation' : body.type === 'UnsubscribeConfirmation' ? 'SubscriptionConfirmation' : 'Notification'),
};

describe('verifySmnNotification refuses every tampered signed field with bad-signature alone', () => {
  const cases = [notification, confirmation, unsubscribed].flatMap((body) =>
    SIGNED[String(body.type)]!.filter((field) => !(body.type === 'Notification' && field === 'type')).map((field) => [`${String(body.type)} ${field}`, body, field] as const),
  );
  it.each(cases)('%s', (_name, body, field) => {
    const altered = { ...body, [field]: ALTERED[field]!(body) };
    expect(altered[field]).not.toEqual(body[field]);
    expect(verifySmnNotification(body, { certificatePem }).valid).toBe(true);
    const verdict = verifySmnNotification(altered, { certificatePem });
    expect(only(verdict.problems)).toEqual([{ rule: 'bad-signature', pointer: '/signature' }]);
  });

  it('a Notification relabelled a confirmation lacks subscribe_url; given one, its signature fails', () => {
    const verdict = verifySmnNotification({ ...notification, type: 'SubscriptionConfirmation' }, { certificatePem });
    expect(only(verdict.problems)).toEqual([{ rule: 'missing-field', pointer: '/subscribe_url' }]);
    // Without subscribe_url there is no signing string, so the signature is not checked: one fault, reported once.
    const relabelled = verifySmnNotification({ ...notification, type: 'SubscriptionConfirmation', subscribe_url: 'https://smn.test-only.invalid/c' }, { certificatePem });
    expect(only(relabelled.problems)).toEqual([{ rule: 'bad-signature', pointer: '/signature' }]);
  });

  it('fields SMN does not sign can change and the signature still verifies (the guide signs only the listed fields)', () => {
    for (const [body, changes] of [
      [notification, { unsubscribe_url: 'https://elsewhere.example/u', signing_cert_url: 'https://elsewhere.example/c.pem', signature_version: 'V1' }],
      [confirmation, { signing_cert_url: 'https://elsewhere.example/c.pem' }],
    ] as const) {
      const verdict = verifySmnNotification({ ...body, ...changes }, { certificatePem });
      expect(verdict.problems).toEqual([]);
      expect(verdict.valid).toBe(true);
    }
  });

  it('a signature altered, cut, or of another message is bad-signature; one that is not base64 is bad-format', () => {
    const raw = Buffer.from(notification.signature, 'base64');
    const flipped = Buffer.from(raw);
    flipped[0]! ^= 0x80;
    for (const signature of [flipped.toString('base64'), raw.subarray(0, 128).toString('base64'), confirmation.signature, 'AAAA']) {
      expect(only(verifySmnNotification({ ...notification, signature }, { certificatePem }).problems), signature.slice(0, 8)).toEqual([{ rule: 'bad-signature', pointer: '/signature' }]);
    }
    for (const signature of ['not base64!', `${notification.signature}=`, '']) {
      expect(only(verifySmnNotification({ ...notification, signature }, { certificatePem }).problems)).toEqual([{ rule: signature === '' ? 'bad-length' : 'bad-format', pointer: '/signature' }]);
    }
    expect(only(verifySmnNotification({ ...notification, signature: undefined }, { certificatePem }).problems)).toEqual([{ rule: 'missing-field', pointer: '/signature' }]);
  });

  it('shows a signature cut short and never the key', () => {
    const verdict = verifySmnNotification({ ...notification, message: 'x' }, { certificatePem });
    const text = JSON.stringify(verdict);
    expect(text).not.toContain(notification.signature);
    expect(text).not.toContain(notification.signature.slice(0, 40));
    expect(text).not.toContain('PRIVATE KEY');
    expect(verdict.problems[0]!.received).toBe(`"${notification.signature.slice(0, 8)}..." (344 characters)`);
  });
});

describe('the certificate decides the hash and is refused when SMN signatures cannot use it', () => {
  const signed = (hash: 'sha1' | 'sha256' | 'sha384' | 'sha512') => signSmnNotification(notification, certificates.rsaKey!, { hash });

  it.each(['sha1', 'sha256', 'sha384', 'sha512'] as const)('a %sWithRSA certificate verifies a signature made with that hash, and only with it', (hash) => {
    const verdict = verifySmnNotification(signed(hash), { certificatePem: certificates[hash]! });
    expect(verdict).toMatchObject({ valid: true, verified: { hash, algorithm: `${hash}WithRSAEncryption` } });
    const other = hash === 'sha256' ? 'sha512' : 'sha256';
    expect(only(verifySmnNotification(signed(other), { certificatePem: certificates[hash]! }).problems)).toEqual([{ rule: 'bad-signature', pointer: '/signature' }]);
  });

  it('a certificate of another key: bad-signature', () => {
    expect(only(verifySmnNotification(notification, { certificatePem: certificates.sha256! }).problems)).toEqual([{ rule: 'bad-signature', pointer: '/signature' }]);
  });

  it.each([
    ['an EC certificate (ecdsa-with-SHA256)', 'ec', /ecdsa-with-SHA256 \(1\.2\.840\.10045\.4\.3\.2\)/],
    ['an RSA key certified with RSASSA-PSS', 'pss', /RSASSA-PSS \(1\.2\.840\.113549\.1\.1\.10\)/],
    ['an Ed25519 certificate', 'ed', /Ed25519 \(1\.3\.101\.112\)/],
    ['an EC key in a certificate signed with sha256WithRSA', 'ec-leaf', /a certificate with a ec key/],
  ])('%s: unsupported-certificate-algorithm, saying which', (_name, name, received) => {
    const verdict = verifySmnNotification(notification, { certificatePem: certificates[name]! });
    expect(only(verdict.problems)).toEqual([{ rule: 'unsupported-certificate-algorithm', pointer: '/signing_cert_url', where: 'certificate' }]);
    expect(verdict.problems[0]!.received).toMatch(received);
  });

  it('what is not a certificate: unreadable-certificate, never a throw', () => {
    const body = certificatePem.split('\n').slice(1, -2).join('');
    for (const bad of ['hello', certificatePem.slice(0, 300), `-----BEGIN CERTIFICATE-----\n${body.slice(0, 200)}\n-----END CERTIFICATE-----\n`, Buffer.from([0x30, 0x82, 0xff, 0xff, 0x30])]) {
      const verdict = verifySmnNotification(notification, { certificatePem: bad });
      expect(only(verdict.problems)).toEqual([{ rule: 'unreadable-certificate', pointer: '/signing_cert_url', where: 'certificate' }]);
    }
  });

  it('the signature algorithm read from the DER is the one openssl asn1parse shows, for every certificate', () => {
    // openssl names the algorithms; their numbers are those of RFC 8017, RFC 5758 and RFC 8410.
    const numbers: Record<string, string> = {
      sha1WithRSAEncryption: '1.2.840.113549.1.1.5',
      sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
      sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
      sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
      rsassaPss: '1.2.840.113549.1.1.10',
      'ecdsa-with-SHA256': '1.2.840.10045.4.3.2',
      ED25519: '1.3.101.112',
    };
    for (const name of ['sha1', 'sha256', 'sha384', 'sha512', 'ec', 'pss', 'ed', 'ec-leaf']) {
      const lines = execFileSync('openssl', ['asn1parse'], { input: certificates[name], encoding: 'utf8' }).split('\n');
      // The certificate's second element (depth 1) is the outer signatureAlgorithm; its first child names it.
      const outer = lines.findIndex((line, i) => /:d=1 /.test(line) && lines.slice(0, i).filter((l) => /:d=1 /.test(l)).length === 1);
      const algorithm = /OBJECT\s+:(\S+)/.exec(lines[outer + 1]!)![1]!;
      const der = Buffer.from(certificates[name]!.replace(/-----[^-]+-----|\s/g, ''), 'base64');
      expect(certificateSignatureOid(der), `${name}: ${algorithm}`).toBe(numbers[algorithm]);
      expect(readSmnSigningCertificate(certificates[name]!).ok, name).toBe(/^sha\d+$/.test(name));
    }
  });

  it('the DER reader refuses malformed input with a RangeError, within the bytes it has', () => {
    const cases: [string, number[]][] = [
      ['empty', []],
      ['a length past the end', [0x30, 0x05, 0x02, 0x01]],
      ['the indefinite length', [0x30, 0x80, 0x00, 0x00]],
      ['a length of five bytes', [0x30, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00]],
      ['a length cut short', [0x30, 0x82, 0x01]],
      ['a high tag number', [0x1f, 0x01, 0x00]],
      ['a certificate of one empty sequence', [0x30, 0x00]],
      ['an unexpected tag', [0x31, 0x00]],
    ];
    for (const [name, bytes] of cases) expect(() => certificateSignatureOid(Uint8Array.from(bytes)), name).toThrow(RangeError);
    expect(() => decodeOid(Uint8Array.from([0x06, 0x02, 0x2a, 0x86]), readElement(Uint8Array.from([0x06, 0x02, 0x2a, 0x86]), 0, 4))).toThrow(/truncated/);
    const huge = [0x06, 0x0b, 0x2a, ...Array(9).fill(0xff), 0x7f];
    expect(() => decodeOid(Uint8Array.from(huge), readElement(Uint8Array.from(huge), 0, huge.length))).toThrow(/too large/);
    expect(decodeOid(Uint8Array.from([0x06, 0x03, 0x2b, 0x65, 0x70]), readElement(Uint8Array.from([0x06, 0x03, 0x2b, 0x65, 0x70]), 0, 5))).toBe('1.3.101.112');
  });
});

describe('headers agree with the body', () => {
  const headers = headersOf(notification);

  it('accepts the headers in any case, as Node gives them, and as a fetch Headers', () => {
    const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
    for (const given of [headers, lower, new Headers(headers)]) {
      const verdict = verifySmnNotification(notification, { certificatePem, headers: given });
      expect(verdict.problems).toEqual([]);
      expect(verdict.warnings).toEqual([]);
    }
  });

  it.each([
    ['X-SMN-MESSAGE-TYPE', 'SubscriptionConfirmation', '/type'],
    ['X-SMN-MESSAGE-ID', 'ffffffffffffffffffffffffffffffff', '/message_id'],
    ['X-SMN-TOPIC-URN', 'urn:smn:cn-north-4:f96188c7ccaf4ffba0c9aa149ab2bd57:elsewhere', '/topic_urn'],
    ['X-SMN-SUBSCRIPTION-URN', 'urn:smn:cn-north-4:f96188c7ccaf4ffba0c9aa149ab2bd57:elsewhere:2e778e84408e44058e6cbc6d3c377837', '/topic_urn'],
  ])('%s disagreeing: header-mismatch, and the signature still verifies', (name, value, pointer) => {
    const verdict = verifySmnNotification(notification, { certificatePem, headers: { ...headers, [name]: value } });
    expect(only(verdict.problems)).toEqual([{ rule: 'header-mismatch', pointer, where: `header ${name}` }]);
    expect(verdict.verified?.hash).toBe('sha256');
  });

  it('a header sent twice is read as Node joins it, and then disagrees', () => {
    const verdict = validateSmnNotification(notification, { ...headers, 'x-smn-message-id': [String(notification.message_id), String(notification.message_id)] });
    expect(only(verdict.problems)).toEqual([{ rule: 'header-mismatch', pointer: '/message_id', where: 'header X-SMN-MESSAGE-ID' }]);
  });

  it('X-SMN-SUBSCRIPTION-URN that is no subscription URN: bad-format', () => {
    const verdict = validateSmnNotification(notification, { ...headers, 'X-SMN-SUBSCRIPTION-URN': 'urn:smn:nope' });
    expect(only(verdict.problems)).toEqual([{ rule: 'bad-format', pointer: '', where: 'header X-SMN-SUBSCRIPTION-URN' }]);
  });

  it.each(['X-SMN-MESSAGE-TYPE', 'X-SMN-MESSAGE-ID', 'X-SMN-TOPIC-URN'])('%s missing: missing-header (every edition lists it)', (name) => {
    const { [name]: _gone, ...rest } = headers;
    expect(only(validateSmnNotification(notification, rest).problems)).toEqual([expect.objectContaining({ rule: 'missing-header', where: `header ${name}` })]);
  });

  it('X-SMN-SUBSCRIPTION-URN missing: only a warning (the older edition does not list it)', () => {
    const { 'X-SMN-SUBSCRIPTION-URN': _gone, ...rest } = headers;
    const verdict = validateSmnNotification(notification, rest);
    expect(verdict.valid).toBe(true);
    expect(only(verdict.warnings)).toEqual([{ rule: 'missing-header', pointer: '', where: 'header X-SMN-SUBSCRIPTION-URN' }]);
  });

  it('without headers, none are checked', () => {
    expect(validateSmnNotification(notification)).toMatchObject({ valid: true, problems: [], warnings: [] });
  });
});

describe('the timestamp window, when asked', () => {
  const sent = Date.parse(String(notification.timestamp));

  it('within the tolerance, either side: valid; beyond it: stale-timestamp saying how far', () => {
    for (const offset of [-300_000, 0, 300_000]) {
      expect(verifySmnNotification(notification, { certificatePem, toleranceSeconds: 300, now: () => sent + offset }).valid).toBe(true);
    }
    const late = verifySmnNotification(notification, { certificatePem, toleranceSeconds: 300, now: () => sent + 301_000 });
    expect(only(late.problems)).toEqual([{ rule: 'stale-timestamp', pointer: '/timestamp' }]);
    expect(late.problems[0]!.received).toBe(`"${String(notification.timestamp)}" (301 s in the past)`);
    const early = verifySmnNotification(notification, { certificatePem, toleranceSeconds: 300, now: () => sent - 3_600_000 });
    expect(early.problems[0]!.received).toMatch(/3600 s in the future/);
  });

  it('without a tolerance, an old notification verifies (the vectors are dated 2026-11-24)', () => {
    expect(verifySmnNotification(notification, { certificatePem, now: () => sent + 10 * 365 * 86_400_000 }).valid).toBe(true);
  });

  it('a malformed timestamp is bad-format once, not also stale', () => {
    const verdict = verifySmnNotification({ ...notification, timestamp: 'yesterday' }, { certificatePem, toleranceSeconds: 300 });
    expect(only(verdict.problems)).toEqual([{ rule: 'bad-format', pointer: '/timestamp' }, { rule: 'bad-signature', pointer: '/signature' }]);
  });
});

describe('fixtures/smn/notifications', () => {
  const root = new URL('../fixtures/smn/notifications/', import.meta.url);
  const read = (folder: string) =>
    readdirSync(new URL(folder, root)).map((name) => [name, JSON.parse(readFileSync(new URL(`${folder}/${name}`, root), 'utf8'))] as const);

  it.each(read('valid'))('valid/%s is valid, without warnings', (_name, item) => {
    const verdict = verifySmnNotification(item.body, { certificatePem, headers: item.headers });
    expect(verdict).toMatchObject({ valid: true, problems: [], warnings: [] });
  });

  it.each(read('warn'))('warn/%s is valid, with exactly its warnings', (_name, item) => {
    const verdict = verifySmnNotification(item.body, { certificatePem, headers: item.headers });
    expect(verdict.valid).toBe(true);
    expect(only(verdict.warnings)).toEqual(item.warnings);
  });

  it.each(read('invalid'))('invalid/%s gives exactly its problem', (_name, item) => {
    const verdict = verifySmnNotification(item.body, { certificatePem, headers: item.headers });
    expect(verdict.valid).toBe(false);
    expect(only(verdict.problems)).toEqual([item.expect]);
  });
});

describe('the envelope', () => {
  it('reports a body that is not an object, and a missing or unknown type', () => {
    expect(only(validateSmnNotification([]).problems)).toEqual([{ rule: 'not-an-object', pointer: '' }]);
    expect(only(validateSmnNotification(null).problems)).toEqual([{ rule: 'not-an-object', pointer: '' }]);
    const { type: _type, ...untyped } = notification;
    expect(only(validateSmnNotification(untyped).problems)).toEqual([{ rule: 'missing-field', pointer: '/type' }]);
    expect(validateSmnNotification({ ...notification, type: 'HttpSubscriptionUserUnsubscribe' }).problems[0]).toEqual({
      rule: 'unknown-type',
      pointer: '/type',
      expected: 'one of ["SubscriptionConfirmation","Notification","UnsubscribeConfirmation"]',
      received: '"HttpSubscriptionUserUnsubscribe"',
    });
  });

  it('judges each type by its own schema: every problem once, named by field', () => {
    const verdict = validateSmnNotification({ ...confirmation, message_id: 'short', timestamp: '2026-11-24 09:29:00', subscribe_url: undefined, signature_version: 'v2' });
    expect(only(verdict.problems)).toEqual([
      { rule: 'missing-field', pointer: '/subscribe_url' },
      { rule: 'bad-format', pointer: '/message_id' },
      { rule: 'bad-value', pointer: '/signature_version' },
      { rule: 'bad-format', pointer: '/timestamp' },
    ].sort((a, b) => verdict.problems.findIndex((p) => p.pointer === a.pointer) - verdict.problems.findIndex((p) => p.pointer === b.pointer)));
    expect(verdict.problems.find((p) => p.pointer === '/subscribe_url')!.expected).toBe('field "subscribe_url", which SubscriptionConfirmation requires');
  });

  it('signature_version: v1 and V1 (both documented) are valid', () => {
    for (const version of ['v1', 'V1']) expect(validateSmnNotification({ ...notification, signature_version: version }).valid).toBe(true);
  });

  it('smnNotification (fire, the emulator) gives each type its URL field and no empty subject', () => {
    const topic = 'urn:smn:cn-north-4:f96188c7ccaf4ffba0c9aa149ab2bd57:sms_callback';
    for (const type of ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']) {
      const { body, headers } = smnNotification(topic, 'hello', { type });
      const verdict = validateSmnNotification(body, headers);
      expect(verdict.problems, type).toEqual([]);
      // Every header SMN sends, X-SMN-SUBSCRIPTION-URN included: nothing to warn about.
      expect(verdict.warnings, type).toEqual([]);
      expect('subject' in body, type).toBe(false);
      expect(Object.keys(body).filter((key) => key.endsWith('subscribe_url')), type).toEqual([type === 'Notification' ? 'unsubscribe_url' : 'subscribe_url']);
    }
    expect(smnNotification(topic, { event_type: 'sms_fail_event' }).body.subject).toBe('sms_fail_event');
  });
});

describe('set-up errors throw, naming what is wrong and never showing a key', () => {
  it('verifySmnNotification needs a certificate and a tolerance of 0 or more seconds', () => {
    expect(() => verifySmnNotification(notification, {} as never)).toThrow(new TypeError('verifySmnNotification: certificatePem (the signing certificate) is required'));
    expect(() => verifySmnNotification(notification, { certificatePem: '' })).toThrow(/certificatePem/);
    expect(() => verifySmnNotification(notification, { certificatePem, toleranceSeconds: -1 })).toThrow(/toleranceSeconds/);
  });

  it('signSmnNotification needs an RSA private key and a body it can sign', () => {
    const garbage = `${vectors.key.slice(0, 200)}garbage`;
    let message = '';
    try {
      signSmnNotification(notification, garbage);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('signSmnNotification: the private key cannot be read (expected an RSA private key, PEM)');
    expect(() => signSmnNotification(notification, certificates.ecKey!)).toThrow('signSmnNotification: the key must be an RSA private key, got a private ec key');
    expect(() => signSmnNotification(notification, generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey)).toThrow(/got a public rsa key/);
    expect(() => signSmnNotification({ ...notification, type: 'Gossip' }, vectors.key)).toThrow(/cannot be signed: its type is not one of/);
    expect(() => signSmnNotification({ ...confirmation, subscribe_url: undefined }, vectors.key)).toThrow('smnSigningString: the notification cannot be signed: subscribe_url must be a string (SubscriptionConfirmation signs it), got nothing');
    expect(() => signSmnNotification(notification, vectors.key, { hash: 'md5' as never })).toThrow(/hash must be one of sha1, sha256, sha384, sha512/);
    expect(() => smnSigningString({ ...notification, subject: 5 })).toThrow(/subject must be a string/);
  });
});
