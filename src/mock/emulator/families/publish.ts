// Publishing to a topic: PublishMessage. The text each subscriber gets comes from the
// body's `message_structure`, template or `message` (SMN's order); the notifier sends it
// to every confirmed subscriber of the topic: a signed SMN notification to an http(s)
// one, the outbox for the others (delivery/notifier.ts). Publish keeps no state: it
// reads the topics, their subscriptions and the templates.
import { randomBytes } from 'node:crypto';
import type { SmnResponses } from '../../../contract/smn-responses.js';
import { fieldSchema } from '../../../contract/body-fields.js';
import type { PublishMessageRequest, Subscription } from '../../../generated/smn.js';
import { JsonInputError, parseJson } from '../../../net/json.js';
import type { PublishedText } from '../../delivery/notifier.js';
import { Family, topicNotFound, type FamilyModule, type Handler } from '../family.js';

/** What publishing reads of the other families. */
export interface PublishReads {
  topics: {
    knows(projectId: string, topicUrn: string): boolean;
    find(projectId: string, topicUrn: string): { display_name: string } | undefined;
  };
  subscriptions: { all(projectId: string): readonly Subscription[] };
  templates: {
    has(projectId: string, name: string): boolean;
    find(projectId: string, name: string, protocol: string): { content: string } | undefined;
  };
}

const STRUCTURE = ['body', 'message_structure'];

/** A field of PublishMessage's body, as the contract describes it: its contentSchema, its codes. */
const field = (responses: SmnResponses, name: string): { contentSchema?: Record<string, unknown>; 'x-error': string; 'x-not-found'?: string } =>
  fieldSchema(responses.componentSchema('PublishMessageRequest'), name) as unknown as { 'x-error': string };

/** PublishMessage's body, every field optional: the generated union's first branch (each other branch requires one of them). */
export type PublishBody = Extract<PublishMessageRequest, { subject?: string }>;

export class Publish extends Family {
  readonly kinds = [] as const;

  constructor(private readonly families: PublishReads) {
    super();
  }

  override readonly handlers: Readonly<Record<string, Handler>> = {
    PublishMessage: async ({ contract, responses, projectId, path, body, notifier }) => {
      const { topics, subscriptions } = this.families;
      const topicUrn = path.topic_urn!;
      if (!topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
      const chosen = this.publishedText(responses, projectId, body);
      if ('error' in chosen) return chosen;
      const messageId = randomBytes(16).toString('hex');
      const subscribers = subscriptions.all(projectId).filter((s) => s.topic_urn === topicUrn);
      const { subject, time_to_live: timeToLive } = body as PublishBody;
      // SMN answers once the message is saved and delivers after; the emulator answers
      // once each subscriber has had its first attempt, so that a test finds the
      // notifications there, and so that publishers wait for slow subscribers rather than
      // pile deliveries up. Retries follow in the background, within time_to_live (a
      // string of seconds, its bounds the contract's).
      await notifier.publish(projectId, subscribers, chosen.text, {
        messageId,
        subject: subject || undefined,
        sender: topics.find(projectId, topicUrn)?.display_name || undefined,
        timeToLiveSeconds: timeToLive === undefined ? undefined : Number(timeToLive),
      });
      return { body: { request_id: '', message_id: messageId } };
    },
  };

  /**
   * The text of a PublishMessage for each protocol, or the documented error (the codes are
   * the contract's): a `message_structure` that is not what its contentSchema says
   * (SMN.0021), a template without its `tags` (SMN.0038) or one the project does not have
   * (SMN.0027, x-not-found). The contract has already checked the fields' types and bounds.
   */
  private publishedText(responses: SmnResponses, projectId: string, raw: unknown): { text: PublishedText } | { error: string; reason: string; where: string[] } {
    const body = raw as PublishBody;
    if (body.message_structure !== undefined) {
      let structure: unknown;
      try {
        structure = parseJson(body.message_structure);
      } catch (error) {
        if (error instanceof JsonInputError) return { error: field(responses, 'message_structure')['x-error'], reason: `message_structure is ${error.message}`, where: STRUCTURE };
        throw error;
      }
      // What a structure must be is the contract's (contentSchema of message_structure).
      const { contentSchema, 'x-error': invalid } = field(responses, 'message_structure');
      const problem = responses.validateWith('message_structure content', contentSchema!, structure)[0];
      if (problem) return { error: invalid, reason: `message_structure${problem.pointer}: expected ${problem.expected}, received ${problem.received}`, where: STRUCTURE };
      const texts = structure as Record<string, string>;
      return { text: (protocol) => (Object.hasOwn(texts, protocol) ? texts[protocol]! : texts.default!) };
    }
    if (body.message_template_name !== undefined) {
      const { templates } = this.families;
      const name = body.message_template_name;
      if (!body.tags || Object.keys(body.tags).length === 0) return { error: field(responses, 'tags')['x-error'], reason: 'tags are mandatory with message_template_name', where: ['body', 'tags'] };
      if (!templates.has(projectId, name)) {
        return { error: field(responses, 'message_template_name')['x-not-found']!, reason: `no message template ${name} in project ${projectId} (add one with POST /_mock/templates)`, where: ['body', 'message_template_name'] };
      }
      const tags = body.tags;
      const render = (content: string): string => content.replace(/\{([^{}]+)\}/g, (whole, key: string) => (Object.hasOwn(tags, key) ? tags[key]! : whole));
      // A protocol without a template of its own gets the default one; without that either, nothing to render from.
      return { text: (protocol) => render(templates.find(projectId, name, protocol)?.content ?? '') };
    }
    return { text: body.message ?? '' };
  }
}

export const publish = {
  create: (_core, families) => new Publish(families),
} satisfies FamilyModule<Publish, PublishReads>;
