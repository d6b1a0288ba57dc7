// Prism stays the reference (issue 14). The mock's fast engine re-does Prism's
// validation and answer choice on validators compiled from the contract; here both
// engines decide the same thousands of requests, generated from the contract's
// operations (every parameter, header and body rule kept and broken, alone and in
// combination, with and without Prefer), and every decision must be the same: status,
// documented error, violated location, Prism's diagnostic and the answer's body.
// Nothing here names an operation or a parameter: a new operation of the contract is
// covered as it is added.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getHttpOperationsFromSpec } from '@stoplight/prism-http';
import { loadSmnContract } from '../src/contract/smn.js';
import { smnResponses, type Parameter, type Schema, type SmnOperation } from '../src/contract/smn-responses.js';
import { httpOperationsOf, type HttpOperation } from '../src/mock/engine/operations.js';
import { createPrismEngine } from '../src/mock/engine/prism-engine.js';
import { parseBody, parseTarget } from '../src/mock/engine/request.js';
import { startMock, type RunningMock } from '../src/mock/server.js';
import { createFastEngine, engineHeaders, preferences, type DecisionInput, type Decision, type Engine } from '../src/mock/engine/validation.js';
import { rawExchange } from './support/raw-http.js';

const contract = loadSmnContract();
const responses = smnResponses(contract);
const views = httpOperationsOf(contract);
// At least this many requests: every change of every operation alone (about 15,000 for the
// 73 operations of issue 20), then random combinations up to the count.
const REQUESTS = Number(process.env.SMN_ENGINE_REQUESTS ?? 6000);

/** A request as a client writes it. */
interface Raw {
  method: string;
  target: string;
  headers: Record<string, string>;
  body?: string;
  /** What was done to it, for the report of a disagreement. */
  note: string;
}

// A small seeded generator: the same requests on every run.
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const next = random(14);
const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;

const viewOf = (operation: SmnOperation): HttpOperation => views.find((v) => v.method.toUpperCase() === operation.method && v.path === operation.path)!;

/** A value the schema accepts: its example, default, first enum member or bound, or a plain one of its type. */
function validValue(schema: Schema, example?: unknown): unknown {
  if (example !== undefined) return example;
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  if (schema.type === 'integer' || schema.type === 'number') return schema.minimum ?? 1;
  return 'x';
}

/** Values near and across each rule of a parameter's schema, as query text. */
function parameterValues(schema: Schema): string[] {
  const values = new Set<string>(['', 'abc', 'bad id!', '%', '0', '-1', '1.5', '1e1', 'a,b', 'ä', ' 1', 'null', 'true']);
  if (Array.isArray(schema.enum)) for (const member of schema.enum) {
    values.add(String(member));
    values.add(String(member).toUpperCase());
  }
  for (const bound of ['minimum', 'maximum'] as const) {
    if (typeof schema[bound] === 'number') for (const d of [-1, 0, 1]) values.add(String((schema[bound] as number) + d));
  }
  for (const bound of ['minLength', 'maxLength'] as const) {
    if (typeof schema[bound] === 'number') for (const d of [-1, 0, 1]) values.add('y'.repeat(Math.max(0, (schema[bound] as number) + d)));
  }
  if (typeof schema.default !== 'undefined') values.add(String(schema.default));
  for (const example of (schema.examples as unknown[] | undefined) ?? []) {
    values.add(String(example));
    values.add(`${String(example)}!`);
    values.add(String(example).slice(1));
  }
  return [...values];
}

/** Mutations of a JSON value under its schema: each required field dropped, each field of another type, each bound crossed. */
function bodyMutations(value: unknown, schema: Schema | undefined, pointer: string[] = []): { pointer: string[]; replace: unknown; drop?: boolean }[] {
  const out: { pointer: string[]; replace: unknown; drop?: boolean }[] = [];
  for (const replace of [null, 0, 1.5, true, 'x', '', {}, [], 'y'.repeat(700)]) out.push({ pointer, replace });
  if (schema && Array.isArray(schema.enum)) out.push({ pointer, replace: 'bogus' }, ...schema.enum.map((member) => ({ pointer, replace: member })));
  const branches = [schema, ...(((schema?.anyOf ?? schema?.oneOf) as Schema[] | undefined) ?? [])];
  for (const branch of branches) {
    if (Array.isArray(branch?.enum)) for (const member of branch.enum) out.push({ pointer, replace: member });
    if (branch?.examples) for (const example of branch.examples as unknown[]) out.push({ pointer, replace: example }, { pointer, replace: `${String(example)}:x` });
    if (branch?.const !== undefined) out.push({ pointer, replace: branch.const });
  }
  if (Array.isArray(value)) {
    const items = schema?.items as Schema | undefined;
    out.push({ pointer, replace: [] }, { pointer, replace: [...value, ...value, ...value, ...value] }, { pointer, replace: value.slice(0, 1) });
    if (value.length > 0) out.push(...bodyMutations(value[0], items, [...pointer, '0']));
    if (value.length > 1) out.push(...bodyMutations(value[1], items, [...pointer, '1']).slice(0, 12));
  } else if (typeof value === 'object' && value !== null) {
    const properties = (schema?.properties ?? {}) as Record<string, Schema>;
    out.push({ pointer: [...pointer, 'unlisted'], replace: 1 });
    for (const [key, child] of Object.entries(value)) {
      out.push({ pointer: [...pointer, key], replace: undefined, drop: true });
      out.push(...bodyMutations(child, properties[key], [...pointer, key]));
    }
    // Fields the example leaves out are added, with values of every kind.
    for (const [key, child] of Object.entries(properties)) {
      if (!Object.hasOwn(value, key)) out.push(...bodyMutations(undefined, child, [...pointer, key]));
    }
  }
  return out;
}

function mutate(value: unknown, mutation: { pointer: string[]; replace: unknown; drop?: boolean }): unknown {
  if (mutation.pointer.length === 0) return mutation.replace;
  if (typeof value !== 'object' || value === null) return value;
  const copy = structuredClone(value) as Record<string, unknown>;
  let at: Record<string, unknown> = copy;
  for (const key of mutation.pointer.slice(0, -1)) {
    // An earlier change may have replaced what this one reaches into: nothing to change then.
    if (typeof at[key] !== 'object' || at[key] === null) return copy;
    at = at[key] as Record<string, unknown>;
  }
  const last = mutation.pointer.at(-1)!;
  if (mutation.drop) delete at[last];
  else at[last] = mutation.replace;
  return copy;
}

/** The plan's body as JSON, or `fallback` when there is none or it is not JSON (an earlier change). */
function parsedOr(text: string | undefined, fallback: unknown): unknown {
  try {
    return text === undefined ? fallback : JSON.parse(text);
  } catch {
    return fallback;
  }
}

interface Plan {
  operation: SmnOperation;
  path: Record<string, string>;
  query: [string, string][];
  headers: Record<string, string>;
  body?: string;
  contentType?: string;
}

/** A valid request of the operation, from its examples. */
function validPlan(operation: SmnOperation): Plan {
  const view = viewOf(operation);
  const exampleOf = (p: Parameter): unknown => (p as Parameter & { example?: unknown }).example;
  const path = Object.fromEntries(operation.parameters.filter((p) => p.in === 'path').map((p) => [p.name, String(validValue(p.schema, exampleOf(p)))]));
  const body = view.request?.body?.contents?.[0]?.examples?.[0];
  return {
    operation,
    path,
    // A valid request carries the query parameters the operation requires (ListTopicMessageStatistics' times, ConfirmSubscription's token).
    query: operation.parameters.filter((p) => p.in === 'query' && p.required).map((p) => [p.name, String(validValue(p.schema, exampleOf(p)))] as [string, string]),
    headers: { 'x-auth-token': 'a-token' },
    ...(body && 'value' in body ? { body: JSON.stringify(body.value), contentType: 'application/json' } : {}),
  };
}

const encode = (text: string): string => encodeURIComponent(text);

function rawOf(plan: Plan, note: string, prefer?: string): Raw {
  let target = plan.operation.path;
  for (const [name, value] of Object.entries(plan.path)) target = target.replace(`{${name}}`, value);
  if (plan.query.length > 0) target += `?${plan.query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')}`;
  const headers = { ...plan.headers };
  if (plan.contentType) headers['content-type'] = plan.contentType;
  if (prefer) headers.prefer = prefer;
  return { method: plan.operation.method, target, headers, body: plan.body, note };
}

/** One way of breaking (or keeping) one rule of the operation, applied to a plan. */
type Change = { note: string; apply(plan: Plan): void };

function changesOf(operation: SmnOperation): Change[] {
  const changes: Change[] = [];
  for (const parameter of operation.parameters) {
    const values = parameterValues(parameter.schema);
    if (parameter.in === 'query') {
      for (const value of values) changes.push({ note: `query ${parameter.name}=${value}`, apply: (p) => void p.query.push([parameter.name, value]) });
      changes.push({ note: `query ${parameter.name} twice`, apply: (p) => void p.query.push([parameter.name, values[3]!], [parameter.name, values[4]!]) });
      changes.push({ note: `query ${parameter.name.toUpperCase()}=bad`, apply: (p) => void p.query.push([parameter.name.toUpperCase(), 'bad id!']) });
    }
    if (parameter.in === 'header') {
      for (const value of values.filter((v) => /^[\x20-\x7e]*$/.test(v))) changes.push({ note: `header ${parameter.name}: ${value}`, apply: (p) => void (p.headers[parameter.name.toLowerCase()] = value) });
    }
    if (parameter.in === 'path') {
      for (const value of [...values.map(encode), '%41bc', 'a%2Cb', ',', '-', 'x'.repeat(65), '%E4%B8%AD']) changes.push({ note: `path ${parameter.name}=${value}`, apply: (p) => void (p.path[parameter.name] = value) });
    }
  }
  const view = viewOf(operation);
  const example = view.request?.body?.contents?.[0]?.examples?.[0];
  if (view.request?.body) {
    const value = example && 'value' in example ? example.value : {};
    for (const mutation of bodyMutations(value, operation.requestBody)) {
      changes.push({ note: `body /${mutation.pointer.join('/')} ${mutation.drop ? 'dropped' : JSON.stringify(mutation.replace)?.slice(0, 40)}`, apply: (p) => void (p.body = JSON.stringify(mutate(parsedOr(p.body, value), mutation)) ?? 'null') });
    }
    changes.push({ note: 'no body', apply: (p) => void (p.body = undefined) });
    changes.push({ note: 'body not JSON', apply: (p) => void (p.body = '{"callback":') });
    changes.push({ note: 'body without Content-Type', apply: (p) => void (p.contentType = undefined) });
    changes.push({ note: 'body as text/plain', apply: (p) => void (p.contentType = 'text/plain') });
  } else {
    changes.push({ note: 'a body where none is declared', apply: (p) => void ((p.body = '{"a":1}'), (p.contentType = 'application/json')) });
  }
  changes.push({ note: 'no credentials', apply: (p) => void delete p.headers['x-auth-token'] });
  changes.push({ note: 'an undeclared query parameter', apply: (p) => void p.query.push(['nonce', String(Math.floor(next() * 1e9))]) });
  return changes;
}

/** Prefer headers worth trying on an operation: each of its statuses and example names, and some it lacks. */
function prefersOf(operation: SmnOperation): string[] {
  const view = viewOf(operation);
  const keys = view.responses.flatMap((r) => (r.contents ?? []).flatMap((c) => (c.examples ?? []).map((e) => e.key)));
  const codes = [...view.responses.map((r) => r.code), '404', '418', 'abc'];
  return [...codes.map((c) => `code=${c}`), ...keys.map((k) => `example=${k}`), 'example=nope', 'dynamic=true', ...codes.flatMap((c) => [`code=${c}, example=${pick(keys)}`, `code=${c}; example=nope`])];
}

function generate(): Raw[] {
  const requests: Raw[] = [];
  const perOperation = responses.operations.map((operation) => ({ operation, changes: changesOf(operation), prefers: prefersOf(operation) }));
  // Each change alone, then with every Prefer alone, then random combinations until the count is reached.
  for (const { operation, changes, prefers } of perOperation) {
    requests.push(rawOf(validPlan(operation), 'valid'));
    for (const change of changes) {
      const plan = validPlan(operation);
      change.apply(plan);
      requests.push(rawOf(plan, change.note));
    }
    for (const prefer of prefers) requests.push(rawOf(validPlan(operation), `valid, Prefer: ${prefer}`, prefer));
  }
  while (requests.length < REQUESTS) {
    const { operation, changes, prefers } = pick(perOperation);
    const plan = validPlan(operation);
    const applied: string[] = [];
    const count = 1 + Math.floor(next() * 4);
    for (let i = 0; i < count; i++) {
      const change = pick(changes);
      change.apply(plan);
      applied.push(change.note);
    }
    const prefer = next() < 0.15 ? pick(prefers) : undefined;
    requests.push(rawOf(plan, applied.join('; '), prefer));
  }
  return requests;
}

/** The engines' input for a request, made as the server makes it; undefined when the router refuses it. */
function inputOf(raw: Raw): DecisionInput | undefined {
  const target = parseTarget(raw.target)!;
  const operation = responses.find(raw.method, target.pathname);
  if (!operation) return undefined;
  const body = parseBody(raw.headers['content-type'], raw.body ?? '');
  return {
    operation: viewOf(operation),
    contractOperation: operation,
    pathname: target.pathname,
    search: target.search,
    query: target.query,
    headers: engineHeaders(raw.headers, contract, body.body !== undefined),
    prefer: preferences(raw.headers.prefer),
    body,
    bodyText: raw.body ?? '',
  };
}

/** A decision as a client sees it, and the diagnostic behind it. */
const outcome = (decision: Decision) => ({
  status: decision.status,
  error: decision.error,
  location: decision.violations[0]?.path,
  // What a client reads of them (the sl-violations header); Prism's objects carry a severity too.
  violations: decision.violations.map(({ path, code, message }) => ({ path, code, message })),
  body: decision.body,
});

const decideBoth = async (fast: Engine, prism: Engine, input: DecisionInput) => {
  const settle = async (engine: Engine) => {
    try {
      return outcome(await engine.decide(input));
    } catch (error) {
      return { threw: (error as Error).message };
    }
  };
  return { fast: await settle(fast), prism: await settle(prism) };
};

describe('the fast engine against Prism', () => {
  let prism: Engine;
  beforeAll(async () => {
    prism = await createPrismEngine(contract);
  }, 60_000);

  it('sees the contract as Prism does: operations, parameters, schemas, request bodies, answers and their examples', async () => {
    const fromPrism = await getHttpOperationsFromSpec(structuredClone(contract.document));
    // Prism's transformer adds ids, `$schema` marks, descriptions and answer headers that no engine reads.
    const ignored = ['id', '$schema', 'x-stoplight', 'description', 'summary', 'explicitProperties', 'encodings', 'extensions', 'tags', 'securityDeclarationType', 'servers', 'callbacks'];
    const shape = (operation: HttpOperation): unknown =>
      JSON.parse(JSON.stringify({ ...operation, responses: operation.responses.map(({ headers: _headers, ...response }) => response) }, (key, value: unknown) => (ignored.includes(key) ? undefined : value)));
    expect(views.map((v) => `${v.method} ${v.path}`)).toEqual(fromPrism.map((p) => `${p.method} ${p.path}`));
    for (const view of views) {
      const reference = fromPrism.find((p) => p.method === view.method && p.path === view.path)!;
      expect(shape(view), view.iid).toEqual(shape(reference));
    }
  });

  it(`decides every generated request (at least ${REQUESTS}), valid and broken in every way the contract allows, exactly as Prism`, async () => {
    const fast = createFastEngine(contract, () => Promise.reject(new Error('the fast engine deferred to Prism')));
    const requests = generate();
    expect(requests.length).toBeGreaterThanOrEqual(5000);
    const disagreements: string[] = [];
    const refused = new Map<string, number>();
    let decided = 0;
    const outcomes = new Map<string, number>();
    for (const raw of requests) {
      const input = inputOf(raw);
      if (!input) continue;
      decided++;
      const both = await decideBoth(fast, prism, input);
      if (JSON.stringify(both.fast) !== JSON.stringify(both.prism)) {
        disagreements.push(`${raw.method} ${raw.target} ${JSON.stringify(raw.headers)} ${raw.body ?? ''} (${raw.note})\n  fast:  ${JSON.stringify(both.fast)}\n  prism: ${JSON.stringify(both.prism)}`);
      }
      const shown = 'status' in both.prism ? `${both.prism.status} ${both.prism.error ?? ''}`.trim() : 'threw';
      outcomes.set(shown, (outcomes.get(shown) ?? 0) + 1);
      const location = 'location' in both.prism ? both.prism.location : undefined;
      if (location && 'error' in both.prism && both.prism.error) {
        const key = `${input.operation.iid} ${location.slice(0, 2).join('.').toLowerCase()}`;
        refused.set(key, (refused.get(key) ?? 0) + 1);
      }
    }
    console.log(`engines: ${decided} decisions, the same from both: ${[...outcomes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} x${n}`).join(', ')}`);
    expect(disagreements.slice(0, 5), `${disagreements.length} of ${decided} decisions differ`).toEqual([]);
    expect(decided).toBeGreaterThanOrEqual(5000);
    // Every rule was broken at least once: each parameter of each operation, and each field of each request body.
    // (A rule only an empty value breaks is the mock's check before both engines, which take an empty value as none.)
    const breakable = (parameter: Parameter): boolean =>
      parameterValues(parameter.schema).some((text) => {
        const numeric = ['integer', 'number'].includes(String(parameter.schema.type)) && text.trim() !== '' && !Number.isNaN(Number(text));
        return text !== '' && responses.validateWith(`engines ${parameter.in} ${parameter.name}`, parameter.schema, numeric ? Number(text) : text).length > 0;
      });
    const missing: string[] = [];
    for (const operation of responses.operations) {
      for (const parameter of operation.parameters.filter(breakable)) {
        if (!refused.has(`${operation.operationId} ${parameter.in}.${parameter.name.toLowerCase()}`)) missing.push(`${operation.operationId} ${parameter.in} ${parameter.name}`);
      }
      for (const field of Object.keys((operation.requestBody?.properties ?? {}) as object)) {
        if (![...refused.keys()].some((key) => key === `${operation.operationId} body.${field}`)) missing.push(`${operation.operationId} body ${field}`);
      }
    }
    expect(missing, 'rules never broken by the generated requests').toEqual([]);
  }, 300_000);
});

describe('--engine prism', () => {
  const running: RunningMock[] = [];
  afterAll(async () => {
    await Promise.all(running.map((m) => m.close()));
  });

  it('answers over HTTP as the default engine does, Prism deciding every request', async () => {
    const fast = await startMock({ port: 0, stateless: true });
    const prism = await startMock({ port: 0, stateless: true, engine: 'prism' });
    running.push(fast, prism);
    const requests = generate().filter((_, i) => i % 20 === 0);
    const differ: string[] = [];
    for (const raw of requests) {
      const send = async (mock: RunningMock) => {
        const body = Buffer.from(raw.body ?? '');
        const head = [`${raw.method} ${raw.target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', `Content-Length: ${body.length}`, ...Object.entries(raw.headers).map(([k, v]) => `${k}: ${v}`)];
        const answer = await rawExchange(mock.url, Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), body]), 10_000);
        return answer && { status: answer.status, violations: answer.headers['sl-violations'], body: answer.body.replace(/"request_id":"[0-9a-f]{32}"/, '') };
      };
      const [a, b] = [await send(fast), await send(prism)];
      if (JSON.stringify(a) !== JSON.stringify(b)) differ.push(`${raw.method} ${raw.target} (${raw.note}): ${JSON.stringify(a)} / ${JSON.stringify(b)}`);
    }
    expect(requests.length).toBeGreaterThan(250);
    expect(differ.slice(0, 5), `${differ.length} answers differ`).toEqual([]);
  }, 120_000);

  it('is refused with one line and exit 2 when the engine is unknown', () => {
    const run = spawnSync(process.execPath, ['dist/cli.js', 'mock', '--port', '0', '--engine', 'turbo'], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('smn-kit: --engine must be one of fast, prism, got "turbo"\n');
  });
});
