// `smn-kit validate`: saved SMN payloads, SUBHOOK events and deliveries, judged offline.
import { processIo, UsageError, type Command, type CommandIo, type OptionValues } from './command.js';
import { KEY_OPTIONS_HELP, productOption, SIGNATURE_HINTS, SMN_CERT_HELP, smnCertificateOption, subhookKeyOption, writablePath } from './option-values.js';
import { subhookProductIds } from '../judge/subhook.js';
import { KINDS, type Kind } from '../validate/judge.js';
import { itemLine, junitCollector, openValidateJson, summaryLine } from '../validate/report.js';
import { countSignature, signatureCounts, smnSignatureCounts } from '../judge/verdict.js';
import { validateFiles } from '../validate/run.js';
import { EXTENSIONS, listSourceFiles, MAX_DOCUMENT_BYTES } from '../validate/sources.js';
import { commandError } from './errors.js';

const OUTPUT_FLUSH_BYTES = 1 << 16;

/** Item lines to the output, a buffer at a time, waiting when the reader is slower than we are. */
function lineWriter(stdout: NodeJS.WritableStream): { line(text: string): Promise<void> | undefined; end(): void } {
  let buffered = '';
  return {
    line(text) {
      buffered += `${text}\n`;
      if (buffered.length < OUTPUT_FLUSH_BYTES) return undefined;
      const ready = stdout.write(buffered);
      buffered = '';
      return ready ? undefined : new Promise((resolve) => stdout.once('drain', resolve));
    },
    end() {
      if (buffered) stdout.write(buffered);
      buffered = '';
    },
  };
}

export const validateCommand = {
  name: 'validate',
  // A getter: the text names the spec's products, and loading the spec waits until help is asked for.
  get usage() {
    return `Usage: smn-kit validate PATH... [--kind auto|smn|subhook] [--product ${subhookProductIds().join('|')}]
                        [--key-file FILE | --key K] [--smn-cert FILE] [--require-signature]
                        [--strict] [--json FILE] [--junit FILE]

Checks saved payloads offline against spec/ (the SMN OpenAPI and the SUBHOOK AsyncAPI):
SMN response bodies, SMN notifications (what SMN POSTs to an http(s) subscriber: a
body, a {headers, body} pair, or a raw delivery), and SUBHOOK events and deliveries.
  .json            one payload, or an array of payloads
  .jsonl, .ndjson  one per line: a payload, or a raw delivery {method, url, headers, body}
                   (the --out file of smn-kit listen is such a file)
  .har             SMN exchanges: each response against the operation its request matches,
                   for its status; a request the contract refuses must not get a 2xx
  folders          every ${EXTENSIONS.join(', ')} file under them, other files left alone
  -                standard input, as JSON Lines (smn-kit listen --out, jq -c)
JSON Lines files are streamed: memory stays flat however many lines they have
(.json and .har files are read whole, and refused over ${MAX_DOCUMENT_BYTES / 2 ** 20} MiB, exit 2). A line
that is not JSON is an invalid item.

An SMN notification is judged as smn-kit listen judges it, offline: the envelope of its
type, the headers against the body (when they were saved), the signature (with
--smn-cert), and its message against the schema of its SMS callback event (when it is
one). A listen --out line also keeps what only reception could judge (a replayed
message_id or token, a stale timestamp).

Prints one line per item that is invalid, has warnings or was skipped (file:line, the
event or operation, each problem with its rule, JSON pointer, expected and received),
then a summary. Without a key, SUBHOOK signatures are not checked, and without
--smn-cert, SMN signatures are not: a forged delivery is then "valid", so the summary
says how many items carry a signature that was not checked (--require-signature makes
those invalid). Tokens and the key are never printed.

Options:
  --kind KIND       auto (default): a raw delivery with an X-SMN-* header or a
                    notification body is an SMN notification, another raw delivery or an
                    object with "events" is SUBHOOK, a body with a notification's type
                    (or signing_cert_url) is an SMN notification, a body whose fields match
                    an SMN operation is an SMN response, any other object with SUBHOOK
                    fields (or anything, with --product) is SUBHOOK; smn judges every
                    payload as SMN (a notification or a response), subhook as SUBHOOK
  --product P       the SUBHOOK product, ${subhookProductIds().join(' or ')} (default: per event, the
                    product whose schema knows the event and accepts it)
${KEY_OPTIONS_HELP}
${SMN_CERT_HELP}
  --require-signature
                    an item whose signature was not checked (a SUBHOOK event without a
                    key, an SMN notification without --smn-cert) is invalid
                    (unchecked-signature) instead of valid with its signature unchecked
  --strict          what the kit adds beyond the vendor's documents (a field the contract
                    does not list, a rule marked x-kit-choice in spec/) makes an item
                    invalid instead of valid with a warning
  --json FILE       write {paths, items: [{source, line | pointer, status, kind, product,
                    event, smsEvent, operation, httpStatus, problems, warnings, note,
                    signature}], summary: {pass, fail, warn, skip}, signatures: {keyGiven,
                    checked, notChecked}, smnSignatures: {certificate, checked,
                    notChecked}}; status is pass, fail, warn or skip; kind is subhook, smn
                    or smn-notification (event: its type; smsEvent: the SMS callback event
                    of its message); an item's signature is checked or not-checked when it
                    carries one (note: why not); smnSignatures.certificate is file or none
  --junit FILE      write JUnit XML, one test case per file, failing if an item is invalid
  -h, --help        show this help

Exit status: 0 when nothing is invalid (warnings and skips included), 1 when an item is
invalid, 2 for usage errors (unknown option, a path that cannot be read, a .json or .har
file too large to read whole).

Example:
  smn-kit validate --kind smn fixtures/smn/payloads/valid
  smn-kit validate fixtures/smn/payloads/invalid    # exit 1: each line breaks one rule of the contract
  smn-kit validate fixtures/smn/notifications/valid --smn-cert fixtures/smn/test-only-certificate.pem --require-signature
  smn-kit validate fixtures/smn/notifications/invalid --smn-cert fixtures/smn/test-only-certificate.pem    # exit 1: one fault each
  smn-kit validate deliveries.jsonl --key-file subhook.key --require-signature --junit validate.xml`;
  },
  options: {
    kind: { type: 'string' },
    product: { type: 'string' },
    key: { type: 'string' },
    'key-file': { type: 'string' },
    'smn-cert': { type: 'string' },
    'require-signature': { type: 'boolean' },
    strict: { type: 'boolean' },
    json: { type: 'string' },
    junit: { type: 'string' },
  },
  async run(values: OptionValues, positionals: string[], io: CommandIo = processIo()): Promise<number> {
    if (positionals.length === 0) throw new UsageError('give at least one PATH (a file or a folder); run smn-kit validate --help');
    const kind = (values.kind ?? 'auto') as Kind;
    if (!KINDS.includes(kind)) throw new UsageError(`--kind must be ${KINDS.join(', ')}, got "${String(values.kind)}"`);
    const product = productOption(values.product, false);
    const key = subhookKeyOption(values, io.env);
    const certificate = smnCertificateOption(values['smn-cert']);
    const requireSignature = values['require-signature'] === true;
    const jsonPath = writablePath(values.json as string | undefined, '--json');
    const junitPath = writablePath(values.junit as string | undefined, '--junit');

    let files;
    try {
      files = await listSourceFiles(positionals);
    } catch (error) {
      throw commandError(error);
    }
    const json = jsonPath === undefined ? undefined : openValidateJson(jsonPath, positionals);
    const junit = junitPath === undefined ? undefined : junitCollector();
    const out = lineWriter(io.stdout);
    const signatures = signatureCounts(key !== undefined);
    const smnSignatures = smnSignatureCounts(certificate ? 'file' : 'none');
    const options = { kind, product, key, requireSignature, strict: values.strict === true, certificate: certificate?.toString(), ...SIGNATURE_HINTS };
    const started = process.hrtime.bigint();
    const summary = await validateFiles(
      files,
      options,
      (item, verdict) => {
        countSignature(signatures, verdict, smnSignatures);
        json?.add(item, verdict);
        junit?.add(item, verdict);
        return verdict.status === 'pass' ? undefined : out.line(itemLine(item, verdict));
      },
      io.stdin,
    );
    out.end();
    json?.close(summary, signatures, smnSignatures);
    if (junit && junitPath) junit.write(junitPath);
    io.stdout.write(`${summaryLine(summary, signatures, files.length, Number(process.hrtime.bigint() - started) / 1e9, smnSignatures)}\n`);
    return summary.fail > 0 ? 1 : 0;
  },
} satisfies Command;
