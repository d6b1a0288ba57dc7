// PublishAppMessage: a message pushed to one device endpoint of a mobile push application
// (Huawei Cloud API reference "Publishing an App Message"; SDK model
// PublishAppMessageRequestBody). The payload is `message_structure`'s for the
// application's platform (`HMS`, `APNS`, `APNS_SANDBOX`) when it is given, else
// `message`; HMS takes at most 2 KB, Apple's platforms 4 KB. The emulator hands nothing
// to a platform: what the device would have received goes to the outbox (GET
// /_mock/outbox, type `AppNotification`), with its time_to_live. A disabled device (or
// one of a disabled application) receives nothing, as the platform would not deliver to
// it; the message is accepted all the same. Publishing keeps no state.
import { randomBytes } from 'node:crypto';
import { fieldSchema } from '../../../contract/body-fields.js';
import type { SmnResponses } from '../../../contract/smn-responses.js';
import type { PublishAppMessageRequest } from '../../../generated/smn.js';
import { JsonInputError, parseJson } from '../../../net/json.js';
import type { AppOutboxMessage } from '../../delivery/notifier.js';
import { Family, notFound, type Answer, type FamilyModule, type Handler } from '../family.js';

/** What publishing reads of the applications. */
export interface PushTargets {
  endpoint(
    projectId: string,
    endpointUrn: string,
  ): { application: { platform: string; application_urn: string; enabled: string }; endpoint: { endpoint_urn: string; token: string; enabled: string } } | undefined;
}

/** What publishing asks of the notifier: keep the pushed message in the outbox. */
export interface PushOutbox {
  pushed(projectId: string, message: Omit<AppOutboxMessage, 'time' | 'project_id' | 'type'>): void;
}

/** The most bytes of a payload, by platform (the SDK model: HMS 2K, APNS and APNS_SANDBOX 4K). */
const PAYLOAD_BYTES: Readonly<Record<string, number>> = { HMS: 2048, APNS: 4096, APNS_SANDBOX: 4096 };
/** Seconds SMN holds a message when time_to_live is absent (the SDK model: 3600). */
const DEFAULT_TIME_TO_LIVE_S = 3600;

type Refusal = Extract<Answer, { error: string }>;

/** A field of PublishAppMessage's body, as the contract describes it: its contentSchema, its code. */
const field = (responses: SmnResponses, name: string): { contentSchema?: Record<string, unknown>; 'x-error': string } =>
  fieldSchema(responses.componentSchema('PublishAppMessageRequest'), name) as unknown as { 'x-error': string };

/** The payload for `platform`, or the documented error: a structure that is not a JSON object, or has nothing for the platform (SMN.0021); a payload too long for it (SMN.0009). */
function payloadFor(responses: SmnResponses, platform: string, body: PublishAppMessageRequest): { payload: string } | Refusal {
  const { message, message_structure: structure } = body as { message?: string; message_structure?: string };
  let payload: string;
  if (structure !== undefined) {
    const { contentSchema, 'x-error': invalid } = field(responses, 'message_structure');
    const where = ['body', 'message_structure'];
    let parsed: unknown;
    try {
      parsed = parseJson(structure);
    } catch (error) {
      if (error instanceof JsonInputError) return { error: invalid, reason: `message_structure is ${error.message}`, where };
      throw error;
    }
    const problem = responses.validateWith('app message_structure content', contentSchema!, parsed)[0];
    if (problem) return { error: invalid, reason: `message_structure${problem.pointer}: expected ${problem.expected}, received ${problem.received}`, where };
    const payloads = parsed as Record<string, unknown>;
    if (!Object.hasOwn(payloads, platform)) return { error: invalid, reason: `message_structure has no payload for the endpoint's platform ${platform}`, where };
    const chosen = payloads[platform];
    payload = typeof chosen === 'string' ? chosen : JSON.stringify(chosen);
  } else {
    payload = message!;
  }
  const most = PAYLOAD_BYTES[platform];
  if (most !== undefined && Buffer.byteLength(payload) > most) {
    return { error: field(responses, 'message')['x-error'], status: 403, reason: `a ${platform} payload is at most ${most} bytes, this one ${Buffer.byteLength(payload)}`, where: ['body', structure === undefined ? 'message' : 'message_structure'] };
  }
  return { payload };
}

export class AppMessages extends Family {
  readonly kinds = [] as const;

  constructor(private readonly families: { applications: PushTargets }) {
    super();
  }

  override readonly handlers: Readonly<Record<string, Handler>> = {
    PublishAppMessage: ({ contract, responses, projectId, path, body, notifier }) => {
      const found = this.families.applications.endpoint(projectId, path.endpoint_urn!);
      if (!found) return notFound(contract, 'endpoint_urn', `no application endpoint ${path.endpoint_urn} in project ${projectId}`);
      const { application, endpoint } = found;
      const chosen = payloadFor(responses, application.platform, body as PublishAppMessageRequest);
      if ('error' in chosen) return chosen;
      const messageId = randomBytes(16).toString('hex');
      const timeToLive = (body as { time_to_live?: string }).time_to_live;
      if (application.enabled === 'true' && endpoint.enabled === 'true') {
        const outbox: PushOutbox = notifier;
        outbox.pushed(projectId, {
          platform: application.platform,
          application_urn: application.application_urn,
          endpoint_urn: endpoint.endpoint_urn,
          token: endpoint.token,
          message_id: messageId,
          message: chosen.payload,
          time_to_live: timeToLive === undefined ? DEFAULT_TIME_TO_LIVE_S : Number(timeToLive),
        });
      }
      return { body: { request_id: '', message_id: messageId } };
    },
  };
}

export const appMessages = {
  create: (_core, families) => new AppMessages(families),
} satisfies FamilyModule<AppMessages, { applications: PushTargets }>;
