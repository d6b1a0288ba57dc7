#!/usr/bin/env node
// The `smn-kit` command line: finds the command, parses its options, runs it, and
// turns expected failures into one line on stderr and an exit code.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError, type Command } from './commands/command.js';
import { mockCommand } from './commands/mock.js';
import { conformanceCommand } from './commands/conformance.js';
import { validateCommand } from './commands/validate.js';
import { listenCommand } from './commands/listen.js';
import { fireCommand } from './commands/fire.js';

const commands: Command[] = [mockCommand, conformanceCommand, validateCommand, listenCommand, fireCommand];

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
    const target = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    process.stdout.write(`${target ? target.usage : overview()}\n`);
    return 0;
  }
  if (name === '-v' || name === '--version') {
    process.stdout.write(`${packageJson.version}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command "${name}"; run smn-kit --help for the list`);
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
