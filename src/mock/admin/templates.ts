// The message templates' shortcut: POST /_mock/templates adds a template (or replaces the
// content of the project's one of that name and protocol), in the same state as
// CreateMessageTemplate: it is listed, shown, changed and deleted by the API like any other.
import type { RequestTarget } from '../engine/request.js';
import { parseObject, problem, projectOf, type AdminContext, type AdminReply } from './request.js';

/** What CreateMessageTemplate documents: 256 KB of content (counted in characters here; the API counts bytes). */
const TEMPLATE_MAX = 256 * 1024;

export function addTemplate(target: RequestTarget, text: string, context: AdminContext): AdminReply {
  const parsed = parseObject(text);
  if (!parsed.value) return parsed.error!;
  const { message_template_name: name, protocol = 'default', content } = parsed.value;
  const at = (pointer: string) => (p: { pointer: string }) => ({ ...p, pointer: `${pointer}${p.pointer}` });
  const problems = [
    ...context.responses.validateSchema('MessageTemplateName', name).map(at('/message_template_name')),
    // The protocols a template may be for are the contract's (CreateMessageTemplate's).
    ...context.responses.validateSchema('TemplateProtocol', protocol).map(at('/protocol')),
    ...(typeof content === 'string' && content !== '' && content.length <= TEMPLATE_MAX ? [] : [{ rule: 'type', pointer: '/content', expected: `a text of 1 to ${TEMPLATE_MAX} characters`, received: JSON.stringify(content)?.slice(0, 80) ?? 'nothing' }]),
  ];
  if (problems.length > 0) return problem(400, 'not a valid message template', problems);
  const projectId = projectOf(target, parsed.value, context);
  if (typeof projectId !== 'string') return projectId;
  const template = context.state.families.templates.add(projectId, { message_template_name: String(name), protocol: String(protocol), content: String(content) });
  return { status: 201, body: template };
}
