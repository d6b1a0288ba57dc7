// The `smn-kit` command line without the process: finds the command, parses its options,
// runs it with the given io, and turns expected failures into one line on stderr and an
// exit code. src/cli.ts runs it for the process; tests run it in theirs.
import { readFileSync } from 'node:fs';
import { UsageError, type Command, type CommandIo } from './command.js';
import { closest, parseCommandArgs } from './options.js';

// Each command is loaded when it runs, so `--help`, `--version` and a light command do
// not pay for Prism or vitest.
interface Entry {
  name: string;
  /** One line for `smn-kit --help`. */
  summary: string;
  load(): Promise<Command>;
}

export const commands: Entry[] = [
  { name: 'mock', summary: 'Run the mock SMN: a stateful emulator, requests validated as Prism validates them against spec/smn.openapi.yaml', load: async () => (await import('./mock.js')).mockCommand },
  { name: 'conformance', summary: 'Check an SMN implementation against the contract (the checks of the conformance/ suite)', load: async () => (await import('./conformance.js')).conformanceCommand },
  { name: 'validate', summary: 'Check saved SMN payloads, HAR files and SUBHOOK events or deliveries against the contracts', load: async () => (await import('./validate.js')).validateCommand },
  { name: 'listen', summary: 'Receive SUBHOOK deliveries and SMN notifications: judge, record and answer each one', load: async () => (await import('./listen.js')).listenCommand },
  { name: 'fire', summary: 'Send SUBHOOK events or SMN SMS callback notifications to a receiver', load: async () => (await import('./fire.js')).fireCommand },
];

export const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `smn-kit ${version}: contract-first mock and conformance kit for Huawei Cloud SMN and SUBMAIL SUBHOOK

Usage: smn-kit <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Options:
  -h, --help     show this help, or a command's help after its name
  -v, --version  print the version

Example:
  smn-kit mock --port 4010
  smn-kit mock --help`;
}

async function dispatch(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    const entry = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    io.stdout.write(`${entry ? (await entry.load()).usage : overview()}\n`);
    return 0;
  }
  if (name === '-v' || name === '--version') {
    io.stdout.write(`${version}\n`);
    return 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    if (name.startsWith('-')) {
      const guess = closest(name.replace(/^--?/, ''), ['help', 'version']);
      throw new UsageError(`unknown option ${name}; ${guess ? `did you mean --${guess}?` : 'run smn-kit --help'}`);
    }
    const guess = closest(name, commands.map((c) => c.name));
    throw new UsageError(`unknown command "${name}"; ${guess ? `did you mean ${guess}? ` : ''}run smn-kit --help for the list`);
  }
  const command = await entry.load();
  const parsed = parseCommandArgs(command.name, { ...command.options, help: { type: 'boolean', short: 'h' } }, rest);
  if (parsed.values.help) {
    io.stdout.write(`${command.usage}\n`);
    return 0;
  }
  return command.run(parsed.values, parsed.positionals, io);
}

/**
 * Runs `smn-kit ...argv` with `io` and resolves with its exit status: 2 for a usage
 * error (one line on io.stderr; errors.ts may give another), 1 for an unexpected one.
 * Never exits the process.
 */
export async function main(argv: string[], io: CommandIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`smn-kit: ${error.message}\n`);
      return error.status;
    }
    io.stderr.write(`smn-kit: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
