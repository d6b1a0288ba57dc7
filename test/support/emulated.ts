// What conformance checks of the kit's own stateful emulator (test/conformance-faults.test.ts,
// the CLI tests, the CI example): every operation the emulator answers from its state, read
// from its families (src/mock/emulator/registry.ts), so a family that lands is checked at
// once. Today that is every operation of the contract.
import { createFamilies } from '../../src/mock/emulator/registry.js';

const families = createFamilies({ change: () => undefined, topicDeleted: () => undefined, subscriptionDeleted: () => undefined }, { seed: [] });
export const EMULATED_OPERATIONS = [...new Set(Object.values(families).flatMap((family) => Object.keys(family.handlers)))];

/**
 * Findings of conformance against the emulator that wait for fidelity work (`Operation
 * check`), each removed when its fix lands. None today.
 */
export const EMULATOR_GAPS: string[] = [];

/**
 * A warning the kit's own choices give against its mock, whatever lands: the mock accepts
 * loopback endpoints (`x-private-endpoints`), which a deployment must refuse.
 */
export const isKitChoiceWarning = (result: { status: string; message: string }): boolean => result.status === 'warn' && result.message.includes("the smn-kit mock's choice");
