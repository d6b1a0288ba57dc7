// decodeSubhookDelivery on real requests: a node:http receiver on 127.0.0.1 decodes what
// arrives and validates it, as a user's receiver would. Every valid sample is sent in every
// encoding the console offers; the raw delivery fixtures are replayed byte for byte.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSubhookDelivery, signSubhook, SubhookDeliveryError, validateSubhookEvent } from '../src/index.js';

const fixtures = new URL('../fixtures/subhook/', import.meta.url);
const readJson = (path: string): unknown => JSON.parse(readFileSync(new URL(path, fixtures), 'utf8'));
const products = ['sms', 'intersms'];
const KEY = 'test-subhook-key-0123456789abcdef';

interface Delivery {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}
interface Received {
  fields?: Record<string, unknown>;
  verdict?: ReturnType<typeof validateSubhookEvent>;
  error?: { rule: string; where: string; message: string };
}

// The receiver: the product is the last path segment (/subhook/sms), the key a constant.
let server: Server;
let origin: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const product = new URL(request.url ?? '/', 'http://receiver').pathname.split('/').pop() ?? '';
      decodeSubhookDelivery({ method: request.method ?? '', url: request.url ?? '/', headers: request.headers, body: Buffer.concat(chunks) })
        .then((fields): Received => ({ fields, verdict: validateSubhookEvent(fields, { product, key: KEY }) }))
        .catch((error: unknown): Received => {
          if (!(error instanceof SubhookDeliveryError)) throw error;
          return { error: { rule: error.rule, where: error.where, message: error.message } };
        })
        .then((received) => {
          last = received;
          response.writeHead(received.error ? 400 : received.verdict?.valid ? 204 : 422, { 'content-type': 'application/json' });
          response.end(received.verdict?.valid ? undefined : JSON.stringify(received));
        }, (error: unknown) => {
          response.writeHead(500).end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let last: Received | undefined;
// Sends a delivery over a real socket; the body goes as bytes so that fetch adds no Content-Type.
async function send(delivery: Delivery): Promise<{ status: number; received: Received }> {
  last = undefined;
  const response = await fetch(origin + delivery.url, {
    method: delivery.method,
    headers: delivery.headers,
    ...(delivery.body === undefined ? {} : { body: Buffer.from(delivery.body, 'utf8') }),
  });
  await response.arrayBuffer();
  if (!last) throw new Error(`the receiver recorded nothing (status ${response.status})`);
  return { status: response.status, received: last };
}

// The encodings a sender produces for one set of fields; values become strings except in JSON.
function encode(product: string, fields: Record<string, unknown>): Record<string, Delivery> {
  const strings = Object.entries(fields).map(([name, value]): [string, string] => [name, String(value)]);
  const boundary = 'smnkit-boundary-Q8z';
  const multipart = strings.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join('') + `--${boundary}--\r\n`;
  const url = `/subhook/${product}`;
  return {
    json: { method: 'POST', url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(fields) },
    form: { method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(strings).toString() },
    multipart: { method: 'POST', url, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: multipart },
    get: { method: 'GET', url: `${url}?${new URLSearchParams(strings).toString()}`, headers: {} },
  };
}

const samples = products.flatMap((product) =>
  readdirSync(new URL(`${product}/valid/`, fixtures))
    .filter((file) => file.endsWith('.json'))
    .map((file) => {
      const fields = readJson(`${product}/valid/${file}`) as Record<string, unknown>;
      const token = `${product}-${file}`.padEnd(32, 'x').slice(0, 32);
      return { product, event: String(fields.events), fields: { ...fields, token, signature: signSubhook(token, KEY) } };
    }),
);

describe('every valid sample in every encoding, over HTTP', () => {
  const cases = samples.flatMap((sample) => Object.entries(encode(sample.product, sample.fields)).map(([encoding, delivery]) => [`${sample.product}.${sample.event} as ${encoding}`, sample, encoding, delivery] as const));

  it.each(cases)('%s decodes to the sample and is valid', async (_, sample, encoding, delivery) => {
    const { status, received } = await send(delivery);
    expect(received.error).toBeUndefined();
    expect(received.fields).toEqual(encoding === 'json' ? sample.fields : Object.fromEntries(Object.entries(sample.fields).map(([name, value]) => [name, String(value)])));
    expect(received.verdict).toMatchObject({ valid: true, event: sample.event, problems: [] });
    expect(status).toBe(204);
  });
});

interface DeliveriesFile {
  key: string;
  deliveries: { event: string; delivery: Delivery; fields: Record<string, string> }[];
}
describe('raw delivery fixtures, replayed over HTTP', () => {
  const cases = products.flatMap((product) =>
    ['form', 'multipart', 'get'].flatMap((encoding) => {
      const file = readJson(`${product}/deliveries/${encoding}.json`) as DeliveriesFile;
      expect(file.key).toBe(KEY);
      return file.deliveries.map((entry) => [`${product}/deliveries/${encoding}.json ${entry.event}`, entry] as const);
    }),
  );

  it('cover every event of both products in form, multipart and GET', () => {
    const events = new Set(samples.map((sample) => `${sample.product} ${sample.event}`));
    expect(cases).toHaveLength(3 * events.size);
  });

  it.each(cases)('%s decodes to its fields, valid with the test key', async (_, entry) => {
    const { status, received } = await send(entry.delivery);
    expect(received.fields).toEqual(entry.fields);
    expect(received.verdict).toMatchObject({ valid: true, event: entry.event });
    expect(status).toBe(204);
  });

  it('a replayed form delivery under another key gets bad-signature', async () => {
    const file = readJson('sms/deliveries/form.json') as DeliveriesFile;
    const { delivery, fields } = file.deliveries[0]!;
    const forged = { ...delivery, body: new URLSearchParams({ ...fields, signature: signSubhook(fields.token!, 'another-key') }).toString() };
    const { status, received } = await send(forged);
    expect(status).toBe(422);
    expect(received.verdict?.problems.map((p) => p.rule)).toEqual(['bad-signature']);
  });
});

interface InvalidDeliveries {
  deliveries: { description: string; delivery: Delivery; expect: { rule: string; where: string } }[];
}
describe('invalid delivery fixtures, over HTTP', () => {
  const cases = products.flatMap((product) =>
    (readJson(`${product}/invalid/deliveries.json`) as InvalidDeliveries).deliveries.map((entry) => [`${product}: ${entry.description}`, entry] as const),
  );

  it.each(cases)('%s', async (_, entry) => {
    const { status, received } = await send(entry.delivery);
    expect(status).toBe(400);
    expect(received.error).toMatchObject(entry.expect);
    expect(received.error?.message).toMatch(new RegExp(`^${entry.expect.where}: expected .+, received .+ \\(${entry.expect.rule}\\)$`));
    // Errors never quote the body, which carries the token and its signature.
    expect(received.error?.message).not.toContain('067ef7e2f286');
    expect(received.error?.message).not.toContain('a70d09a9');
  });
});

describe('decodeSubhookDelivery without a server', () => {
  it('accepts fetch Headers, charset=utf-8 and a JSON body with a byte order mark', async () => {
    const fields = await decodeSubhookDelivery({
      method: 'post',
      url: 'https://receiver.example/hook',
      headers: new Headers({ 'Content-Type': 'application/json; charset=UTF-8' }),
      body: '\uFEFF{"events":"mo","content":"你好"}',
    });
    expect(fields).toEqual({ events: 'mo', content: '你好' });
  });

  it('keeps a field named __proto__ as a plain field', async () => {
    const fields = await decodeSubhookDelivery({ method: 'GET', url: '/hook?__proto__=x&events=mo', headers: {} });
    expect(Object.keys(fields)).toEqual(['__proto__', 'events']);
    // An unlisted field is a warning (the strictness policy), a problem when strict.
    expect(validateSubhookEvent(fields, { product: 'sms' }).warnings.map((p) => `${p.rule} ${p.pointer}`)).toContain('unexpected-field /__proto__');
    expect(validateSubhookEvent(fields, { product: 'sms', strict: true }).problems.map((p) => `${p.rule} ${p.pointer}`)).toContain('unexpected-field /__proto__');
  });

  it('reads the Content-Type as RFC 9110 writes it: case, spaces and a quoted charset pass; broken parameters do not hide the type; no type is refused', async () => {
    const body = '{"events":"mo"}';
    const decode = (contentType: string) => decodeSubhookDelivery({ method: 'POST', url: '/', headers: { 'content-type': contentType }, body });
    await expect(decode('Application/JSON ; charset="utf-8"')).resolves.toEqual({ events: 'mo' });
    await expect(decode('application/json; charset')).resolves.toEqual({ events: 'mo' });
    await expect(decode('application/json;')).resolves.toEqual({ events: 'mo' });
    for (const broken of ['json', 'application/', '/json; charset=utf-8']) {
      const error = await decode(broken).catch((e: unknown) => e);
      expect(error, broken).toMatchObject({ rule: 'unsupported-content-type', where: 'header Content-Type', received: 'a Content-Type that does not parse as a media type' });
    }
  });

  it('refuses a body that is not UTF-8', async () => {
    const error = await decodeSubhookDelivery({ method: 'POST', url: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new Uint8Array([0x65, 0x3d, 0xff]) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubhookDeliveryError);
    expect((error as SubhookDeliveryError).message).toBe('body: expected UTF-8 text, received 3 bytes that are not valid UTF-8 (malformed-body)');
  });
});
