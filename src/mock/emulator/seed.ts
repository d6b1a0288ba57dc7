// The subscriptions the emulator starts with: the fixture file (checked against the
// contract), or N generated from the contract's Subscription schema with
// json-schema-faker, made realistic and deterministic for a given seed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { smnResponses, type Schema, type SmnResponses } from '../../contract/smn-responses.js';
import { createRandom } from '../../generate/random.js';
import { fakerWith } from '../../generate/values.js';
import type { Subscription } from '../../generated/smn.js';
import { urnProjectId } from './projects.js';

export const defaultSeedPath = fileURLToPath(new URL('../../../fixtures/smn/subscriptions.json', import.meta.url));

export class SeedError extends Error {
  override readonly name = 'SeedError';
}

/**
 * Reads a seed file: a JSON list of subscriptions, each checked against the contract
 * (the kit's, or the one `responses` was compiled from). The kit's own fixture is
 * checked by its tests instead, which saves compiling the validator at every start.
 */
export function loadSeedSubscriptions(path: string = defaultSeedPath, responses?: SmnResponses): Subscription[] {
  let list: unknown;
  try {
    list = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new SeedError(`cannot read the subscriptions seed ${path}: ${(error as Error).message}`);
  }
  if (!Array.isArray(list)) throw new SeedError(`the subscriptions seed ${path} must be a JSON list of subscriptions`);
  if (path === defaultSeedPath) return list as Subscription[];
  const validators = responses ?? smnResponses();
  list.forEach((item, index) => {
    const problem = validators.validateSchema('Subscription', item)[0];
    if (problem) throw new SeedError(`the subscriptions seed ${path}: /${index}${problem.pointer}: expected ${problem.expected}, received ${problem.received}`);
  });
  return list as Subscription[];
}

const TOPICS = ['sms_receipts', 'sms_failures', 'sms_replies', 'alerts', 'billing', 'deployments'];

/**
 * N subscriptions of `projectId`, generated from the Subscription schema. The faker
 * fills every field the schema defines; the fields that must agree with each other
 * (topic and subscription URNs, owner, an endpoint that fits the protocol) are then
 * made consistent, so the result reads like a real account.
 */
export function generateSubscriptions(count: number, seed: string, projectId: string, responses: SmnResponses = smnResponses()): Subscription[] {
  // URNs and owners carry a 32-hex project id; a readable local id gets a stable stand-in.
  const urnProject = urnProjectId(projectId);
  const schemas = responses.contract.document.components.schemas as Record<string, Schema>;
  const schema = structuredClone(schemas.Subscription) as Schema;
  // Same seed, same subscriptions.
  const random = createRandom(seed);
  const documentedProtocols = ['email', 'sms', 'http', 'https'];
  const JSONSchemaFaker = fakerWith(random, { optionalsProbability: 0, failOnInvalidFormat: false });
  const list: Subscription[] = [];
  for (let i = 0; i < count; i++) {
    const fake = JSONSchemaFaker.generate({ ...schema, components: { schemas } }, undefined) as Subscription;
    const topic = `urn:smn:cn-north-4:${urnProject}:${random.pick(TOPICS)}`;
    const protocol = random.pick(documentedProtocols);
    const endpoint = {
      email: () => `user${i + 1}@example.com`,
      sms: () => `+86138${String(Math.floor(random.next() * 1e8)).padStart(8, '0')}`,
      // Loopback only: a published SMS event must never leave the machine by surprise.
      http: () => `http://127.0.0.1:9000/smn/${i + 1}`,
      https: () => `https://127.0.0.1:9443/smn/${i + 1}`,
    }[protocol]!();
    list.push({
      topic_urn: topic,
      protocol,
      subscription_urn: `${topic}:${random.hex(32)}`,
      owner: urnProject,
      endpoint,
      remark: i % 3 === 0 ? '' : String(fake.remark ?? '').slice(0, 128),
      status: typeof fake.status === 'number' ? fake.status : 1,
    });
  }
  return list;
}
