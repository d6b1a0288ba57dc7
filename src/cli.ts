#!/usr/bin/env node
// The `smn-kit` command line: finds the command, parses its options, runs it, and
// turns expected failures into one line on stderr and an exit code.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError, type Command } from './commands/command.js';
// Each command is loaded when it runs, so `--help`, `--version` and a light command do
// not pay for Prism or vitest.
interface Entry {
  name: string;
  /** One line for `smn-kit --help`. */
  summary: string;
  load(): Promise<Command>;
}

const commands: Entry[] = [
  { name: 'mock', summary: 'Run the mock SMN: a stateful emulator validated by Prism against spec/smn.openapi.yaml', load: async () => (await import('./commands/mock.js')).mockCommand },
  { name: 'conformance', summary: 'Check an SMN implementation against the contract (vitest suites in conformance/)', load: async () => (await import('./commands/conformance.js')).conformanceCommand },
  { name: 'validate', summary: 'Check saved SMN payloads, HAR files and SUBHOOK events or deliveries against the contracts', load: async () => (await import('./commands/validate.js')).validateCommand },
  { name: 'listen', summary: 'Receive SUBHOOK deliveries: judge, record and answer each one', load: async () => (await import('./commands/listen.js')).listenCommand },
  { name: 'fire', summary: 'Send SUBHOOK events or SMN SMS callback notifications to a receiver', load: async () => (await import('./commands/fire.js')).fireCommand },
];

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `smn-kit ${packageJson.version}: contract-first mock and conformance kit for Huawei Cloud SMN and SUBMAIL SUBHOOK

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

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    const entry = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    process.stdout.write(`${entry ? (await entry.load()).usage : overview()}\n`);
    return 0;
  }
  if (name === '-v' || name === '--version') {
    process.stdout.write(`${packageJson.version}\n`);
    return 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) throw new UsageError(`unknown command "${name}"; run smn-kit --help for the list`);
  const command = await entry.load();
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; run smn-kit ${command.name} --help`);
  }
  if (parsed.values.help) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  return command.run(parsed.values, parsed.positionals);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`smn-kit: ${error.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`smn-kit: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
