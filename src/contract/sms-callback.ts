// The SMS callback events of the SMN contract: the branches of `SmsCallbackMessage`
// in spec/smn.openapi.yaml, one per schema, each with the `event_type` values it
// describes. Read from the spec, never listed here: `smn-kit fire` generates events
// from them, `validate` and `listen` judge the `message` of a notification with them.
import { dereferencedDocument, smnResponses, type Schema, type SmnResponses } from './smn-responses.js';

/** The field that names the event type. */
export const SMS_EVENT_TYPE_FIELD = 'event_type';
/** The component schema every SMS callback event obeys. */
export const SMS_CALLBACK_SCHEMA = 'SmsCallbackMessage';

/** One event type and the branch of SmsCallbackMessage that describes it. */
export interface SmsCallbackShape {
  eventType: string;
  /** The component schema's name (`SmsDeliveryReceipt`, `SmsReply`). */
  schemaName: string;
  /** The fields the schema defines, in its order. */
  fields: string[];
  required: string[];
  /** A field's schema, its references resolved (`{}` for a field the schema does not define). */
  schemaOf: (field: string) => Schema;
  example: Record<string, unknown>;
}

const shapesOf = new WeakMap<SmnResponses, Map<string, SmsCallbackShape>>();

function callbackShapes(responses: SmnResponses): Map<string, SmsCallbackShape> {
  const known = shapesOf.get(responses);
  if (known) return known;
  const { contract } = responses;
  const { document } = contract;
  const schemas = (dereferencedDocument(contract) as typeof document).components.schemas;
  const message = document.components.schemas[SMS_CALLBACK_SCHEMA] as { oneOf?: { $ref?: string }[] } | undefined;
  const shapes = new Map<string, SmsCallbackShape>();
  shapesOf.set(responses, shapes);
  for (const branch of message?.oneOf ?? []) {
    const schemaName = branch.$ref?.split('/').pop() ?? '';
    const schema = schemas[schemaName] as Schema & {
      properties?: Record<string, Schema>;
      required?: string[];
      examples?: Record<string, unknown>[];
    };
    const properties = schema.properties ?? {};
    const typeSchema = (properties[SMS_EVENT_TYPE_FIELD] ?? {}) as { enum?: unknown[]; const?: unknown };
    const types = (typeSchema.enum ?? ('const' in typeSchema ? [typeSchema.const] : [])) as string[];
    for (const eventType of types) {
      shapes.set(eventType, {
        eventType,
        schemaName,
        fields: Object.keys(properties),
        required: schema.required ?? [],
        schemaOf: (field) => properties[field] ?? {},
        example: schema.examples?.[0] ?? {},
      });
    }
  }
  return shapes;
}

/** The SMS callback event types the spec defines (the kit's, or the one `responses` was compiled from), in its order. */
export const smsCallbackEventTypes = (responses: SmnResponses = smnResponses()): string[] => [...callbackShapes(responses).keys()];

/** The shape of an event type, or undefined when the spec has no such type. */
export const smsCallbackShape = (eventType: string, responses: SmnResponses = smnResponses()): SmsCallbackShape | undefined => callbackShapes(responses).get(eventType);
