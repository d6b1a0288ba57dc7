// Binding a topic to every SMS callback event type of the contract on an emulator, so
// that a conformance run has bindings to filter and to write back.
import { expect } from 'vitest';
import { smsEventTypeValues } from '../../generated/smn.js';

export const PROJECT = 'f96188c7ccaf4ffba0c9aa149ab2bd57';

/** PUTs one binding per event type and resolves with them, as the emulator must report them. */
export async function bindEveryEvent(baseUrl: string, token: string): Promise<{ event_type: string; topic_urn: string }[]> {
  const callback = smsEventTypeValues.map((event_type) => ({ event_type, topic_urn: `urn:smn:cn-north-4:${PROJECT}:${event_type}` }));
  const bound = await fetch(`${baseUrl}/v2/${PROJECT}/notifications/sms/callback`, {
    method: 'PUT',
    headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json' },
    body: JSON.stringify({ callback }),
  });
  expect(bound.status).toBe(200);
  return callback;
}
