// The subscription users' shortcut: POST /_mock/subscription-users adds a user to the
// project's subscription user list (or replaces the one of its id), for
// AddSubscriptionFromSubscriptionUser to subscribe by id. The vendor keeps that list in
// its console (and a global API the SDK does not have); the emulator starts with none.
import { randomBytes } from 'node:crypto';
import type { RequestTarget } from '../engine/request.js';
import type { SubscriptionUser } from '../emulator/families/subscription-users.js';
import { parseObject, problem, projectOf, type AdminContext, type AdminReply } from './request.js';

/** The kit's bound on a user's id and name (the vendor documents none). */
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const NAME_MAX = 128;

export function addSubscriptionUser(target: RequestTarget, text: string, context: AdminContext): AdminReply {
  const parsed = parseObject(text);
  if (!parsed.value) return parsed.error!;
  const { id = randomBytes(16).toString('hex'), name = '', protocol, endpoint } = parsed.value;
  // The endpoint a user stands for obeys what AddSubscription takes for its protocol.
  const problems = [
    ...context.responses.validateSchema('SubscriptionToAdd', { protocol, endpoint }),
    ...(typeof id === 'string' && ID.test(id) ? [] : [{ rule: 'pattern', pointer: '/id', expected: '1 to 64 letters, digits, - and _', received: JSON.stringify(id)?.slice(0, 80) ?? 'nothing' }]),
    ...(typeof name === 'string' && name.length <= NAME_MAX ? [] : [{ rule: 'type', pointer: '/name', expected: `a text of at most ${NAME_MAX} characters`, received: JSON.stringify(name)?.slice(0, 80) ?? 'nothing' }]),
  ];
  if (problems.length > 0) return problem(400, 'not a valid subscription user', problems);
  const projectId = projectOf(target, parsed.value, context);
  if (typeof projectId !== 'string') return projectId;
  const user = { id: id as string, name: name as string, protocol: protocol as SubscriptionUser['protocol'], endpoint: endpoint as string };
  context.state.families.subscriptionUsers.add(projectId, user);
  return { status: 201, body: user };
}
