// SUBHOOK items -> verdicts, for `validate` (saved events and deliveries) and `listen`
// (live ones): decoded -> validated against the product's event schema -> signature.
// When the product is not given, it is the one whose schema knows the event; the
// products and their events come from the spec, never from a list written here.
import { decodeSubhookDelivery, SubhookDeliveryError, type SubhookDelivery } from '../subhook/decode.js';
import { subhookContract, type SubhookProductContract } from '../subhook/contract.js';
import { describeReceived } from '../subhook/problem.js';
import { validateSubhookEvent, type SubhookVerdict } from '../subhook/validate.js';
import { subhookPassed, verdictOf, type Problem, type SignatureCheck, type Verdict } from './verdict.js';

export interface SubhookJudgeOptions {
  /** A product of the spec (`sms`, `intersms`); undefined to detect it per event. */
  product?: string;
  /** The SUBHOOK secret; when given, signatures are checked. */
  key?: string;
  /** Without a key, an event that carries a signature fails (`unchecked-signature`) rather than passing unverified. */
  requireSignature?: boolean;
  /** What made an unchecked signature a fault, in the caller's words (a command names its option), for the `unchecked-signature` problem. */
  requiredBy?: string;
  /** What would have given a key, in the caller's words, for the `unchecked-signature` problem. */
  noKey?: string;
  /** What the kit adds beyond the vendor's documents (unlisted fields, `x-kit-choice` rules) fails instead of warning. */
  strict?: boolean;
}

/** The product ids the spec defines, in its order. */
export const subhookProductIds = (): string[] => [...subhookContract().keys()];

let products: SubhookProductContract[] | undefined;
const contractProducts = (): SubhookProductContract[] => (products ??= [...subhookContract().values()]);

let productsByEvent: Map<string, string[]> | undefined;

/** The products whose spec knows the event `name`, in the spec's order. */
function productsKnowing(name: unknown): string[] {
  if (typeof name !== 'string') return [];
  if (!productsByEvent) {
    productsByEvent = new Map();
    for (const product of contractProducts()) {
      // Every spelling an event's schema accepts (`unknown` for `unkown`) tells the product too.
      for (const event of [...product.events.keys(), ...product.aliases.keys()]) {
        const knowing = productsByEvent.get(event);
        if (knowing) knowing.push(product.product);
        else productsByEvent.set(event, [product.product]);
      }
    }
  }
  return productsByEvent.get(name) ?? [];
}

// Most events are valid, and a valid event's verdict says nothing particular to it: one
// per product, event and signature check is made and then shared (read them, never
// change them), which keeps a run of millions of events from making millions of them.
type PassedBySignature = Partial<Record<SignatureCheck | 'none', Verdict>>;
const passed = new Map<string, Map<string, PassedBySignature>>();

function toVerdict(result: SubhookVerdict, signature: SignatureCheck | undefined): Verdict {
  if (result.valid && result.warnings.length === 0) {
    let byProduct = passed.get(result.event);
    if (!byProduct) passed.set(result.event, (byProduct = new Map<string, PassedBySignature>()));
    let bySignature = byProduct.get(result.product);
    if (!bySignature) byProduct.set(result.product, (bySignature = {}));
    return (bySignature[signature ?? 'none'] ??= subhookPassed(result.product, result.event, signature));
  }
  return verdictOf({ kind: 'subhook', product: result.product, event: result.event, problems: result.problems, warnings: result.warnings, signature });
}

// Several products may know an event (`delivered` is both domestic and international).
function detectProduct(fields: unknown, key: string | undefined, strict: boolean | undefined, signature: SignatureCheck | undefined): Verdict {
  const name = (fields as { events?: unknown } | null)?.events;
  const knowing = productsKnowing(name);
  if (knowing.length === 0) {
    const events = contractProducts().map((product) => `${product.product}: ${[...product.events.keys()].join(', ')}`).join('; ');
    const objectLike = fields !== null && typeof fields === 'object' && !Array.isArray(fields);
    const problem: Problem = objectLike
      ? { rule: name === undefined ? 'missing-field' : 'unknown-event', pointer: '/events', expected: `an event of a product (${events})`, received: describeReceived('/events', name) }
      : { rule: 'not-an-object', pointer: '', expected: 'an object of event fields', received: describeReceived('', fields) };
    return verdictOf({ kind: 'subhook', problems: [problem], signature });
  }
  // The product that takes the event without a problem or a warning wins; else the one
  // with the fewest problems, then the fewest warnings (an international `delivered`
  // is not a domestic one with an unlisted field).
  let best: SubhookVerdict | undefined;
  const rank = (verdict: SubhookVerdict): number => verdict.problems.length * 1000 + verdict.warnings.length;
  for (const product of knowing) {
    const result = validateSubhookEvent(fields, { product, key, strict });
    if (result.valid && result.warnings.length === 0) return toVerdict(result, signature);
    if (!best || rank(result) < rank(best)) best = result;
  }
  return toVerdict(best!, signature);
}

let fieldNames: Set<string> | undefined;

/** Whether an object has a field some SUBHOOK event declares (the names come from the spec). */
export function hasSubhookField(value: Record<string, unknown>): boolean {
  fieldNames ??= new Set(contractProducts().flatMap((product) => [...product.events.values()].flatMap((event) => event.fields)));
  return Object.keys(value).some((field) => fieldNames!.has(field));
}

/** Whether an event's signature is checked: undefined when it carries none, so there is nothing to check. */
function signatureCheck(fields: unknown, key: string | undefined): SignatureCheck | undefined {
  if (fields === null || typeof fields !== 'object' || (fields as { signature?: unknown }).signature === undefined) return undefined;
  return key === undefined ? 'not-checked' : 'checked';
}

const uncheckedSignature = (options: SubhookJudgeOptions): Problem => ({
  rule: 'unchecked-signature',
  pointer: '/signature',
  expected: `a signature checked against the SUBHOOK key${options.requiredBy === undefined ? '' : ` (${options.requiredBy})`}`,
  received: `no key to check it with${options.noKey === undefined ? '' : ` (${options.noKey})`}`,
});

/** Judges decoded SUBHOOK fields (or a saved event) against the spec and, with a key, the signature. */
export function judgeSubhookFields(fields: unknown, options: SubhookJudgeOptions): Verdict {
  const signature = signatureCheck(fields, options.key);
  const verdict =
    options.product !== undefined
      ? toVerdict(validateSubhookEvent(fields, { product: options.product, key: options.key, strict: options.strict }), signature)
      : detectProduct(fields, options.key, options.strict, signature);
  if (signature !== 'not-checked' || !options.requireSignature) return verdict;
  return verdictOf({ ...verdict, problems: [...verdict.problems, uncheckedSignature(options)] });
}

/** A decoding failure as a problem: it names where (method, a header, body, query) and the rule. */
export function deliveryProblem(error: SubhookDeliveryError): Problem {
  return { rule: error.rule, pointer: '', where: error.where, expected: error.expected, received: error.received };
}

/** Judges a raw delivery: decoded by its method and content type, then judged as fields. */
export async function judgeSubhookDelivery(delivery: SubhookDelivery, options: SubhookJudgeOptions): Promise<{ verdict: Verdict; fields?: Record<string, unknown> }> {
  let fields: Record<string, unknown>;
  try {
    fields = await decodeSubhookDelivery(delivery);
  } catch (error) {
    if (!(error instanceof SubhookDeliveryError)) throw error;
    return { verdict: verdictOf({ kind: 'subhook', product: options.product, problems: [deliveryProblem(error)] }) };
  }
  return { verdict: judgeSubhookFields(fields, options), fields };
}
