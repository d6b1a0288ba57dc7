// The round trips: what a write does must show in the reads that follow. A topic made
// is listed and deleted, a subscription added is listed and cancelled, the callback
// bindings written back are reported unchanged. Each writes only what the run owns.
import { compareBindings } from '../bindings.js';
import { error, fail, guarded, listOf, pass, type Check, type CheckVerdict } from '../check.js';
import type { CheckContext } from '../context.js';
import { ADD_SUBSCRIPTION, CANCEL_SUBSCRIPTION, CREATE_TOPIC, DELETE_TOPIC, LIST_SUBSCRIPTIONS_BY_TOPIC, LIST_TOPICS, UPDATE_SMS_EVENT } from '../operations.js';

export const topicRoundTrip: Check = {
  name: 'topic_round_trip',
  operations: [CREATE_TOPIC],
  run: guarded((context) => checkTopicRoundTrip(context)),
};

export const subscriptionRoundTrip: Check = {
  name: 'subscription_round_trip',
  operations: [ADD_SUBSCRIPTION],
  run: guarded((context) => checkSubscriptionRoundTrip(context)),
};

export const updateRoundTrip: Check = {
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
};

/**
 * CreateTopic -> ListTopics lists it -> CreateTopic again answers 200 and the same URN
 * (idempotent) -> DeleteTopic -> ListTopics no longer lists it, and its subscriptions are
 * 404. The topic is the run's own, deleted even when a step fails. (Where ListTopics puts
 * it is topics_newest_first's to judge, by creation time.)
 */
async function checkTopicRoundTrip(context: CheckContext): Promise<CheckVerdict> {
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
    return pass(`created ${name}: listed, 200 and the same URN again, deleted, no longer listed, its subscriptions 404`);
  } finally {
    if (context.sandbox.owns('topic', created.urn)) await context.request(context.operation(DELETE_TOPIC), { path: { topic_urn: created.urn } }).catch(() => undefined);
  }
}

/**
 * AddSubscription to the run's topic -> ListSubscriptionsByTopic lists it, unconfirmed
 * -> AddSubscription again answers 200 and the same URN -> CancelSubscription ->
 * no longer listed -> CancelSubscription again is 404.
 */
async function checkSubscriptionRoundTrip(context: CheckContext): Promise<CheckVerdict> {
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
