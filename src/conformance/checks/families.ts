// resource_round_trip: each family of resources the run can make goes through its life
// as a client would see it: made -> read (shows it) -> changed -> read (shows the
// change) -> removed -> read (not found, or no longer listed). Registered on the
// operation that makes one of the family; each step's request and answer are evidence.
// Everything is the run's own: a topic, subscription, template, application or device
// endpoint of the run's, or tags, attributes and filter policies on them.
import type { SmnOperation } from '../../contract/smn-responses.js';
import { fail, guarded, listOf, pass, skip, type Check, type CheckVerdict } from '../check.js';
import type { CheckContext } from '../context.js';
import { successStatus } from '../operations.js';
import type { Exchange } from '../target.js';

/** A member of a family the run made: the parameters that name it, and what it was made with. */
interface Made {
  path: Record<string, string>;
  exchange: Exchange;
}

interface Family {
  /** The operations a round trip calls, in order: make, read, change, remove (a deployment must route all). */
  uses: string[];
  make(context: CheckContext): Promise<Made>;
  /** What a read shows of the member (undefined when it shows nothing of it), and the exchange. */
  read(context: CheckContext, made: Made): Promise<{ shown: unknown; exchange: Exchange }>;
  /** The change: its request body, and what the read must show afterwards (undefined: the read cannot show it). */
  change(context: CheckContext, made: Made): { body: unknown; expected: unknown };
  /** What a read after the removal gives: the contract's not-found error of that parameter, or no longer shown. */
  gone: { notFound: string } | 'unshown';
  /** What the first read must show, when it can tell (a name of the run's). */
  expectedAtFirst?(made: Made): unknown;
}

const UPDATED = 'smn-kit conformance updated';
const json = (exchange: Exchange): Record<string, unknown> => (exchange.response.json ?? {}) as Record<string, unknown>;
const sent = (made: Made): Record<string, unknown> => JSON.parse(made.exchange.request.body ?? '{}') as Record<string, unknown>;
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
/** An access policy's statements by Sid, sorted: what a target that reformats the JSON text keeps. */
const statements = (text: unknown): unknown => {
  try {
    return ((JSON.parse(String(text)) as { Statement?: { Sid?: unknown; Action?: unknown }[] }).Statement ?? []).map((s) => `${String(s.Sid)} ${JSON.stringify(s.Action)}`).sort();
  } catch {
    return text;
  }
};

/** A read of one member by an operation taking the member's parameters. */
const readOne = (operationId: string, pick: (body: Record<string, unknown>) => unknown) => async (context: CheckContext, made: Made) => {
  const exchange = await context.request(context.operation(operationId), { path: made.path });
  return { shown: exchange.response.status === 200 ? pick(json(exchange)) : undefined, exchange };
};

/** A subscription as ListSubscriptionsByTopic lists it on its topic's first page. */
const listedSubscription = (pick: (item: Record<string, unknown>) => unknown) => async (context: CheckContext, made: Made) => {
  const exchange = await context.request(context.operation('ListSubscriptionsByTopic'), { query: 'offset=0&limit=100', path: { topic_urn: made.path.topic_urn! } });
  const item = listOf(exchange, 'subscriptions')?.find((s) => s.subscription_urn === made.path.subscription_urn);
  return { shown: item && pick(item), exchange };
};

const FAMILIES: Record<string, Family> = {
  CreateTopic: {
    uses: ['CreateTopic', 'ListTopicDetails', 'UpdateTopic', 'DeleteTopic'],
    make: async (context) => {
      const { urn, exchange } = await context.sandbox.createTopic('family');
      return { path: { topic_urn: urn }, exchange };
    },
    read: readOne('ListTopicDetails', (body) => ({ name: body.name, display_name: body.display_name })),
    expectedAtFirst: (made) => ({ name: sent(made).name, display_name: sent(made).display_name }),
    change: (_context, made) => ({ body: { display_name: UPDATED }, expected: { name: sent(made).name, display_name: UPDATED } }),
    gone: { notFound: 'topic_urn' },
  },
  AddSubscription: {
    uses: ['AddSubscription', 'ListSubscriptionsByTopic', 'UpdateSubscription', 'CancelSubscription'],
    make: async (context) => {
      const topic = (await context.sandbox.mainTopic()).urn;
      const { urn, exchange } = await context.sandbox.subscribe(topic, 'family');
      return { path: { topic_urn: topic, subscription_urn: urn }, exchange };
    },
    read: listedSubscription((item) => item.remark),
    expectedAtFirst: (made) => sent(made).remark,
    change: () => ({ body: { remark: UPDATED }, expected: UPDATED }),
    gone: 'unshown',
  },
  CreateMessageTemplate: {
    uses: ['CreateMessageTemplate', 'ListMessageTemplateDetails', 'UpdateMessageTemplate', 'DeleteMessageTemplate'],
    make: async (context) => {
      const { urn, exchange } = await context.sandbox.createTemplate('family');
      return { path: { message_template_id: urn }, exchange };
    },
    read: readOne('ListMessageTemplateDetails', (body) => ({ message_template_name: body.message_template_name, content: body.content })),
    expectedAtFirst: (made) => ({ message_template_name: sent(made).message_template_name, content: sent(made).content }),
    change: (_context, made) => {
      const content = `${UPDATED} {topic_id}`;
      return { body: { content }, expected: { message_template_name: sent(made).message_template_name, content } };
    },
    gone: { notFound: 'message_template_id' },
  },
  CreateApplication: {
    uses: ['CreateApplication', 'ListApplicationAttributes', 'UpdateApplication', 'DeleteApplication'],
    make: async (context) => {
      const { urn, exchange } = await context.sandbox.createApplication('family');
      return { path: { application_urn: urn }, exchange };
    },
    // The attributes show no credential: that the application is there is what a read can tell.
    read: readOne('ListApplicationAttributes', (body) => (typeof body.attributes === 'object' && body.attributes !== null ? 'attributes' : undefined)),
    expectedAtFirst: () => 'attributes',
    change: (_context, made) => ({ body: { platform_principal: sent(made).platform_principal, platform_credential: 'e'.repeat(32) }, expected: 'attributes' }),
    gone: { notFound: 'application_urn' },
  },
  CreateApplicationEndpoint: {
    uses: ['CreateApplicationEndpoint', 'ListApplicationEndpointAttributes', 'UpdateApplicationEndpoint', 'DeleteApplicationEndpoint'],
    make: async (context) => {
      const { urn, exchange } = await context.sandbox.createEndpoint((await context.sandbox.mainApplication()).urn, 'family');
      return { path: { endpoint_urn: urn }, exchange };
    },
    read: readOne('ListApplicationEndpointAttributes', (body) => (body.attributes as Record<string, unknown> | undefined)?.user_data),
    expectedAtFirst: (made) => sent(made).user_data,
    change: () => ({ body: { user_data: UPDATED }, expected: UPDATED }),
    gone: { notFound: 'endpoint_urn' },
  },
  UpdateTopicAttribute: {
    uses: ['UpdateTopicAttribute', 'ListTopicAttributes', 'DeleteTopicAttributeByName'],
    make: async (context) => {
      const topic = (await context.sandbox.createTopic('attributes')).urn;
      const path = { topic_urn: topic, name: 'access_policy' };
      const exchange = await context.request(context.operation('UpdateTopicAttribute'), { path, body: JSON.stringify({ value: context.accessPolicy(topic) }) });
      return { path, exchange };
    },
    read: async (context, made) => {
      const exchange = await context.request(context.operation('ListTopicAttributes'), { query: 'name=access_policy', path: { topic_urn: made.path.topic_urn! } });
      const policy = (json(exchange).attributes as Record<string, unknown> | undefined)?.access_policy;
      // Deleted, the attribute is back to its default, an empty string (or absent).
      return { shown: exchange.response.status === 200 && policy ? statements(policy) : undefined, exchange };
    },
    expectedAtFirst: (made) => statements(sent(made).value),
    change: (context, made) => {
      const policy = JSON.parse(context.accessPolicy(made.path.topic_urn!)) as { Statement: { Action: string[] }[] };
      for (const statement of policy.Statement) statement.Action = statement.Action.slice(0, 1);
      const value = JSON.stringify(policy);
      return { body: { value }, expected: statements(value) };
    },
    gone: 'unshown',
  },
  CreateResourceTag: {
    uses: ['CreateResourceTag', 'ListResourceTags', 'DeleteResourceTag'],
    make: async (context) => {
      const topic = (await context.sandbox.mainTopic()).urn;
      const key = `smn_kit_${context.sandbox.run}_family`;
      const path = { resource_type: 'smn_topic', resource_id: await context.sandbox.topicId(topic), key };
      const exchange = await context.request(context.operation('CreateResourceTag'), { path, body: JSON.stringify({ tag: { key, value: 'one' } }) });
      return { path, exchange };
    },
    read: async (context, made) => {
      const exchange = await context.request(context.operation('ListResourceTags'), { path: made.path });
      const tag = listOf(exchange, 'tags')?.find((t) => t.key === made.path.key);
      return { shown: tag?.value, exchange };
    },
    expectedAtFirst: () => 'one',
    // A tag of the same key replaces it (the vendor's "Adding a Tag": idempotent).
    change: (_context, made) => ({ body: { tag: { key: made.path.key, value: 'two' } }, expected: 'two' }),
    gone: 'unshown',
  },
  BatchCreateSubscriptionsFilterPolices: {
    uses: ['BatchCreateSubscriptionsFilterPolices', 'ListSubscriptionsByTopic', 'BatchUpdateSubscriptionsFilterPolices', 'BatchDeleteSubscriptionsFilterPolices'],
    make: async (context) => {
      const topic = (await context.sandbox.mainTopic()).urn;
      const { urn } = await context.sandbox.subscribe(topic, 'policies');
      const body = { polices: [{ subscription_urn: urn, filter_polices: [{ name: 'kit_conformance', string_equals: ['one'] }] }] };
      const exchange = await context.request(context.operation('BatchCreateSubscriptionsFilterPolices'), { body: JSON.stringify(body) });
      return { path: { topic_urn: topic, subscription_urn: urn }, exchange };
    },
    read: listedSubscription((item) => (Array.isArray(item.filter_polices) && item.filter_polices.length > 0 ? item.filter_polices : undefined)),
    expectedAtFirst: () => [{ name: 'kit_conformance', string_equals: ['one'] }],
    change: (_context, made) => {
      const policies = [{ name: 'kit_conformance', string_equals: ['two'] }];
      return { body: { polices: [{ subscription_urn: made.path.subscription_urn, filter_polices: policies }] }, expected: policies };
    },
    gone: 'unshown',
  },
};

/** The removal of a member: the family's last operation, with the member's parameters (a batch names them in its body). */
async function remove(context: CheckContext, family: Family, made: Made): Promise<Exchange> {
  const operation = context.operation(family.uses.at(-1)!);
  if (operation.operationId === 'BatchDeleteSubscriptionsFilterPolices') return context.request(operation, { body: JSON.stringify({ subscription_urns: [made.path.subscription_urn] }) });
  const path = operation.operationId === 'DeleteResourceTag' || operation.operationId === 'DeleteTopicAttributeByName' ? made.path : pick(operation, made.path);
  return context.request(operation, { path });
}

/** The parameters of `path` that the operation's path names. */
const pick = (operation: SmnOperation, path: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(path).filter(([name]) => operation.path.includes(`{${name}}`)));

/** The change: the family's third operation (the first again, for those whose write replaces: tags, attributes). */
async function change(context: CheckContext, family: Family, made: Made, body: unknown): Promise<Exchange> {
  const operation = context.operation(family.uses.length === 4 ? family.uses[2]! : family.uses[0]!);
  return context.request(operation, { path: pick(operation, made.path), body: JSON.stringify(body) });
}

async function roundTrip(context: CheckContext, operation: SmnOperation, family: Family): Promise<CheckVerdict> {
  const left = family.uses.filter((id) => !context.selected(id));
  if (left.length > 0) return skip(`not run: the round trip needs ${left.join(', ')}, left out by --operations`);
  const made = await family.make(context);
  const steps: string[] = [];
  const made201 = successStatus(operation);
  if (made.exchange.response.status !== made201) return fail(`${operation.operationId} must get ${made201}; received ${made.exchange.response.status}`, made.exchange);
  const first = await family.read(context, made);
  const expected = family.expectedAtFirst?.(made);
  if (first.shown === undefined || (expected !== undefined && !same(first.shown, expected))) {
    return fail(`${family.uses[1]} after ${operation.operationId}: expected it to show ${JSON.stringify(expected ?? 'it')}, received ${first.exchange.response.status} showing ${JSON.stringify(first.shown) ?? 'nothing of it'}`, first.exchange);
  }
  steps.push(`made, ${family.uses[1]} shows it`);
  const { body, expected: after } = family.change(context, made);
  const changed = await change(context, family, made, body);
  const changer = family.uses.length === 4 ? family.uses[2]! : family.uses[0]!;
  if (context.lacksEditionOperation(changer, changed)) {
    return skip(`${steps.join('; ')}; the change needs ${changer}, which only one edition of the vendor's documents has, and the target does not route it`);
  }
  if (changed.response.status !== 200) return fail(`the change (${JSON.stringify(body)}) must get 200; received ${changed.response.status}`, changed);
  const second = await family.read(context, made);
  if (!same(second.shown, after)) return fail(`${family.uses[1]} after the change: expected ${JSON.stringify(after)}, received ${JSON.stringify(second.shown) ?? 'nothing of it'}`, second.exchange);
  steps.push('changed, the read shows the change');
  const removed = await remove(context, family, made);
  if (removed.response.status !== 200) return fail(`${family.uses.at(-1)} must get 200; received ${removed.response.status}`, removed);
  const third = await family.read(context, made);
  if (family.gone === 'unshown') {
    if (third.shown !== undefined) return fail(`${family.uses[1]} after ${family.uses.at(-1)} answered 200 still shows ${JSON.stringify(third.shown)}`, third.exchange);
    steps.push('removed, no longer shown');
  } else {
    const name = context.responses.contract.notFoundErrors.get(family.gone.notFound) ?? '';
    const documented = context.responses.contract.errors.get(name)?.body;
    const code = documented && 'code' in documented ? documented.code : name;
    const received = (third.exchange.response.json as { code?: unknown } | undefined)?.code;
    if (third.exchange.response.status !== 404 || received !== code) {
      return fail(`${family.uses[1]} after ${family.uses.at(-1)} answered 200 must get 404 ${code}; received ${third.exchange.response.status}${typeof received === 'string' ? ` ${received}` : ''}`, third.exchange);
    }
    steps.push(`removed, then 404 ${code}`);
  }
  return pass(steps.join('; '));
}

export const resourceRoundTrip: Check = {
  name: 'resource_round_trip',
  operations: Object.keys(FAMILIES),
  run: guarded((context, operation) => roundTrip(context, operation, FAMILIES[operation.operationId]!)),
};
