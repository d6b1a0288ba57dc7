// `fire --set field=value`: parsed once and checked against the events fired, then
// coerced per event (generate/overrides.ts).
import { parseOverrideTexts, type Override } from '../generate/overrides.js';
import { FireError } from './errors.js';

/** Parses each `field=value`; a field given twice is an error, since only one value can win. */
export function parseOverrides(sets: readonly string[]): Override[] {
  const parsed = parseOverrideTexts(sets);
  if (!('problem' in parsed)) return parsed;
  const hint = parsed.problem.endsWith('expected field=value') ? ', such as --set tag=order-1024' : '';
  throw new FireError(`--set ${parsed.problem}${hint}`, 'invalid-override');
}

/**
 * Checks that every override names a field of at least one of the events fired, and
 * none names the field that holds the event's name (EVENT chooses it).
 */
export function checkOverrideFields(overrides: readonly Override[], events: readonly { name: string; fields: readonly string[] }[], nameField: string, what: string): void {
  for (const { field } of overrides) {
    if (field === nameField) throw new FireError(`--set ${field}: the event's name is chosen by EVENT, not by --set`, 'invalid-override');
    if (events.some((event) => event.fields.includes(field))) continue;
    const only = events.length === 1 ? events[0] : undefined;
    throw new FireError(
      only
        ? `--set ${field}: ${what} ${only.name} has no field "${field}"; its fields are ${only.fields.filter((f) => f !== nameField).join(', ')}`
        : `--set ${field}: none of the ${what} events fired (${events.map((e) => e.name).join(', ')}) has a field "${field}"`,
      'invalid-override',
    );
  }
}
