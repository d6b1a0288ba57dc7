// `smn-kit mock`: the mock SMN on a port, until SIGINT or SIGTERM.
import { relative } from 'node:path';
import { DEFAULT_HOST, DEFAULT_MAX_BODY_BYTES, DEFAULT_PORT, startMock } from '../mock/server.js';
import { smnSpecPath } from '../contract/smn.js';
import { UsageError, integerOption, type Command } from './command.js';

export const mockCommand: Command = {
  name: 'mock',
  summary: 'Run the mock SMN (Prism, driven by spec/smn.openapi.yaml)',
  usage: `Usage: smn-kit mock [--host HOST] [--port PORT] [--quiet] [--max-body BYTES]

Serves ListSmsEvent, UpdateSmsEvent and ListSubscriptions as the contract describes them:
valid requests get the documented examples (filtered by event_type, paged by offset and
limit) with a fresh X-Request-Id; invalid ones get the SMN or API-gateway error body the
real service sends (400 SMN.0015, 401 APIGW.0301, 404 APIGW.0101...).

Options:
  --host HOST        interface to listen on (default ${DEFAULT_HOST})
  --port PORT        port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --quiet            no log line per request
  --max-body BYTES   largest request body accepted, larger ones get 413 (default ${DEFAULT_MAX_BODY_BYTES})
  -h, --help         show this help

Example:
  smn-kit mock --port 4010
  curl -H 'X-Auth-Token: any' http://127.0.0.1:4010/v2/f96188c7ccaf4ffba0c9aa149ab2bd57/notifications/sms/callback`,
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    quiet: { type: 'boolean' },
    'max-body': { type: 'string' },
  },
  async run(values) {
    const host = (values.host as string | undefined) ?? DEFAULT_HOST;
    const port = integerOption(values.port, '--port', DEFAULT_PORT, 0, 65535);
    const maxBodyBytes = integerOption(values['max-body'], '--max-body', DEFAULT_MAX_BODY_BYTES, 1, 2 ** 31);
    const out = (line: string): void => void process.stdout.write(`${line}\n`);
    let mock;
    try {
      mock = await startMock({ host, port, maxBodyBytes, log: values.quiet ? undefined : out });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UsageError(`port ${port} on ${host} is already in use; stop what holds it or choose another with --port`);
      if (code === 'EACCES') throw new UsageError(`no permission to listen on ${host}:${port}; choose a port above 1023 with --port`);
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`cannot listen on host ${host}: no such local address`);
      throw error;
    }
    out(`smn-kit mock: serving ${relative(process.cwd(), smnSpecPath) || smnSpecPath} on ${mock.url} (Ctrl-C to stop)`);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void mock.close().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  },
};
