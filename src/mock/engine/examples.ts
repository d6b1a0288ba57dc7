// The stateless answer: the example Prism chose, shaped by the query as the real service
// would shape its data (filter, page). How an operation's example is shaped is the
// business of whoever knows its resources (the emulator's families give a Shaper per
// operation id); this file knows only lists, pages and the contract's defaults.
import type { HttpOperation } from './operations.js';

/** Shapes an operation's example body (an object) by the request's query. */
export type Shaper = (operation: HttpOperation, body: Record<string, unknown>, query: URLSearchParams) => unknown;

/** An integer query parameter as given, else its declared default, else 0. */
export function integerParameter(operation: HttpOperation, query: URLSearchParams, name: string): number {
  const given = query.get(name);
  if (given !== null && given !== '') return Number(given);
  const declared = operation.request?.query?.find((parameter) => parameter.name === name);
  return Number((declared?.schema as { default?: unknown } | undefined)?.default ?? 0);
}

/** `offset` and `limit` of a paged operation, as given or by their declared defaults. */
export const pageOf = (operation: HttpOperation, query: URLSearchParams): [number, number] => [integerParameter(operation, query, 'offset'), integerParameter(operation, query, 'limit')];

/** A list filtered, then paged; the count counts the filtered items (kept as the example's when nothing was filtered out). */
export function shapeList(operation: HttpOperation, query: URLSearchParams, record: Record<string, unknown>, list: string, count: string, filter: (item: never) => boolean): unknown {
  const items = record[list] as never[];
  const [offset, limit] = pageOf(operation, query);
  const matching = items.filter(filter);
  return { ...record, [count]: matching.length === items.length ? record[count] : matching.length, [list]: matching.slice(offset, offset + limit) };
}

/**
 * The example answer shaped by the (already validated) query of the request. An
 * operation that creates (CreateTopic, AddSubscription) answers a request that names
 * no answer (no Prefer) with its 201 "created" example, as SMN answers a new resource;
 * Prism picks the lowest success status, 200 "already there".
 */
export function exampleAnswer(operation: HttpOperation, status: number, body: unknown, query: URLSearchParams, preferred = false, shape?: Shaper): { status: number; body: unknown } {
  const created = operation.responses.find((response) => response.code === '201');
  if (status === 200 && !preferred && created) {
    const example = created.contents?.find((content) => content.mediaType === 'application/json')?.examples?.[0] as { value?: unknown } | undefined;
    if (example && 'value' in example) return { status: 201, body: example.value };
  }
  const shaped = shape && typeof body === 'object' && body !== null ? shape(operation, body as Record<string, unknown>, query) : body;
  return { status, body: shaped };
}

/**
 * A text answer of a response that is not JSON (the certificate downloads,
 * `application/octet-stream`), to be sent as it is with its media type; undefined for JSON.
 */
export function rawContent(operation: HttpOperation, status: number, body: unknown): { contentType: string; text: string } | undefined {
  if (typeof body !== 'string') return undefined;
  const contents = operation.responses.find((response) => response.code === String(status))?.contents ?? [];
  const media = contents.find((content) => content.mediaType === 'application/json') ? undefined : contents[0]?.mediaType;
  return media ? { contentType: media, text: body } : undefined;
}
