// The SMN notification contract as data: the message types (the discriminator of
// `SmnNotification`), for each its schema, its fields and the fields it signs
// (`x-signed-fields` of `SmnNotification`), and the headers of `SmnNotificationHeaders`
// with the body field each repeats (`x-body-fields`, `x-subscription-of`). The
// extensions sit on the two schemas that have no examples, which strict validators
// of the examples then never meet. Nothing here names a type, a field or a header: they come from
// spec/smn.openapi.yaml, through the compiled contract of src/contract/.
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { newAjv2020 } from '../contract/ajv.js';
import { smnResponses, type Schema } from '../contract/smn-responses.js';

export const NOTIFICATION_SCHEMA = 'SmnNotification';
export const HEADERS_SCHEMA = 'SmnNotificationHeaders';

export interface SmnMessageTypeContract {
  /** The `type` value: `Notification`, `SubscriptionConfirmation`... */
  type: string;
  /** The component schema that describes it, such as `SmnMessageNotification`. */
  schema: string;
  /** Every field the type declares. */
  fields: string[];
  required: string[];
  /** The fields in the signing string, in signing order. */
  signedFields: string[];
  /** Signed fields the type may leave out (a Notification's `subject`): absent or empty, they are not signed. */
  optionalSignedFields: string[];
  validate: ValidateFunction;
}

export interface SmnHeaderContract {
  /** The name as the contract writes it (`X-SMN-MESSAGE-ID`). */
  name: string;
  /** The lower-case name, for case-insensitive lookups. */
  key: string;
  required: boolean;
  /** The body field the header repeats (`x-body-fields`). */
  bodyField?: string;
  /** The body field holding the topic whose subscription the header names (`x-subscription-of`). */
  subscriptionOf?: string;
  validate: ValidateFunction;
}

export interface SmnNotificationContract {
  types: Map<string, SmnMessageTypeContract>;
  headers: SmnHeaderContract[];
}

interface Discriminated {
  discriminator?: { propertyName?: string; mapping?: Record<string, string> };
  'x-signed-fields'?: Record<string, string[]>;
}

export function loadSmnNotificationContract(): SmnNotificationContract {
  const responses = smnResponses();
  const root = responses.contract.document.components.schemas[NOTIFICATION_SCHEMA] as Discriminated | undefined;
  const mapping = root?.discriminator?.mapping;
  if (root?.discriminator?.propertyName !== 'type' || !mapping) {
    throw new Error(`the SMN contract's ${NOTIFICATION_SCHEMA} must be a oneOf with a discriminator on "type" and its mapping`);
  }
  // allErrors: a verdict lists every problem. strict off: the schemas carry x- keywords.
  const ajv = newAjv2020({ allErrors: true, strict: false });

  const types = new Map<string, SmnMessageTypeContract>();
  for (const [type, ref] of Object.entries(mapping)) {
    const name = ref.replace('#/components/schemas/', '');
    const schema = responses.componentSchema(name);
    const fields = Object.keys((schema.properties as Record<string, Schema> | undefined) ?? {});
    const required = (schema.required as string[] | undefined) ?? [];
    const signedFields = root['x-signed-fields']?.[type];
    if (!signedFields || signedFields.some((field) => !fields.includes(field))) {
      throw new Error(`the SMN contract's ${NOTIFICATION_SCHEMA} must list in x-signed-fields the signed fields of ${type}, all declared by ${name}`);
    }
    types.set(type, {
      type,
      schema: name,
      fields,
      required,
      signedFields,
      optionalSignedFields: signedFields.filter((field) => !required.includes(field)),
      validate: ajv.compile(schema),
    });
  }

  const headersSchema = responses.componentSchema(HEADERS_SCHEMA);
  const requiredHeaders = (headersSchema.required as string[] | undefined) ?? [];
  const bodyFields = (headersSchema['x-body-fields'] as Record<string, string> | undefined) ?? {};
  const subscriptionsOf = (headersSchema['x-subscription-of'] as Record<string, string> | undefined) ?? {};
  const headers = Object.entries((headersSchema.properties as Record<string, Schema> | undefined) ?? {}).map(([name, valueSchema]): SmnHeaderContract => {
    const bodyField = bodyFields[name];
    const subscriptionOf = subscriptionsOf[name];
    return {
      name,
      key: name.toLowerCase(),
      required: requiredHeaders.includes(name),
      ...(typeof bodyField === 'string' ? { bodyField } : {}),
      ...(typeof subscriptionOf === 'string' ? { subscriptionOf } : {}),
      validate: ajv.compile(valueSchema),
    };
  });
  return { types, headers };
}

let contract: SmnNotificationContract | undefined;

/** The notification contract of spec/, loaded and compiled on first use, then shared. */
export function smnNotificationContract(): SmnNotificationContract {
  contract ??= loadSmnNotificationContract();
  return contract;
}
