// What the checks of one run share: the client, the contract, the callback bindings and
// the run's own resources, the requests a check sends to an operation, and the answers
// the generic checks all look at, fetched once.
import { smnResponses, type SmnOperation, type SmnResponses } from '../contract/smn-responses.js';
import { CallbackBindings } from './bindings.js';
import type { ConformanceOptions } from './options.js';
import { undocumentedIn } from '../contract/editions.js';
import { requestLabel } from './evidence.js';
import { isMissingRoute, isWrite, LIST_SMS_EVENT, NOT_MADE, UPDATE_SMS_EVENT } from './operations.js';
import { Sandbox, Unavailable } from './sandbox.js';
import { TargetClient, type Exchange } from './target.js';

/** What a request to an operation is for: reading, writing to the run's resources, or removing the resource it names. */
type Purpose = 'read' | 'write' | 'remove';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const SUBSCRIPTION_URN = /^urn:smn:[A-Za-z0-9_-]+:[0-9a-fA-F]{32}:[A-Za-z0-9][-_A-Za-z0-9]{0,255}:[0-9a-fA-F]{32}$/;
/** ISO 8601 to the second, as SMN writes times. */
const isoSecond = (time: number): string => new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** What the checks share in one run: the client, the contract, and answers fetched once. */
export class CheckContext {
  readonly client: TargetClient;
  readonly responses: SmnResponses;
  /** The callback bindings the write checks must leave as they found them. */
  readonly bindings: CallbackBindings;
  /** The resources the run makes, and deletes at the end. */
  readonly sandbox: Sandbox;
  private readonly memo = new Map<string, Promise<unknown>>();
  /** Per operation, whether an answer came from a route of the target, and the first that was the gateway's "no such API". */
  private readonly routes = new Map<string, { routed: boolean; missing?: Exchange }>();
  /** The operations the run checks (--operations); undefined for all. */
  private only: ReadonlySet<string> | undefined;

  constructor(readonly options: ConformanceOptions, responses: SmnResponses = smnResponses()) {
    this.client = new TargetClient(options);
    this.responses = responses;
    this.bindings = new CallbackBindings(this.client, responses, this.operation(LIST_SMS_EVENT), this.operation(UPDATE_SMS_EVENT));
    this.sandbox = new Sandbox(
      this.client,
      (operationId) => this.operation(operationId),
      options.allowWrites,
      (exchange) => isMissingRoute(responses, exchange),
      (method, pathname) => responses.find(method, pathname),
    );
  }

  /**
   * Why the target has no route for the operation at all: every answer to the requests
   * the checks sent it was the gateway's "no such API". Undefined while any answer was
   * not, or none came yet. Confirmed once by asking again with the URN's colons
   * percent-encoded, without credentials or body (it changes nothing): a target that
   * routes only encoded colons has the route, and its refusal of raw ones is a finding
   * of the checks.
   */
  async unrouted(operationId: string): Promise<string | undefined> {
    const seen = this.routes.get(operationId);
    if (!seen || seen.routed || !seen.missing) return undefined;
    const missing = seen.missing;
    return this.once(`unrouted ${operationId}`, () => this.confirmUnrouted(operationId, missing));
  }

  private async confirmUnrouted(operationId: string, exchange: Exchange): Promise<string | undefined> {
    const operation = this.operation(operationId);
    let probe: Exchange;
    try {
      probe = await this.client.send({ method: operation.method, path: this.client.path(operation.path, await this.inertParameters(operation), { encodeColons: true }), auth: false });
    } catch {
      return undefined;
    }
    if (!isMissingRoute(this.responses, probe)) return undefined;
    const { status, json } = exchange.response;
    return `the target does not route ${operation.operationId} (${operation.method} ${operation.path}): ${requestLabel(exchange.request)} got ${status} ${String((json as { error_code?: unknown }).error_code)} (no such API), with the URN's colons raw and percent-encoded`;
  }

  /** Limits the run to these operations (--operations): a check that needs another says so rather than call it. */
  select(operations: readonly string[] | undefined): void {
    this.only = operations && new Set(operations);
  }

  /** Whether the run checks the operation (it is not left out by --operations). */
  selected(operationId: string): boolean {
    return this.only === undefined || this.only.has(operationId);
  }

  /**
   * Whether the target does not route an operation that one edition of the vendor's
   * documents leaves out (`x-editions`: UpdateSubscription is Huawei Cloud's): a deployment
   * of the other edition need not have it, so a check that needs it is skipped, not failed.
   */
  lacksEditionOperation(operationId: string, exchange: Exchange): boolean {
    const operation = this.responses.operations.find((op) => op.operationId === operationId);
    return operation !== undefined && undocumentedIn(this.responses.contract.editions, operation.pointer).length > 0 && isMissingRoute(this.responses, exchange);
  }

  /** Whether a valid request to the operation is one the run can make; Unavailable (a skip, with the reason) when it is not. */
  usable(operation: SmnOperation): void {
    const reason = NOT_MADE[operation.operationId];
    if (reason) throw new Unavailable(`not run: ${reason}`, 'skip');
  }

  /** What a request to the operation does with the resource a parameter names. */
  private purpose(operation: SmnOperation, name: string): Purpose {
    if (!isWrite(operation)) return 'read';
    // A DELETE whose path ends in a variable deletes what it names (`.../topics/{topic_urn}`, not
    // `.../topics/{topic_urn}/subscriptions`); an unsubscribe link names it in its query.
    if (operation.method === 'DELETE' && operation.path.endsWith(`/{${name}}`)) return 'remove';
    if (/^Unsubscribe/.test(operation.operationId) && name === 'subscription_urn') return 'remove';
    return 'write';
  }

  /**
   * The value of a parameter for a request that should succeed: a resource to read (the
   * run's own when writes are allowed, else one the target lists), the run's main one
   * to write to, or, for a request that deletes it, one of the run's made to be deleted.
   * What hangs on another resource (a subscription to delete, a tag, a probe) is made on
   * the run's main one, whatever else the request names (an invalid case breaks one
   * parameter and keeps the others valid). Unavailable when there is none to use.
   */
  private async resolve(operation: SmnOperation, name: string): Promise<string | undefined> {
    const purpose = this.purpose(operation, name);
    const { sandbox } = this;
    const main = async (): Promise<string> => (await sandbox.mainTopic()).urn;
    const by = <T>(choices: Partial<Record<Purpose, () => Promise<T>>>): Promise<T> | undefined => choices[purpose]?.();
    switch (name) {
      case 'topic_urn':
        return by({ read: () => sandbox.readableTopic(), write: main, remove: async () => (await sandbox.createTopic('deleted')).urn });
      case 'subscription_urn':
        return by({ read: () => sandbox.readable('subscription'), write: async () => (await sandbox.mainSubscription()).urn, remove: async () => (await sandbox.subscribe(await main(), 'cancelled')).urn });
      case 'message_template_id':
        return by({ read: () => sandbox.readable('template'), write: async () => (await sandbox.mainTemplate()).urn, remove: async () => (await sandbox.createTemplate('deleted')).urn });
      case 'application_urn':
        return by({ read: () => sandbox.readable('application'), write: async () => (await sandbox.mainApplication()).urn, remove: async () => (await sandbox.createApplication('deleted')).urn });
      case 'endpoint_urn':
        return by({
          read: () => sandbox.readable('endpoint'),
          write: async () => (await sandbox.mainEndpoint()).urn,
          remove: async () => (await sandbox.createEndpoint((await sandbox.mainApplication()).urn, 'deleted')).urn,
        });
      case 'resource_type':
        return 'smn_topic';
      case 'resource_id':
        return sandbox.topicId(purpose === 'read' ? await sandbox.readableTopic() : await main());
      case 'key':
        return sandbox.tag('smn_topic', await sandbox.topicId(await main()));
      case 'name': {
        // A topic attribute (the first the contract lists, access_policy): set on the run's topic before it is deleted.
        const attribute = (operation.parameters.find((p) => p.name === 'name')?.schema.enum as string[] | undefined)?.[0];
        if (purpose !== 'remove' || attribute === undefined) return attribute;
        return sandbox.topicAttribute(await main(), attribute, this.accessPolicy(await main()));
      }
      case 'task_id':
        return sandbox.detectionTask(isWrite(operation) ? await main() : await sandbox.readableTopic());
      case 'start_time':
        return isoSecond(Date.now() - 24 * 3600_000);
      case 'end_time':
        return isoSecond(Date.now());
      default:
        return undefined;
    }
  }

  /**
   * Path parameters (and the values of required query parameters) for a request to the
   * operation that should succeed; those in `given` are kept. See `resolve`.
   */
  async parameters(operation: SmnOperation, given: Record<string, string> = {}): Promise<Record<string, string>> {
    const parameters = { ...given };
    for (const { name } of operation.parameters.filter((p) => (p.in === 'path' || (p.in === 'query' && p.required)) && p.name !== 'project_id' && given[p.name] === undefined)) {
      const value = await this.resolve(operation, name);
      if (value === undefined) throw new Unavailable(`not run: no ${name} for a valid request to ${operation.operationId}`, 'skip');
      parameters[name] = value;
    }
    return parameters;
  }

  /** The required query parameters of the operation, from resolved parameters, as a query string ('' when none). */
  requiredQuery(operation: SmnOperation, parameters: Record<string, string>): string {
    return operation.parameters
      .filter((p) => p.in === 'query' && p.required && parameters[p.name] !== undefined)
      .map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(parameters[p.name]!)}`)
      .join('&');
  }

  /** Path parameters naming nothing the project has: a request with them changes nothing, whatever the target does with it. */
  async absentParameters(operation: SmnOperation): Promise<Record<string, string>> {
    const parameters: Record<string, string> = {};
    for (const { name } of operation.parameters.filter((p) => p.in === 'path' && p.name !== 'project_id')) parameters[name] = await this.sandbox.absent(name);
    return parameters;
  }

  /**
   * Parameters for a request that changes nothing whatever the target does with it (no
   * credentials, the confirmation of an unrouted operation): names of nothing the project
   * has where the run can make them; else the contract's examples, or the run's names.
   */
  async inertParameters(operation: SmnOperation): Promise<Record<string, string>> {
    const parameters: Record<string, string> = {};
    for (const parameter of operation.parameters.filter((p) => (p.in === 'path' || (p.in === 'query' && p.required)) && p.name !== 'project_id')) {
      const absent = await this.sandbox.absent(parameter.name).catch(() => undefined);
      const example = (parameter as { example?: unknown }).example ?? (parameter.schema.examples as unknown[] | undefined)?.[0] ?? (parameter.schema.enum as unknown[] | undefined)?.[0];
      parameters[parameter.name] = absent ?? (typeof example === 'string' ? example : this.sandbox.topicName('absent'));
    }
    return parameters;
  }

  /** An access policy for the run's topic: the contract's example with only its statements for cloud services (no other account is granted anything), on that topic. */
  accessPolicy(topicUrn: string): string {
    const example = (this.operation('UpdateTopicAttribute').requestExample as { value?: string } | undefined)?.value ?? '{}';
    const policy = JSON.parse(example) as { Statement?: { Principal?: Record<string, unknown>; Resource?: string }[] };
    policy.Statement = (policy.Statement ?? []).filter((s) => s.Principal && !('CSP' in s.Principal)).map((s) => ({ ...s, Resource: topicUrn }));
    return JSON.stringify(policy);
  }

  /**
   * A valid body made from one of the contract's examples, with the run's own names and
   * resources: the names the request gives (a topic's, a template's, an application's)
   * are the run's, an https `endpoint` of the run's that receives nothing, subscription
   * URNs the run's (made to be deleted where the request deletes them). The SMS callback
   * bindings are the ones the target has (written back unchanged).
   */
  async validBody(operation: SmnOperation, example: unknown = operation.requestExample, path: Record<string, string> = {}, inert = false): Promise<string | undefined> {
    if (!operation.requestBody) return undefined;
    if (operation.operationId === UPDATE_SMS_EVENT) return this.bindings.unchangedBody();
    if (!isObject(example)) return JSON.stringify(example);
    const body: Record<string, unknown> = { ...example };
    const { sandbox } = this;
    for (const field of ['name', 'message_template_name']) {
      // PublishMessage names a template to use, not one to make: it is left as the example has it.
      if (typeof body[field] === 'string' && operation.operationId !== 'PublishMessage') body[field] = sandbox.topicName('created');
    }
    if (typeof body.endpoint === 'string') Object.assign(body, { protocol: 'https', endpoint: sandbox.endpoint('subscribed') });
    if (operation.operationId === 'UpdateTopicAttribute') body.value = this.accessPolicy(inert ? (path.topic_urn ?? '') : (await sandbox.mainTopic()).urn);
    if (operation.operationId === 'CreateApplicationEndpoint' && typeof body.token === 'string') body.token = `${body.token.slice(0, -8)}${String(Date.now() % 1e8).padStart(8, '0')}`;
    if (operation.operationId === 'UpdateApplication') body.platform_credential = 'f'.repeat(32);
    return JSON.stringify(await this.ownSubscriptions(operation, body, inert));
  }

  /**
   * The body with every subscription URN it names replaced by one of the run's (of its
   * main topic): new ones where the request deletes subscriptions or gives them filter
   * policies, ones with a filter policy where it changes or removes those, each once; for
   * a request that must change nothing (`inert`), URNs of nothing the project has.
   */
  private async ownSubscriptions(operation: SmnOperation, body: unknown, inert: boolean): Promise<unknown> {
    const { sandbox } = this;
    const id = operation.operationId;
    const make = async (): Promise<string> => {
      if (inert) return sandbox.absentSubscriptionUrn();
      if (id === 'BatchUpdateSubscriptionsFilterPolices' || id === 'BatchDeleteSubscriptionsFilterPolices') return sandbox.filteredSubscription();
      return (await sandbox.subscribe((await sandbox.mainTopic()).urn, id.startsWith('BatchDelete') ? 'deleted' : 'filtered')).urn;
    };
    const replace = async (value: unknown): Promise<unknown> => {
      if (typeof value === 'string' && SUBSCRIPTION_URN.test(value)) return make();
      if (Array.isArray(value)) {
        const out: unknown[] = [];
        for (const item of value) out.push(await replace(item));
        return out;
      }
      if (isObject(value)) {
        const out: Record<string, unknown> = {};
        for (const [key, item] of Object.entries(value)) out[key] = await replace(item);
        return out;
      }
      return value;
    };
    return replace(body);
  }

  /**
   * Sends a request to the operation: path parameters resolved (see `parameters`), the
   * required query parameters before the query given (which may repeat one to override
   * it), the body as given.
   */
  async request(operation: SmnOperation, spec: { query?: string; body?: string; contentType?: string; auth?: boolean; path?: Record<string, string>; encodeColons?: boolean } = {}): Promise<Exchange> {
    const parameters = await this.parameters(operation, spec.path);
    const given = new URLSearchParams(spec.query ?? '');
    const required = this.requiredQuery(operation, Object.fromEntries(Object.entries(parameters).filter(([name]) => !given.has(name))));
    const query = [required, spec.query].filter(Boolean).join('&') || undefined;
    const exchange = await this.client.send({
      method: operation.method,
      path: this.client.path(operation.path, parameters, { encodeColons: spec.encodeColons }),
      query,
      body: spec.body,
      contentType: spec.contentType,
      auth: spec.auth,
    });
    const seen = this.routes.get(operation.operationId) ?? { routed: false };
    if (!isMissingRoute(this.responses, exchange)) seen.routed = true;
    else seen.missing ??= exchange;
    this.routes.set(operation.operationId, seen);
    return exchange;
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

  /** A valid request to the operation: its path parameters, and its body made from the contract's example. */
  async validRequest(operation: SmnOperation, example: unknown = operation.requestExample): Promise<{ path: Record<string, string>; body: string | undefined }> {
    this.usable(operation);
    const path = await this.parameters(operation);
    return { path, body: await this.validBody(operation, example, path) };
  }

  /** The answer to a valid request, fetched once per operation and shared by the generic checks. */
  baseline(operationId: string): Promise<Exchange> {
    return this.once(`baseline ${operationId}`, async () => {
      const operation = this.operation(operationId);
      const { path, body } = await this.validRequest(operation);
      return this.request(operation, { path, body });
    });
  }

  /**
   * An error answer of the operation: the request without credentials. A write names
   * nothing the project has where it names a resource (what it could change), so that a
   * target that ignores credentials changes nothing of the account's.
   */
  refusal(operationId: string): Promise<Exchange> {
    return this.once(`refusal ${operationId}`, async () => {
      const operation = this.operation(operationId);
      const inert = NOT_MADE[operationId] !== undefined || (isWrite(operation) && (operation.method === 'DELETE' || /^Unsubscribe/.test(operationId)));
      const path = inert ? await this.inertParameters(operation) : undefined;
      const body = NOT_MADE[operationId] ? (operation.requestBody ? JSON.stringify(operation.requestExample) : undefined) : await this.validBody(operation, operation.requestExample, path, inert);
      return this.request(operation, { body, auth: false, path });
    });
  }

  /**
   * The exchanges a generic check looks at: the valid request, and an error answer.
   * Without a valid request (NOT_MADE, or nothing to read), the error answer alone, and
   * why the valid one is missing.
   */
  async samples(operation: SmnOperation): Promise<{ exchanges: Exchange[]; missing?: string }> {
    let valid: Exchange | undefined;
    let missing: string | undefined;
    try {
      valid = await this.baseline(operation.operationId);
    } catch (failure) {
      if (!(failure instanceof Unavailable) || failure.outcome !== 'skip') throw failure;
      missing = failure.message.replace(/^not run: /, '');
    }
    const refusal = await this.refusal(operation.operationId);
    return { exchanges: valid ? [valid, refusal] : [refusal], missing };
  }
}
