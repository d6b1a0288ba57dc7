// A topic's access policy (UpdateTopicAttribute with `access_policy`), judged by the rules
// of the vendor's "Updating a Topic Policy" page (Open Telekom Cloud api-ref; Huawei Cloud
// "Updating a Topic Policy"), Table 1 (the policy) and Table 2 (its statements), each
// fault answered with the code of the vendor's error-code table that names that part:
//   SMN.0048 the policy (not a JSON object)        SMN.0049 Version ("Only 2016-09-07")
//   SMN.0050 Id ("Id must be specified")            SMN.0051 Statement ("at least one")
//   SMN.0052 Sid ("must be unique")                 SMN.0053 Resource / NotResource
//   SMN.0054 Effect ("Allow or Deny")               SMN.0055 Action / NotAction
//   SMN.0056 Principal / NotPrincipal               SMN.0058 Condition
// Where the page is silent the policy is let through: unknown top-level members, a
// Condition that is an object, a principal `*` (what the console's "All users" makes).

/** The documented error a policy gets, and why in a few words. */
export interface PolicyFault {
  code: 'SMN.0048' | 'SMN.0049' | 'SMN.0050' | 'SMN.0051' | 'SMN.0052' | 'SMN.0053' | 'SMN.0054' | 'SMN.0055' | 'SMN.0056' | 'SMN.0058';
  reason: string;
}

/** The only policy version the vendor supports. */
export const POLICY_VERSION = '2016-09-07';

/** The actions a statement may name (Table 2, Action / NotAction). */
export const TOPIC_ACTIONS = [
  'SMN:UpdateTopic',
  'SMN:DeleteTopic',
  'SMN:QueryTopicDetail',
  'SMN:ListTopicAttributes',
  'SMN:UpdateTopicAttribute',
  'SMN:DeleteTopicAttributes',
  'SMN:DeleteTopicAttributeByName',
  'SMN:ListSubscriptionsByTopic',
  'SMN:Subscribe',
  'SMN:Unsubscribe',
  'SMN:Publish',
] as const;

/** "urn:csp:iam::domainId:root" (Table 2, CSP). */
const CSP_USER = /^urn:csp:iam::[^:\s]+:root$/;
/** "the cloud service names in lower case" (Table 2, Service). */
const SERVICE_NAME = /^[a-z0-9][a-z0-9._-]*$/;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
/** A string, or a list of at least one string: how a statement names one or several things. */
const names = (value: unknown): string[] | undefined => {
  const list = typeof value === 'string' ? [value] : value;
  return Array.isArray(list) && list.length > 0 && list.every((item) => typeof item === 'string') ? list : undefined;
};

/** A wildcard action (`SMN:Update*`, `*`) names the supported actions it matches; it must match one. */
function knownAction(action: string): boolean {
  const pattern = new RegExp(`^${action.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`, 'i');
  return TOPIC_ACTIONS.some((known) => pattern.test(known));
}

/**
 * Why `text` is not an access policy the vendor accepts, or undefined when it is one.
 * `isTopicUrn` says whether a Resource names a topic the way a topic URN does.
 */
export function accessPolicyFault(text: string, isTopicUrn: (value: string) => boolean): PolicyFault | undefined {
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    return { code: 'SMN.0048', reason: 'the access policy is not JSON' };
  }
  if (!isObject(policy)) return { code: 'SMN.0048', reason: 'the access policy is not a JSON object' };
  if (policy.Version !== POLICY_VERSION) return { code: 'SMN.0049', reason: `Version must be ${POLICY_VERSION}` };
  if (typeof policy.Id !== 'string' || policy.Id === '') return { code: 'SMN.0050', reason: 'Id must be specified' };
  const statements = policy.Statement;
  if (!Array.isArray(statements) || statements.length === 0) return { code: 'SMN.0051', reason: 'a policy must contain at least one Statement' };
  const sids = new Set<string>();
  for (const [index, statement] of statements.entries()) {
    const at = `Statement ${index}`;
    if (!isObject(statement)) return { code: 'SMN.0051', reason: `${at} is not an object` };
    const { Sid, Effect, Condition } = statement;
    if (typeof Sid !== 'string' || Sid === '' || sids.has(Sid)) return { code: 'SMN.0052', reason: `${at}: Sid must be given and unique` };
    sids.add(Sid);
    if (Effect !== 'Allow' && Effect !== 'Deny') return { code: 'SMN.0054', reason: `${at}: Effect must be Allow or Deny` };
    const principal = principalFault(statement);
    if (principal) return { code: 'SMN.0056', reason: `${at}: ${principal}` };
    const actionNames = names(oneOf(statement, 'Action', 'NotAction'));
    if (!actionNames) return { code: 'SMN.0055', reason: `${at}: exactly one of Action and NotAction, one or more actions` };
    const unknown = actionNames.find((action) => !knownAction(action));
    if (unknown !== undefined) return { code: 'SMN.0055', reason: `${at}: ${unknown} is not a topic action` };
    const resourceNames = names(oneOf(statement, 'Resource', 'NotResource'));
    if (!resourceNames || !resourceNames.every(isTopicUrn)) return { code: 'SMN.0053', reason: `${at}: exactly one of Resource and NotResource, each a topic URN` };
    if (Condition !== undefined && !isObject(Condition)) return { code: 'SMN.0058', reason: `${at}: Condition is not an object` };
  }
  return undefined;
}

/** "Either X or NotX must be configured": the one given, or undefined when neither or both are. */
function oneOf(statement: Json, name: string, negated: string): unknown {
  const given = [statement[name], statement[negated]].filter((value) => value !== undefined);
  return given.length === 1 ? given[0] : undefined;
}

/** Why the statement's Principal (or NotPrincipal) is not one of CSP users and lower-case services. */
function principalFault(statement: Json): string | undefined {
  const principal = oneOf(statement, 'Principal', 'NotPrincipal');
  if (!isObject(principal)) return 'exactly one of Principal and NotPrincipal, an object of CSP users or Service names';
  const kinds = Object.keys(principal);
  if (kinds.length === 0 || kinds.some((kind) => kind !== 'CSP' && kind !== 'Service')) return 'a principal names CSP users or Service names, nothing else';
  const users = principal.CSP === undefined ? [] : names(principal.CSP);
  if (!users || !users.every((user) => user === '*' || CSP_USER.test(user))) return 'CSP users are urn:csp:iam::<domain id>:root';
  const services = principal.Service === undefined ? [] : names(principal.Service);
  if (!services || !services.every((service) => service === '*' || SERVICE_NAME.test(service))) return 'Service names are in lower case';
  return undefined;
}
