// Message templates: CreateMessageTemplate, ListMessageTemplates,
// ListMessageTemplateDetails, UpdateMessageTemplate, DeleteMessageTemplate, the shortcut
// POST /_mock/templates (admin/templates.ts), and the text a publication naming a
// template sends (publish.ts reads it through `publication`).
//
// As the vendor's pages describe them (Open Telekom Cloud api-ref "Template Operations",
// Huawei Cloud's CreateMessageTemplate): a template is told apart by its name and
// protocol, a name must have a `default` template for a publication to use it, the list is
// oldest first (creation time ascending), and an account has at most 100 templates.
import { createHash } from 'node:crypto';
import type { CreateMessageTemplateRequest, MessageTemplateSummary, UpdateMessageTemplateRequest } from '../../../generated/smn.js';
import { pageOf, shapeList, type Shaper } from '../../engine/examples.js';
import { Family, notFound, type FamilyCore, type FamilyModule, type Handler } from '../family.js';
import { StateLimitError } from '../limits.js';
import { projectKey } from '../projects.js';
import { newResourceId, smnTime } from '../stamps.js';

/** A message template as the emulator keeps it. */
export interface MessageTemplate {
  message_template_id: string;
  message_template_name: string;
  /** `default`, or the protocol whose subscribers get it. */
  protocol: string;
  /** Text whose `{tag}` variables the publication's `tags` replace. */
  content: string;
  create_time: string;
  update_time: string;
}

/** What a template is made from (POST /_mock/templates, RunningMock.state.addTemplate). */
export type TemplateFields = Pick<MessageTemplate, 'message_template_name' | 'protocol' | 'content'>;

/**
 * A template as a state file may hold it: the files written before the emulator had
 * CreateMessageTemplate kept no id and no times (they are given some when read).
 */
type KeptTemplate = TemplateFields & Partial<Pick<MessageTemplate, 'message_template_id' | 'create_time' | 'update_time'>>;

export type TemplateChange =
  /** Adds a template, or replaces the content of the project's one of that name and protocol (its id and create_time stay). */
  | { kind: 'template'; project: string; template: KeptTemplate }
  | { kind: 'template-content'; project: string; message_template_id: string; content: string; update_time: string }
  | { kind: 'delete-template'; project: string; message_template_id: string };

/** Absent when none. */
export interface TemplatesPart {
  templates?: KeptTemplate[];
}

export const TEMPLATE_LIMITS = {
  /**
   * Message templates, all projects together: SMN's quota is 100 per account ("By default,
   * a user can create a maximum of 100 message templates"), each up to 256 KB.
   */
  templates: { max: 100, code: 'SMN.0044' },
} as const;

/**
 * A variable of a template: `{name}`, the name 1 to 21 characters (the bound of a `tags`
 * key), none a brace or a space (the contract's MessageTemplateContent, x-kit-choice).
 */
const VARIABLE = /\{([^{}\s]{1,21})\}/g;

/** The names of a template's variables, each once, in the order they first appear (`tag_names`). */
export function tagNames(content: string): string[] {
  return [...new Set(Array.from(content.matchAll(VARIABLE), (match) => match[1]!))];
}

/** The template's text with each variable the tags name replaced by its value; a variable without a tag stays as written. */
export function renderTemplate(content: string, tags: Readonly<Record<string, string>>): string {
  return content.replace(VARIABLE, (whole, name: string) => (Object.hasOwn(tags, name) ? tags[name]! : whole));
}

/** What a template is known by in the state file when it was kept without an id: the same id at every start. */
const keptId = (key: string, template: TemplateFields): string => createHash('md5').update(`${key}\n${template.message_template_name}\n${template.protocol}`).digest('hex');

const sameTemplate = (a: TemplateFields, b: TemplateFields): boolean => a.message_template_name === b.message_template_name && a.protocol === b.protocol;

/** As ListMessageTemplates lists a template: without its content. */
const summary = (t: MessageTemplate): Required<MessageTemplateSummary> => ({
  message_template_id: t.message_template_id,
  message_template_name: t.message_template_name,
  protocol: t.protocol,
  tag_names: tagNames(t.content),
  create_time: t.create_time,
  update_time: t.update_time,
});

/** ListMessageTemplates' filters: `message_template_name` and `protocol`, each an exact match; absent or empty, no filter. */
function templateFilter(query: URLSearchParams): (t: { message_template_name: string; protocol: string }) => boolean {
  const name = query.get('message_template_name') || undefined;
  const protocol = query.get('protocol') || undefined;
  return (t) => (name === undefined || t.message_template_name === name) && (protocol === undefined || t.protocol === protocol);
}

/** Why a publication naming a template has no text: no template of that name, or none of the `default` protocol. */
export type NoTemplate = 'none' | 'no-default';

export class Templates extends Family<TemplateChange, TemplatesPart> {
  readonly kinds = ['template', 'template-content', 'delete-template'] as const;
  override readonly quotaCode = TEMPLATE_LIMITS.templates.code;
  /** By project key, oldest first. */
  private byProject = new Map<string, MessageTemplate[]>();
  private count = 0;

  constructor(private readonly core: FamilyCore<TemplateChange>) {
    super();
  }

  override admit(change: TemplateChange): void {
    if (change.kind !== 'template') return;
    const { max, code } = TEMPLATE_LIMITS.templates;
    const replacing = this.byProject.get(projectKey(change.project))?.some((t) => sameTemplate(t, change.template));
    if (!replacing && this.count >= max) throw new StateLimitError(code, `Exceeded template limit: the emulator keeps at most ${max} message templates, all projects together (SMN's quota per account)`);
  }

  override shrinks(change: TemplateChange): boolean {
    return change.kind === 'delete-template';
  }

  override apply(change: TemplateChange): void {
    const key = projectKey(change.project);
    const templates = this.byProject.get(key);
    switch (change.kind) {
      case 'template': {
        const list = templates ?? [];
        if (!templates) this.byProject.set(key, list);
        const kept = list.find((t) => sameTemplate(t, change.template));
        if (kept) {
          kept.content = change.template.content;
          kept.update_time = change.template.update_time ?? kept.update_time;
          return;
        }
        list.push(this.complete(key, change.template));
        this.count += 1;
        return;
      }
      case 'template-content': {
        const kept = templates?.find((t) => t.message_template_id === change.message_template_id);
        if (kept) {
          kept.content = change.content;
          kept.update_time = change.update_time;
        }
        return;
      }
      case 'delete-template': {
        const at = templates?.findIndex((t) => t.message_template_id === change.message_template_id) ?? -1;
        if (at !== -1) {
          templates!.splice(at, 1);
          this.count -= 1;
        }
        return;
      }
    }
  }

  /** A template with the id and times a state file written before CreateMessageTemplate lacks. */
  private complete(key: string, template: KeptTemplate): MessageTemplate {
    const time = template.create_time ?? template.update_time ?? smnTime();
    return {
      message_template_id: template.message_template_id ?? keptId(key, template),
      message_template_name: template.message_template_name,
      protocol: template.protocol,
      content: template.content,
      create_time: time,
      update_time: template.update_time ?? time,
    };
  }

  override reset(): void {
    this.byProject = new Map();
    this.count = 0;
  }

  override projectPart(key: string): TemplatesPart {
    const templates = this.byProject.get(key);
    return templates?.length ? { templates } : {};
  }

  override restoreProject(key: string, part: TemplatesPart): void {
    if (!part.templates) return;
    this.byProject.set(
      key,
      part.templates.map((t) => this.complete(key, t)),
    );
    this.count += part.templates.length;
  }

  override pastLimit(): boolean {
    return this.count > TEMPLATE_LIMITS.templates.max;
  }

  /** The project's templates, oldest first. */
  private all(projectId: string): readonly MessageTemplate[] {
    return this.byProject.get(projectKey(projectId)) ?? [];
  }

  private byId(projectId: string, id: string): MessageTemplate | undefined {
    return this.all(projectId).find((t) => t.message_template_id === id);
  }

  /** Adds a template, or replaces the content of the project's one of that name and protocol; returns it as kept. */
  add(projectId: string, fields: TemplateFields, now: Date = new Date()): MessageTemplate {
    const time = smnTime(now);
    const template: MessageTemplate = { message_template_id: newResourceId(), ...fields, create_time: time, update_time: time };
    this.core.change({ kind: 'template', project: projectId, template });
    return { ...this.all(projectId).find((t) => sameTemplate(t, fields))! };
  }

  /** The project's template of this name for the protocol, else its `default` one. */
  find(projectId: string, name: string, protocol: string): MessageTemplate | undefined {
    const named = this.all(projectId).filter((t) => t.message_template_name === name);
    return named.find((t) => t.protocol === protocol) ?? named.find((t) => t.protocol === 'default');
  }

  /** Whether the project has a template of this name, for any protocol. */
  has(projectId: string, name: string): boolean {
    return this.all(projectId).some((t) => t.message_template_name === name);
  }

  /**
   * The text a publication naming this template sends to each protocol: the template of
   * the protocol, else the `default` one, its variables replaced by the tags. Without a
   * `default` template the name cannot be published with ("If you create a custom
   * template but do not create a default template with the same name, you cannot use the
   * custom template to publish messages", Creating a Message Template).
   */
  publication(projectId: string, name: string, tags: Readonly<Record<string, string>>): ((protocol: string) => string) | NoTemplate {
    if (!this.has(projectId, name)) return 'none';
    if (!this.all(projectId).some((t) => t.message_template_name === name && t.protocol === 'default')) return 'no-default';
    // The texts are rendered once each, whatever the number of subscribers.
    const rendered = new Map<string, string>();
    return (protocol) => {
      const template = this.find(projectId, name, protocol)!;
      let text = rendered.get(template.message_template_id);
      if (text === undefined) rendered.set(template.message_template_id, (text = renderTemplate(template.content, tags)));
      return text;
    };
  }

  override readonly handlers: Readonly<Record<string, Handler>> = {
    CreateMessageTemplate: ({ projectId, body }) => {
      const { message_template_name: name, protocol = 'default', content } = body as CreateMessageTemplateRequest;
      if (this.all(projectId).some((t) => t.message_template_name === name && t.protocol === protocol)) {
        return { error: 'SMN.0025', reason: `the project has a message template ${name} for the protocol ${protocol} already`, where: ['body', 'message_template_name'] };
      }
      const template = this.add(projectId, { message_template_name: name, protocol, content });
      return { body: { request_id: '', message_template_id: template.message_template_id } };
    },
    ListMessageTemplates: ({ operation, projectId, query }) => {
      const matching = this.all(projectId).filter(templateFilter(query));
      const [offset, limit] = pageOf(operation, query);
      return { body: { request_id: '', message_template_count: matching.length, message_templates: matching.slice(offset, offset + limit).map(summary) } };
    },
    ListMessageTemplateDetails: ({ contract, projectId, path }) => {
      const template = this.byId(projectId, path.message_template_id!);
      if (!template) return notFound(contract, 'message_template_id', `no message template ${path.message_template_id} in project ${projectId}`);
      return { body: { request_id: '', ...summary(template), content: template.content } };
    },
    UpdateMessageTemplate: ({ contract, projectId, path, body }) => {
      const id = path.message_template_id!;
      if (!this.byId(projectId, id)) return notFound(contract, 'message_template_id', `no message template ${id} in project ${projectId}`);
      const { content } = body as UpdateMessageTemplateRequest;
      this.core.change({ kind: 'template-content', project: projectId, message_template_id: id, content, update_time: smnTime() });
      return { body: { request_id: '' } };
    },
    DeleteMessageTemplate: ({ contract, projectId, path }) => {
      const id = path.message_template_id!;
      if (!this.byId(projectId, id)) return notFound(contract, 'message_template_id', `no message template ${id} in project ${projectId}`);
      this.core.change({ kind: 'delete-template', project: projectId, message_template_id: id });
      return { body: { request_id: '' } };
    },
  };
}

const TEMPLATE_SHAPES: Readonly<Record<string, Shaper>> = {
  ListMessageTemplates: (operation, body, query) =>
    Array.isArray(body.message_templates) ? shapeList(operation, query, body, 'message_templates', 'message_template_count', templateFilter(query)) : body,
};

export const templates = {
  create: (core) => new Templates(core),
  limits: TEMPLATE_LIMITS,
  shapes: TEMPLATE_SHAPES,
} satisfies FamilyModule<Templates>;
