// `smn-kit conformance`: runs the vitest suites in conformance/ against an SMN
// implementation and reports every check's verdict (terminal, JSON, JUnit).
import { fileURLToPath } from 'node:url';
import { startVitest } from 'vitest/node';
import { ConformanceReporter } from '../conformance/reporter.js';
import type { CheckResult } from '../conformance/checks.js';
import { ConfigurationError, DEFAULT_TIMEOUT_MS, ENVIRONMENT, environmentOf, resolveOptions, type ConformanceOptions } from '../conformance/options.js';
import { TargetClient, TargetUnreachable } from '../conformance/target.js';
import { junitXml, summarize, writeReport, type Summary } from '../report/report.js';
import { UsageError, type Command } from './command.js';

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The target could not be reached: exit 2, one line. */
class ConnectionError extends UsageError {}

export const conformanceCommand: Command = {
  name: 'conformance',
  usage: `Usage: smn-kit conformance --target URL [--project-id ID] [--token T | --ak AK --sk SK]
                           [--allow-writes] [--strict] [--rate N] [--timeout MS]
                           [--json FILE] [--junit FILE]

Runs every check (status_code_conformance, content_type_conformance,
response_schema_conformance, response_headers_conformance, request_id_format,
negative_data_rejection, positive_data_acceptance, ignored_auth, event_type_filter,
pagination, update_round_trip) against ListSmsEvent, UpdateSmsEvent and
ListSubscriptions of the target, and prints a verdict per check and operation. Each
failure names what was expected and what was received, and gives a curl command that
reproduces it, with secrets replaced by ***.

Nothing is changed on the target unless --allow-writes is given: UpdateSmsEvent (PUT)
checks, including the negative ones, are reported as skipped without it. With it, the
current callback bindings are read, written back unchanged, and restored if an invalid
request changed them.

Options (environment variable in brackets):
  --target URL       base URL of the implementation, e.g. http://127.0.0.1:4010 [${ENVIRONMENT.target}]
  --project-id ID    project id in the paths (default: the documents' example id) [${ENVIRONMENT.projectId}]
  --token T          IAM token, sent as X-Auth-Token [${ENVIRONMENT.token}]
  --ak AK, --sk SK   access key pair: requests are signed with SDK-HMAC-SHA256 [${ENVIRONMENT.ak}, ${ENVIRONMENT.sk}]
  --allow-writes     also check UpdateSmsEvent, which sends PUT requests [${ENVIRONMENT.allowWrites}=1]
  --strict           response fields the contract does not know fail instead of warning [${ENVIRONMENT.strict}=1]
  --rate N           at most N requests per second (default: no bound) [${ENVIRONMENT.rate}]
  --timeout MS       time to wait for each answer (default ${DEFAULT_TIMEOUT_MS}) [${ENVIRONMENT.timeoutMs}]
  --json FILE        write {target, results, summary} as JSON
  --junit FILE       write JUnit XML, one test case per check and operation
  -h, --help         show this help

Exit status: 0 nothing failed, 1 a check failed, 2 usage error or target unreachable.

Example:
  smn-kit conformance --target http://127.0.0.1:4010 --allow-writes --junit conformance.xml
  SMN_AUTH_TOKEN=... smn-kit conformance --target https://smn.cn-north-4.myhuaweicloud.com --project-id 0123... --rate 5`,
  options: {
    target: { type: 'string' },
    'project-id': { type: 'string' },
    token: { type: 'string' },
    ak: { type: 'string' },
    sk: { type: 'string' },
    'allow-writes': { type: 'boolean' },
    strict: { type: 'boolean' },
    rate: { type: 'string' },
    timeout: { type: 'string' },
    json: { type: 'string' },
    junit: { type: 'string' },
  },
  async run(values) {
    const env = process.env;
    const flag = (name: string): string | undefined => values[name] as string | undefined;
    let options: ConformanceOptions;
    try {
      options = resolveOptions({
        target: flag('target') ?? env[ENVIRONMENT.target],
        projectId: flag('project-id') ?? env[ENVIRONMENT.projectId],
        token: flag('token') ?? env[ENVIRONMENT.token],
        ak: flag('ak') ?? env[ENVIRONMENT.ak],
        sk: flag('sk') ?? env[ENVIRONMENT.sk],
        allowWrites: values['allow-writes'] === true ? true : env[ENVIRONMENT.allowWrites],
        strict: values.strict === true ? true : env[ENVIRONMENT.strict],
        rate: flag('rate') ?? env[ENVIRONMENT.rate],
        timeoutMs: flag('timeout') ?? env[ENVIRONMENT.timeoutMs],
      });
    } catch (error) {
      if (error instanceof ConfigurationError) throw new UsageError(error.message);
      throw error;
    }
    await preflight(options);

    const out = (line: string): void => void process.stdout.write(`${line}\n`);
    const auth = options.token ? 'token' : options.ak ? `AK/SK (${options.ak.slice(0, 4)}***)` : 'no credentials given';
    out(`smn-kit conformance: ${options.target} (project ${options.projectId}, ${auth}, writes ${options.allowWrites ? 'allowed' : 'off'})`);

    const results = await runSuites(options);
    for (const result of results) printResult(out, result);
    const summary = summarize(results.map((r) => r.status));
    out(`${results.length} checks: ${summary.pass} pass, ${summary.fail} fail, ${summary.warn} warn, ${summary.skip} skip`);
    writeReports(values, options, results, summary);
    return summary.fail > 0 ? 1 : 0;
  },
};

/** One request before the suite, so an unreachable target is one line, not 27 failures. */
async function preflight(options: ConformanceOptions): Promise<void> {
  const client = new TargetClient(options);
  try {
    await client.send({ method: 'GET', path: client.path('/v2/{project_id}/notifications/sms/callback') });
  } catch (error) {
    if (error instanceof TargetUnreachable) throw new ConnectionError(error.message);
    throw error;
  }
}

async function runSuites(options: ConformanceOptions): Promise<CheckResult[]> {
  const reporter = new ConformanceReporter();
  const saved = { ...process.env };
  Object.assign(process.env, environmentOf(options));
  try {
    const vitest = await startVitest(
      'test',
      [],
      {
        root: packageRoot,
        config: false,
        include: ['conformance/**/*.test.ts'],
        reporters: [reporter],
        watch: false,
        testTimeout: 0,
        fileParallelism: false,
        passWithNoTests: false,
      },
      { logLevel: 'silent' },
    );
    await vitest.close();
  } finally {
    for (const key of Object.values(ENVIRONMENT)) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    process.exitCode = undefined;
  }
  const unreachable = reporter.errors.find((e) => e.name === 'TargetUnreachable');
  if (unreachable) throw new ConnectionError(unreachable.message);
  if (reporter.errors.length > 0) {
    const first = reporter.errors[0]!;
    throw new UsageError(`the conformance suite could not run: ${first.name}: ${first.message.split('\n')[0]}`);
  }
  if (reporter.results.length === 0) throw new UsageError(`no conformance checks ran (looked for conformance/**/*.test.ts under ${packageRoot})`);
  return reporter.results;
}

function printResult(out: (line: string) => void, result: CheckResult): void {
  const tag = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP' }[result.status];
  out(`  ${tag} ${result.operation} ${result.check}`);
  if (result.status === 'fail' || result.status === 'warn') {
    out(`       ${result.message}`);
    if (result.reproducer) out(`       reproduce: ${result.reproducer}`);
  }
}

function writeReports(values: Record<string, unknown>, options: ConformanceOptions, results: CheckResult[], summary: Summary): void {
  try {
    if (typeof values.json === 'string') {
      const document = {
        target: options.target,
        results: results.map(({ operation, check, status, message, reproducer }) => ({ operation, check, status, message, reproducer: reproducer ?? null })),
        summary,
      };
      writeReport(values.json, `${JSON.stringify(document, null, 2)}\n`);
    }
    if (typeof values.junit === 'string') {
      const cases = results.map((r) => ({
        suite: r.operation,
        name: r.check,
        status: r.status,
        message: r.message,
        details: r.reproducer ? `${r.message}\nreproduce: ${r.reproducer}` : r.message,
        seconds: (r.durationMs ?? 0) / 1000,
      }));
      writeReport(values.junit, junitXml(`smn-kit conformance ${options.target}`, cases));
    }
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
