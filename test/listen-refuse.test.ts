// A receiver that checks its deliveries refuses the bad ones: `smn-kit listen
// --refuse-invalid` answers 400 to an invalid delivery, which `smn-kit fire --tamper`
// counts as the expected refusal; valid deliveries still get 200.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cli, serve } from './support/serve.js';

const env = { PATH: process.env.PATH ?? '', SUBHOOK_KEY: 'refuse-test-key' };
const listen = (...args: string[]) => serve(['listen', '--port', '0', ...args], env);

const fire = (url: string, ...args: string[]) => spawnSync(process.execPath, [cli, 'fire', ...args, '--to', `${url}/subhook`], { env, encoding: 'utf8' });

describe('smn-kit listen --refuse-invalid', () => {
  it.each(['signature', 'stale-timestamp', 'missing-field'])('refuses a delivery tampered with %s, and fire counts it as refused', async (kind) => {
    const receiver = await listen('--refuse-invalid');
    const result = fire(receiver.url, 'request', '--tamper', kind);
    expect(result.stdout).toMatch(/-> 400 in/);
    expect(result.status).toBe(0);
  });

  it('still accepts valid deliveries', async () => {
    const receiver = await listen('--refuse-invalid');
    const result = fire(receiver.url, 'all');
    expect(result.status).toBe(0);
    expect(result.stdout.match(/-> 200 in/g)).toHaveLength(8);
  });

  it('answers 200 to everything without the option, as a recorder does', async () => {
    const receiver = await listen();
    const result = fire(receiver.url, 'request', '--tamper', 'signature');
    expect(result.stdout).toMatch(/-> 200 in .*accepted, but a receiver should refuse it/);
    expect(result.status).toBe(1);
  });
});
