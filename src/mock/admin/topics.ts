// The topics' shortcut: POST /_mock/topics makes a topic URN known (any project's), for
// bindings (--strict-topics) and subscriptions to name.
import type { RequestTarget } from '../engine/request.js';
import { parseObject, problem, type AdminContext, type AdminReply } from './request.js';

export function addTopic(_target: RequestTarget, text: string, context: AdminContext): AdminReply {
  const parsed = parseObject(text);
  if (!parsed.value) return parsed.error!;
  const topic = parsed.value.topic_urn;
  const problems = context.responses.validateSchema('TopicUrn', topic);
  if (problems.length > 0) return problem(400, 'topic_urn is not a valid topic URN', problems.map((p) => ({ ...p, pointer: `/topic_urn${p.pointer}` })));
  context.state.families.topics.add(String(topic));
  return { status: 201, body: { topic_urn: topic } };
}
