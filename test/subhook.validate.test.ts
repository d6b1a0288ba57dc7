// validateSubhookEvent against the fixtures: every vendor sample is valid, every invalid
// case fails with exactly the rule and pointer it names, every case that breaks only a
// rule the kit adds (warnings/) is valid with exactly that warning, and invalid with it
// as the problem in strict mode; no verdict gives a secret away.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { signSubhook, validateSubhookEvent } from '../src/index.js';

const fixtures = new URL('../fixtures/subhook/', import.meta.url);
const readJson = (path: string): unknown => JSON.parse(readFileSync(new URL(path, fixtures), 'utf8'));
const jsonFiles = (dir: string): string[] => readdirSync(new URL(dir, fixtures)).filter((name) => name.endsWith('.json')).sort();

interface InvalidCase {
  description: string;
  key?: string;
  fields: unknown;
  expect: { rule: string; pointer: string };
}

const products = ['sms', 'intersms'];
const validSamples = products.flatMap((product) => jsonFiles(`${product}/valid/`).map((file) => ({ product, file, fields: readJson(`${product}/valid/${file}`) as Record<string, unknown> })));
const casesIn = (folder: string) =>
  products.flatMap((product) =>
    jsonFiles(`${product}/${folder}/`)
      .filter((file) => file !== 'deliveries.json')
      .map((file) => ({ product, file, ...(readJson(`${product}/${folder}/${file}`) as InvalidCase) })),
  );
const invalidCases = casesIn('invalid');
const warningCases = casesIn('warnings');
// Each value as a form, multipart or GET delivery carries it.
const asStrings = (fields: Record<string, unknown>): Record<string, string> => Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, String(value)]));

describe('valid fixtures', () => {
  it('cover every event of both products', () => {
    // 14 samples of the events' tables, and the domestic unknown of the event's own page (spelled so, with tag).
    expect(validSamples.map(({ product, file }) => `${product}/${file}`)).toHaveLength(15);
  });

  it.each(validSamples.map((sample) => [`${sample.product}/${sample.file}`, sample] as const))('%s is valid as JSON and with every value a string', (_, { product, file, fields }) => {
    const event = String(fields.events);
    expect(validateSubhookEvent(fields, { product })).toEqual({ valid: true, product, event, payload: fields, problems: [], warnings: [] });
    expect(validateSubhookEvent(fields, { product, strict: true })).toMatchObject({ valid: true, problems: [], warnings: [] });
    expect(validateSubhookEvent(asStrings(fields), { product })).toMatchObject({ valid: true, event, problems: [] });
  });
});

describe('invalid fixtures', () => {
  it('have at least one case per rule a single event can break', () => {
    const rules = new Set(invalidCases.map((c) => c.expect.rule));
    expect([...rules].sort()).toEqual(['bad-format', 'bad-length', 'bad-signature', 'missing-field', 'not-an-object', 'unknown-event', 'wrong-type']);
  });

  it('stay invalid in strict mode, with the same problem', () => {
    for (const c of invalidCases) {
      const verdict = validateSubhookEvent(c.fields, { product: c.product, strict: true, ...(c.key ? { key: c.key } : {}) });
      expect(verdict.problems.map(({ rule, pointer }) => ({ rule, pointer })), c.file).toEqual([c.expect]);
    }
  });

  it.each(invalidCases.map((c) => [`${c.product}/${c.file}`, c] as const))('%s fails with exactly the rule it names', (_, c) => {
    const verdict = validateSubhookEvent(c.fields, { product: c.product, ...(c.key ? { key: c.key } : {}) });
    expect(verdict.valid).toBe(false);
    expect(verdict.problems.map(({ rule, pointer }) => ({ rule, pointer }))).toEqual([c.expect]);
    const [problem] = verdict.problems;
    expect(problem?.expected).not.toBe('');
    expect(problem?.received).not.toBe('');
  });

  it.each(invalidCases.filter((c) => typeof c.fields === 'object' && !Array.isArray(c.fields)).map((c) => [`${c.product}/${c.file}`, c] as const))(
    '%s gives the same verdict when every value is a string, except for wrong JSON types',
    (_, c) => {
      const stringified = validateSubhookEvent(asStrings(c.fields as Record<string, unknown>), { product: c.product, ...(c.key ? { key: c.key } : {}) });
      // A form value is always a string: an object or boolean becomes some text, so only its format can be wrong
      // (a problem, or a warning where the format is the kit's choice, as for app).
      const expected = c.expect.rule === 'wrong-type' ? 'bad-format' : c.expect.rule;
      const found = c.expect.rule === 'wrong-type' ? [...stringified.problems, ...stringified.warnings] : stringified.problems;
      expect(found.map(({ rule, pointer }) => ({ rule, pointer }))).toEqual([{ ...c.expect, rule: expected }]);
    },
  );
});

describe('cases that break only a rule the kit adds (the strictness policy)', () => {
  it('cover an unlisted field, a kit-chosen format, and a field one vendor document lists and another does not', () => {
    expect(new Set(warningCases.map((c) => c.expect.rule))).toEqual(new Set(['unexpected-field', 'bad-format', 'missing-field']));
  });

  it.each(warningCases.map((c) => [`${c.product}/${c.file}`, c] as const))('%s is valid with exactly that warning, and invalid with it when strict', (_, c) => {
    const lenient = validateSubhookEvent(c.fields, { product: c.product });
    expect(lenient.valid).toBe(true);
    expect(lenient.problems).toEqual([]);
    expect(lenient.warnings.map(({ rule, pointer }) => ({ rule, pointer }))).toEqual([c.expect]);
    const strict = validateSubhookEvent(c.fields, { product: c.product, strict: true });
    expect(strict.valid).toBe(false);
    expect(strict.problems.map(({ rule, pointer }) => ({ rule, pointer }))).toEqual([c.expect]);
    expect(strict.warnings).toEqual([]);
  });

  it("takes the vendor's newer fields without a warning: content and tag on request, operator and location on delivered", () => {
    const request = { ...(readJson('sms/valid/request.json') as object), content: '【SUBMAIL】您的验证码是：1234', tag: 'order-1' };
    const delivered = { ...(readJson('sms/valid/delivered.json') as object), operator: '中国移动', location: '上海 上海' };
    for (const fields of [request, delivered]) expect(validateSubhookEvent(fields, { product: 'sms', strict: true })).toMatchObject({ valid: true, warnings: [] });
  });

  it('the unknown-status event in both spellings of the vendor\'s documents, with or without tag, is valid without a warning', () => {
    // Seed 004 and the overview table: "events | unkown"; the event's own page and its sample: "unknown", with tag.
    const unkown = readJson('sms/valid/unkown.json') as Record<string, unknown>;
    for (const fields of [unkown, { ...unkown, events: 'unknown' }, { ...unkown, tag: 'order-1' }, { ...unkown, events: 'unknown', tag: 'order-1' }]) {
      expect(validateSubhookEvent(fields, { product: 'sms', strict: true })).toMatchObject({ valid: true, event: fields.events, warnings: [] });
    }
    expect(validateSubhookEvent({ ...unkown, events: 'unknwn' }, { product: 'sms' }).problems.map((p) => p.rule)).toEqual(['unknown-event']);
  });

  it('tag, a custom tag the samples omit, is optional on the domestic events that list it', () => {
    for (const event of ['delivered', 'dropped', 'sending']) {
      const { tag: _tag, ...without } = readJson(`sms/valid/${event}.json`) as Record<string, unknown>;
      expect(validateSubhookEvent(without, { product: 'sms', strict: true }), event).toMatchObject({ valid: true, warnings: [] });
    }
  });
});

describe('signatures in verdicts', () => {
  const key = 'test-subhook-key-0123456789abcdef';
  const sample = readJson('sms/valid/delivered.json') as Record<string, string>;
  const token = 'Zq3vR9kLm2Xw8YtBn5Hc1JdF6Gs4Pa0E';

  it('accepts an event signed with the key and refuses it under another key', () => {
    const signed = { ...sample, token, signature: signSubhook(token, key) };
    expect(validateSubhookEvent(signed, { product: 'sms', key }).valid).toBe(true);
    expect(validateSubhookEvent(signed, { product: 'sms', key: 'another-key' }).problems.map((p) => p.rule)).toEqual(['bad-signature']);
  });

  it('never shows the key or the token, and at most four characters of the signature', () => {
    const signed = { ...sample, token, signature: signSubhook(token, 'another-key') };
    const verdicts = [
      validateSubhookEvent(signed, { product: 'sms', key }),
      validateSubhookEvent({ ...signed, token: token.slice(1) }, { product: 'sms', key }),
      validateSubhookEvent({ ...signed, signature: signed.signature.toUpperCase() }, { product: 'sms', key }),
    ];
    for (const verdict of verdicts) {
      const text = JSON.stringify(verdict.problems);
      expect(verdict.problems).toHaveLength(1);
      expect(text).not.toContain(key);
      expect(text).not.toContain(token.slice(1, 12));
      expect(text).not.toContain(signed.signature.slice(0, 5));
      expect(text.toLowerCase()).not.toContain(signed.signature.slice(0, 5));
    }
  });
});

describe('set-up errors', () => {
  it('throws for an unknown product, naming the products of the spec', () => {
    expect(() => validateSubhookEvent({}, { product: 'mms' })).toThrow('unknown product "mms"; the spec defines sms, intersms');
  });

  it('throws for an empty key without validating', () => {
    expect(() => validateSubhookEvent({}, { product: 'sms', key: '' })).toThrow(/key \(the SUBHOOK secret\) must be a non-empty string/);
  });

  it('reports fields that are not an object instead of throwing', () => {
    for (const fields of [null, 'events=request', 42, undefined]) {
      expect(validateSubhookEvent(fields, { product: 'sms' }).problems.map((p) => p.rule)).toEqual(['not-an-object']);
    }
  });
});
