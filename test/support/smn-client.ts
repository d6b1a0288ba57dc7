// Calling the SMN API of a running mock as a client does (fetch over a real socket), every
// answer judged against the contract strictly: the schema of its operation and status,
// and no field the contract does not declare (a body only where the contract has one).
// For the emulator's family tests.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { smnResponses } from '../../src/contract/smn-responses.js';

type Operations = Record<string, Record<string, { operationId?: string; responses?: Record<string, { content?: unknown }> }>>;
const contractPaths = (JSON.parse(readFileSync(new URL('../../generated/smn.openapi.dereferenced.json', import.meta.url), 'utf8')) as { paths: Operations }).paths;

/** Whether the operation declares `status` as an answer without a body (CreateResourceTag's 200: "Response: None"). */
function declaredBodiless(operationId: string, status: number): boolean {
  for (const item of Object.values(contractPaths)) {
    for (const operation of Object.values(item)) {
      if (operation.operationId === operationId) {
        const response = operation.responses?.[String(status)];
        return response !== undefined && response.content === undefined;
      }
    }
  }
  return false;
}

export const PROJECT = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
export const TOPICS_PATH = `/v2/${PROJECT}/notifications/topics`;
export const topicPath = (urn: string): string => `${TOPICS_PATH}/${urn}`;

export interface Answer {
  status: number;
  /** The JSON body; undefined when there is none. */
  body: Record<string, unknown> | undefined;
}

/** Calls an operation at `url`; the answer must obey the contract for that operation and status. */
export async function call(url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'X-Auth-Token': 't', 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const answer: Answer = { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  const operation = smnResponses().find(method, path.split('?')[0]!);
  expect(operation, `${method} ${path} is an operation of the contract`).toBeDefined();
  // The contract's validators know the statuses with a JSON body; one without is judged here.
  if (answer.body === undefined) expect(declaredBodiless(operation!.operationId, answer.status), `${method} ${path} ${answer.status} answers no body`).toBe(true);
  else expect(smnResponses().judge(operation!.operationId, answer.status, answer.body, { strict: true }).problems, `${method} ${path} ${answer.status} ${text}`).toEqual([]);
  return answer;
}

/** Makes a topic (CreateTopic) and returns its URN and topic_id (from ListTopics). */
export async function createTopic(url: string, name: string): Promise<{ urn: string; id: string }> {
  const created = await call(url, 'POST', TOPICS_PATH, { name, display_name: name });
  expect(created.status).toBe(201);
  const urn = String(created.body!.topic_urn);
  const listed = await call(url, 'GET', `${TOPICS_PATH}?name=${name}`);
  const topic = (listed.body!.topics as { topic_urn: string; topic_id: string }[]).find((t) => t.topic_urn === urn)!;
  return { urn, id: topic.topic_id };
}

/** The emulator's state as GET /_mock/state shows it. */
export async function mockState(url: string): Promise<{ projects: Record<string, Record<string, unknown>> }> {
  return (await (await fetch(`${url}/_mock/state`)).json()) as { projects: Record<string, Record<string, unknown>> };
}
