// Every request the kit sends has a deadline for the whole exchange and a cap on the
// answer's body (issue 19, item 10), against peers that drip one byte every 200 ms (an
// idle timeout never fires) or stream an endless body. Before the fix, each of these
// waited for ever: `fire --timeout 2000` ran past 40 s, PublishMessage never answered,
// listen never recorded the notification, SIGTERM did not stop the mock.
import { afterEach, describe, expect, it } from 'vitest';
import { fireCommand } from '../src/commands/fire.js';
import { mockCommand } from '../src/commands/mock.js';
import { createCertificateFetcher } from '../src/listen/certificates.js';
import { parseSmnHosts } from '../src/listen/hosts.js';
import { cleanEnv, runCommand, serveInProcess } from './support/command.js';
import { serve } from './support/serve.js';
import { startSlowPeer, type SlowPeer } from './support/slow-peer.js';

const peers: SlowPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((peer) => peer.close()));
});
const peer = async (kind: 'drip' | 'endless'): Promise<SlowPeer> => {
  const started = await startSlowPeer(kind);
  peers.push(started);
  return started;
};
const seconds = (since: number): number => (performance.now() - since) / 1000;

describe('fire', () => {
  it('--timeout 500 against a receiver that drips its answer, and one that never ends it: no answer, in about the timeout, sockets closed', async () => {
    for (const [kind, reason] of [
      ['drip', /no answer \(timed out after 500 ms: the answer \(200\) was not complete, \d+ bytes of body received\)/],
      ['endless', /no answer \(the answer \(200\) has a body of more than 1048576 bytes, over the limit\)/],
    ] as const) {
      const receiver = await peer(kind);
      const started = performance.now();
      const ran = await runCommand(fireCommand, ['sms_fail_event', '--to', `${receiver.url}/smn`, '--timeout', '500', '--count', '2']);
      expect(seconds(started), kind).toBeLessThan(3);
      expect(ran.stdout, kind).toMatch(reason);
      expect(ran.stdout, kind).toMatch(/2 deliveries in .*: 2 of 2 not as expected/);
      expect(ran.status).toBe(1);
      // The receiver sees its connections closed: nothing is left reading its answer.
      await waitFor(() => receiver.open() === 0);
    }
  });

  it('SIGTERM stops it at once while the receiver drips', async () => {
    const receiver = await peer('drip');
    // The built CLI in a process of its own: a signal is a process's.
    const { child, exited } = await serveUntilFirstLine(['fire', 'sms_fail_event', '--to', `${receiver.url}/smn`, '--timeout', '60000']);
    await waitFor(() => receiver.requests() === 1);
    const started = performance.now();
    child.kill('SIGTERM');
    await exited;
    expect(seconds(started)).toBeLessThan(2);
  });
});

describe('the mock', () => {
  it('answers PublishMessage within SMN\'s 5 s per attempt when one subscriber drips and another never ends its body', async () => {
    const [drip, endless] = await Promise.all([peer('drip'), peer('endless')]);
    const mock = await serveInProcess(mockCommand, ['--port', '0', '--quiet', '--auto-confirm'], cleanEnv);
    const project = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
    const headers = { 'X-Auth-Token': 'any', 'Content-Type': 'application/json' };
    const topics = `${mock.url}/v2/${project}/notifications/topics`;
    const { topic_urn } = (await (await fetch(topics, { method: 'POST', headers, body: JSON.stringify({ name: 'slow', display_name: 'slow' }) })).json()) as { topic_urn: string };
    for (const receiver of [drip, endless]) {
      expect((await fetch(`${topics}/${topic_urn}/subscriptions`, { method: 'POST', headers, body: JSON.stringify({ protocol: 'http', endpoint: `${receiver.url}/hook` }) })).status).toBe(201);
    }
    const started = performance.now();
    const published = await fetch(`${topics}/${topic_urn}/publish`, { method: 'POST', headers, body: JSON.stringify({ message: 'hello' }) });
    expect(published.status).toBe(200);
    expect(seconds(started)).toBeLessThan(8);
    const { deliveries } = (await (await fetch(`${mock.url}/_mock/deliveries`)).json()) as { deliveries: { endpoint: string; error?: string }[] };
    expect(deliveries.find((d) => d.endpoint.startsWith(drip.url))?.error).toMatch(/did not answer \(timed out after 5000 ms/);
    expect(deliveries.find((d) => d.endpoint.startsWith(endless.url))?.error).toMatch(/did not answer \(the answer \(200\) has a body of more than 1048576 bytes/);
    await waitFor(() => drip.open() + endless.open() === 0);
  }, 20_000);

  it('SIGTERM stops it at once while a delivery to a dripping subscriber is in flight', async () => {
    const receiver = await peer('drip');
    const mock = await serve(['mock', '--port', '0', '--quiet']);
    const project = 'f96188c7ccaf4ffba0c9aa149ab2bd57';
    // A new http subscription gets its SubscriptionConfirmation before the answer.
    void fetch(`${mock.url}/_mock/subscriptions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ project_id: project, protocol: 'http', endpoint: `${receiver.url}/hook`, topic_urn: `urn:smn:cn-north-4:${project}:slow` }),
    }).catch(() => undefined);
    await waitFor(() => receiver.requests() === 1);
    const started = performance.now();
    mock.child.kill('SIGTERM');
    await mock.exited;
    expect(seconds(started)).toBeLessThan(2);
  });
});

describe('listen', () => {
  it('a certificate host that drips its answer: the lookup ends at its deadline with the reason, and the next one tries again', async () => {
    const host = await peer('drip');
    const fetcher = createCertificateFetcher({ hosts: parseSmnHosts('127.0.0.1'), timeoutMs: 300 });
    const started = performance.now();
    const lookup = await fetcher.lookup(`${host.url}/smn/cert.pem`);
    expect(seconds(started)).toBeLessThan(2);
    expect(lookup).toMatchObject({ problem: { rule: 'certificate-unavailable', received: 'no complete answer within 300 ms' } });
    expect(fetcher.size).toBe(0);
    await waitFor(() => host.open() === 0);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error('timed out waiting');
}

/** The built CLI, resolved once it printed its first line. */
async function serveUntilFirstLine(args: string[]) {
  const { spawn } = await import('node:child_process');
  const { cli } = await import('./support/serve.js');
  const child = spawn(process.execPath, [cli, ...args], { env: cleanEnv });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  return { child, exited };
}
