// Calling the emulator as a client does, over a real socket, every answer judged against
// the contract (the SMN API's answers by their operation and status; the inspection
// endpoints' by spec/mock-admin.openapi.yaml), and a receiver that records what reaches
// it. The families' tests share them; each test file closes what it starts.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { readContractDocument } from '../../src/contract/document.js';
import { smnResponses } from '../../src/contract/smn-responses.js';
import type { RunningMock } from '../../src/mock/server.js';

export const PROJECT = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
export const HEADERS: Record<string, string> = { 'X-Auth-Token': 't', 'Content-Type': 'application/json' };
export const TOPICS = `/v2/${PROJECT}/notifications/topics`;

export interface Answer {
  status: number;
  headers: Headers;
  /** The JSON body, or {} when the answer is not JSON. */
  body: Record<string, unknown>;
  text: string;
}

/** Calls an API operation; a JSON answer must obey the contract for that operation and status. */
export async function call(mock: RunningMock, method: string, path: string, body?: unknown, headers: Record<string, string> = HEADERS): Promise<Answer> {
  const response = await fetch(`${mock.url}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await response.text();
  const json = (response.headers.get('content-type') ?? '').includes('json');
  const answer: Answer = { status: response.status, headers: response.headers, text, body: json && text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  const operation = smnResponses().find(method, path.split('?')[0]!);
  if (operation && json) expect(smnResponses().validate(operation.operationId, answer.status, answer.body), `${method} ${path} ${answer.status} ${text}`).toEqual([]);
  return answer;
}

/** Makes a topic and returns its URN. */
export const createTopic = async (mock: RunningMock, name: string): Promise<string> => String((await call(mock, 'POST', TOPICS, { name, display_name: name })).body.topic_urn);

/** An inspection endpoint's JSON answer. */
export async function admin<T = Record<string, unknown>>(mock: RunningMock, method: string, path: string): Promise<T> {
  const response = await fetch(`${mock.url}/_mock/${path}`, { method });
  const text = await response.text();
  return (text ? JSON.parse(text) : {}) as T;
}

const mockAdminSchemas = (): Record<string, Record<string, unknown>> =>
  (readContractDocument(fileURLToPath(new URL('../../generated/mock-admin.openapi.dereferenced.json', import.meta.url))) as { components: { schemas: Record<string, Record<string, unknown>> } }).components.schemas;

/** Problems of `value` against a schema of spec/mock-admin.openapi.yaml (State, AppOutboxMessage...). */
export function againstMockAdmin(schema: string, value: unknown): string[] {
  return smnResponses()
    .validateWith(`mock-admin ${schema}`, mockAdminSchemas()[schema]!, value)
    .map((p) => `${p.pointer}: expected ${p.expected}, received ${p.received}`);
}

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  text: string;
}

/** A receiver on loopback: records each request, and answers as `answer` says (default 200). */
export async function receiver(answer: (res: ServerResponse, received: Received) => void = (res) => res.writeHead(200).end()): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const one = { path: req.url ?? '', headers: req.headers, text };
      received.push(one);
      answer(res, one);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
