// `smn-kit conformance`: runs every check against an SMN implementation, in this
// process (the engine the vitest suite in conformance/ runs too), and reports every
// check's verdict (terminal, JSON, JUnit).
import { smnResponses } from '../contract/smn-responses.js';
import type { CheckResult } from '../conformance/check.js';
import { checks } from '../conformance/checks.js';
import { isMissingRoute } from '../conformance/operations.js';
import { runConformance, type RunSelection } from '../conformance/runner.js';
import {
  ConfigurationError,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_TIMEOUT_MS,
  ENVIRONMENT,
  resolveOptions,
  type ConfigurationCode,
  type ConformanceField,
  type ConformanceOptions,
  type OptionNames,
} from '../conformance/options.js';
import { describeAccessKey, maskUserinfo, secretMasker, type Mask } from '../conformance/secrets.js';
import { RequestFailed, TargetClient, type Exchange } from '../conformance/target.js';
import { junitXml, summarizeOutcomes, writeReport, type OutcomeSummary } from '../report/report.js';
import { processIo, UsageError, type Command, type CommandIo, type OptionValues } from './command.js';
import { conformanceConsole } from './conformance-console.js';
import { closest } from './options.js';
import { conformReceiver, RECEIVER_OPTIONS, RECEIVER_USAGE } from './conformance-receiver.js';
import { secretOption } from './option-values.js';

/** The target could not be reached at the start, or is not an SMN base URL: exit 2, one line. */
class ConnectionError extends UsageError {}

/** Text wrapped at about 88 columns, for help text made from lists. */
const wrap = (text: string): string => text.replace(/(.{1,88})( |$)/g, '$1\n').trim();

export const conformanceCommand: Command = {
  name: 'conformance',
  // A getter: the text lists the checks and the contract's operations, read when help is asked for.
  get usage() {
    return `Usage: smn-kit conformance --target URL [--project-id ID]
                           [--token-file FILE | --ak AK --sk-file FILE]
                           [--allow-writes] [--strict] [--edition huawei|otc]
                           [--rate N] [--timeout MS] [--max-body BYTES]
                           [--checks NAME,...] [--operations ID,...] [--json FILE] [--junit FILE]

${wrap(`Runs every check (${checks.map((check) => check.name).join(', ')}) that applies against each of the contract's ${smnResponses().operations.length} operations (every operation of the vendor's SDK, and the SMS callback settings; --operations names them) of the target, and prints a verdict per check and operation. Each failure names what was expected and what was received, and gives a curl command that reproduces it. The token, SK and AK are replaced by *** in every line and report, also where the target echoes them.`)}

A misbehaving target does not stop the run: a request that gets no answer in time, is
cut off, or answers more than --max-body bytes is that check's verdict (error, or fail
for an oversized answer), the other checks still run, and the reports are written.
Each verdict is printed as it comes, the skipped checks grouped by their reason at the
end; on a terminal (stderr a TTY, CI unset), a progress line names the check running.

Reads use what is there: a read that names a resource takes the first one the target
lists (a topic, subscription, template, application, device endpoint), or, with
--allow-writes, the run's own. An operation whose valid request needs something the run
cannot make (a subscription-confirmation token, a KMS key, a Log Tank Service stream,
voice subscriptions, a signing certificate's name, subscription users) has its
valid-request checks skipped with the reason; its refusal without credentials is still
checked. An operation the target does not route at all (404 APIGW.0101 to every
request) is one verdict, its other checks skipped: a failure, or, where only one of the
vendor's editions documents the operation, a warning (a skip with the other --edition).

Nothing is changed on the target unless --allow-writes is given: the operations that
write are reported as skipped without it. With it, UpdateSmsEvent's callback bindings
are read first, and nothing is written unless that read succeeds and obeys the contract
(a failed read is never "nothing bound": the write checks are then errors, with no PUT
sent). Every valid PUT writes those bindings back unchanged; after the write checks
they are read again and whatever differs is put back (bindings_restored). If that
fails, bindings_restored is an error that gives the exact UpdateSmsEvent body which
restores them.

The other writes touch only what the run makes: topics, message templates and
applications named smn_kit_conformance_<run id>_..., subscriptions of those topics to
https://example.invalid/... (a host that never resolves, so nothing is delivered),
device endpoints of those applications, and the tags, attributes, filter policies,
probes and messages of those topics and subscriptions. Each family goes through its
life once (resource_round_trip: made, read, changed, read, removed, read gives not
found). Whatever the target made for the run is deleted at the end (resources_cleaned),
also when a check failed; what cannot be deleted is listed with the DELETE request for
each.

Where the vendor's editions (Huawei Cloud, Open Telekom Cloud) differ, a target may do
what either allows: a warning names both readings. --edition makes that edition's
reading the rule (edition_rules, response_schema_conformance, unrouted operations).

Options (environment variable in brackets):
  --target URL       base URL of the implementation, without /v2, e.g. http://127.0.0.1:4010 [${ENVIRONMENT.target}]
  --project-id ID    project id in the paths (default: the documents' example id) [${ENVIRONMENT.projectId}]
  --token-file FILE  file holding the IAM token, sent as X-Auth-Token [or ${ENVIRONMENT.token}]
  --token T          the token itself; visible to anyone who lists processes: prefer ${ENVIRONMENT.token} or --token-file
  --ak AK            access key: requests are signed with SDK-HMAC-SHA256 [${ENVIRONMENT.ak}]
  --sk-file FILE     file holding the secret key that goes with --ak [or ${ENVIRONMENT.sk}]
  --sk SK            the secret key itself; visible in the process list: prefer ${ENVIRONMENT.sk} or --sk-file
  --allow-writes     also check the operations that write: UpdateSmsEvent (PUT, bindings put back)
                     and the others on the run's own resources, deleted at the end [${ENVIRONMENT.allowWrites}=1]
  --strict           what the kit chose beyond the vendor's documents (response fields the contract does
                     not know, 32-hex ids, the mock's loopback endpoints) fails instead of warning [${ENVIRONMENT.strict}=1]
  --edition EDITION  huawei or otc: the edition of the vendor's documents the target is; its stricter
                     rules fail, an operation it does not document may be missing. Default: what
                     either edition allows passes, with a warning naming both [${ENVIRONMENT.edition}]
  --rate N           at most N requests per second (default: no bound) [${ENVIRONMENT.rate}]
  --timeout MS       time to wait for each answer, body included (default ${DEFAULT_TIMEOUT_MS}) [${ENVIRONMENT.timeoutMs}]
  --max-body BYTES   largest answer body read; a larger one fails its check (default ${DEFAULT_MAX_BODY_BYTES}) [${ENVIRONMENT.maxBodyBytes}]
  --checks LIST      run only these checks (comma-separated, names as reported); with --allow-writes,
                     bindings_restored and resources_cleaned run whenever something may have been written
  --operations LIST  check only these operations (comma-separated operationIds): those the deployment
                     implements. An operation the target does not route at all (404 APIGW.0101 to a
                     valid request) is one verdict, its other checks skipped
  --json FILE        write {target, results, summary} as JSON (also when the run cannot start: then
                     with "error" and no results)
  --junit FILE       write JUnit XML, one test case per check and operation (error outcomes as <error>)
  -h, --help         show this help

Exit status: 0 no check failed or errored (warnings and skips allowed); 1 a check
failed or errored; 2 usage error, target unreachable at the start, or a target whose
every route answers the gateway's 404 (not the base URL).

${RECEIVER_USAGE}

Example:
  smn-kit conformance --target http://127.0.0.1:4010 --allow-writes --operations ListSmsEvent,UpdateSmsEvent,ListSubscriptions --junit conformance.xml
  SMN_AUTH_TOKEN=... smn-kit conformance --target https://smn.cn-north-4.myhuaweicloud.com --project-id 0123... --rate 5`;
  },
  options: {
    target: { type: 'string' },
    'project-id': { type: 'string' },
    token: { type: 'string' },
    'token-file': { type: 'string' },
    ak: { type: 'string' },
    sk: { type: 'string' },
    'sk-file': { type: 'string' },
    'allow-writes': { type: 'boolean' },
    strict: { type: 'boolean' },
    rate: { type: 'string' },
    timeout: { type: 'string' },
    'max-body': { type: 'string' },
    checks: { type: 'string' },
    operations: { type: 'string' },
    edition: { type: 'string' },
    json: { type: 'string' },
    junit: { type: 'string' },
    ...RECEIVER_OPTIONS,
  },
  async run(values, positionals, io: CommandIo = processIo()) {
    if (positionals.length > 0) {
      const [first] = positionals;
      const hint = /^https?:\/\//.test(first!) ? `; did you mean --target ${first}?` : '; run smn-kit conformance --help';
      throw new UsageError(`conformance takes no arguments, got "${first}"${hint}`);
    }
    // A webhook receiver of the user's rather than an SMN implementation: conformance-receiver.ts.
    if (values.receiver !== undefined) return conformReceiver(values, io);
    const stray = Object.keys(RECEIVER_OPTIONS).find((name) => values[name] !== undefined);
    if (stray) throw new UsageError(`--${stray} is for a receiver run: give --receiver URL --product P (or leave --${stray} out)`);
    const flag = (name: string): string | undefined => values[name] as string | undefined;
    // Secrets known before the options are checked: an error line about them must not show them.
    let mask: Mask = secretMasker([flag('token'), flag('sk'), flag('ak'), io.env[ENVIRONMENT.token], io.env[ENVIRONMENT.sk]]);
    try {
      const options = optionsOf(values, io.env);
      const selection = selectionOf(values);
      mask = new TargetClient(options).mask;
      return await conform(values, options, selection, io, (line) => void io.stdout.write(`${mask(line)}\n`));
    } catch (error) {
      if (error instanceof UsageError) throw new UsageError(mask(maskUserinfo(error.message)));
      throw error;
    }
  },
};

/** The flag of each option; the environment variable is ENVIRONMENT's. */
const FLAGS: Record<ConformanceField, string> = {
  target: '--target',
  projectId: '--project-id',
  token: '--token',
  ak: '--ak',
  sk: '--sk',
  rate: '--rate',
  timeoutMs: '--timeout',
  maxBodyBytes: '--max-body',
  edition: '--edition',
};

/** What the user can do instead, in the command's terms, where the options' own hint would name fields. */
const HINTS: Partial<Record<ConfigurationCode, string>> = {
  'credentials-in-target': `give a token with ${ENVIRONMENT.token} or --token-file, or an access key with --ak and ${ENVIRONMENT.sk} or --sk-file`,
};

/**
 * How an error line names each option: by the flag, the file flag or the environment
 * variable it came from. The target, the one option required, is named both ways when
 * it was given neither way.
 */
function optionNames(values: OptionValues, env: NodeJS.ProcessEnv): OptionNames {
  const names: OptionNames = {};
  for (const [field, flag] of Object.entries(FLAGS) as [ConformanceField, string][]) {
    const variable = ENVIRONMENT[field];
    if (values[flag.slice(2)] !== undefined) names[field] = flag;
    else if (values[`${flag.slice(2)}-file`] !== undefined) names[field] = `${flag}-file`;
    else if (env[variable]) names[field] = variable;
    else names[field] = field === 'target' ? `${flag} (or ${variable})` : flag;
  }
  return names;
}

function optionsOf(values: OptionValues, env: NodeJS.ProcessEnv): ConformanceOptions {
  const flag = (name: string): string | undefined => values[name] as string | undefined;
  try {
    return resolveOptions(
      {
        target: flag('target') ?? env[ENVIRONMENT.target],
        projectId: flag('project-id') ?? env[ENVIRONMENT.projectId],
        // A secret given by flag or file replaces the environment's.
        token: secretOption(values, { name: 'token', variable: ENVIRONMENT.token, what: 'the token' }, env),
        ak: flag('ak') ?? env[ENVIRONMENT.ak],
        sk: secretOption(values, { name: 'sk', variable: ENVIRONMENT.sk, what: 'the SK' }, env),
        allowWrites: values['allow-writes'] === true ? true : env[ENVIRONMENT.allowWrites],
        strict: values.strict === true ? true : env[ENVIRONMENT.strict],
        rate: flag('rate') ?? env[ENVIRONMENT.rate],
        timeoutMs: flag('timeout') ?? env[ENVIRONMENT.timeoutMs],
        maxBodyBytes: flag('max-body') ?? env[ENVIRONMENT.maxBodyBytes],
        edition: flag('edition') ?? env[ENVIRONMENT.edition],
      },
      optionNames(values, env),
    );
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    const hint = HINTS[error.code];
    throw new UsageError(hint ? `${error.problem}: ${hint}` : error.message);
  }
}

/**
 * --checks and --operations, each name checked against the suite's: an unknown one is
 * a usage error with the closest name, if one is close.
 */
function selectionOf(values: OptionValues): RunSelection {
  const names = (flag: 'checks' | 'operations', known: string[]): string[] | undefined => {
    const value = values[flag];
    if (value === undefined) return undefined;
    const given = String(value).split(',').map((name) => name.trim()).filter(Boolean);
    if (given.length === 0) throw new UsageError(`--${flag} needs names separated by commas, such as ${known.slice(0, 2).join(',')}`);
    for (const name of given) {
      if (known.includes(name)) continue;
      const guess = closest(name, known);
      throw new UsageError(`--${flag}: unknown ${flag === 'checks' ? 'check' : 'operation'} "${name.slice(0, 60)}"; ${guess ? `did you mean ${guess}? ` : ''}the ${flag}: ${known.join(', ')}`);
    }
    return given;
  };
  return { checks: names('checks', checks.map((check) => check.name)), operations: names('operations', smnResponses().operations.map((op) => op.operationId)) };
}

async function conform(values: OptionValues, options: ConformanceOptions, selection: RunSelection, io: CommandIo, out: (line: string) => void): Promise<number> {
  try {
    await preflight(options);
  } catch (error) {
    // The reports say why there are no results: a CI job that reads them gets the reason.
    if (error instanceof ConnectionError) writeReports(values, options, [], summarizeOutcomes([]), error.message);
    throw error;
  }
  const auth = options.token ? 'token' : options.ak ? `AK/SK (AK ${describeAccessKey(options.ak)})` : 'no credentials given';
  const only = [selection.operations && `operations ${selection.operations.join(', ')}`, selection.checks && `checks ${selection.checks.join(', ')}`].filter(Boolean).join('; ');
  out(`smn-kit conformance: ${options.target} (project ${options.projectId}, ${auth}, writes ${options.allowWrites ? 'allowed' : 'off'}${options.edition ? `, edition ${options.edition}` : ''}${only ? `; only ${only}` : ''})`);

  const display = conformanceConsole(out, io);
  const results = await runConformance(options, { ...selection, onStart: (step) => display.onStart(step), onResult: (result) => display.onResult(result) });
  display.finish();
  const summary = summarizeOutcomes(results.map((r) => r.status));
  out(`${results.length} checks: ${summary.pass} pass, ${summary.fail} fail, ${summary.error} error, ${summary.warn} warn, ${summary.skip} skip`);
  // Its error carries the restoring request only when something was written and could not be put back.
  const unrestored = results.find((r) => r.check === 'bindings_restored' && r.status === 'error' && r.reproducer);
  if (unrestored) out('smn-kit conformance: THE CALLBACK BINDINGS MAY NOT BE AS BEFORE THE RUN: put them back with the request given under UpdateSmsEvent bindings_restored');
  const leftovers = results.find((r) => r.check === 'resources_cleaned' && r.status === 'error' && r.reproducer);
  if (leftovers) out('smn-kit conformance: THE RUN LEFT TOPICS OR SUBSCRIPTIONS OF ITS OWN ON THE TARGET: delete them with the requests given under CancelSubscription resources_cleaned');
  writeReports(values, options, results, summary);
  return summary.fail + summary.error > 0 ? 1 : 0;
}

/**
 * Requests before the suite, so that a target that cannot be tested is one line and
 * exit 2, not 28 failures: one that does not answer, and one whose every route gets the
 * gateway's "no such API" (a base URL with a path, such as .../v2).
 */
async function preflight(options: ConformanceOptions): Promise<void> {
  const client = new TargetClient(options);
  const responses = smnResponses();
  const notFound = responses.contract.errors.get('api_not_found');
  const missingCode = notFound && 'error_code' in notFound.body ? notFound.body.error_code : undefined;
  // The routes of the project's operations that name nothing else: a target's base URL
  // with a path can still match a route that takes anything (`/smn/{certificate_id}`, `/v2`).
  const paths = [...new Set(responses.operations.map((op) => op.path).filter((path) => path.startsWith('/v2/{project_id}/') && !/\{(?!project_id\})/.test(path)))];
  for (const [i, path] of paths.entries()) {
    let exchange: Exchange;
    try {
      exchange = await client.send({ method: 'GET', path: client.path(path) });
    } catch (error) {
      if (i === 0 && error instanceof RequestFailed && error.kind === 'unreachable') throw new ConnectionError(error.message);
      return;
    }
    if (!isMissingRoute(responses, exchange)) return;
  }
  const origin = new URL(options.target).origin;
  throw new ConnectionError(
    `every route of ${options.target} answers ${notFound?.status ?? 404} ${missingCode} (no such API): --target is the base URL, without /v2 or any other path${origin !== options.target ? ` (${origin}?)` : ''}`,
  );
}

/** The --json and --junit reports; `stopped`, why the run could not start (then there are no results). */
function writeReports(values: OptionValues, options: ConformanceOptions, results: CheckResult[], summary: OutcomeSummary, stopped?: string): void {
  // Results are masked already; the whole text once more, for anything else a report quotes.
  const { mask } = new TargetClient(options);
  try {
    if (typeof values.json === 'string') {
      const document = {
        target: options.target,
        ...(stopped === undefined ? {} : { error: stopped }),
        results: results.map(({ operation, check, status, message, reproducer }) => ({ operation, check, status, message, reproducer: reproducer ?? null })),
        summary,
      };
      writeReport(values.json, mask(`${JSON.stringify(document, null, 2)}\n`));
    }
    if (typeof values.junit === 'string') {
      const failedStart = stopped === undefined ? [] : [{ suite: 'smn-kit conformance', name: 'target', status: 'error' as const, message: stopped, details: stopped, seconds: 0 }];
      const cases = [...failedStart, ...results.map((r) => ({
        suite: r.operation,
        name: r.check,
        status: r.status,
        message: r.message,
        details: r.reproducer ? `${r.message}\n${r.check === 'bindings_restored' ? 'restore' : 'reproduce'}: ${r.reproducer}` : r.message,
        seconds: (r.durationMs ?? 0) / 1000,
      }))];
      writeReport(values.junit, mask(junitXml(`smn-kit conformance ${options.target}`, cases)));
    }
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
