// `smn-kit validate`: saved SMN payloads, SUBHOOK events and deliveries, judged offline.
import { closeSync, openSync } from 'node:fs';
import { UsageError, type Command } from './command.js';
import { KINDS, type Kind } from '../validate/judge.js';
import { itemLine, junitCollector, openJsonReport, summaryLine } from '../validate/report.js';
import { validateFiles } from '../validate/run.js';
import { EXTENSIONS, listSourceFiles, SourceError } from '../validate/sources.js';
import { subhookProducts } from '../validate/subhook.js';

export const KEY_VARIABLE = 'SUBHOOK_KEY';

export function subhookKeyOption(value: unknown): string | undefined {
  const key = (value as string | undefined) ?? process.env[KEY_VARIABLE];
  if (key === '') throw new UsageError(`--key (or ${KEY_VARIABLE}) is empty; give the SUBHOOK secret or leave it out`);
  return key;
}

export function productOption(value: unknown, allowAuto: boolean): string | undefined {
  if (value === undefined || (allowAuto && value === 'auto')) return undefined;
  const products = subhookProducts();
  if (!products.includes(String(value))) {
    throw new UsageError(`--product must be ${[...(allowAuto ? ['auto'] : []), ...products].join(', ')}, got "${String(value)}"`);
  }
  return String(value);
}

/** Opens a report path for writing now, so that a bad path is a usage error before any work. */
export function writablePath(path: string | undefined, option: string): string | undefined {
  if (path === undefined) return undefined;
  try {
    closeSync(openSync(path, 'w'));
  } catch (error) {
    throw new UsageError(`${option} ${path}: cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return path;
}

const OUTPUT_FLUSH_BYTES = 1 << 16;

/** Item lines to stdout, a buffer at a time, waiting when the reader is slower than we are. */
function lineWriter(): { line(text: string): Promise<void> | undefined; end(): void } {
  let buffered = '';
  return {
    line(text) {
      buffered += `${text}\n`;
      if (buffered.length < OUTPUT_FLUSH_BYTES) return undefined;
      const ready = process.stdout.write(buffered);
      buffered = '';
      return ready ? undefined : new Promise((resolve) => process.stdout.once('drain', resolve));
    },
    end() {
      if (buffered) process.stdout.write(buffered);
      buffered = '';
    },
  };
}

export const validateCommand: Command = {
  name: 'validate',
  // A getter: the text names the spec's products, and loading the spec waits until help is asked for.
  get usage() {
    return `Usage: smn-kit validate PATH... [--kind auto|smn|subhook] [--product sms|intersms] [--key K]
                        [--json FILE] [--junit FILE]

Checks saved payloads offline against spec/ (the SMN OpenAPI and the SUBHOOK AsyncAPI):
  .json            one payload, or an array of payloads
  .jsonl, .ndjson  one per line: a payload, or a raw delivery {method, url, headers, body}
                   (the --out file of smn-kit listen is such a file)
  .har             SMN exchanges: each response against the operation its request matches,
                   for its status; a request the contract refuses must not get a 2xx
  folders          every ${EXTENSIONS.join(', ')} file under them, other files left alone
JSON Lines files are streamed: memory stays flat however many lines they have
(.json and .har files are read whole). A line that is not JSON is an invalid item.

Prints one line per item that is invalid, has warnings or was skipped (file:line, the
event or operation, each problem with its rule, JSON pointer, expected and received),
then a summary. Tokens and the key are never printed.

Options:
  --kind KIND       auto (default): a raw delivery or an object with "events" is SUBHOOK,
                    a body whose fields match an SMN operation is SMN, any other object
                    with SUBHOOK fields (or anything, with --product) is SUBHOOK; smn or
                    subhook judges every payload as that kind
  --product P       the SUBHOOK product, ${subhookProducts().join(' or ')} (default: per event, the
                    product whose schema knows the event and accepts it)
  --key K           the SUBHOOK secret: signatures are checked too (default: the
                    ${KEY_VARIABLE} environment variable; unset, signatures are not checked)
  --json FILE       write {paths, items: [{source, line | pointer, status, kind, product,
                    event, operation, httpStatus, problems, warnings, note}], summary:
                    {pass, fail, warn, skip}}; status is pass, fail, warn or skip
  --junit FILE      write JUnit XML, one test case per file, failing if an item is invalid
  -h, --help        show this help

Exit status: 0 when nothing is invalid (warnings and skips included), 1 when an item is
invalid, 2 for usage errors (unknown option, a path that cannot be read).

Example:
  smn-kit validate captures/ deliveries.jsonl --key "$SUBHOOK_KEY" --junit validate.xml
  smn-kit validate --kind smn fixtures/smn/`;
  },
  options: {
    kind: { type: 'string' },
    product: { type: 'string' },
    key: { type: 'string' },
    json: { type: 'string' },
    junit: { type: 'string' },
  },
  async run(values, positionals) {
    if (positionals.length === 0) throw new UsageError('give at least one PATH (a file or a folder); run smn-kit validate --help');
    const kind = (values.kind ?? 'auto') as Kind;
    if (!KINDS.includes(kind)) throw new UsageError(`--kind must be ${KINDS.join(', ')}, got "${String(values.kind)}"`);
    const product = productOption(values.product, false);
    const key = subhookKeyOption(values.key);
    const jsonPath = writablePath(values.json as string | undefined, '--json');
    const junitPath = writablePath(values.junit as string | undefined, '--junit');

    let files;
    try {
      files = await listSourceFiles(positionals);
    } catch (error) {
      if (error instanceof SourceError) throw new UsageError(error.message);
      throw error;
    }
    const json = jsonPath === undefined ? undefined : openJsonReport(jsonPath, positionals);
    const junit = junitPath === undefined ? undefined : junitCollector();
    const out = lineWriter();
    const started = process.hrtime.bigint();
    const summary = await validateFiles(files, { kind, product, key }, (item, verdict) => {
      json?.add(item, verdict);
      junit?.add(item, verdict);
      return verdict.status === 'pass' ? undefined : out.line(itemLine(item, verdict));
    });
    out.end();
    json?.close(summary);
    if (junit && junitPath) junit.write(junitPath);
    process.stdout.write(`${summaryLine(summary, files.length, Number(process.hrtime.bigint() - started) / 1e9)}\n`);
    return summary.fail > 0 ? 1 : 0;
  },
};
