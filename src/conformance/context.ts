// What the checks of one run share: the client, the contract, the callback bindings and
// the run's own topics, the requests a check sends to an operation, and the answers the
// generic checks all look at, fetched once.
import { smnResponses, type SmnOperation, type SmnResponses } from '../contract/smn-responses.js';
import { CallbackBindings } from './bindings.js';
import type { ConformanceOptions } from './options.js';
import { requestLabel } from './evidence.js';
import { isMissingRoute, isWrite, LIST_SMS_EVENT, UPDATE_SMS_EVENT } from './operations.js';
import { Sandbox } from './sandbox.js';
import { TargetClient, type Exchange } from './target.js';

/** What the checks share in one run: the client, the contract, and answers fetched once. */
export class CheckContext {
  readonly client: TargetClient;
  readonly responses: SmnResponses;
  /** The callback bindings the write checks must leave as they found them. */
  readonly bindings: CallbackBindings;
  /** The topics and subscriptions the run makes, and deletes at the end. */
  readonly sandbox: Sandbox;
  private readonly memo = new Map<string, Promise<unknown>>();
  /** Per operation, whether an answer came from a route of the target, and the first that was the gateway's "no such API". */
  private readonly routes = new Map<string, { routed: boolean; missing?: Exchange }>();

  constructor(readonly options: ConformanceOptions, responses: SmnResponses = smnResponses()) {
    this.client = new TargetClient(options);
    this.responses = responses;
    this.bindings = new CallbackBindings(this.client, responses, this.operation(LIST_SMS_EVENT), this.operation(UPDATE_SMS_EVENT));
    this.sandbox = new Sandbox(this.client, (operationId) => this.operation(operationId), options.allowWrites, (exchange) => isMissingRoute(responses, exchange));
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
    // Any URN will do to find a route; one of the run's when it has one, else one made up (the run may have no topic to take the region from).
    const made = `urn:smn:cn-north-4:${this.options.projectId}:${this.sandbox.topicName('absent')}`;
    const parameters = await this.absentParameters(operation).catch(() => Object.fromEntries(operation.parameters.filter((p) => p.in === 'path' && p.name !== 'project_id').map((p) => [p.name, p.name === 'subscription_urn' ? `${made}:${'0'.repeat(32)}` : made])));
    let probe: Exchange;
    try {
      probe = await this.client.send({ method: operation.method, path: this.client.path(operation.path, parameters, { encodeColons: true }), auth: false });
    } catch {
      return undefined;
    }
    if (!isMissingRoute(this.responses, probe)) return undefined;
    const { status, json } = exchange.response;
    return `the target does not route ${operation.operationId} (${operation.method} ${operation.path}): ${requestLabel(exchange.request)} got ${status} ${String((json as { error_code?: unknown }).error_code)} (no such API), with the URN's colons raw and percent-encoded`;
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
    const exchange = await this.client.send({ method: operation.method, path, query: spec.query, body: spec.body, contentType: spec.contentType, auth: spec.auth });
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
