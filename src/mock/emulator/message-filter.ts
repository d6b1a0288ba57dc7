// Which subscriptions a publication with `message_attributes` reaches, as Huawei Cloud's
// user guide describes the matching ("Using a Subscription Filtering Policy",
// smn_ug_a9005; the contract's PublishMessage quotes it):
// - "If you have set a filtering policy and message attributes when publishing a message,
//   the system determines whether to push the message to the subscriber based on the
//   filtering policy": a subscription without policies receives every publication, and a
//   publication without attributes reaches every subscription;
// - each policy whose attribute the publication has must match: one of the attribute's
//   values is one of the policy's `string_equals` (scenario 2: `week` and `time` given,
//   a subscription must match both);
// - a policy whose attribute the publication lacks does not exclude (scenario 1: only
//   `week` given, "the message will only be sent to subscription A because only week is
//   specified, and time is not specified").
// A `PROTOCOL` attribute limits the publication to the subscriptions of the protocols it
// lists (the kit's reading, x-kit-choice on MessageAttribute).
import type { FilterPolicy, MessageAttribute } from '../../generated/smn.js';

/**
 * Why a subscription of `protocol` with these filter policies (none: undefined or empty)
 * does not receive the publication, or undefined when it does.
 */
export type Reach = (protocol: string, policies: readonly FilterPolicy[] | undefined) => string | undefined;

/** A message attribute as the contract describes it (the generated type is the union of its `anyOf` branches). */
type Attribute = Extract<MessageAttribute, { name: string }>;

/** The values of an attribute: one text (`STRING`, as the SDK model has it) or a list (`STRING_ARRAY`, `PROTOCOL`, and `STRING` as the guide's samples write it). */
const valuesOf = (attribute: Attribute): string[] => {
  const value: unknown = attribute.value;
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
};

/** Who a publication with these attributes reaches (the contract has checked their form). */
export function reachOf(attributes: readonly MessageAttribute[] | undefined): Reach {
  if (!attributes || attributes.length === 0) return () => undefined;
  // Attributes of one name count together: any of their values may match.
  const byName = new Map<string, Set<string>>();
  const protocolLists: Set<string>[] = [];
  for (const attribute of attributes) {
    const values = valuesOf(attribute as Attribute);
    const { name, type } = attribute as Attribute;
    let known = byName.get(name);
    if (!known) byName.set(name, (known = new Set()));
    for (const value of values) known.add(value);
    if (type === 'PROTOCOL') protocolLists.push(new Set(values));
  }
  return (protocol, policies) => {
    const listing = protocolLists.find((listed) => !listed.has(protocol));
    if (listing) return `its protocol ${protocol} is not among those of the PROTOCOL message attribute (${[...listing].join(', ')})`;
    const unmatched = (policies ?? []).find((policy) => {
      const values = byName.get(policy.name);
      return values !== undefined && !policy.string_equals.some((accepted) => values.has(accepted));
    });
    if (!unmatched) return undefined;
    return `its filter policy ${unmatched.name} (string_equals ${unmatched.string_equals.join(', ')}) matches none of the publication's values (${[...byName.get(unmatched.name)!].join(', ')})`;
  };
}
