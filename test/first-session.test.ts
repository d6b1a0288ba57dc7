// The README's first session is examples/first-session.sh, run here as written against a
// mock (only the ports are the test's, through the variables the script reads), so the
// README cannot drift from what works: the README shows the script's text, byte for byte.
// The script starts two receivers and must stop them, by PID, whether it succeeds or a
// step fails: afterwards their ports are free again.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../src/mock/server.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const script = 'examples/first-session.sh';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Whether something accepts connections on the port. */
const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

function runScript(env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const { SUBHOOK_KEY: _ignored, ...clean } = process.env;
    const child = spawn('bash', [script], { cwd: root, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function mock(): Promise<RunningMock> {
  const running = await startMock({ port: 0 });
  closers.push(() => running.close());
  return running;
}

describe('the first session (examples/first-session.sh)', () => {
  it('is what the README shows', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('\n## A first session\n'));
    const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block, 'README.md: a ```bash block under "## A first session"').toBe(readFileSync(new URL(`../${script}`, import.meta.url), 'utf8'));
  });

  it('runs as written: topic, confirmed subscription, publication, SMS callback, SUBHOOK pushes; its receivers stopped', async () => {
    const smn = await mock();
    const ports = { SMN_RECEIVER_PORT: await freePort(), SUBHOOK_PORT: await freePort() };
    const ran = await runScript({ SMN: smn.url, SMN_RECEIVER_PORT: String(ports.SMN_RECEIVER_PORT), SUBHOOK_PORT: String(ports.SUBHOOK_PORT) });
    expect(ran.status, `${ran.stdout}\n${ran.stderr}`).toBe(0);
    const topic = 'urn:smn:cn-north-4:f96188c7ccaf4ffba0c9aa149ab2bd57:orders';
    expect(ran.stdout).toContain(`"topic_urn":"${topic}"`);
    // The receivers print as deliveries come, so their lines may follow the script's on the same line.
    expect(ran.stdout).toMatch(/#1 POST \/smn smn SubscriptionConfirmation: valid -> 200$/m);
    expect(ran.stdout).toMatch(/#1 subscription confirmed: GET http:\/\/127\.0\.0\.1:\d+\/smn\/subscription\/confirm -> 200 in /m);
    expect(ran.stdout).toMatch(/"subscriptions":\[\{[^\]]*"remark":"first session","status":1\}\]/);
    expect(ran.stdout).toMatch(/#2 POST \/smn smn Notification: valid -> 200$/m);
    expect(ran.stdout).toMatch(/#3 POST \/smn smn Notification sms_fail_event: valid -> 200$/m);
    expect(ran.stdout).toMatch(/#9 POST \/subhook sms request: invalid: bad-signature /m);
    // The summaries the script's last comment promises.
    expect(ran.stdout).toContain('smn-kit listen: 3 deliveries: 3 valid, 0 invalid; 1 subscription confirmed\n');
    expect(ran.stdout).toContain('smn-kit listen: 9 deliveries: 8 valid, 1 invalid\n');
    expect(await listening(ports.SMN_RECEIVER_PORT)).toBe(false);
    expect(await listening(ports.SUBHOOK_PORT)).toBe(false);
    // What the mock saw: the real API, the topic's publication delivered to the endpoint.
    const deliveries = (await (await fetch(`${smn.url}/_mock/deliveries`)).json()) as { deliveries: { type: string; status?: number; endpoint: string }[] };
    expect(deliveries.deliveries.map((d) => [d.type, d.status])).toEqual([
      ['SubscriptionConfirmation', 200],
      ['Notification', 200],
      ['Notification', 200],
    ]);
  }, 60_000);

  it('stops the receiver it started when a step fails, and fails', async () => {
    // An SMN that resets but refuses CreateTopic: the script stops after starting its SMN endpoint.
    const refusing = createHttpServer((req, res) => {
      res.writeHead(req.url === '/_mock/reset' ? 204 : 500, { 'content-type': 'application/json' }).end(req.url === '/_mock/reset' ? undefined : '{"code":"SMN.0018"}');
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => refusing.close(() => resolve())));
    const port = await freePort();
    const ran = await runScript({ SMN: `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`, SMN_RECEIVER_PORT: String(port), SUBHOOK_PORT: String(await freePort()) });
    expect(ran.status).not.toBe(0);
    expect(ran.stdout).toMatch(/^smn-kit listen: receiving .* on http:\/\/127\.0\.0\.1:\d+ /m);
    expect(ran.stderr).toMatch(/curl: \(22\)/);
    expect(ran.stdout).toContain('smn-kit listen: 0 deliveries');
    expect(await listening(port)).toBe(false);
  }, 60_000);
});
