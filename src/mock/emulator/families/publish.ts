// Publishing to a topic: PublishMessage. The text each subscriber gets comes from the
// body's `message_structure`, template or `message` (SMN's order); the subscribers are
// the topic's subscriptions that its `message_attributes` reach through their filter
// policies (message-filter.ts); the notifier sends it to every confirmed one: a signed
// SMN notification to an http(s) one, the outbox for the others (delivery/notifier.ts).
// Publish keeps no state: it reads the topics, their subscriptions, their filter
// policies and the templates.
import { randomBytes } from 'node:crypto';
import type { SmnResponses } from '../../../contract/smn-responses.js';
import { fieldSchema } from '../../../contract/body-fields.js';
import type { FilterPolicy, PublishMessageRequest, Subscription } from '../../../generated/smn.js';
import { JsonInputError, parseJson } from '../../../net/json.js';
import type { PublishedText } from '../../delivery/notifier.js';
import { Family, topicNotFound, type FamilyModule, type Handler } from '../family.js';
import { reachOf } from '../message-filter.js';
import type { NoTemplate } from './templates.js';

/** What publishing reads of the other families. */
export interface PublishReads {
  topics: {
    knows(projectId: string, topicUrn: string): boolean;
    find(projectId: string, topicUrn: string): { display_name: string } | undefined;
  };
  subscriptions: { all(projectId: string): readonly Subscription[] };
  filterPolicies: { policiesOf(projectId: string, subscriptionUrn: string): readonly FilterPolicy[] | undefined };
  templates: {
    /** The text for each protocol of a publication naming this template, or why there is none. */
    publication(projectId: string, name: string, tags: Readonly<Record<string, string>>): ((protocol: string) => string) | NoTemplate;
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
      const { topics, subscriptions, filterPolicies } = this.families;
      const topicUrn = path.topic_urn!;
      if (!topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
      const chosen = this.publishedText(responses, projectId, body);
      if ('error' in chosen) return chosen;
      const messageId = randomBytes(16).toString('hex');
      const { subject, time_to_live: timeToLive, message_attributes: attributes } = body as PublishBody;
      const reaches = reachOf(attributes);
      const ofTopic = subscriptions.all(projectId).filter((s) => s.topic_urn === topicUrn);
      const leftOut = new Map(ofTopic.map((s) => [s, reaches(s.protocol, filterPolicies.policiesOf(projectId, s.subscription_urn))]));
      const subscribers = ofTopic.filter((s) => leftOut.get(s) === undefined);
      // Recorded as not sent, so that /_mock/deliveries says why a subscriber got nothing.
      notifier.leftOut(projectId, ofTopic.filter((s) => leftOut.get(s) !== undefined).map((s) => ({ subscription: s, why: leftOut.get(s)! })), messageId);
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
   * (SMN.0021), a template without its `tags` (SMN.0038), one the project does not have
   * (SMN.0027, x-not-found) or a name without a `default` template (SMN.0076, the
   * contract's description: "Default message template not found"). The contract has
   * already checked the fields' types and bounds.
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
      const name = body.message_template_name;
      if (!body.tags || Object.keys(body.tags).length === 0) return { error: field(responses, 'tags')['x-error'], reason: 'tags are mandatory with message_template_name', where: ['body', 'tags'] };
      const text = this.families.templates.publication(projectId, name, body.tags);
      if (text === 'none') {
        return { error: field(responses, 'message_template_name')['x-not-found']!, reason: `no message template ${name} in project ${projectId} (make one with CreateMessageTemplate)`, where: ['body', 'message_template_name'] };
      }
      if (text === 'no-default') return { error: 'SMN.0076', reason: `the message templates ${name} of project ${projectId} have none for the default protocol, which a publication needs`, where: ['body', 'message_template_name'] };
      return { text };
    }
    return { text: body.message ?? '' };
  }
}

export const publish = {
  create: (_core, families) => new Publish(families),
} satisfies FamilyModule<Publish, PublishReads>;
