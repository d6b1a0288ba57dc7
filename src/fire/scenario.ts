// `--scenario lifecycle`: the status events of one message, in the order a sender
// pushes them: accepted, handed to the carrier, then delivered or dropped, all with
// one send_id. The spec lists the events but not their order, so the order is written
// here, and checked against the product's events before anything is sent.
import { FireError } from './errors.js';
import type { Random } from '../generate/random.js';
import { subhookEventNames } from '../generate/subhook-event.js';

export const SCENARIOS = ['lifecycle'] as const;
export type Scenario = (typeof SCENARIOS)[number];

const LIFECYCLE_STEPS = ['request', 'sending'];
export const LIFECYCLE_OUTCOMES = ['delivered', 'dropped'];

export function scenarioOption(value: string): Scenario {
  const scenario = SCENARIOS.find((s) => s === value);
  if (!scenario) throw new FireError(`--scenario must be ${SCENARIOS.join(' or ')}, got "${value}"`);
  return scenario;
}

/** Checks that `product` has every event of the lifecycle and that `outcome` (EVENT) is one of its outcomes. */
export function checkLifecycle(product: string, outcome: string | undefined): void {
  const events = subhookEventNames(product);
  const missing = [...LIFECYCLE_STEPS, ...LIFECYCLE_OUTCOMES].filter((event) => !events.includes(event));
  if (missing.length > 0) throw new FireError(`--scenario lifecycle: product ${product} has no ${missing.join(', ')} event in the spec`);
  if (outcome !== undefined && !LIFECYCLE_OUTCOMES.includes(outcome)) {
    throw new FireError(`with --scenario lifecycle, EVENT is how the message ends: ${LIFECYCLE_OUTCOMES.join(' or ')} (or leave it out for a random one), got "${outcome}"`);
  }
}

/** The events of one message, in order; the outcome is drawn when not given. */
export const lifecycleEvents = (outcome: string | undefined, random: Random): string[] => [...LIFECYCLE_STEPS, outcome ?? random.pick(LIFECYCLE_OUTCOMES)];
