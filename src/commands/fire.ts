// `smn-kit fire`: valid, signed SUBHOOK events (or deliberately bad ones) and SMN SMS
// callback notifications at any receiver, one line per delivery.
import { ALL_EVENTS, planFire, type FireOptions } from '../fire/plan.js';
import { openFireReports } from '../fire/report.js';
import { runFire } from '../fire/run.js';
import { DEFAULT_TIMEOUT_MS, printableUrl } from '../net/deliver.js';
import { DEFAULT_ENCODING, SUBHOOK_ENCODINGS, type SubhookEncoding } from '../notify/subhook-push.js';
import { MAX_SEED } from '../generate/random.js';
import { SCENARIOS, scenarioOption, LIFECYCLE_OUTCOMES } from '../fire/scenario.js';
import { smsCallbackEventTypes } from '../generate/sms-callback.js';
import { SMN_TAMPER_DESCRIPTIONS, SMN_TAMPER_KINDS, SMN_TAMPER_RULES, STALE_SECONDS, TAMPER_DESCRIPTIONS, TAMPER_KINDS, TAMPER_RULES, tamperKind } from '../fire/tamper.js';
import { smnSigner } from '../notify/smn-signer.js';
import { subhookEventNames } from '../generate/subhook-event.js';
import { subhookProductIds } from '../judge/subhook.js';
import { commandError } from './errors.js';
import { FireError } from '../fire/errors.js';
import { closest } from './options.js';
import { onStop, processIo, UsageError, type Command, type CommandIo, type OptionValues, type OptionValue } from './command.js';
import { integerOption, KEY_VARIABLE, smnCertificateOption, subhookKeyOption, writablePath } from './option-values.js';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const MAX_COUNT = 100_000;
const MAX_RATE = 100_000;
const MAX_TIMEOUT_MS = 600_000;

function usage(): string {
  const products = subhookProductIds();
  const tamperLines = TAMPER_KINDS.map((kind) => `      ${kind.padEnd(17)} ${TAMPER_DESCRIPTIONS[kind]} (${TAMPER_RULES[kind]})`).join('\n');
  const smnTamperLines = SMN_TAMPER_KINDS.map((kind) => `      ${kind.padEnd(17)} ${SMN_TAMPER_DESCRIPTIONS[kind]} (${SMN_TAMPER_RULES[kind]})`).join('\n');
  const eventLines = products.map((product) => `    ${product.padEnd(17)} ${subhookEventNames(product).join(', ')}`).join('\n');
  return `Usage: smn-kit fire EVENT --to URL [--product ${products.join('|')}] [--key-file FILE | --key K]
                     [--encoding ${SUBHOOK_ENCODINGS.join('|')}] [--set field=value]... [--count N]
                     [--rate R] [--seed S] [--scenario ${SCENARIOS.join('|')}] [--tamper KIND]
                     [--topic-urn URN] [--smn-key FILE --smn-cert FILE] [--smn-cert-url URL]
                     [--timeout MS] [--json FILE] [--junit FILE]

Sends SUBHOOK events to a receiver as SUBMAIL pushes them: valid, signed (signature =
md5(token + key)), made from the spec's schemas with realistic values (mobile numbers,
32-character tokens, new ids, the current time). Or deliberately bad ones (--tamper),
to test that the receiver refuses them. An SMS callback event is sent instead as SMN
delivers it to an http(s) subscription: a JSON Notification, signed as SMN signs it
(RSA over the signing string of its fields), with the X-SMN-MESSAGE-TYPE,
X-SMN-MESSAGE-ID, X-SMN-TOPIC-URN and X-SMN-SUBSCRIPTION-URN headers. It is signed with
the kit's test-only key (fixtures/smn/signature-vectors.json; its certificate is
fixtures/smn/test-only-certificate.pem), or with --smn-key and --smn-cert.

Prints one line per delivery with the receiver's status and time (never the key, a
token or a signature), then a summary. Deliveries go one at a time, in order.

EVENT:
  an event of the product (per the spec):
${eventLines}
  ${ALL_EVENTS.padEnd(18)}  every event of the product, in that order
  ${smsCallbackEventTypes().join(' | ')}
                      an SMN SMS callback notification (takes --set, --count, --rate,
                      --seed, --tamper, --topic-urn, --smn-key, --smn-cert, --smn-cert-url
                      and --timeout)

Options:
  --to URL            the receiver, http:// or https:// (required)
  --product P         ${products.join(' or ')} (default ${products[0]})
  --key-file FILE     read the SUBHOOK secret that signs the events from FILE (the key
                      alone in it); this file, or the ${KEY_VARIABLE} environment variable
                      (the default), keeps the key out of the process list. Required,
                      one way or another, for SUBHOOK events
  --key K             the SUBHOOK secret on the command line (prefer --key-file)
  --encoding E        how the fields travel (default ${DEFAULT_ENCODING}, what the vendor's receiver
                      examples read; json for --tamper wrong-type):
                      form       POST application/x-www-form-urlencoded
                      json       POST application/json (app and timestamp are numbers)
                      multipart  POST multipart/form-data
                      get        GET, the fields added to the URL's query
  --set field=value   replace a generated value; repeat for more fields. The value is
                      a number where the field's schema allows one (--set app=10001),
                      else text. An unknown field or a value the schema refuses stops
                      the run before anything is sent. Setting token re-signs the event.
                      With ${ALL_EVENTS}, applies to the events that have the field.
  --count N           send each event (each message with --scenario) N times, 1 to
                      ${MAX_COUNT} (default 1)
  --rate R            at most R deliveries per second, such as 0.5 or 200 (default: as
                      fast as the receiver answers)
  --seed S            0 to ${MAX_SEED}: the same seed sends the same events, apart from the
                      time (default: a random seed, printed so a run can be repeated)
  --scenario lifecycle
                      the status events of one message in order, one send_id:
                      request -> sending -> ${LIFECYCLE_OUTCOMES.join(' or ')}; EVENT is the outcome
                      (${LIFECYCLE_OUTCOMES.join(' or ')}; left out, drawn by the seed)
  --tamper KIND       send a bad delivery instead (after a valid one for reused-token);
                      a receiver should refuse it with a non-2xx answer. KIND, and in parentheses the rule smn-kit reports for it
                      (smn-kit listen, and the SUBHOOK and SMN notification libraries):
                      SUBHOOK events:
${tamperLines}
                      SMS callback events (SMN notifications):
${smnTamperLines}
                      (one day: ${STALE_SECONDS} s, far outside a 300 s tolerance window)
  --topic-urn URN     SMS callback events: the topic the notification comes from
                      (default urn:smn:cn-north-4:<32 hex digits from the seed>:sms_callback)
  --smn-key FILE      SMS callback events: sign with this RSA private key (PEM) instead
                      of the kit's test-only key; needs --smn-cert, its certificate,
                      whose signature algorithm names the hash (as SMN's does)
  --smn-cert FILE     the certificate (PEM or DER) of --smn-key
  --smn-cert-url URL  SMS callback events: the notifications' signing_cert_url, where
                      your receiver fetches the certificate (default
                      https://smn.test-only.invalid/smn/SMN_<region>_<32 hex>.pem, which
                      no one serves: give the receiver the certificate file)
  --timeout MS        wait at most MS milliseconds for each answer, 1 to ${MAX_TIMEOUT_MS}
                      (default ${DEFAULT_TIMEOUT_MS})
  --json FILE         write {to, seed, planned, deliveries: [{n, label, expect, rule,
                      status, ms, outcome, note}], sent, asExpected, unexpected, seconds,
                      ended}; expect is accept or refuse, outcome pass (the answer was the
                      expected one) or fail; ended says why a run stopped early
  --junit FILE        write JUnit XML, one test case per delivery (failed when its answer
                      was not the expected one). Both are written as deliveries go and
                      completed also when the receiver stops answering
  -h, --help          show this help

Exit status: 0 when every answer was as expected (2xx; not 2xx for a tampered
delivery), 1 otherwise, 2 for usage errors and a receiver that cannot be reached.

Example:
  # port 8787: a receiver that checks signatures with the same key and refuses bad
  # deliveries (smn-kit listen --port 8787 --refuse-invalid); 9000: your SMN receiver, such as
  # smn-kit listen --port 9000 --smn-cert fixtures/smn/test-only-certificate.pem --refuse-invalid
  export ${KEY_VARIABLE}=your-subhook-secret    # the environment keeps the key out of the process list
  smn-kit fire delivered --to http://127.0.0.1:8787/subhook
  smn-kit fire all --product intersms --encoding json --to http://127.0.0.1:8787/subhook
  smn-kit fire dropped --scenario lifecycle --count 3 --to http://127.0.0.1:8787/subhook
  smn-kit fire request --set address=+8613812345678 --set tag=order-1024 --to http://127.0.0.1:8787/subhook
  smn-kit fire request --tamper signature --to http://127.0.0.1:8787/subhook    # exit 0: the receiver refused it
  smn-kit fire sms_success_event --to http://127.0.0.1:9000/smn
  smn-kit fire sms_fail_event --tamper changed-field --to http://127.0.0.1:9000/smn    # exit 0: the receiver refused it`;
}

function urlOption(value: OptionValue): URL {
  if (value === undefined) throw new UsageError('--to URL is required: the receiver to send to, such as --to http://127.0.0.1:8787/subhook');
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new UsageError(`--to must be an absolute http:// or https:// URL, got "${String(value)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--to must be an http:// or https:// URL, got a ${url.protocol} URL`);
  return url;
}

function rateOption(value: OptionValue): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const rate = Number(text);
  if (!/^[0-9]+(?:\.[0-9]+)?$/.test(text) || rate <= 0 || rate > MAX_RATE) {
    throw new UsageError(`--rate must be a number of deliveries per second above 0 and at most ${MAX_RATE}, got "${text}"`);
  }
  return rate;
}

function encodingOption(value: OptionValue): SubhookEncoding | undefined {
  if (value === undefined) return undefined;
  const encoding = SUBHOOK_ENCODINGS.find((e) => e === value);
  if (!encoding) throw new UsageError(`--encoding must be one of ${SUBHOOK_ENCODINGS.join(', ')}, got "${String(value)}"`);
  return encoding;
}

/** --smn-key with --smn-cert: the user's signer; neither: the default (the kit's test key). */
function signerOption(keyFile: OptionValue, certificateFile: OptionValue) {
  if (keyFile === undefined && certificateFile === undefined) return undefined;
  if (keyFile === undefined || certificateFile === undefined) {
    throw new UsageError('give --smn-key and --smn-cert together: the key signs, its certificate names the hash (leave both out for the kit\'s test key)');
  }
  let key: Buffer;
  try {
    key = readFileSync(String(keyFile));
  } catch (error) {
    throw new UsageError(`--smn-key ${String(keyFile)}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return smnSigner(key, smnCertificateOption(certificateFile)!);
}

function certUrlOption(value: OptionValue): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new UsageError(`--smn-cert-url must be an absolute http:// or https:// URL, got "${String(value)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--smn-cert-url must be an http:// or https:// URL, got a ${url.protocol} URL`);
  return url.href;
}

/** A FireError about a name fire does not know, with the closest name it does, as for a mistyped option. */
function withGuess(error: unknown): unknown {
  if (!(error instanceof FireError) || !error.unknownName) return error;
  const guess = closest(error.unknownName.given, error.unknownName.known);
  return guess ? new FireError(`${error.message}; did you mean ${guess}?`, error.code) : error;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? 'y' : 'ies'}`;

async function fire(values: OptionValues, positionals: string[], io: CommandIo): Promise<number> {
  if (positionals.length > 1) throw new UsageError(`fire takes one EVENT, got ${positionals.length}: ${positionals.join(' ')}; run smn-kit fire --help`);
  const to = urlOption(values.to);
  const options: FireOptions = {
    to,
    event: positionals[0],
    product: values.product as string | undefined,
    key: subhookKeyOption(values, io.env),
    encoding: encodingOption(values.encoding),
    sets: (values.set as string[] | undefined) ?? [],
    count: integerOption(values.count, '--count', 1, 1, MAX_COUNT),
    seed: values.seed === undefined ? undefined : integerOption(values.seed, '--seed', 0, 0, MAX_SEED),
    scenario: values.scenario === undefined ? undefined : scenarioOption(String(values.scenario)),
    tamper: values.tamper === undefined ? undefined : tamperKind(String(values.tamper)),
    topicUrn: values['topic-urn'] as string | undefined,
    smnSigner: signerOption(values['smn-key'], values['smn-cert']),
    smnCertUrl: certUrlOption(values['smn-cert-url']),
  };
  const rate = rateOption(values.rate);
  const timeoutMs = integerOption(values.timeout, '--timeout', DEFAULT_TIMEOUT_MS, 1, MAX_TIMEOUT_MS);
  const jsonPath = writablePath(values.json as string | undefined, '--json');
  const junitPath = writablePath(values.junit as string | undefined, '--junit');
  const out = (line: string): void => void io.stdout.write(`${line}\n`);
  const plan = planFire(options);
  out(`smn-kit fire: ${plural(plan.deliveries.length, 'deliver')} to ${printableUrl(to)} (seed ${plan.seed})`);
  const reports = openFireReports({ jsonPath, junitPath, to: printableUrl(to), seed: plan.seed, planned: plan.deliveries.length });
  const started = performance.now();
  // Ctrl-C or SIGTERM ends the delivery in flight at once, whatever the receiver is doing.
  const stopping = new AbortController();
  const release = onStop(io, () => stopping.abort());
  let result;
  try {
    result = await runFire(plan, { rate, timeoutMs, out, signal: stopping.signal, onDelivery: (sent) => reports.add(sent) });
  } catch (error) {
    // The reports say what was sent before the run stopped, and why it stopped.
    reports.close({ seconds: (performance.now() - started) / 1000, ended: (error as Error).message });
    throw error;
  } finally {
    release();
  }
  reports.close({ seconds: result.seconds, ...(result.stopped ? { ended: 'stopped (Ctrl-C or SIGTERM)' } : {}) });
  const perSecond = result.seconds > 0 ? ` (${Math.round(result.sent / result.seconds)}/s)` : '';
  const outcome = result.unexpected === 0 ? 'every answer as expected' : `${result.unexpected} of ${result.sent} not as expected`;
  if (result.stopped) {
    out(`smn-kit fire: stopped after ${plural(result.sent, 'deliver')} of ${plan.deliveries.length} in ${result.seconds.toFixed(2)} s: ${outcome}`);
    return 1;
  }
  out(`smn-kit fire: ${plural(result.sent, 'deliver')} in ${result.seconds.toFixed(2)} s${perSecond}: ${outcome}`);
  return result.unexpected === 0 ? 0 : 1;
}

export const fireCommand: Command = {
  name: 'fire',
  get usage() {
    return usage();
  },
  options: {
    to: { type: 'string' },
    product: { type: 'string' },
    key: { type: 'string' },
    'key-file': { type: 'string' },
    encoding: { type: 'string' },
    set: { type: 'string', multiple: true },
    count: { type: 'string' },
    rate: { type: 'string' },
    seed: { type: 'string' },
    scenario: { type: 'string' },
    tamper: { type: 'string' },
    'topic-urn': { type: 'string' },
    'smn-key': { type: 'string' },
    'smn-cert': { type: 'string' },
    'smn-cert-url': { type: 'string' },
    timeout: { type: 'string' },
    json: { type: 'string' },
    junit: { type: 'string' },
  },
  async run(values, positionals, io: CommandIo = processIo()) {
    try {
      return await fire(values, positionals, io);
    } catch (error) {
      throw commandError(withGuess(error));
    }
  },
};
