// SMN items -> verdicts: a saved response body (its operation told from its fields),
// or a HAR exchange (its operation found from the request's method and path, the
// response judged for its status, the request against the operation's parameters and
// body). Everything is read from the compiled contract of src/contract/.
import { guessSmnOperation, smnResponses, type SmnOperation } from '../contract/smn-responses.js';
import { parseJson, skipped, verdictOf, type Problem, type Verdict } from '../judge/verdict.js';

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

const requiredOf = (schema: Record<string, unknown> | undefined): string[] => (schema?.required as string[] | undefined) ?? [];

/**
 * The error response (operation, status) whose schema requires the most fields, all of
 * which the body has; the same rule as guessSmnOperation, so that the two can be compared.
 */
function errorResponseFor(body: Record<string, unknown>): { operation: SmnOperation; status: number; score: number } | undefined {
  let best: { operation: SmnOperation; status: number; score: number } | undefined;
  for (const operation of smnResponses().operations) {
    for (const [status, schema] of operation.responses) {
      const required = requiredOf(schema);
      if (status < 400 || required.length === 0 || !required.every((field) => field in body)) continue;
      if (!best || required.length > best.score) best = { operation, status, score: required.length };
    }
  }
  return best;
}

/** What SMN bodies look like, for a body that is none of them: derived from the 200 schemas. */
function expectedSmnBodies(): string {
  const shapes = smnResponses().operations.map((op) => `${op.operationId} (${requiredOf(op.responses.get(200)).join(', ')})`);
  return `an SMN response body: ${shapes.join(', ')}, or an SMN error body`;
}

export const unrecognizedSmnBody = (body: unknown): Problem => ({
  rule: 'unrecognized-body',
  pointer: '',
  expected: expectedSmnBodies(),
  received: isObject(body) ? `an object with fields ${Object.keys(body).slice(0, 8).join(', ') || '(none)'}` : `a JSON ${Array.isArray(body) ? 'array' : typeof body}`,
});

/** Whether a body looks like any SMN response (success or error), to tell kinds apart. */
export const looksLikeSmnBody = (body: unknown): boolean => isObject(body) && (guessSmnOperation(body) !== undefined || errorResponseFor(body) !== undefined);

/** The vendor's rules broken are problems; the kit's choices and undeclared fields warnings, unless strict. */
function judgeAgainst(operationId: string, status: number, body: unknown, strict: boolean): Verdict {
  const { problems, warnings } = smnResponses().judge(operationId, status, body, { strict });
  return verdictOf({ kind: 'smn', operation: operationId, httpStatus: status, problems, warnings });
}

/**
 * Judges a saved SMN response body. Its status is not saved with it, so a success body
 * is judged as the 200 of the operation its fields point to, an error body against
 * the error schema whose fields it has.
 */
export function judgeSmnBody(body: unknown, strict = false): Verdict {
  if (!isObject(body)) return verdictOf({ kind: 'smn', problems: [unrecognizedSmnBody(body)] });
  const operation = guessSmnOperation(body);
  const error = errorResponseFor(body);
  // `{request_id, code, message}` also has all UpdateSmsEvent requires: the fuller match wins.
  const successScore = operation ? requiredOf(smnResponses().operations.find((op) => op.operationId === operation)?.responses.get(200)).length : 0;
  if (error && error.score > successScore) return { ...judgeAgainst(error.operation.operationId, error.status, body, strict), operation: 'error body', httpStatus: undefined };
  if (operation) return judgeAgainst(operation, 200, body, strict);
  return verdictOf({ kind: 'smn', problems: [unrecognizedSmnBody(body)] });
}

// --- HAR exchanges -------------------------------------------------------------------

/** The parts of a HAR 1.2 entry this reads. */
export interface HarEntry {
  request?: { method?: string; url?: string; postData?: { text?: string } };
  response?: { status?: number; content?: { text?: string; encoding?: string } };
}

// Query values are strings on the wire; an integer parameter is judged as the number it spells.
function queryValue(raw: string, schema: Record<string, unknown>): unknown {
  return schema.type === 'integer' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
}

const show = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/** What the contract refuses in a request: its query parameters and its JSON body. */
function requestProblems(operation: SmnOperation, url: URL, bodyText: string | undefined): Problem[] {
  const problems: Problem[] = [];
  for (const parameter of operation.parameters.filter((p) => p.in === 'query')) {
    const raw = url.searchParams.get(parameter.name);
    if (raw === null) continue;
    for (const problem of smnResponses().validateWith(`${operation.operationId} query ${parameter.name}`, parameter.schema, queryValue(raw, parameter.schema))) {
      problems.push({ ...problem, where: `request query ${parameter.name}` });
    }
  }
  if (operation.requestBody) {
    const parsed = bodyText === undefined ? undefined : parseJson(bodyText);
    if (!parsed) problems.push({ rule: 'required', pointer: '', where: 'request body', expected: 'a JSON body', received: 'no body' });
    else if ('problem' in parsed) problems.push({ ...parsed.problem, where: 'request body' });
    else for (const problem of smnResponses().validateWith(`${operation.operationId} body`, operation.requestBody, parsed.value)) problems.push({ ...problem, where: 'request body' });
  }
  return problems;
}

function responseText(content: { text?: string; encoding?: string } | undefined): string | undefined {
  if (content?.text === undefined) return undefined;
  return content.encoding === 'base64' ? Buffer.from(content.text, 'base64').toString('utf8') : content.text;
}

/**
 * Judges one HAR exchange. Traffic to other APIs is skipped. The response must obey the
 * schema of its status. A request the contract refuses is fine when it was refused
 * (4xx); answered with a 2xx, each of its problems is a failure.
 */
export function judgeHarEntry(entry: HarEntry, strict = false): Verdict {
  const method = entry.request?.method ?? '';
  let url: URL;
  try {
    url = new URL(entry.request?.url ?? '');
  } catch {
    return verdictOf({ kind: 'smn', problems: [{ rule: 'malformed-har', pointer: '/request/url', expected: 'an absolute URL', received: show(entry.request?.url) }] });
  }
  const operation = smnResponses().find(method, url.pathname);
  if (!operation) return skipped(`${method} ${url.pathname} is not an SMN operation of the contract`);
  const status = entry.response?.status;
  if (typeof status !== 'number') {
    return verdictOf({ kind: 'smn', operation: operation.operationId, problems: [{ rule: 'malformed-har', pointer: '/response/status', expected: 'an HTTP status', received: show(status) }] });
  }
  const text = responseText(entry.response?.content);
  if (text === undefined || text === '') return skipped('the HAR holds no response body', { kind: 'smn', operation: operation.operationId, httpStatus: status });
  const parsed = parseJson(text);
  const response = 'problem' in parsed ? verdictOf({ kind: 'smn', operation: operation.operationId, httpStatus: status, problems: [{ ...parsed.problem, where: 'response body' }] }) : judgeAgainst(operation.operationId, status, parsed.value, strict);
  if (status < 200 || status >= 300) return response;
  const accepted = requestProblems(operation, url, entry.request?.postData?.text).map((problem) => ({
    ...problem,
    rule: 'accepted-invalid-request',
    expected: `${problem.expected} (${problem.rule}), or a 4xx answer refusing the request`,
    received: `${problem.received}, answered ${status}`,
  }));
  return verdictOf({ ...response, problems: [...response.problems, ...accepted] });
}
