// Why a command's server could not start listening, said as a usage error that names
// the option to change: the mock and listen both bind a --host and a --port.
import { UsageError } from './command.js';

/** The usage error for a failed listen on `host:port` (in use, no permission, no such address), or undefined for another error. */
export function listenUsageError(error: unknown, host: string, port: number): UsageError | undefined {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'EADDRINUSE':
      return new UsageError(`port ${port} on ${host} is already in use; stop what holds it or choose another with --port`);
    case 'EACCES':
      return new UsageError(`no permission to listen on ${host}:${port}; choose a port above 1023 with --port`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new UsageError(`cannot listen on host ${host}: no such local address`);
    default:
      return undefined;
  }
}
