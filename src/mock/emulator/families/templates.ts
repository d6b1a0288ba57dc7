// Message templates (PublishMessage with `message_template_name`): per project, one text
// per name and protocol (or `default`), added with POST /_mock/templates.
import { Family, type FamilyCore, type FamilyModule } from '../family.js';
import { StateLimitError } from '../limits.js';
import { projectKey } from '../projects.js';

/** A message template, for one protocol or `default`. */
export interface MessageTemplate {
  message_template_name: string;
  protocol: string;
  /** Text whose `{tag}` variables the publication's `tags` replace. */
  content: string;
}

export type TemplateChange = { kind: 'template'; project: string; template: MessageTemplate };

/** Absent when none. */
export interface TemplatesPart {
  templates?: MessageTemplate[];
}

export const TEMPLATE_LIMITS = {
  /** Message templates, all projects together (SMN's quota per account; each up to 256 KB). */
  templates: { max: 100, code: 'SMN.0044' },
} as const;

const sameTemplate = (a: MessageTemplate, b: MessageTemplate): boolean => a.message_template_name === b.message_template_name && a.protocol === b.protocol;

export class Templates extends Family<TemplateChange, TemplatesPart> {
  readonly kinds = ['template'] as const;
  override readonly quotaCode = TEMPLATE_LIMITS.templates.code;
  /** By project key, in the order they were added. */
  private byProject = new Map<string, MessageTemplate[]>();
  private count = 0;

  constructor(private readonly core: FamilyCore<TemplateChange>) {
    super();
  }

  override admit(change: TemplateChange): void {
    const { max, code } = TEMPLATE_LIMITS.templates;
    const replacing = this.byProject.get(projectKey(change.project))?.some((t) => sameTemplate(t, change.template));
    if (!replacing && this.count >= max) throw new StateLimitError(code, `the emulator keeps at most ${max} message templates, all projects together`);
  }

  override apply(change: TemplateChange): void {
    const key = projectKey(change.project);
    let templates = this.byProject.get(key);
    if (!templates) this.byProject.set(key, (templates = []));
    const at = templates.findIndex((t) => sameTemplate(t, change.template));
    if (at === -1) {
      templates.push(change.template);
      this.count += 1;
    } else {
      templates[at] = change.template;
    }
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
    this.byProject.set(key, part.templates);
    this.count += part.templates.length;
  }

  override pastLimit(): boolean {
    return this.count > TEMPLATE_LIMITS.templates.max;
  }

  /** Adds a message template, or replaces the project's one of that name and protocol. */
  add(projectId: string, template: MessageTemplate): void {
    this.core.change({ kind: 'template', project: projectId, template });
  }

  /** The project's template of this name for the protocol, else its `default` one. */
  find(projectId: string, name: string, protocol: string): MessageTemplate | undefined {
    const templates = this.byProject.get(projectKey(projectId))?.filter((t) => t.message_template_name === name) ?? [];
    return templates.find((t) => t.protocol === protocol) ?? templates.find((t) => t.protocol === 'default');
  }

  /** Whether the project has a template of this name, for any protocol. */
  has(projectId: string, name: string): boolean {
    return this.byProject.get(projectKey(projectId))?.some((t) => t.message_template_name === name) ?? false;
  }
}

export const templates = {
  create: (core) => new Templates(core),
  limits: TEMPLATE_LIMITS,
} satisfies FamilyModule<Templates>;
