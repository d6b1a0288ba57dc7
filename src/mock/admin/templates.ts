// The message templates' shortcut: POST /_mock/templates adds a template (or replaces the
// project's one of that name and protocol).
import type { RequestTarget } from '../engine/request.js';
import { parseObject, problem, projectOf, type AdminContext, type AdminReply } from './request.js';

/** What CreateMessageTemplate documents: the protocols a template is for, and 256 KB of content (counted in characters). */
const TEMPLATE_PROTOCOLS = ['default', 'email', 'sms', 'http', 'https'];
const TEMPLATE_MAX = 256 * 1024;

export function addTemplate(target: RequestTarget, text: string, context: AdminContext): AdminReply {
  const parsed = parseObject(text);
  if (!parsed.value) return parsed.error!;
  const { message_template_name: name, protocol = 'default', content } = parsed.value;
  const problems = [
    ...context.responses.validateSchema('MessageTemplateName', name).map((p) => ({ ...p, pointer: `/message_template_name${p.pointer}` })),
    ...(typeof protocol === 'string' && TEMPLATE_PROTOCOLS.includes(protocol) ? [] : [{ rule: 'enum', pointer: '/protocol', expected: `one of ${JSON.stringify(TEMPLATE_PROTOCOLS)}`, received: JSON.stringify(protocol) }]),
    ...(typeof content === 'string' && content !== '' && content.length <= TEMPLATE_MAX ? [] : [{ rule: 'type', pointer: '/content', expected: `a text of 1 to ${TEMPLATE_MAX} characters`, received: JSON.stringify(content)?.slice(0, 80) ?? 'nothing' }]),
  ];
  if (problems.length > 0) return problem(400, 'not a valid message template', problems);
  const template = { message_template_name: String(name), protocol: String(protocol), content: String(content) };
  const projectId = projectOf(target, parsed.value, context);
  if (typeof projectId !== 'string') return projectId;
  context.state.families.templates.add(projectId, template);
  return { status: 201, body: template };
}
