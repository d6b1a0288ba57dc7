// `smn-kit conformance --receiver URL --product P`: the receiver checks (src/conformance/
// receiver/) against a user's webhook receiver, reported as the SMN checks are (the
// terminal, --json, --junit, the exit status). The reports are written whatever happens
// once the options are read: a receiver that cannot be reached, hangs or dies mid-run.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { CheckResult } from '../conformance/check.js';
import { runReceiverConformance, SMN_PRODUCT, type ReceiverConformanceOptions } from '../conformance/receiver/run.js';
import { connectionProblem, NO_ANSWER_LIMIT } from '../conformance/receiver/sender.js';
import { SMN_TIMEOUT_MS } from '../conformance/receiver/smn.js';
import { receiverOverrideProblem } from '../conformance/receiver/subhook.js';
import { parseOverrideTexts, type Override } from '../generate/overrides.js';
import { secretMasker } from '../conformance/secrets.js';
import { subhookProductIds } from '../judge/subhook.js';
import { smnSigner, type SmnSigner } from '../notify/smn-signer.js';
import { smnResponses } from '../contract/smn-responses.js';
import { SUBHOOK_ENCODINGS, type SubhookEncoding } from '../notify/subhook-push.js';
import { junitXml, summarizeOutcomes, writeReport } from '../report/report.js';
import { onStop, UsageError, type CommandIo, type OptionValue, type OptionValues } from './command.js';
import { commandError } from './errors.js';
import { integerOption, KEY_SOURCES, smnCertificateOption, subhookKeyOption, writablePath } from './option-values.js';

export const DEFAULT_RECEIVER_TIMEOUT_MS = SMN_TIMEOUT_MS;
const DEFAULT_SMN_HOST = '127.0.0.1';
const DEFAULT_ATTACKER_HOST = '127.0.0.2';
const DEFAULT_CONFIRM_WAIT_MS = 5000;

/** The options only a receiver run takes (the command's table has them too). */
export const RECEIVER_OPTIONS = {
  receiver: { type: 'string' },
  product: { type: 'string' },
  key: { type: 'string' },
  'key-file': { type: 'string' },
  encoding: { type: 'string', multiple: true },
  set: { type: 'string', multiple: true },
  'smn-host': { type: 'string' },
  'smn-port': { type: 'string' },
  'attacker-host': { type: 'string' },
  'smn-key': { type: 'string' },
  'smn-cert': { type: 'string' },
  'smn-header': { type: 'string', multiple: true },
  confirmation: { type: 'string' },
  'confirm-wait': { type: 'string' },
  'smn-https': { type: 'boolean' },
  'smn-topic-urn': { type: 'string' },
} as const;

/** The options of an SMN implementation's run, which a receiver run refuses. */
const TARGET_ONLY = ['target', 'project-id', 'token', 'token-file', 'ak', 'sk', 'sk-file', 'allow-writes', 'rate', 'max-body'];
const SUBHOOK_ONLY = ['key', 'key-file', 'encoding', 'set'];
const SMN_ONLY = ['smn-host', 'smn-port', 'attacker-host', 'smn-key', 'smn-cert', 'smn-header', 'confirmation', 'confirm-wait', 'smn-https', 'smn-topic-urn'];

export const RECEIVER_USAGE = `Usage: smn-kit conformance --receiver URL --product ${[...subhookProductIds(), SMN_PRODUCT].join('|')}
                           [--key-file FILE | --key K] [--encoding E[,E]]
                           [--set field=value]...                             (SUBHOOK products)
                           [--smn-host HOST] [--smn-port PORT] [--attacker-host HOST]
                           [--smn-key FILE --smn-cert FILE [--smn-https]] [--smn-header 'NAME: VALUE']...
                           [--confirmation get|out-of-band] [--confirm-wait MS]
                           [--smn-topic-urn URN]                              (smn)
                           [--strict] [--timeout MS] [--json FILE] [--junit FILE]

Checks a webhook receiver of yours: it sends what the vendor sends, and what an attacker
or a broken sender would, and judges each answer. Each check is named, says what was
sent, what came back and why it matters, and a failure comes with a curl command that
sends the very same bytes and headers again.

A SUBHOOK receiver (--product ${subhookProductIds().join(' or ')}; the key as for fire:
${KEY_SOURCES}): every event of the product, signed, in every encoding (form, JSON,
multipart, GET) must get 2xx, also with numbers as strings. A field the event does not
list (a newer vendor release may add one) warns when refused and fails on a 5xx; a
field the vendor's documents disagree on is sent again without it, and that warns.
SUBMAIL's console sets one encoding per receiver: an encoding the receiver refuses as a
whole (every valid push 4xx, while it takes another) is a warning, not a failure;
--encoding names the ones it takes, and then only those are sent and each must take
every push. Forgeries, sent in an encoding the receiver took, must be refused (any
status but 2xx): a wrong signature, one made with another key, no token, no signature
(failures: the vendor's rule is md5(token + key)); another event carrying a token and
signature seen before, the same push again, a timestamp a day old (warnings, failures
with --strict: the vendor neither signs timestamps nor asks receivers to remember
tokens); malformed input (a broken form, cut-off JSON, a 1 MiB body, bytes that are not
UTF-8) must get a 4xx, never a 2xx, a 5xx or no answer.

An SMN endpoint (--product smn): the kit plays SMN, signing with a key made for the run
and serving its certificate and its links (subscribe_url, unsubscribe_url) on
http://--smn-host:--smn-port; tell the receiver to trust that host as SMN's (it is
loopback: 127.0.0.1 by default), or give it the certificate (--smn-key and --smn-cert
sign with a pair it is configured with; add --smn-https for one that fetches certificates
over HTTPS only, as SMN serves them). An attacker's certificate is served on
--attacker-host, a host the receiver must not trust, and the kit sees any request made
there. Checks: a SubscriptionConfirmation is answered 2xx and its subscribe_url visited
(--confirmation out-of-band for a receiver that confirms otherwise), but not that of a
forged one; a valid Notification of each SMS callback event and an
UnsubscribeConfirmation get 2xx, also with the subscription's custom headers
(extension.header; yours with --smn-header, sent with every message but the
SubscriptionConfirmation, as SMN sends them); the same message again (SMN redelivers
after a 5xx or no answer) gets 2xx; refused: a tampered message, another key's
signature, a signing_cert_url on --attacker-host (never fetched), an unknown
signature_version, a type header that disagrees with the body (no verdict while the
receiver took no valid Notification); the UnsubscribeConfirmation comes last, as SMN
sends it.

Every answer is awaited --timeout ms; answers_in_time fails what took longer (SMN gives
5 s). After ${NO_ANSWER_LIMIT} deliveries in a row without an answer, nothing more is sent:
the checks left are errors. The reports are written in every case, also when the
receiver hangs or dies mid-run, or the run is stopped (Ctrl-C).

Exit status: 0 no check failed or errored (warnings and skips allowed); 1 a check failed
or errored; 2 a usage error, a receiver that cannot be reached at the start, or the kit
unable to play SMN (--smn-port taken...).

Receiver options:
  --receiver URL      the receiver under test, http:// or https://
  --product P         ${subhookProductIds().join(', ')} (SUBHOOK pushes) or ${SMN_PRODUCT} (SMN notifications)
  --key-file FILE     the SUBHOOK secret the receiver checks signatures with [or SUBHOOK_KEY]
  --key K             the secret itself; visible in the process list: prefer the others
  --encoding E[,E]    the encodings the receiver takes: ${SUBHOOK_ENCODINGS.join(', ')} (as SUBMAIL's
                      console is set; repeat or separate with commas). Default: every one
  --set field=value   a value the receiver expects in every push whose event has the
                      field, such as its own app (--set app=10495); repeat for more
  --smn-host HOST     the host the kit serves SMN's certificate and links on, which the
                      receiver trusts as SMN's (default ${DEFAULT_SMN_HOST})
  --smn-port PORT     its port (default 0: a free one, named in every URL the kit sends)
  --attacker-host H   where the attacker's certificate is served, a host the receiver
                      must not trust (default ${DEFAULT_ATTACKER_HOST}, loopback on Linux)
  --smn-key FILE      sign as SMN with this RSA key (PEM) instead of one made for the run
  --smn-cert FILE     its certificate (PEM or DER), the one the receiver is configured with
  --smn-https         serve SMN's host and the attacker's over HTTPS with that key and
                      certificate (SMN's certificate URL is always https), for a receiver
                      that fetches certificates over HTTPS only; it must trust the
                      certificate (NODE_EXTRA_CA_CERTS=FILE for Node), which must name
                      --smn-host, and --attacker-host too, or the receiver refuses the
                      attacker's host for its TLS before its certificate is tried
  --smn-header 'NAME: VALUE'
                      a custom header of the receiver's subscription (extension.header),
                      such as a shared secret it checks; repeat for more. Its value shows
                      as *** in every line and report
  --confirmation C    get (default): the receiver confirms a subscription with a GET of
                      subscribe_url, as SMN asks; out-of-band: it confirms otherwise (not checked)
  --confirm-wait MS   how long to wait for that GET after the answer (default ${DEFAULT_CONFIRM_WAIT_MS})
  --smn-topic-urn URN the topic of the receiver's subscription, for a receiver that takes
                      messages of its own topics only (default: one made for the run)
  --timeout MS        how long to wait for each answer (default ${DEFAULT_RECEIVER_TIMEOUT_MS}, SMN's)
  --strict            the kit's own rules, beyond the vendor's documents, fail instead of
                      warning: a SUBHOOK receiver remembers tokens, keeps a timestamp window,
                      answers 413 to a 1 MiB body, takes every form and a newer field; an SMN
                      endpoint answers 2xx to a redelivery. Where the vendor's documents
                      disagree (a field one lists), it still warns
  --json FILE, --junit FILE: as for an SMN implementation

Receiver examples (the receivers on 8787 and 9000 being, say, smn-kit listen --refuse-invalid
and smn-kit listen --confirm --refuse-invalid):
  SUBHOOK_KEY=your-subhook-secret smn-kit conformance --receiver http://127.0.0.1:8787/subhook --product sms --junit receiver.xml
  smn-kit conformance --receiver http://127.0.0.1:9000/smn --product smn --json receiver.json`;

const flag = (values: OptionValues, name: string): string | undefined => values[name] as string | undefined;

/** `--encoding form,json` (or repeated): the encodings the receiver takes, each once, in SUBHOOK_ENCODINGS' order; none given: undefined. */
function encodingsOf(value: OptionValue): SubhookEncoding[] | undefined {
  const given = ((value as string[] | undefined) ?? []).flatMap((text) => text.split(',')).map((text) => text.trim().toLowerCase());
  if (given.length === 0) return undefined;
  for (const name of given) {
    if (!(SUBHOOK_ENCODINGS as readonly string[]).includes(name)) throw new UsageError(`--encoding must be one of ${SUBHOOK_ENCODINGS.join(', ')}, got "${name}"`);
  }
  return SUBHOOK_ENCODINGS.filter((encoding) => given.includes(encoding));
}

function receiverUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--receiver must be an absolute http:// or https:// URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--receiver must be an http:// or https:// URL, got a ${url.protocol} URL`);
  if (url.username || url.password) throw new UsageError('--receiver must not carry a user or password');
  return url;
}

function signerOf(values: OptionValues): SmnSigner | undefined {
  const keyFile = flag(values, 'smn-key');
  const certificateFile = flag(values, 'smn-cert');
  if (keyFile === undefined && certificateFile === undefined) return undefined;
  if (keyFile === undefined || certificateFile === undefined) throw new UsageError('give --smn-key and --smn-cert together (leave both out for a key made for the run)');
  let key: Buffer;
  try {
    key = readFileSync(keyFile);
  } catch (error) {
    throw new UsageError(`--smn-key ${keyFile}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return smnSigner(key, smnCertificateOption(certificateFile)!);
  } catch (error) {
    throw commandError(error);
  }
}

/** `--smn-topic-urn`: a topic URN as the contract reads one (urn:smn:<region>:<project id>:<name>). */
function topicUrnOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (smnResponses().validateSchema('TopicUrn', value).length > 0) throw new UsageError(`--smn-topic-urn must be a topic URN, urn:smn:<region>:<32-hex project id>:<topic name>, got "${value.slice(0, 80)}"`);
  return value;
}

/** `--set field=value`, each checked against the product's events (receiverOverrideProblem). */
function setsOf(value: OptionValue, product: string): Override[] {
  const sets = parseOverrideTexts((value as string[] | undefined) ?? []);
  if ('problem' in sets) throw new UsageError(`--set ${sets.problem}${sets.problem.endsWith('expected field=value') ? ', such as --set app=10495' : ''}`);
  const problem = receiverOverrideProblem(product, sets);
  if (problem) throw new UsageError(problem);
  return sets;
}

/** With --smn-https, the certificate must name SMN's host, or the receiver's TLS refuses every message. */
function tlsChecked(signer: SmnSigner | undefined, https: boolean, host: string): SmnSigner | undefined {
  if (!https || !signer) return signer;
  const named = isIP(host) ? signer.certificate.checkIP(host) : signer.certificate.checkHost(host);
  if (!named) throw new UsageError(`--smn-https: the certificate of --smn-cert does not name ${host} (--smn-host), so the receiver's TLS would refuse every message; make one that does (subjectAltName)`);
  return signer;
}

/** `--smn-header 'X-Token: abc'`, each once; the contract's rules for them are checked by the check that sends them. */
function headersOf(value: OptionValue): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const text of (value as string[] | undefined) ?? []) {
    const at = text.indexOf(':');
    const name = text.slice(0, at).trim();
    if (at <= 0 || !/^[A-Za-z][A-Za-z0-9-]*$/.test(name)) throw new UsageError(`--smn-header "${text.slice(0, 40)}": expected NAME: VALUE, such as --smn-header 'X-Hook-Token: ...'`);
    if (Object.keys(headers).some((known) => known.toLowerCase() === name.toLowerCase())) throw new UsageError(`--smn-header ${name}: given more than once`);
    headers[name] = text.slice(at + 1).trim();
  }
  return headers;
}

function optionsOf(values: OptionValues, io: CommandIo): ReceiverConformanceOptions {
  const given = (names: string[]): string | undefined => names.find((name) => values[name] !== undefined);
  const target = given(TARGET_ONLY);
  if (target) throw new UsageError(`--${target} is for an SMN implementation (--target); a receiver run takes --receiver URL --product P`);
  const receiver = receiverUrl(flag(values, 'receiver')!);
  const products = [...subhookProductIds(), SMN_PRODUCT];
  const product = flag(values, 'product');
  if (product === undefined) throw new UsageError(`--product is required with --receiver: ${products.join(', ')}`);
  if (!products.includes(product)) throw new UsageError(`--product must be ${products.join(', ')}, got "${product}"`);
  const smn = product === SMN_PRODUCT;
  const misplaced = given(smn ? SUBHOOK_ONLY : SMN_ONLY);
  if (misplaced) throw new UsageError(`--${misplaced} applies to ${smn ? 'SUBHOOK products' : '--product smn'}, not to ${product}`);
  const key = smn ? undefined : subhookKeyOption(values, io.env);
  if (!smn && key === undefined) throw new UsageError(`the SUBHOOK key is required for --product ${product}: the receiver checks signatures with it; give ${KEY_SOURCES}`);
  const https = values['smn-https'] === true;
  if (https && (values['smn-key'] === undefined || values['smn-cert'] === undefined)) {
    throw new UsageError('--smn-https serves HTTPS with --smn-key and --smn-cert, the pair the receiver trusts: give both');
  }
  const confirmation = flag(values, 'confirmation') ?? 'get';
  if (confirmation !== 'get' && confirmation !== 'out-of-band') throw new UsageError(`--confirmation must be get or out-of-band, got "${confirmation}"`);
  return {
    receiver,
    product,
    key,
    encodings: encodingsOf(values.encoding),
    sets: smn ? [] : setsOf(values.set, product),
    strict: values.strict === true,
    timeoutMs: integerOption(values.timeout, '--timeout', DEFAULT_RECEIVER_TIMEOUT_MS, 1, 600_000),
    smn: {
      host: flag(values, 'smn-host') ?? DEFAULT_SMN_HOST,
      port: integerOption(values['smn-port'], '--smn-port', 0, 0, 65535),
      attackerHost: flag(values, 'attacker-host') ?? DEFAULT_ATTACKER_HOST,
      signer: smn ? tlsChecked(signerOf(values), https, flag(values, 'smn-host') ?? DEFAULT_SMN_HOST) : undefined,
      https,
      topicUrn: topicUrnOf(flag(values, 'smn-topic-urn')),
      confirmation,
      confirmWaitMs: integerOption(values['confirm-wait'], '--confirm-wait', DEFAULT_CONFIRM_WAIT_MS, 0, 600_000),
      headers: headersOf(values['smn-header']),
    },
  };
}

const TAGS = { pass: 'PASS', fail: 'FAIL', error: 'ERROR', warn: 'WARN', skip: 'SKIP' } as const;

/** Runs the receiver checks as `smn-kit conformance --receiver ...` does; resolves with the exit status. */
export async function conformReceiver(values: OptionValues, io: CommandIo): Promise<number> {
  const options = optionsOf(values, io);
  const jsonPath = writablePath(flag(values, 'json'), '--json');
  const junitPath = writablePath(flag(values, 'junit'), '--junit');
  const mask = secretMasker([options.key, ...Object.values(options.smn.headers)]);
  const out = (line: string): void => void io.stdout.write(`${mask(line)}\n`);
  const shown = `${options.receiver.origin}${options.receiver.pathname}`;
  const results: CheckResult[] = [];
  const report = (ended?: string): void => writeReports({ jsonPath, junitPath, receiver: shown, product: options.product, results, ended, mask });
  /** Ends the run with one line (exit 2), the reports saying why, as one error of `check`. */
  const stop = (check: string, why: string): UsageError => {
    results.push({ operation: options.product, check, status: 'error', message: mask(why) });
    report(why);
    return new UsageError(`--receiver: ${mask(why)}`);
  };

  // A connection first, so that a receiver not running is one line, not a page of errors.
  const unreachable = await connectionProblem(options.receiver, options.timeoutMs);
  if (unreachable) throw stop('receiver_reachable', `cannot reach the receiver at ${shown} (${unreachable}); is it running, and is the URL right?`);

  const controller = new AbortController();
  const release = onStop(io, () => controller.abort());
  let run;
  try {
    run = await runReceiverConformance(
      { ...options, signal: controller.signal },
      {
        started: (hosts) => {
          const playing = hosts
            ? `; the kit plays SMN on ${hosts.smn.origin} (trust ${options.smn.host} as SMN's host), an attacker on ${hosts.attacker.origin ?? `${options.smn.attackerHost} (${hosts.attacker.unavailable})`}`
            : '';
          out(`smn-kit conformance: receiver ${shown} (product ${options.product}${playing}; each answer awaited ${options.timeoutMs} ms)`);
        },
        onResult: (result) => {
          results.push(result);
          out(`  ${TAGS[result.status]} ${result.operation} ${result.check}`);
          if (result.status !== 'pass') {
            out(`       ${result.message}`);
            if (result.reproducer) out(`       reproduce: ${result.reproducer}`);
          }
        },
      },
    );
  } catch (error) {
    // The kit could not play its part (SMN's port in use...); a check's own trouble is its verdict.
    throw stop('run_started', `the kit could not play SMN: ${(error as Error).message}`);
  } finally {
    release();
  }
  report(controller.signal.aborted ? 'the run was stopped' : run.unreachable);
  const summary = summarizeOutcomes(results.map((r) => r.status));
  out(`${results.length} checks: ${summary.pass} pass, ${summary.fail} fail, ${summary.error} error, ${summary.warn} warn, ${summary.skip} skip`);
  return summary.fail + summary.error > 0 ? 1 : 0;
}

function writeReports(report: {
  jsonPath?: string;
  junitPath?: string;
  receiver: string;
  product: string;
  results: CheckResult[];
  ended?: string;
  mask: (text: string) => string;
}): void {
  const { results, mask } = report;
  try {
    if (report.jsonPath !== undefined) {
      const document = {
        receiver: report.receiver,
        product: report.product,
        results: results.map(({ operation, check, status, message, reproducer }) => ({ operation, check, status, message, reproducer: reproducer ?? null })),
        summary: summarizeOutcomes(results.map((r) => r.status)),
        ended: report.ended ?? null,
      };
      writeReport(report.jsonPath, mask(`${JSON.stringify(document, null, 2)}\n`));
    }
    if (report.junitPath !== undefined) {
      const cases = results.map((r) => ({
        suite: r.operation,
        name: r.check,
        status: r.status,
        message: r.message,
        details: r.reproducer ? `${r.message}\nreproduce: ${r.reproducer}` : r.message,
        seconds: (r.durationMs ?? 0) / 1000,
      }));
      writeReport(report.junitPath, mask(junitXml(`smn-kit conformance --receiver ${report.receiver} --product ${report.product}`, cases)));
    }
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
