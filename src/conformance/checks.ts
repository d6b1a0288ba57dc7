// The conformance checks: small named functions, registered in one list, each judging
// one property of one operation of the target and returning a verdict with the
// evidence (expected vs received, a JSON pointer, a curl reproducer). What is expected
// comes from the contract (src/contract/smn-responses.ts, ./cases.ts), not from here.
// A request that gets no usable answer is that check's verdict, never the run's end.
import type { Outcome } from '../report/report.js';
import { subscriptionFilter, SUBSCRIPTION_FILTERS, type FilterableSubscription } from '../contract/subscription-filters.js';
import { smnResponses, type SmnOperation, type SmnResponses } from '../contract/smn-responses.js';
import { BindingsUnknown, CallbackBindings, compareBindings, type Binding } from './bindings.js';
import { negativeCases, positiveCases, type NegativeCase } from './cases.js';
import { describeProblems, requestLabel } from './evidence.js';
import type { ConformanceOptions } from './options.js';
import { reproducer, RequestFailed, TargetClient, type Exchange } from './target.js';

export interface CheckResult {
  operation: string;
  check: string;
  /** `error`: no verdict could be reached (a request got no complete answer, or the state a check needs could not be read). */
  status: Outcome;
  message: string;
  /** A curl command that reproduces the request behind a failure or warning (or, for bindings_restored, puts the bindings back). */
  reproducer?: string;
  /** How long the check took, requests included. */
  durationMs?: number;
}

type Verdict = Omit<CheckResult, 'operation' | 'check'>;

export interface Check {
  name: string;
  /** The operations it applies to; all three when absent. */
  operations?: string[];
  run(context: CheckContext, operation: SmnOperation): Promise<Verdict>;
}

const LIST_SMS_EVENT = 'ListSmsEvent';
const UPDATE_SMS_EVENT = 'UpdateSmsEvent';
const LIST_SUBSCRIPTIONS = 'ListSubscriptions';

/** What the checks share in one run: the client, the contract, and answers fetched once. */
export class CheckContext {
  readonly client: TargetClient;
  readonly responses: SmnResponses;
  /** The callback bindings the write checks must leave as they found them. */
  readonly bindings: CallbackBindings;
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(readonly options: ConformanceOptions, responses: SmnResponses = smnResponses()) {
    this.client = new TargetClient(options);
    this.responses = responses;
    this.bindings = new CallbackBindings(this.client, responses, this.operation(LIST_SMS_EVENT), this.operation(UPDATE_SMS_EVENT));
  }

  operation(operationId: string): SmnOperation {
    const operation = this.responses.operations.find((op) => op.operationId === operationId);
    if (!operation) throw new Error(`the SMN contract has no operation ${operationId}`);
    return operation;
  }

  private once<T>(key: string, make: () => Promise<T>): Promise<T> {
    let value = this.memo.get(key) as Promise<T> | undefined;
    if (!value) this.memo.set(key, (value = make()));
    return value;
  }

  /** GET an operation with a query. */
  get(operationId: string, query?: string, auth = true): Promise<Exchange> {
    const operation = this.operation(operationId);
    return this.client.send({ method: operation.method, path: this.client.path(operation.path), query, auth });
  }

  /** The answer to a valid request, fetched once per operation and shared by the generic checks. */
  baseline(operationId: string): Promise<Exchange> {
    return this.once(`baseline ${operationId}`, async () => {
      if (operationId === UPDATE_SMS_EVENT) {
        const operation = this.operation(operationId);
        return this.client.send({ method: operation.method, path: this.client.path(operation.path), body: await this.bindings.unchangedBody() });
      }
      return this.get(operationId);
    });
  }

  /** An error answer of the operation: the request without credentials. */
  refusal(operationId: string): Promise<Exchange> {
    return this.once(`refusal ${operationId}`, async () => {
      const operation = this.operation(operationId);
      const body = operation.requestBody ? await this.bindings.unchangedBody() : undefined;
      return this.client.send({ method: operation.method, path: this.client.path(operation.path), body, auth: false });
    });
  }

  /** The exchanges a generic check looks at: the valid request, and an error answer. */
  async samples(operation: SmnOperation): Promise<Exchange[]> {
    return [await this.baseline(operation.operationId), await this.refusal(operation.operationId)];
  }
}

const pass = (message: string): Verdict => ({ status: 'pass', message });
const skip = (message: string): Verdict => ({ status: 'skip', message });
const fail = (message: string, exchange?: Exchange): Verdict => ({ status: 'fail', message, reproducer: exchange && reproducer(exchange.request) });
const warn = (message: string, exchange?: Exchange): Verdict => ({ status: 'warn', message, reproducer: exchange && reproducer(exchange.request) });
const error = (message: string, exchange?: Exchange): Verdict => ({ status: 'error', message, reproducer: exchange && reproducer(exchange.request) });

const isWrite = (operation: SmnOperation): boolean => operation.method !== 'GET';
const writesSkipped = (operation: SmnOperation): Verdict =>
  skip(`${operation.operationId} changes the target (${operation.method}); run with --allow-writes to check it`);

const mediaType = (exchange: Exchange): string => (exchange.response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();

const label = (exchange: Exchange): string => requestLabel(exchange.request);

/**
 * Runs the checks that need writes only when writes are allowed, and only once the
 * bindings before the run are known for certain: every PUT is built from them, or
 * restores them, so an unknown start means no PUT at all.
 */
const guarded =
  (run: Check['run']): Check['run'] =>
  async (context, operation) => {
    if (!isWrite(operation)) return run(context, operation);
    if (!context.options.allowWrites) return writesSkipped(operation);
    try {
      await context.bindings.initial();
    } catch (failure) {
      if (failure instanceof BindingsUnknown) return error(`not run, nothing written: ${failure.message}`);
      throw failure;
    }
    return run(context, operation);
  };

export const checks: Check[] = [
  {
    name: 'status_code_conformance',
    run: guarded(async (context, operation) => {
      const exchange = await context.baseline(operation.operationId);
      const { status } = exchange.response;
      if (status !== 200) return fail(`a valid ${label(exchange)} must get 200; received ${status}`, exchange);
      const refusal = await context.refusal(operation.operationId);
      if (!operation.responses.has(refusal.response.status)) {
        return fail(`${label(refusal)} without credentials got ${refusal.response.status}, a status ${operation.operationId} does not declare (${[...operation.responses.keys()].join(', ')})`, refusal);
      }
      return pass(`200 for a valid request; ${refusal.response.status} without credentials is declared`);
    }),
  },
  {
    name: 'content_type_conformance',
    run: guarded(async (context, operation) => {
      for (const exchange of await context.samples(operation)) {
        if (mediaType(exchange) !== 'application/json') {
          return fail(`${label(exchange)} (${exchange.response.status}): expected Content-Type application/json, received ${exchange.response.headers['content-type'] ?? 'none'}`, exchange);
        }
      }
      return pass('application/json on success and on error');
    }),
  },
  {
    name: 'response_schema_conformance',
    run: guarded(async (context, operation) => {
      const warnings: string[] = [];
      for (const exchange of await context.samples(operation)) {
        const { status, json, text } = exchange.response;
        if (json === undefined) return fail(`${label(exchange)} (${status}): expected a JSON body, received ${text.length ? `"${text.slice(0, 60)}"` : 'an empty body'}`, exchange);
        // The vendor's rules fail; the kit's choices and undeclared fields warn (fail with --strict).
        const { problems, warnings: kit } = context.responses.judge(operation.operationId, status, json, { strict: context.options.strict });
        if (problems.length > 0) return fail(`${label(exchange)} (${status}): ${describeProblems(problems)}${context.options.strict ? ' (--strict)' : ''}`, exchange);
        if (kit.length > 0) warnings.push(`${label(exchange)} (${status}): ${describeProblems(kit)}`);
      }
      if (warnings.length === 0) return pass('bodies match the contract');
      return warn(`${warnings.join('; ')} (the kit's choices or fields the contract does not declare; --strict fails them)`, await context.baseline(operation.operationId));
    }),
  },
  {
    name: 'response_headers_conformance',
    run: guarded(async (context, operation) => {
      for (const exchange of await context.samples(operation)) {
        if (!exchange.response.headers['x-request-id']) {
          return fail(`${label(exchange)} (${exchange.response.status}): expected an X-Request-Id header, received none`, exchange);
        }
      }
      return pass('X-Request-Id on success and on error');
    }),
  },
  {
    name: 'request_id_format',
    run: guarded(async (context, operation) => {
      for (const exchange of await context.samples(operation)) {
        const id = (exchange.response.json as { request_id?: unknown } | undefined)?.request_id;
        const problems = context.responses.validateSchema('RequestId', id);
        if (id === undefined || problems.some((p) => !p.kitChoice)) {
          return fail(`${label(exchange)} (${exchange.response.status}): /request_id: expected a request id, received ${JSON.stringify(id) ?? 'nothing'}`, exchange);
        }
        if (problems.length > 0) {
          // Every sample has 32 hexadecimal characters, but the vendor only documents a unique string.
          const message = `${label(exchange)} (${exchange.response.status}): /request_id: expected 32 hexadecimal characters (the kit's choice), received ${JSON.stringify(id)}`;
          return context.options.strict ? fail(`${message} (--strict)`, exchange) : warn(message, exchange);
        }
      }
      return pass('request_id is 32 hexadecimal characters');
    }),
  },
  {
    name: 'negative_data_rejection',
    run: guarded(async (context, operation) => {
      if (!isWrite(operation)) return rejectInvalid(context, operation);
      // Start from the bindings of the start, so that a change found afterwards is the invalid requests' doing.
      const start = await context.bindings.restore();
      let verdict: Verdict | undefined;
      let stopped: unknown;
      try {
        verdict = await rejectInvalid(context, operation, JSON.parse(await context.bindings.unchangedBody()));
      } catch (failure) {
        stopped = failure;
      }
      // Whatever happened to the requests, what they changed is put back before the next check.
      const { changed, unrestored } = await context.bindings.restore();
      if (changed && !start.unrestored) {
        const outcome = unrestored ? `putting them back failed (${unrestored.reason}); see bindings_restored` : 'they were put back';
        const also = `the invalid requests changed the target's bindings (${changed}); ${outcome}`;
        return verdict?.status === 'fail' ? { ...verdict, message: `${verdict.message}; ${also}` } : fail(also);
      }
      if (stopped !== undefined) throw stopped;
      return verdict!;
    }),
  },
  {
    name: 'positive_data_acceptance',
    run: guarded(async (context, operation) => {
      const requests: { description: string; send: () => Promise<Exchange> }[] = isWrite(operation)
        ? ['application/json', 'application/json;charset=UTF-8'].map((contentType) => ({
            description: `the current bindings written back as ${contentType}`,
            send: async () =>
              context.client.send({ method: operation.method, path: context.client.path(operation.path), body: await context.bindings.unchangedBody(), contentType }),
          }))
        : positiveCases(operation).map((c) => ({ description: c.description, send: () => context.get(operation.operationId, c.query) }));
      for (const request of requests) {
        const exchange = await request.send();
        const { status, json } = exchange.response;
        if (status !== 200) return fail(`${request.description}: a valid request must get 200; received ${status}`, exchange);
        const { problems } = context.responses.judge(operation.operationId, status, json, { strict: context.options.strict });
        if (problems.length > 0) return fail(`${request.description}: ${describeProblems(problems)}`, exchange);
      }
      return pass(`${requests.length} valid requests accepted`);
    }),
  },
  {
    name: 'ignored_auth',
    run: guarded(async (context, operation) => {
      const exchange = await context.refusal(operation.operationId);
      const { status, json } = exchange.response;
      if (status !== 401) return fail(`${label(exchange)} without credentials must be refused with 401; received ${status}`, exchange);
      const { problems } = context.responses.judge(operation.operationId, 401, json, { strict: context.options.strict });
      if (problems.length > 0) return fail(`the 401 body: ${describeProblems(problems)}`, exchange);
      return pass('refused without credentials (401)');
    }),
  },
  {
    name: 'event_type_filter',
    operations: [LIST_SMS_EVENT],
    async run(context, operation) {
      const filter = operation.parameters.find((p) => p.in === 'query' && p.name === 'event_type');
      const { bindings, exchange: unfiltered } = await context.bindings.initial();
      for (const value of (filter?.schema.enum as string[] | undefined) ?? []) {
        const exchange = await context.get(operation.operationId, `event_type=${value}`);
        const callback = (exchange.response.json as { callback?: Binding[] } | undefined)?.callback;
        if (exchange.response.status !== 200 || !Array.isArray(callback)) {
          return fail(`event_type=${value}: expected 200 with a callback list, received ${exchange.response.status}`, exchange);
        }
        const others = callback.filter((b) => b.event_type !== value);
        if (others.length > 0) {
          return fail(`event_type=${value}: /callback: expected only ${value} bindings, received ${others.map((b) => b.event_type).join(', ')} too`, exchange);
        }
        const expected = bindings.filter((b) => b.event_type === value).length;
        if (callback.length !== expected) {
          return fail(`event_type=${value}: expected the ${expected} ${value} binding(s) of the unfiltered list, received ${callback.length}`, exchange);
        }
      }
      if (bindings.length === 0) {
        return warn('nothing is bound, so a filter that is ignored cannot be told from one that works; bind callbacks first', unfiltered);
      }
      return pass('each filter returns only its event type');
    },
  },
  {
    name: 'subscription_filter',
    operations: [LIST_SUBSCRIPTIONS],
    run: (context, operation) => checkSubscriptionFilters(context, operation),
  },
  {
    name: 'pagination',
    operations: [LIST_SUBSCRIPTIONS],
    run: (context, operation) => checkPagination(context, operation),
  },
  {
    name: 'update_round_trip',
    operations: [UPDATE_SMS_EVENT],
    run: guarded(async (context) => {
      const { bindings: before } = await context.bindings.initial();
      const exchange = await context.baseline(UPDATE_SMS_EVENT);
      if (exchange.response.status !== 200) return fail(`writing the current bindings back must get 200; received ${exchange.response.status}`, exchange);
      const after = await context.bindings.read();
      if (!after.bindings) return error(`after writing the bindings back, ${after.uncertain}: the round trip cannot be judged`, after.exchange);
      const difference = compareBindings(before, after.bindings);
      if (difference) return fail(`ListSmsEvent after writing the same bindings back differs: ${difference}`, after.exchange);
      return pass(`wrote ${before.length} binding(s) back; ListSmsEvent reports them unchanged`);
    }),
  },
  {
    // Last of the write checks: the kit's promise that a run leaves the target's
    // bindings as it found them, verified by reading them, restored where they differ.
    name: 'bindings_restored',
    operations: [UPDATE_SMS_EVENT],
    run: guarded(async (context) => {
      const { bindings: before } = await context.bindings.initial();
      const { changed, unrestored } = await context.bindings.restore();
      if (unrestored) {
        return {
          status: 'error',
          message: `the callback bindings may differ from the start of the run and could not be restored: ${unrestored.reason}. Put them back with ${unrestored.request.method} ${new URL(unrestored.request.url).pathname} and the body ${unrestored.request.body}`,
          reproducer: reproducer(unrestored.request),
        };
      }
      if (changed) return pass(`found changed (${changed}); put back, and ListSmsEvent now reports the ${before.length} binding(s) of the start`);
      return pass(`ListSmsEvent reports the ${before.length} binding(s) found at the start`);
    }),
  },
];

/** Sends every invalid request of the operation; the first that is not refused as documented fails the check. */
async function rejectInvalid(context: CheckContext, operation: SmnOperation, example?: unknown): Promise<Verdict> {
  const cases = negativeCases(operation, context.responses.contract, example);
  const warnings: string[] = [];
  let firstWarning: Exchange | undefined;
  for (const negative of cases) {
    const exchange = await sendCase(context, operation, negative);
    const verdict = judgeRejection(context, operation, negative, exchange);
    if (verdict.status === 'fail') return { ...verdict, message: `${negative.description}: ${verdict.message}` };
    if (verdict.status === 'warn') {
      warnings.push(`${negative.description}: ${verdict.message}`);
      firstWarning ??= exchange;
    }
  }
  if (warnings.length > 0) return warn(warnings.join('; '), firstWarning);
  return pass(`${cases.length} invalid requests refused with the documented codes`);
}

async function sendCase(context: CheckContext, operation: SmnOperation, negative: NegativeCase): Promise<Exchange> {
  return context.client.send({
    method: operation.method,
    path: context.client.path(operation.path),
    query: negative.query,
    body: negative.body,
    contentType: negative.contentType,
  });
}

function judgeRejection(context: CheckContext, operation: SmnOperation, negative: NegativeCase, exchange: Exchange): Verdict {
  const documented = context.responses.contract.errors.get(negative.error);
  if (!documented || !('code' in documented.body)) throw new Error(`the contract has no SMN error example ${negative.error}`);
  const expectedStatus = documented.status ?? 400;
  const expectedCode = documented.body.code;
  const { status, json } = exchange.response;
  // A refusal the vendor does not document is the kit's expectation, not a rule.
  if (negative.kitChoice && (status !== expectedStatus || (json as { code?: unknown } | undefined)?.code !== expectedCode)) {
    return warn(`expected ${expectedStatus} with code ${expectedCode} (the kit's choice, not the vendor's rule), received ${status}${typeof (json as { code?: unknown } | undefined)?.code === 'string' ? ` ${(json as { code: string }).code}` : ''}`, exchange);
  }
  if (status !== expectedStatus) return fail(`expected ${expectedStatus} with code ${expectedCode}, received ${status}`, exchange);
  if (mediaType(exchange) !== 'application/json') return fail(`expected an SMN error body (application/json), received ${exchange.response.headers['content-type'] ?? 'no Content-Type'}`, exchange);
  const { problems } = context.responses.judge(operation.operationId, status, json, { strict: context.options.strict });
  if (problems.length > 0) return fail(`expected an SMN error body: ${describeProblems(problems)}`, exchange);
  const code = (json as { code: string }).code;
  if (code === expectedCode) return pass('');
  if (!documented.vendorDocumented) return warn(`/code: received ${code}; the vendor documents no code for this (smn-kit answers ${expectedCode})`, exchange);
  return fail(`/code: expected ${expectedCode}, received ${code}`, exchange);
}

interface Page {
  exchange: Exchange;
  count: unknown;
  urns: string[];
}

async function page(context: CheckContext, operation: SmnOperation, offset: number, limit: number): Promise<Page | Verdict> {
  const exchange = await context.get(operation.operationId, `offset=${offset}&limit=${limit}`);
  const body = exchange.response.json as { subscription_count?: unknown; subscriptions?: { subscription_urn?: string }[] } | undefined;
  if (exchange.response.status !== 200 || !Array.isArray(body?.subscriptions)) {
    return fail(`offset=${offset}&limit=${limit}: expected 200 with a subscriptions list, received ${exchange.response.status}`, exchange);
  }
  return { exchange, count: body.subscription_count, urns: body.subscriptions.map((s) => String(s.subscription_urn)) };
}

const isVerdict = (value: Page | Verdict): value is Verdict => 'status' in value;

type Listed = FilterableSubscription & { subscription_urn?: string };

/** A value of each filter that some, but not all, listed subscriptions have, so a filter that works can be told from one that is ignored. */
function telling(name: string, all: Listed[]): string | undefined {
  const values = all.map((s): string | undefined => {
    if (name === 'fuzzy_remark') return s.remark ? s.remark.slice(0, Math.max(1, Math.ceil(s.remark.length / 2))) : undefined;
    const value = (s as unknown as Record<string, unknown>)[name];
    return value === undefined || value === '' ? undefined : String(value);
  });
  return values.find((value) => value !== undefined && !all.every(subscriptionFilter(new URLSearchParams({ [name]: value }))));
}

/**
 * Huawei Cloud documents filters for ListSubscriptions (the Open Telekom Cloud edition
 * does not): each, given a value some subscriptions have, must return exactly those of
 * the unfiltered list, in its order. A filter that is ignored altogether is a warning
 * (an edition without it); one that returns the wrong subscriptions is a failure.
 */
async function checkSubscriptionFilters(context: CheckContext, operation: SmnOperation): Promise<Verdict> {
  const limit = operation.parameters.find((p) => p.name === 'limit')?.schema;
  const maximum = typeof limit?.maximum === 'number' ? limit.maximum : 100;
  const first = await context.get(operation.operationId, `offset=0&limit=${maximum}`);
  const all = (first.response.json as { subscriptions?: Listed[] } | undefined)?.subscriptions;
  if (first.response.status !== 200 || !Array.isArray(all)) return fail(`offset=0&limit=${maximum}: expected 200 with a subscriptions list, received ${first.response.status}`, first);
  const declared = new Set(operation.parameters.filter((p) => p.in === 'query').map((p) => p.name));
  const ignored: string[] = [];
  const untested: string[] = [];
  let tested = 0;
  for (const name of SUBSCRIPTION_FILTERS.filter((filter) => declared.has(filter))) {
    const value = telling(name, all);
    if (value === undefined) {
      untested.push(name);
      continue;
    }
    const query = `${new URLSearchParams({ [name]: value })}&offset=0&limit=${maximum}`;
    const exchange = await context.get(operation.operationId, query);
    const body = exchange.response.json as { subscription_count?: unknown; subscriptions?: Listed[] } | undefined;
    if (exchange.response.status !== 200 || !Array.isArray(body?.subscriptions)) return fail(`${query}: expected 200 with a subscriptions list, received ${exchange.response.status}`, exchange);
    const got = body.subscriptions.map((s) => String(s.subscription_urn));
    const expected = all.filter(subscriptionFilter(new URLSearchParams({ [name]: value }))).map((s) => String(s.subscription_urn));
    if (JSON.stringify(got) === JSON.stringify(all.map((s) => String(s.subscription_urn)))) {
      ignored.push(name);
      continue;
    }
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      return fail(`${query}: expected the ${expected.length} subscription(s) of the unfiltered list whose ${name} matches, in its order: [${expected.join(', ')}]; received [${got.join(', ')}]`, exchange);
    }
    if (all.length < maximum && body.subscription_count !== expected.length) {
      return fail(`${query}: subscription_count ${String(body.subscription_count)} should count the ${expected.length} filtered subscription(s)`, exchange);
    }
    tested++;
  }
  const notes: string[] = [];
  if (ignored.length > 0) notes.push(`${ignored.join(', ')} ignored (Huawei Cloud documents these filters; Open Telekom Cloud does not)`);
  if (untested.length > 0) notes.push(`${untested.join(', ')} not checked: no value tells some subscriptions from the others; add varied subscriptions`);
  if (notes.length > 0) return warn(`${tested} filter(s) return exactly their subscriptions; ${notes.join('; ')}`, first);
  return pass(`${tested} filters return exactly the subscriptions they match, counted by subscription_count`);
}

async function checkPagination(context: CheckContext, operation: SmnOperation): Promise<Verdict> {
  const limit = operation.parameters.find((p) => p.name === 'limit')?.schema;
  const maximum = typeof limit?.maximum === 'number' ? limit.maximum : 100;
  const whole = await page(context, operation, 0, maximum);
  if (isVerdict(whole)) return whole;
  const all = whole.urns;
  const warnings: string[] = [];
  // Pages of k items for offsets 0, k, 2k... across the whole first page, at most 10 of them.
  const k = Math.max(1, Math.ceil(all.length / 10));
  const seen = new Map<string, number>();
  const counts = new Set<unknown>([whole.count]);
  for (let offset = 0; offset < all.length; offset += k) {
    const part = await page(context, operation, offset, k);
    if (isVerdict(part)) return part;
    counts.add(part.count);
    if (part.urns.length > k) return fail(`offset=${offset}&limit=${k}: limit not respected: expected at most ${k} subscriptions, received ${part.urns.length}`, part.exchange);
    for (const urn of part.urns) {
      const earlier = seen.get(urn);
      if (earlier !== undefined) return fail(`offset=${offset}&limit=${k}: pages overlap: ${urn} was already on the page at offset ${earlier}`, part.exchange);
      seen.set(urn, offset);
    }
    const expected = all.slice(offset, offset + k);
    if (JSON.stringify(part.urns) !== JSON.stringify(expected)) {
      return fail(`offset=${offset}&limit=${k}: expected subscriptions [${expected.join(', ')}] (the same order as one large page), received [${part.urns.join(', ')}]`, part.exchange);
    }
  }
  const past = await page(context, operation, Math.max(all.length, typeof whole.count === 'number' ? whole.count : 0), k);
  if (isVerdict(past)) return past;
  if (past.urns.length > 0) return fail(`an offset past the end must give an empty list; received ${past.urns.length} subscriptions`, past.exchange);
  counts.add(past.count);
  if (counts.size > 1) return fail(`subscription_count changes from page to page: ${[...counts].map(String).join(', ')}`, past.exchange);
  const count = whole.count;
  if (typeof count === 'number' && count < all.length) return fail(`subscription_count ${count} is smaller than the ${all.length} subscriptions of the first page`, whole.exchange);
  if (typeof count === 'number' && all.length < maximum && count !== all.length) {
    warnings.push(`subscription_count ${count} differs from the ${all.length} subscriptions listed; the documents only say "number of subscriptions" (smn-kit reads it as the total)`);
  }
  if (all.length < 2) warnings.push(`only ${all.length} subscription(s): pages cannot be compared; add subscriptions to check paging`);
  if (warnings.length > 0) return warn(warnings.join('; '), whole.exchange);
  return pass(`${Math.ceil(all.length / k)} pages of ${k} match one page of ${all.length}; subscription_count ${String(count)}`);
}

/** The checks that apply to an operation, in the order they run. */
export const checksFor = (operationId: string): Check[] => checks.filter((c) => !c.operations || c.operations.includes(operationId));

/**
 * Runs one check, turning its verdict into a result. It never throws: a request that got
 * no usable answer, or anything else that stops a check, is that check's verdict, so the
 * other checks still run. Secrets are masked in what the result says.
 */
export async function runCheck(context: CheckContext, check: Check, operationId: string): Promise<CheckResult> {
  const started = performance.now();
  let verdict: Verdict;
  try {
    verdict = await check.run(context, context.operation(operationId));
  } catch (failure) {
    verdict = verdictOf(failure);
  }
  const { mask } = context.client;
  return {
    operation: operationId,
    check: check.name,
    ...verdict,
    message: mask(verdict.message),
    reproducer: verdict.reproducer === undefined ? undefined : mask(verdict.reproducer),
    durationMs: Math.round(performance.now() - started),
  };
}

/** The verdict of a check that stopped: an answer over the size limit fails it; no answer or an unknown state is an error. */
function verdictOf(failure: unknown): Verdict {
  if (failure instanceof RequestFailed) {
    return { status: failure.kind === 'too-large' ? 'fail' : 'error', message: `${requestLabel(failure.request)}: ${failure.message}`, reproducer: reproducer(failure.request) };
  }
  if (failure instanceof BindingsUnknown) return error(failure.message);
  const { name, message } = failure instanceof Error ? failure : { name: 'Error', message: String(failure) };
  return error(`the check stopped: ${name}: ${message}`);
}

/** Every check against every operation, in order: the engine behind the vitest suite. */
export async function runConformance(options: ConformanceOptions): Promise<CheckResult[]> {
  const context = new CheckContext(options);
  const results: CheckResult[] = [];
  for (const operation of context.responses.operations) {
    for (const check of checksFor(operation.operationId)) results.push(await runCheck(context, check, operation.operationId));
  }
  return results;
}
