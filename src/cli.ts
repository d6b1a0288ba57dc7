#!/usr/bin/env node
// The `smn-kit` executable: runs the command line (src/commands/main.ts) with this
// process's streams, environment and signals, and exits with its status.
import { processIo } from './commands/command.js';
import { main } from './commands/main.js';

process.exitCode = await main(process.argv.slice(2), processIo());
