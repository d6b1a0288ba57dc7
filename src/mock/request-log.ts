// What the mock keeps of each request it answered: a log line (`--log`), and, stateful,
// a record for GET /_mock/requests. Both show the path made printable and bounded, with
// secret query values (a link's token) masked, and the record's headers have their
// credentials masked: no secret and no control
// character of a request reaches a terminal or the inspection endpoints.
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { maskHeaders, maskQuery } from '../net/secrets.js';
import { printable } from '../net/text.js';
import { codeOf, type Reply } from './reply.js';
import type { EmulatorState } from './state.js';

/** Keeps what `log` and `state` want of a request answered with `reply`; `started` is `performance.now()` when it arrived. */
export function requestLogger(log: ((line: string) => void) | undefined, state: EmulatorState | undefined): (req: IncomingMessage, reply: Reply, started: number) => void {
  return (req, reply, started) => {
    // Only the API's requests are recorded: reading the record through /_mock/ would change it.
    const recorded = state && !reply.admin;
    if (!log && !recorded) return;
    const ms = Math.round((performance.now() - started) * 10) / 10;
    // The links of notifications carry their token in the query: masked, as credentials are.
    const shownPath = printable(maskQuery(req.url ?? ''), 300);
    const code = reply.errorCode ?? codeOf(reply.body);
    if (log) log(`${req.method} ${shownPath} ${reply.status}${code ? ` ${code}` : ''}${reply.reason ? ` (${printable(reply.reason, 120)})` : ''} ${ms.toFixed(1)}ms`);
    if (recorded) {
      state.record({ time: new Date().toISOString(), method: req.method ?? 'GET', path: shownPath, status: reply.status, ms, code, reason: reply.reason, headers: maskHeaders(req.headers) });
    }
  };
}
