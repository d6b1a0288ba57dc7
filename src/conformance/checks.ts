// The conformance checks: small named functions, registered in one list, each judging
// one property of one operation of the target and returning a verdict with the
// evidence (expected vs received, a JSON pointer, a curl reproducer). What is expected
// comes from the contract (src/contract/smn-responses.ts, ./cases.ts), not from here.
// A request that gets no usable answer is that check's verdict, never the run's end.
import type { Outcome } from '../report/report.js';
import { subscriptionFilter, SUBSCRIPTION_FILTERS, type FilterableSubscription } from '../contract/subscription-filters.js';
import { smnResponses, type SmnOperation, type SmnResponses } from '../contract/smn-responses.js';
import { parseMediaType } from '../contract/media-type.js';
import { BindingsUnknown, CallbackBindings, compareBindings, type Binding } from './bindings.js';
import { negativeCases, positiveCases, type NegativeCase } from './cases.js';
import { describeProblems, requestLabel } from './evidence.js';
import type { ConformanceOptions } from './options.js';
import { describeLeftovers, Sandbox, Unavailable } from './sandbox.js';
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
  /** The operations it applies to; all of the contract's when absent. */
  operations?: string[];
  run(context: CheckContext, operation: SmnOperation): Promise<Verdict>;
}

const LIST_SMS_EVENT = 'ListSmsEvent';
const UPDATE_SMS_EVENT = 'UpdateSmsEvent';
const LIST_SUBSCRIPTIONS = 'ListSubscriptions';
const CREATE_TOPIC = 'CreateTopic';
const LIST_TOPICS = 'ListTopics';
const DELETE_TOPIC = 'DeleteTopic';
const ADD_SUBSCRIPTION = 'AddSubscription';
const LIST_SUBSCRIPTIONS_BY_TOPIC = 'ListSubscriptionsByTopic';
const CANCEL_SUBSCRIPTION = 'CancelSubscription';

/** What the checks share in one run: the client, the contract, and answers fetched once. */
export class CheckContext {
  readonly client: TargetClient;
  readonly responses: SmnResponses;
  /** The callback bindings the write checks must leave as they found them. */
  readonly bindings: CallbackBindings;
  /** The topics and subscriptions the run makes, and deletes at the end. */
  readonly sandbox: Sandbox;
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(readonly options: ConformanceOptions, responses: SmnResponses = smnResponses()) {
    this.client = new TargetClient(options);
    this.responses = responses;
    this.bindings = new CallbackBindings(this.client, responses, this.operation(LIST_SMS_EVENT), this.operation(UPDATE_SMS_EVENT));
    this.sandbox = new Sandbox(this.client, (operationId) => this.operation(operationId), options.allowWrites);
  }

  /**
   * Path parameters for a request to the operation that should succeed (those in
   * `given` are kept): a topic to read, the run's main topic to write to, and, for a
   * DELETE, a topic or subscription of the run made to be deleted.
   */
  async parameters(operation: SmnOperation, given: Record<string, string> = {}): Promise<Record<string, string>> {
    const parameters = { ...given };
    for (const { name } of operation.parameters.filter((p) => p.in === 'path' && p.name !== 'project_id' && given[p.name] === undefined)) {
      if (name === 'topic_urn') {
        parameters[name] = operation.method === 'DELETE' ? (await this.sandbox.createTopic('deleted')).urn : isWrite(operation) ? (await this.sandbox.mainTopic()).urn : await this.sandbox.readableTopic();
      } else if (name === 'subscription_urn') {
        parameters[name] = (await this.sandbox.subscribe((await this.sandbox.mainTopic()).urn, 'cancelled')).urn;
      }
    }
    return parameters;
  }

  /** Path parameters naming nothing the project has: a request with them changes nothing, whatever the target does with it. */
  async absentParameters(operation: SmnOperation): Promise<Record<string, string>> {
    const parameters: Record<string, string> = {};
    for (const { name } of operation.parameters.filter((p) => p.in === 'path' && p.name !== 'project_id')) {
      parameters[name] = name === 'subscription_urn' ? await this.sandbox.absentSubscriptionUrn() : await this.sandbox.absentTopicUrn();
    }
    return parameters;
  }

  /**
   * A valid body made from one of the contract's examples, with the run's own names: a
   * topic `name` of the run's, an https `endpoint` of the run's that receives nothing.
   */
  validBody(operation: SmnOperation, example: unknown = operation.requestExample): Promise<string> | string | undefined {
    if (!operation.requestBody) return undefined;
    if (operation.operationId === UPDATE_SMS_EVENT) return this.bindings.unchangedBody();
    const body = { ...(example as Record<string, unknown>) };
    if (typeof body.name === 'string') body.name = this.sandbox.topicName('created');
    if (typeof body.endpoint === 'string') Object.assign(body, { protocol: 'https', endpoint: this.sandbox.endpoint('subscribed') });
    return JSON.stringify(body);
  }

  /** Sends a request to the operation: path parameters resolved (see `parameters`), the body as given. */
  async request(operation: SmnOperation, spec: { query?: string; body?: string; contentType?: string; auth?: boolean; path?: Record<string, string> } = {}): Promise<Exchange> {
    const path = this.client.path(operation.path, await this.parameters(operation, spec.path));
    return this.client.send({ method: operation.method, path, query: spec.query, body: spec.body, contentType: spec.contentType, auth: spec.auth });
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
    return this.request(this.operation(operationId), { query, auth });
  }

  /** The answer to a valid request, fetched once per operation and shared by the generic checks. */
  baseline(operationId: string): Promise<Exchange> {
    return this.once(`baseline ${operationId}`, async () => {
      const operation = this.operation(operationId);
      return this.request(operation, { body: await this.validBody(operation) });
    });
  }

  /**
   * An error answer of the operation: the request without credentials. A DELETE names
   * nothing the project has, so that a target that ignores credentials deletes nothing.
   */
  refusal(operationId: string): Promise<Exchange> {
    return this.once(`refusal ${operationId}`, async () => {
      const operation = this.operation(operationId);
      const path = operation.method === 'DELETE' ? await this.absentParameters(operation) : undefined;
      return this.request(operation, { body: await this.validBody(operation), auth: false, path });
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
/** What a valid request gets: 201 where the operation creates (and declares 201), 200 otherwise. */
const successStatus = (operation: SmnOperation): number => (operation.responses.has(201) ? 201 : 200);
const writesSkipped = (operation: SmnOperation): Verdict =>
  skip(`${operation.operationId} changes the target (${operation.method}); run with --allow-writes to check it`);

const mediaType = (exchange: Exchange): string => parseMediaType(exchange.response.headers['content-type'] ?? '')?.type ?? '';

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
    // The topic operations write only to the run's own resources (sandbox.ts); the bindings are UpdateSmsEvent's.
    if (operation.operationId !== UPDATE_SMS_EVENT) return run(context, operation);
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
      const expected = successStatus(operation);
      if (status !== expected) return fail(`a valid ${label(exchange)} must get ${expected}; received ${status}`, exchange);
      const refusal = await context.refusal(operation.operationId);
      if (!operation.responses.has(refusal.response.status)) {
        return fail(`${label(refusal)} without credentials got ${refusal.response.status}, a status ${operation.operationId} does not declare (${[...operation.responses.keys()].join(', ')})`, refusal);
      }
      return pass(`${expected} for a valid request; ${refusal.response.status} without credentials is declared`);
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
      if (operation.operationId !== UPDATE_SMS_EVENT) {
        // Bodies made from the contract's examples with the run's own names; a template example too (its invalid forms are refused before any template is looked up).
        const bodies = await Promise.all(operation.requestExamples.map(async (example) => JSON.parse((await context.validBody(operation, example)) ?? 'null') as unknown));
        return rejectInvalid(context, operation, bodies[0], bodies.slice(1));
      }
      // Start from the bindings of the start, so that a change found afterwards is the invalid requests' doing.
      const start = await context.bindings.restore();
      let verdict: Verdict | undefined;
      let stopped: { failure: unknown } | undefined;
      try {
        verdict = await rejectInvalid(context, operation, JSON.parse(await context.bindings.unchangedBody()));
      } catch (failure) {
        stopped = { failure };
      }
      // Whatever happened to the requests, what they changed is put back before the next check.
      const { changed, unrestored } = await context.bindings.restore();
      if (changed && !start.unrestored) {
        const outcome = unrestored ? `putting them back failed (${unrestored.reason}); see bindings_restored` : 'they were put back';
        const also = `the invalid requests changed the target's bindings (${changed}); ${outcome}`;
        return verdict?.status === 'fail' ? { ...verdict, message: `${verdict.message}; ${also}` } : fail(also);
      }
      if (stopped) throw stopped.failure;
      return verdict!;
    }),
  },
  {
    name: 'positive_data_acceptance',
    run: guarded(async (context, operation) => {
      const requests: { description: string; send: () => Promise<Exchange> }[] =
        operation.operationId === UPDATE_SMS_EVENT
          ? ['application/json', 'application/json;charset=UTF-8'].map((contentType) => ({
              description: `the current bindings written back as ${contentType}`,
              send: async () => context.request(operation, { body: await context.bindings.unchangedBody(), contentType }),
            }))
          : isWrite(operation)
            ? writeVariants(context, operation)
            : positiveCases(operation).map((c) => ({ description: c.description, send: () => context.get(operation.operationId, c.query) }));
      const expected = successStatus(operation);
      for (const request of requests) {
        const exchange = await request.send();
        const { status, json } = exchange.response;
        if (status !== expected) return fail(`${request.description}: a valid request must get ${expected}; received ${status}`, exchange);
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
    operations: [LIST_SUBSCRIPTIONS, LIST_TOPICS, LIST_SUBSCRIPTIONS_BY_TOPIC],
    run: async (context, operation) => {
      // With writes allowed the run brings topics and subscriptions of its own, so that there are pages to compare.
      if (context.options.allowWrites && operation.operationId !== LIST_SUBSCRIPTIONS) await context.sandbox.populate();
      return checkPagination(context, operation);
    },
  },
  {
    name: 'topic_round_trip',
    operations: [CREATE_TOPIC],
    run: guarded((context) => topicRoundTrip(context)),
  },
  {
    name: 'subscription_round_trip',
    operations: [ADD_SUBSCRIPTION],
    run: guarded((context) => subscriptionRoundTrip(context)),
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
  {
    // Last of all (CancelSubscription is the contract's last operation): the kit's promise
    // that a run leaves no topic or subscription of its own behind.
    name: 'resources_cleaned',
    operations: [CANCEL_SUBSCRIPTION],
    run: guarded(async (context) => {
      const { deleted, left } = await context.sandbox.cleanup();
      if (left.length > 0) {
        return {
          status: 'error',
          message: `the run could not delete ${left.length} of its own resources; delete them with: ${describeLeftovers(left)}`,
          reproducer: reproducer(left[0]!.request),
        };
      }
      return pass(`deleted the ${deleted.length} topic(s) and subscription(s) the run made (named ${context.sandbox.topicName('').replace(/_\d+$/, '')}...); nothing of its own is left`);
    }),
  },
];

/**
 * Valid variants of a write: each example of the contract with the run's names (an
 * example naming a message template is left out: it needs a template the target may
 * not have), sent with `;charset=UTF-8` as old clients send it. A DELETE has no variant
 * beyond the request status_code_conformance sends.
 */
function writeVariants(context: CheckContext, operation: SmnOperation): { description: string; send: () => Promise<Exchange> }[] {
  if (!operation.requestBody) return [];
  return operation.requestExamples
    .filter((example) => !(typeof example === 'object' && example !== null && 'message_template_name' in example))
    .map((example, i) => ({
      description: `the contract's example ${i + 1} as application/json;charset=UTF-8`,
      send: async () => context.request(operation, { body: await context.validBody(operation, example), contentType: 'application/json;charset=UTF-8' }),
    }));
}

type Item = Record<string, unknown>;

/** The items of a list answer under `field`, or undefined when the answer is not a 200 with such a list. */
function listOf(exchange: Exchange, field: string): Item[] | undefined {
  const items = (exchange.response.json as Record<string, unknown> | undefined)?.[field];
  return exchange.response.status === 200 && Array.isArray(items) ? (items as Item[]) : undefined;
}

/**
 * CreateTopic -> ListTopics lists it, newest first -> CreateTopic again answers 200 and
 * the same URN (idempotent) -> DeleteTopic -> ListTopics no longer lists it, and its
 * subscriptions are 404. The topic is the run's own, deleted even when a step fails.
 */
async function topicRoundTrip(context: CheckContext): Promise<Verdict> {
  const created = await context.sandbox.createTopic('round_trip');
  const { name } = JSON.parse(created.exchange.request.body!) as { name: string };
  try {
    if (created.exchange.response.status !== 201) return fail(`CreateTopic of a new topic must get 201; received ${created.exchange.response.status}`, created.exchange);
    if (!created.urn.endsWith(`:${name}`)) return fail(`CreateTopic of ${name}: /topic_urn: expected a URN ending in :${name}, received ${created.urn}`, created.exchange);
    const listed = await context.get(LIST_TOPICS, 'offset=0&limit=100');
    const topics = listOf(listed, 'topics');
    if (!topics) return fail(`ListTopics after CreateTopic: expected 200 with a topics list, received ${listed.response.status}`, listed);
    const at = topics.findIndex((t) => t.topic_urn === created.urn);
    if (at === -1) return fail(`ListTopics does not list ${created.urn}, just created (first page of ${topics.length})`, listed);
    if (topics[at]!.name !== name) return fail(`ListTopics lists ${created.urn} with /topics/${at}/name ${JSON.stringify(topics[at]!.name)}; expected "${name}"`, listed);
    const again = await context.request(context.operation(CREATE_TOPIC), { body: created.exchange.request.body });
    const againUrn = (again.response.json as { topic_urn?: unknown } | undefined)?.topic_urn;
    if (again.response.status !== 200 || againUrn !== created.urn) {
      return fail(`CreateTopic of an existing name must get 200 and the same topic_urn (it is idempotent); received ${again.response.status} with ${JSON.stringify(againUrn)}`, again);
    }
    const deleted = await context.request(context.operation(DELETE_TOPIC), { path: { topic_urn: created.urn } });
    if (deleted.response.status !== 200) return fail(`DeleteTopic of ${created.urn} must get 200; received ${deleted.response.status}`, deleted);
    const after = await context.get(LIST_TOPICS, 'offset=0&limit=100');
    if (listOf(after, 'topics')?.some((t) => t.topic_urn === created.urn)) return fail(`ListTopics still lists ${created.urn} after DeleteTopic answered 200`, after);
    const orphan = await context.request(context.operation(LIST_SUBSCRIPTIONS_BY_TOPIC), { path: { topic_urn: created.urn } });
    const notFound = context.responses.contract.notFoundErrors.get('topic_urn');
    if (orphan.response.status !== 404) return fail(`ListSubscriptionsByTopic of the deleted topic must get 404 ${notFound}; received ${orphan.response.status}`, orphan);
    const position = at === 0 ? 'first (newest first)' : `at position ${at} (the documents say newest first; another client may have made one since)`;
    if (at !== 0) return warn(`created ${name}: listed ${position}, 200 and the same URN again, deleted, no longer listed`, listed);
    return pass(`created ${name}: listed ${position}, 200 and the same URN again, deleted, no longer listed, its subscriptions 404`);
  } finally {
    if (context.sandbox.made().topics.includes(created.urn)) await context.request(context.operation(DELETE_TOPIC), { path: { topic_urn: created.urn } }).catch(() => undefined);
  }
}

/**
 * AddSubscription to the run's topic -> ListSubscriptionsByTopic lists it, unconfirmed
 * -> AddSubscription again answers 200 and the same URN -> CancelSubscription ->
 * no longer listed -> CancelSubscription again is 404.
 */
async function subscriptionRoundTrip(context: CheckContext): Promise<Verdict> {
  const topic = (await context.sandbox.mainTopic()).urn;
  const added = await context.sandbox.subscribe(topic, 'round_trip');
  const { endpoint } = JSON.parse(added.exchange.request.body!) as { endpoint: string };
  if (added.exchange.response.status !== 201) return fail(`AddSubscription of a new endpoint must get 201; received ${added.exchange.response.status}`, added.exchange);
  if (!added.urn.startsWith(`${topic}:`)) return fail(`/subscription_urn: expected a URN under the topic's (${topic}:...), received ${added.urn}`, added.exchange);
  const byTopic = context.operation(LIST_SUBSCRIPTIONS_BY_TOPIC);
  const listed = await context.request(byTopic, { query: 'offset=0&limit=100', path: { topic_urn: topic } });
  const subscriptions = listOf(listed, 'subscriptions');
  if (!subscriptions) return fail(`ListSubscriptionsByTopic after AddSubscription: expected 200 with a subscriptions list, received ${listed.response.status}`, listed);
  const found = subscriptions.find((s) => s.subscription_urn === added.urn);
  if (!found) return fail(`ListSubscriptionsByTopic does not list ${added.urn}, just added`, listed);
  for (const [field, value] of Object.entries({ topic_urn: topic, protocol: 'https', endpoint })) {
    if (found[field] !== value) return fail(`ListSubscriptionsByTopic lists ${added.urn} with ${field} ${JSON.stringify(found[field])}; expected ${JSON.stringify(value)}`, listed);
  }
  const again = await context.request(context.operation(ADD_SUBSCRIPTION), { body: added.exchange.request.body, path: { topic_urn: topic } });
  const againUrn = (again.response.json as { subscription_urn?: unknown } | undefined)?.subscription_urn;
  if (again.response.status !== 200 || againUrn !== added.urn) {
    return fail(`AddSubscription of an existing subscription must get 200 and the same subscription_urn (it is idempotent); received ${again.response.status} with ${JSON.stringify(againUrn)}`, again);
  }
  const cancel = context.operation(CANCEL_SUBSCRIPTION);
  const cancelled = await context.request(cancel, { path: { subscription_urn: added.urn } });
  if (cancelled.response.status !== 200) return fail(`CancelSubscription of ${added.urn} must get 200; received ${cancelled.response.status}`, cancelled);
  const after = await context.request(byTopic, { query: 'offset=0&limit=100', path: { topic_urn: topic } });
  if (listOf(after, 'subscriptions')?.some((s) => s.subscription_urn === added.urn)) return fail(`ListSubscriptionsByTopic still lists ${added.urn} after CancelSubscription answered 200`, after);
  const twice = await context.request(cancel, { path: { subscription_urn: added.urn } });
  const notFound = context.responses.contract.notFoundErrors.get('subscription_urn');
  if (twice.response.status !== 404) return fail(`CancelSubscription of a cancelled subscription must get 404 ${notFound}; received ${twice.response.status}`, twice);
  return pass(`added ${endpoint} (status ${String(found.status)}): listed, 200 and the same URN again, cancelled, no longer listed, 404 the second time`);
}

/** Sends every invalid request of the operation; the first that is not refused as documented fails the check. */
async function rejectInvalid(context: CheckContext, operation: SmnOperation, example?: unknown, others: unknown[] = []): Promise<Verdict> {
  const cases = negativeCases(operation, context.responses.contract, example, others);
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
  const path = { ...negative.path };
  if (negative.absent) path[negative.absent] = negative.absent === 'subscription_urn' ? await context.sandbox.absentSubscriptionUrn() : await context.sandbox.absentTopicUrn();
  // A request that names a resource sends a body that would be valid there, so that only what the case breaks is wrong.
  const body = negative.body ?? (negative.path || negative.absent || negative.query ? await context.validBody(operation) : undefined);
  return context.request(operation, { query: negative.query, body, contentType: negative.contentType, path });
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

/**
 * What a list operation's 200 answer holds, from its schema: the list (`subscriptions`,
 * `topics`), the total (`subscription_count`, `topic_count`) and each item's own URN
 * (`subscription_urn`, `topic_urn`).
 */
function listShape(operation: SmnOperation): { list: string; count: string; id: string } {
  const properties = (operation.responses.get(200)?.properties ?? {}) as Record<string, { type?: string }>;
  const list = Object.keys(properties).find((name) => properties[name]!.type === 'array') ?? 'subscriptions';
  const item = list.replace(/s$/, '');
  return { list, count: `${item}_count`, id: `${item}_urn` };
}

async function page(context: CheckContext, operation: SmnOperation, offset: number, limit: number): Promise<Page | Verdict> {
  const { list, count, id } = listShape(operation);
  const exchange = await context.get(operation.operationId, `offset=${offset}&limit=${limit}`);
  const items = listOf(exchange, list);
  if (!items) return fail(`offset=${offset}&limit=${limit}: expected 200 with a ${list} list, received ${exchange.response.status}`, exchange);
  return { exchange, count: (exchange.response.json as Record<string, unknown>)[count], urns: items.map((item) => String(item[id])) };
}

const isVerdict = (value: Page | Verdict): value is Verdict => 'status' in value;

type Listed = FilterableSubscription & { subscription_urn?: string };

/** A value of each filter that some, but not all, listed subscriptions have, so a filter that works can be told from one that is ignored. */
function telling(name: string, all: Listed[]): string | undefined {
  const values = all.map((s): string | undefined => {
    if (name === 'fuzzy_remark') return s.remark ? s.remark.slice(0, Math.max(1, Math.ceil(s.remark.length / 2))) : undefined;
    const value = (s as unknown as Record<string, unknown>)[name];
    return value === undefined || value === '' ? undefined : typeof value === 'string' ? value : JSON.stringify(value);
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
    const query = `${new URLSearchParams({ [name]: value }).toString()}&offset=0&limit=${maximum}`;
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
  const { list, count: countField } = listShape(operation);
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
    if (part.urns.length > k) return fail(`offset=${offset}&limit=${k}: limit not respected: expected at most ${k} ${list}, received ${part.urns.length}`, part.exchange);
    for (const urn of part.urns) {
      const earlier = seen.get(urn);
      if (earlier !== undefined) return fail(`offset=${offset}&limit=${k}: pages overlap: ${urn} was already on the page at offset ${earlier}`, part.exchange);
      seen.set(urn, offset);
    }
    const expected = all.slice(offset, offset + k);
    if (JSON.stringify(part.urns) !== JSON.stringify(expected)) {
      return fail(`offset=${offset}&limit=${k}: expected ${list} [${expected.join(', ')}] (the same order as one large page), received [${part.urns.join(', ')}]`, part.exchange);
    }
  }
  const past = await page(context, operation, Math.max(all.length, typeof whole.count === 'number' ? whole.count : 0), k);
  if (isVerdict(past)) return past;
  if (past.urns.length > 0) return fail(`an offset past the end must give an empty list; received ${past.urns.length} ${list}`, past.exchange);
  counts.add(past.count);
  if (counts.size > 1) return fail(`${countField} changes from page to page: ${[...counts].map(String).join(', ')}`, past.exchange);
  const count = whole.count;
  if (typeof count === 'number' && count < all.length) return fail(`${countField} ${count} is smaller than the ${all.length} ${list} of the first page`, whole.exchange);
  if (typeof count === 'number' && all.length < maximum && count !== all.length) {
    // Both editions document topic_count as the total; the subscription lists only say "number of subscriptions".
    const differs = `${countField} ${count} differs from the ${all.length} ${list} listed`;
    if (list === 'topics') return fail(`${differs}; the documents say it is the total, whatever offset and limit are`, whole.exchange);
    warnings.push(`${differs}; the documents only say "number of ${list}" (smn-kit reads it as the total)`);
  }
  if (all.length < 2) warnings.push(`only ${all.length} item(s) in ${list}: pages cannot be compared; add some (or run with --allow-writes, which brings the run's own) to check paging`);
  if (warnings.length > 0) return warn(warnings.join('; '), whole.exchange);
  return pass(`${Math.ceil(all.length / k)} pages of ${k} match one page of ${all.length}; ${countField} ${String(count)}`);
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
  if (failure instanceof Unavailable) return { status: failure.outcome, message: failure.message };
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
