// The headers of a notification against its body: each header the contract lists is
// read case-insensitively, required ones must be there, and one that repeats a body
// field must equal it. Headers come as Node gives them (an object, values possibly
// arrays) or as a fetch `Headers`.
import { smnNotificationContract } from './contract.js';
import { describeReceived, pointerTo, problemsOf, type SmnNotificationProblem } from './problem.js';

/** Request headers: Node's `IncomingHttpHeaders`, any name-to-value object, or a fetch `Headers`. */
export type SmnNotificationHeadersInput = Record<string, string | string[] | undefined> | { get(name: string): string | null };

/** Reads one header whatever the case of its name; a repeated header is joined with ", " as Node does. */
export function readHeader(headers: SmnNotificationHeadersInput, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = name.toLowerCase();
  let value = record[key] ?? record[name];
  if (value === undefined) {
    const found = Object.keys(record).find((candidate) => candidate.toLowerCase() === key);
    value = found === undefined ? undefined : record[found];
  }
  return Array.isArray(value) ? value.join(', ') : value;
}

export interface HeaderFindings {
  problems: SmnNotificationProblem[];
  warnings: SmnNotificationProblem[];
}

/** Checks `headers` against the body they came with. */
export function checkHeaders(body: Record<string, unknown>, headers: SmnNotificationHeadersInput): HeaderFindings {
  const findings: HeaderFindings = { problems: [], warnings: [] };
  for (const header of smnNotificationContract().headers) {
    const where = `header ${header.name}`;
    const value = readHeader(headers, header.name);
    if (value === undefined) {
      // Required headers are documented by every edition; the others are a warning.
      (header.required ? findings.problems : findings.warnings).push({
        rule: 'missing-header',
        pointer: header.bodyField === undefined ? '' : pointerTo(header.bodyField),
        expected: header.bodyField === undefined ? `header ${header.name}` : `header ${header.name}, equal to the body's ${header.bodyField}`,
        received: 'nothing',
        where,
      });
      continue;
    }
    if (header.bodyField !== undefined) {
      // The body's own format is judged on the body; here only agreement matters.
      const field = body[header.bodyField];
      if (value !== field) {
        findings.problems.push({
          rule: 'header-mismatch',
          pointer: pointerTo(header.bodyField),
          expected: `the body's ${header.bodyField}, ${describeReceived(pointerTo(header.bodyField), field)}`,
          received: describeReceived('', value),
          where,
        });
      }
      continue;
    }
    if (!header.validate(value)) {
      findings.problems.push(...problemsOf(header.validate.errors ?? [], value, header.name, where));
      continue;
    }
    if (header.subscriptionOf !== undefined) {
      // A subscription URN is its topic's URN, ":" and 32 hex digits (SubscriptionUrn).
      const topic = body[header.subscriptionOf];
      if (typeof topic === 'string' && value.slice(0, value.lastIndexOf(':')) !== topic) {
        findings.problems.push({
          rule: 'header-mismatch',
          pointer: pointerTo(header.subscriptionOf),
          expected: `a subscription of the body's ${header.subscriptionOf}, ${describeReceived('', topic)}`,
          received: describeReceived('', value),
          where,
        });
      }
    }
  }
  return findings;
}
