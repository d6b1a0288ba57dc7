// Where the vendor's two editions of SMN differ (Huawei Cloud's and Open Telekom Cloud's),
// as the contract records it: `x-editions` beside the operation, parameter or schema
// concerned. The contract's own schema accepts what either edition allows; each
// edition's entry says what that edition's documents say, so that a caller that knows
// which edition it faces (a later `--edition huawei|otc`) can make that edition's rule
// hard, and one that does not can name both readings in a warning.

/** The editions of the vendor's documents. */
export const EDITIONS = ['huawei', 'otc'] as const;
export type Edition = (typeof EDITIONS)[number];

/** What one edition says about one place of the contract. */
export interface EditionRule {
  /** Where in the contract: a JSON pointer to the node that carries `x-editions`. */
  pointer: string;
  edition: Edition;
  /** What that edition's documents say, in a sentence. */
  note: string;
  /** False when that edition's current documents do not describe it at all. */
  documented: boolean;
  /** True when that edition marks it deprecated. */
  deprecated: boolean;
  /** That edition's stricter rule, a JSON Schema a value must also satisfy (for the node's schema). */
  schema?: Record<string, unknown>;
}

interface EditionEntry {
  note?: string;
  documented?: boolean;
  deprecated?: boolean;
  schema?: Record<string, unknown>;
}

const escape = (key: string): string => key.replaceAll('~', '~0').replaceAll('/', '~1');

/** Every `x-editions` of a contract document, one rule per edition named, in the document's order. */
export function editionRulesOf(document: unknown): EditionRule[] {
  const rules: EditionRule[] = [];
  const walk = (node: unknown, pointer: string): void => {
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key !== 'x-editions') {
        walk(value, `${pointer}/${escape(key)}`);
        continue;
      }
      for (const [edition, entry] of Object.entries((value ?? {}) as Record<string, EditionEntry>)) {
        if (!(EDITIONS as readonly string[]).includes(edition)) throw new Error(`${pointer}/x-editions: unknown edition "${edition}" (expected ${EDITIONS.join(' or ')})`);
        rules.push({
          pointer,
          edition: edition as Edition,
          note: entry.note ?? '',
          documented: entry.documented ?? true,
          deprecated: entry.deprecated ?? false,
          ...(entry.schema ? { schema: entry.schema } : {}),
        });
      }
    }
  };
  walk(document, '');
  return rules;
}

/** The rules of one edition at one place (the node at `pointer`), if the contract records any. */
export function editionRuleAt(rules: EditionRule[], pointer: string, edition: Edition): EditionRule | undefined {
  return rules.find((rule) => rule.pointer === pointer && rule.edition === edition);
}
