// A receiver that checks its deliveries refuses the bad ones: `smn-kit listen
// --refuse-invalid` answers 400 to an invalid delivery, which `smn-kit fire --tamper`
// counts as the expected refusal; valid deliveries still get 200. Both commands run in
// this process, as the command line runs them; fire's exit status is what is checked.
import { describe, expect, it } from 'vitest';
import { fireCommand } from '../src/commands/fire.js';
import { listenCommand } from '../src/commands/listen.js';
import { cleanEnv, runCommand, serveInProcess } from './support/command.js';

const env = { ...cleanEnv, SUBHOOK_KEY: 'refuse-test-key' };
const listen = (...args: string[]) => serveInProcess(listenCommand, ['--port', '0', ...args], env);
const fire = (url: string, ...args: string[]) => runCommand(fireCommand, [...args, '--to', `${url}/subhook`], env);

describe('smn-kit listen --refuse-invalid', () => {
  it('refuses deliveries tampered with a signature, a stale timestamp or a missing field, and fire counts each as refused', async () => {
    const receiver = await listen('--refuse-invalid');
    const results = await Promise.all(['signature', 'stale-timestamp', 'missing-field'].map((kind) => fire(receiver.url, 'request', '--tamper', kind)));
    for (const result of results) {
      expect(result.stdout).toMatch(/-> 400 in/);
      expect(result.status).toBe(0);
    }
    receiver.stop();
    expect((await receiver.done).stdout).toContain('smn-kit listen: 3 deliveries: 0 valid, 3 invalid\n');
  });

  it('still accepts valid deliveries', async () => {
    const receiver = await listen('--refuse-invalid');
    const result = await fire(receiver.url, 'all');
    expect(result.status).toBe(0);
    expect(result.stdout.match(/-> 200 in/g)).toHaveLength(8);
    receiver.stop();
    expect((await receiver.done).status).toBe(0);
  });

  it('without a key, refuses every signed push: it cannot verify one (unchecked-signature)', async () => {
    const receiver = await serveInProcess(listenCommand, ['--port', '0', '--refuse-invalid'], cleanEnv);
    const result = await fire(receiver.url, 'request');
    expect(result.stdout).toMatch(/-> 400 in/);
    receiver.stop();
    expect((await receiver.done).stdout).toMatch(
      /#1 POST \/subhook sms request: invalid: unchecked-signature \/signature: expected a signature checked against the SUBHOOK key \(a receiver that refuses what it cannot verify\), received no key to check it with \(give --key-file, SUBHOOK_KEY or --key\) -> 400/,
    );
  });

  it('answers 200 to everything without the option, as a recorder does', async () => {
    const receiver = await listen();
    const result = await fire(receiver.url, 'request', '--tamper', 'signature');
    expect(result.stdout).toMatch(/-> 200 in .*accepted, but a receiver should refuse it/);
    expect(result.status).toBe(1);
    receiver.stop();
    expect((await receiver.done).status).toBe(1);
  });
});
