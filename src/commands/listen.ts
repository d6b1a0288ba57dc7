// `smn-kit listen`: a receiver of SUBHOOK pushes and SMN notifications that judges,
// records and answers live deliveries, and with --confirm confirms SMN subscriptions.
import { onStop, processIo, UsageError, type Command, type CommandIo, type OptionValues, type OptionValue } from './command.js';
import { listenUsageError } from './listen-errors.js';
import { summarize } from '../report/report.js';
import { createCertificateFetcher, MAX_CERTIFICATE_BYTES } from '../listen/certificates.js';
import { DEFAULT_SMN_HOSTS, LOOPBACK_HOSTS, NO_SMN_HOSTS, parseSmnHosts, VENDOR_SMN_HOSTS, type SmnHosts } from '../listen/hosts.js';
import { openRecorder, type DeliveryRecord, type Recorder } from '../judge/record.js';
import { openListenReports, pathOf, type ListenReports, type ListenTally } from '../listen/report.js';
import {
  DEFAULT_LISTEN_HOST,
  DEFAULT_LISTEN_MAX_BODY,
  DEFAULT_LISTEN_PORT,
  DEFAULT_TOLERANCE_SECONDS,
  startListener,
  type Confirmation,
  type RunningListener,
} from '../listen/server.js';
import type { SmnCertificateSource } from '../judge/smn-notification.js';
import { countSignature, describeProblem, signatureCounts, smnSignatureCounts, subjectOf, uncheckedSignaturesNote, uncheckedSmnSignaturesNote, type SmnSignatureCounts } from '../judge/verdict.js';
import { subhookProductIds } from '../judge/subhook.js';
import { commandError } from './errors.js';
import { integerOption, KEY_OPTIONS_HELP, KEY_SOURCES, productOption, SMN_CERT_HELP, smnCertificateOption, subhookKeyOption, writablePath } from './option-values.js';

function deliveryLine(record: DeliveryRecord): string {
  const { verdict } = record;
  const what = `#${record.n} ${record.method} ${pathOf(record.url)} ${subjectOf({ ...verdict, kind: verdict.kind ?? 'subhook', warnings: [] })}`;
  if (record.redeliveryOf !== undefined) return `${what}: redelivery of #${record.redeliveryOf} (its message_id, accepted then; SMN redelivers after a 5xx or no answer), judged there -> ${record.answer.status}`;
  const judged =
    verdict.status === 'pass'
      ? 'valid'
      : verdict.status === 'warn'
        ? `valid, with warnings (the kit's rules, --strict fails them): ${(verdict.warnings ?? []).map(describeProblem).join('; ')}`
        : `invalid: ${verdict.problems.map(describeProblem).join('; ')}`;
  // A notification that passed without its signature checked says so on its line: it may be forged.
  const unchecked = verdict.kind === 'smn-notification' && verdict.signature === 'not-checked' && verdict.status !== 'fail' ? ` (signature not checked: ${verdict.note ?? 'no certificate'})` : '';
  return `${what}: ${judged}${unchecked} -> ${record.answer.status}`;
}

function confirmationLine(record: DeliveryRecord, confirmation: Confirmation): string {
  if ('skipped' in confirmation) return `#${record.n} subscription not confirmed: ${confirmation.skipped}`;
  if ('error' in confirmation) return `#${record.n} subscription not confirmed: GET ${confirmation.url} got no answer (${confirmation.error})`;
  const confirmed = confirmation.status >= 200 && confirmation.status < 300;
  return `#${record.n} ${confirmed ? 'subscription confirmed' : 'subscription not confirmed'}: GET ${confirmation.url} -> ${confirmation.status} in ${confirmation.ms.toFixed(1)} ms`;
}

/** Why SMN signatures went unchecked, for the summary: what would have checked them. */
function smnUncheckedWhy(counts: SmnSignatureCounts): string {
  return counts.certificate === 'fetched'
    ? 'their signing_cert_url is not on an allowed host: give --smn-cert FILE or add the host to --smn-cert-host'
    : 'no certificate: give --smn-cert FILE or --smn-cert-host HOSTS';
}

function summaryLine({ summary, received, redeliveries, signatures, smnSignatures, confirmations }: ListenTally, expected: number | undefined): string {
  const missing = expected !== undefined && received < expected ? `; ${expected - received} of the ${expected} expected never arrived` : '';
  const deliveries = { one: 'delivery', many: 'deliveries' };
  const unchecked = uncheckedSignaturesNote(signatures, deliveries);
  const smnUnchecked = uncheckedSmnSignaturesNote(smnSignatures, deliveries, smnUncheckedWhy(smnSignatures));
  const warned = summary.warn > 0 ? ` (${summary.warn} with warnings)` : '';
  const confirmed = confirmations
    ? `; ${confirmations.confirmed} subscription${confirmations.confirmed === 1 ? '' : 's'} confirmed${confirmations.failed + confirmations.skipped > 0 ? `, ${confirmations.failed + confirmations.skipped} not` : ''}`
    : '';
  const again = redeliveries > 0 ? `, ${redeliveries} redeliver${redeliveries === 1 ? 'y' : 'ies'} of messages accepted before` : '';
  return `smn-kit listen: ${received} deliver${received === 1 ? 'y' : 'ies'}: ${summary.pass + summary.warn} valid${warned}, ${summary.fail} invalid${again}${missing}${unchecked}${smnUnchecked}${confirmed}`;
}

/** --smn-cert-host, read; a usage error naming the bad entry. */
function smnHostsOption(value: OptionValue): SmnHosts {
  try {
    return parseSmnHosts(value === undefined ? DEFAULT_SMN_HOSTS : String(value));
  } catch (error) {
    throw commandError(error);
  }
}

/** How SMN signatures are checked, for the first line. */
function smnCheckText(certificateFile: string | undefined, hosts: SmnHosts): string {
  if (certificateFile !== undefined) return `SMN signatures checked with ${certificateFile}`;
  if (hosts.none) return 'SMN signatures not checked (no certificate: give --smn-cert FILE or --smn-cert-host HOSTS)';
  const named = hosts.text === DEFAULT_SMN_HOSTS ? "the vendor's SMN hosts and loopback" : hosts.text;
  return `SMN signatures checked with the certificate at signing_cert_url, fetched from ${named} only`;
}

const MAX_CERTIFICATE_KB = MAX_CERTIFICATE_BYTES / 1024;

export const listenCommand = {
  name: 'listen',
  // A getter: the text names the spec's products, and loading the spec waits until help is asked for.
  get usage() {
    return `Usage: smn-kit listen [--port ${DEFAULT_LISTEN_PORT}] [--host ${DEFAULT_LISTEN_HOST}] [--product auto|${subhookProductIds().join('|')}]
                      [--key-file FILE | --key K] [--smn-cert FILE] [--smn-cert-host HOSTS]
                      [--confirm] [--out FILE] [--expect N] [--timeout S] [--status CODE]
                      [--refuse-invalid] [--strict] [--delay MS] [--max-body BYTES]
                      [--tolerance S] [--json FILE] [--junit FILE]

Receives SUBHOOK deliveries and SMN notifications on any path and prints a verdict per
delivery. A SUBHOOK push (POST form, JSON or multipart, or GET): decoding, the event's
schema, the signature (with a key), a token used before, a timestamp outside the window.
An SMN notification (told by its X-SMN-* headers or its JSON body): the envelope of its
type, the headers against the body, the signature (with --smn-cert, or the certificate at
its signing_cert_url when that is on an allowed host), its message against the schema of
its SMS callback event (when it is one), a timestamp outside the window. A message_id
accepted before is SMN redelivering (it retries after a 5xx or no answer in time): it
gets the same answer and is judged once, as a redelivery of the first. With --confirm it confirms subscriptions as an SMN endpoint must:
after answering a SubscriptionConfirmation whose signature verified, it GETs its
subscribe_url (on an allowed host only), so listen is a complete test endpoint.

Each delivery is appended to the --out file, as received and with its verdict, before it
is answered, so nothing received is lost, malformed deliveries included. Bodies over
--max-body get 413 and are recorded as such (without the body). Then it answers --status
after --delay, to test how a sender handles errors and slow receivers. Without a key,
SUBHOOK signatures are not checked, and without a certificate SMN signatures are not:
the first line, the delivery's line and the summary say so. Printed lines and reports
never show tokens, signatures or the key. Memory stays flat however many deliveries
arrive: only counts are kept, and the --json and --junit reports are written as
deliveries come.

Options:
  --port PORT       port to listen on (default ${DEFAULT_LISTEN_PORT}; 0 picks a free one)
  --host HOST       interface to listen on (default ${DEFAULT_LISTEN_HOST})
  --product P       auto (default: per delivery, the product whose schema knows the event),
                    or ${subhookProductIds().join(' or ')}
${KEY_OPTIONS_HELP}
${SMN_CERT_HELP}
                    (default: the certificate at each notification's signing_cert_url,
                    when its host is allowed by --smn-cert-host)
  --smn-cert-host HOSTS
                    the hosts trusted as SMN, comma-separated: certificates are fetched
                    from them only (never from anywhere else; at most ${MAX_CERTIFICATE_KB} KB each,
                    kept once read; a failed fetch makes that delivery invalid, rule
                    certificate-unavailable), and --confirm visits subscribe_url on them
                    only. A host (smn.example.com; * is one label: smn.*.example.com), an
                    IP address, or a group:
                      vendor    the vendor's SMN hosts (Huawei Cloud, Open Telekom Cloud),
                                https only: ${VENDOR_SMN_HOSTS.join(',\n                                ')}
                      loopback  this machine, where smn-kit mock runs: ${LOOPBACK_HOSTS.join(', ')}
                    Loopback and the hosts you name are fetched over http or https.
                    ${NO_SMN_HOSTS} fetches nothing (default ${DEFAULT_SMN_HOSTS}). A signing_cert_url on
                    another host is not fetched: that signature is not checked, and the
                    delivery's line and the summary say so
  --confirm         confirm SMN subscriptions: after answering a valid
                    SubscriptionConfirmation whose signature verified, GET its
                    subscribe_url (on an allowed host); one line says what came of it
  --out FILE        append every delivery as a JSON line {n, receivedAt, remoteAddress,
                    method, url, headers, body, bodyEncoding?, bodyBytes, bodyOmitted?,
                    verdict: {status, kind, product, event, smsEvent, problems, warnings,
                    signature?, note?}, answer: {status, delayMs}, redeliveryOf?}, written
                    readable by its owner only (0600); the raw request
                    includes its token and signature, so keep the file as private as the
                    deliveries; smn-kit validate FILE checks it again offline (default:
                    not recorded)
  --expect N        exit after N deliveries: 0 if all were valid, 1 otherwise
  --timeout S       exit after S seconds: 1 if fewer than --expect N arrived or one was
                    invalid (default: no timeout)
  --status CODE     status of the answer, 200 to 599 (default 200)
  --refuse-invalid  answer 400 to an invalid delivery instead, as a receiver that checks
                    its deliveries does (so smn-kit fire --tamper sees it refused); a
                    delivery whose signature cannot be checked (no key, no certificate,
                    a signing_cert_url on a host not allowed) is then invalid too
                    (unchecked-signature): such a receiver refuses what it cannot verify
  --strict          what the kit adds beyond the vendor's documents (a field the event does
                    not list, a rule marked x-kit-choice in spec/) makes a delivery invalid
                    instead of valid with a warning
  --delay MS        wait this many milliseconds before answering (default 0)
  --max-body BYTES  largest body accepted; larger ones get 413 (default ${DEFAULT_LISTEN_MAX_BODY})
  --tolerance S     refuse timestamps (SUBHOOK's and SMN's) more than S seconds from this
                    machine's clock; 0 turns the check off (default ${DEFAULT_TOLERANCE_SECONDS})
  --json FILE       on exit, complete {url, expected, deliveries: [{n, receivedAt, method,
                    path, status, kind, product, event, smsEvent, problems, signature, note,
                    answer, redeliveryOf?}], received, redeliveries, summary: {pass, fail,
                    warn, skip} (redeliveries not counted there), signatures:
                    {keyGiven, checked, notChecked}, smnSignatures: {certificate, checked,
                    notChecked}, confirmations?: {confirmed, failed, skipped}}; status is
                    pass, fail or warn; kind subhook or smn-notification; certificate is
                    file, fetched or none
  --junit FILE      on exit, complete the JUnit XML: one test case per delivery (and one
                    for --expect)
  -h, --help        show this help

Without --expect or --timeout it runs until Ctrl-C (SIGINT) or SIGTERM. Exit status: 0 when
every delivery was valid (and --expect N arrived), 1 otherwise, 2 for usage errors
(a bad option, the port in use, an --out file that cannot be written).

Example:
  smn-kit listen --port 8787 --key-file subhook.key --out deliveries.jsonl --expect 3 --timeout 60
  smn-kit listen --port 8787 --status 503 --delay 1000 --out retries.jsonl    # until Ctrl-C
  smn-kit validate deliveries.jsonl --key-file subhook.key --require-signature
  # an SMN endpoint for the emulator (smn-kit mock), verifying with the certificate it serves
  smn-kit listen --port 9000 --confirm --refuse-invalid --out notifications.jsonl    # until Ctrl-C
  # an SMN endpoint for smn-kit fire sms_*_event, which signs with the kit's test-only key
  smn-kit listen --port 9000 --smn-cert fixtures/smn/test-only-certificate.pem --refuse-invalid --expect 1 --timeout 60`;
  },
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    product: { type: 'string' },
    key: { type: 'string' },
    'key-file': { type: 'string' },
    'smn-cert': { type: 'string' },
    'smn-cert-host': { type: 'string' },
    confirm: { type: 'boolean' },
    out: { type: 'string' },
    expect: { type: 'string' },
    timeout: { type: 'string' },
    status: { type: 'string' },
    'refuse-invalid': { type: 'boolean' },
    strict: { type: 'boolean' },
    delay: { type: 'string' },
    'max-body': { type: 'string' },
    tolerance: { type: 'string' },
    json: { type: 'string' },
    junit: { type: 'string' },
  },
  async run(values: OptionValues, positionals: string[], io: CommandIo = processIo()): Promise<number> {
    if (positionals.length > 0) throw new UsageError(`listen takes no PATH, got "${positionals[0]}"; run smn-kit listen --help`);
    const host = (values.host as string | undefined) ?? DEFAULT_LISTEN_HOST;
    const port = integerOption(values.port, '--port', DEFAULT_LISTEN_PORT, 0, 65535);
    const product = productOption(values.product, true);
    const key = subhookKeyOption(values, io.env);
    const certificateFile = values['smn-cert'] as string | undefined;
    const certificate = smnCertificateOption(certificateFile);
    const hosts = smnHostsOption(values['smn-cert-host']);
    const confirm = values.confirm === true;
    let smnCertificates: SmnCertificateSource | undefined;
    if (certificate) smnCertificates = () => ({ certificate });
    else if (!hosts.none) smnCertificates = createCertificateFetcher({ hosts }).lookup;
    const expected = values.expect === undefined ? undefined : integerOption(values.expect, '--expect', 1, 1, 1_000_000_000);
    const timeoutSeconds = values.timeout === undefined ? undefined : integerOption(values.timeout, '--timeout', 1, 1, 86_400);
    const status = integerOption(values.status, '--status', 200, 200, 599);
    const delayMs = integerOption(values.delay, '--delay', 0, 0, 600_000);
    const maxBodyBytes = integerOption(values['max-body'], '--max-body', DEFAULT_LISTEN_MAX_BODY, 1, 2 ** 31);
    const toleranceSeconds = integerOption(values.tolerance, '--tolerance', DEFAULT_TOLERANCE_SECONDS, 0, 10 * 365 * 86_400);
    const jsonPath = writablePath(values.json as string | undefined, '--json');
    const junitPath = writablePath(values.junit as string | undefined, '--junit');
    const outPath = values.out as string | undefined;
    let recorder: Recorder | undefined;
    try {
      recorder = outPath === undefined ? undefined : openRecorder(outPath);
    } catch (error) {
      throw new UsageError(`--out ${outPath}: cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }

    const out = (line: string): void => void io.stdout.write(`${line}\n`);
    // A delivery's line and report entry are written once it is answered (the sender
    // waits for neither), those of a burst together.
    let answeredRecords: DeliveryRecord[] = [];
    const report = (): void => {
      if (answeredRecords.length === 0) return;
      const records = answeredRecords;
      answeredRecords = [];
      for (const record of records) reports?.add(record);
      io.stdout.write(records.map((record) => `${deliveryLine(record)}\n`).join(''));
    };
    // All that is kept of the deliveries: counts. Each one goes to the --out file and the
    // reports as it comes, so memory does not grow with their number.
    const tally: ListenTally = {
      received: 0,
      redeliveries: 0,
      summary: summarize([]),
      signatures: signatureCounts(key !== undefined),
      smnSignatures: smnSignatureCounts(certificate ? 'file' : hosts.none ? 'none' : 'fetched'),
      ...(confirm ? { confirmations: { confirmed: 0, failed: 0, skipped: 0 } } : {}),
    };
    let reports: ListenReports | undefined = undefined; // opened once the listener has its URL
    let answered = 0;
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    // Caught before the URL is printed: whoever reads that line may stop us at once.
    const release = onStop(io, finish);

    let listener: RunningListener;
    try {
      listener = await startListener({
        host,
        port,
        product,
        key,
        recorder,
        status,
        refuseInvalid: values['refuse-invalid'] === true,
        strict: values.strict === true,
        delayMs,
        maxBodyBytes,
        toleranceSeconds,
        smnCertificates,
        smnNoCertificate: 'no certificate: give --smn-cert FILE or --smn-cert-host HOSTS',
        subhookNoKey: `give ${KEY_SOURCES}`,
        confirm: confirm ? hosts : undefined,
        onDelivery(record) {
          tally.received++;
          // A redelivery was judged when its message first came: counted once.
          if (record.redeliveryOf !== undefined) tally.redeliveries++;
          else {
            tally.summary[record.verdict.status]++;
            countSignature(tally.signatures, record.verdict, tally.smnSignatures);
          }
          if (answeredRecords.length === 0) setImmediate(report);
          answeredRecords.push(record);
        },
        onConfirmation(record, confirmation) {
          const counts = tally.confirmations!;
          if ('skipped' in confirmation) counts.skipped++;
          else if ('status' in confirmation && confirmation.status >= 200 && confirmation.status < 300) counts.confirmed++;
          else counts.failed++;
          report(); // the delivery's own line first
          out(confirmationLine(record, confirmation));
        },
        onAnswered() {
          if (expected !== undefined && ++answered >= expected) finish();
        },
        onRecordError(error, record) {
          io.stderr.write(`smn-kit listen: delivery #${record.n} could not be recorded to ${outPath} (${error.message}); answered 500 so the sender retries\n`);
        },
      });
    } catch (error) {
      release();
      recorder?.close();
      throw listenUsageError(error, host, port) ?? error;
    }
    // Opened before the first delivery can be handled: that needs the event loop, and this runs first.
    reports = openListenReports({ jsonPath, junitPath, url: listener.url, expected });

    const timer = timeoutSeconds === undefined ? undefined : setTimeout(finish, timeoutSeconds * 1000);
    const checks = [
      product ? `product ${product}` : 'product per event',
      key ? 'signatures checked' : `signatures not checked (no key: give ${KEY_SOURCES})`,
      smnCheckText(certificateFile, hosts),
      ...(confirm ? [hosts.none ? 'not confirming subscriptions (--smn-cert-host none allows no subscribe_url)' : 'confirming subscriptions'] : []),
      outPath ? `recording to ${outPath}` : 'not recording (no --out)',
    ];
    out(`smn-kit listen: receiving SUBHOOK deliveries and SMN notifications on ${listener.url} (${checks.join(', ')}; answering ${status} after ${delayMs} ms; Ctrl-C to stop)`);
    await finished;
    if (timer) clearTimeout(timer);
    release();
    await listener.close();
    recorder?.close();

    report();
    reports.close(tally);
    out(summaryLine(tally, expected));
    const allArrived = expected === undefined || tally.received >= expected;
    return tally.summary.fail === 0 && allArrived ? 0 : 1;
  },
} satisfies Command;
