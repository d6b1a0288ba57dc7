// What the mock keeps of each request it answered: a log line (`--log`), and, stateful,
// a record for GET /_mock/requests. Both show the path made printable and bounded, its
// credential-bearing query parameters masked (a link's token...), and the record's
// headers have their credentials masked (net/secrets.ts, the kit's one rule): no secret
// and no control character of a request reaches a terminal or the inspection endpoints.
// The record is masked when it is read (emulator/requests.ts), not on every request.
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { maskQuery } from '../net/secrets.js';
import { printable } from '../net/text.js';
import { codeOf, type Reply } from './engine/reply.js';
import type { EmulatorState } from './emulator/state.js';

/** Keeps what `log` and `state` want of a request answered with `reply`; `started` is `performance.now()` when it arrived. */
export function requestLogger(log: ((line: string) => void) | undefined, state: EmulatorState | undefined): (req: IncomingMessage, reply: Reply, started: number) => void {
  return (req, reply, started) => {
    // Only the API's requests are recorded: reading the record through /_mock/ would change it.
    const recorded = state && !reply.admin;
    if (!log && !recorded) return;
    const ms = Math.round((performance.now() - started) * 10) / 10;
    const code = reply.errorCode ?? codeOf(reply.body);
    if (log) log(`${req.method} ${printable(maskQuery(req.url ?? ''), 300)} ${reply.status}${code ? ` ${code}` : ''}${reply.reason ? ` (${printable(reply.reason, 120)})` : ''} ${ms.toFixed(1)}ms`);
    if (recorded) state.record({ at: Date.now(), method: req.method ?? 'GET', url: req.url ?? '', headers: req.headers, status: reply.status, ms, code, reason: reply.reason });
  };
}
