// `smn-kit mock`: the SMN emulator (or pure Prism answers) on a port, until SIGINT or SIGTERM.
import { relative } from 'node:path';
import { smnSpecPath } from '../contract/smn.js';
import { AUTH_MODES, type AuthConfig, type AuthMode } from '../mock/engine/auth.js';
import { isLoopbackHost, type DeliveryPolicy } from '../mock/delivery/policy.js';
import { MAX_DELIVERIES } from '../mock/delivery/notifier.js';
import { DEFAULT_BLACKLIST, DEFAULT_RETRY_DELAYS, DEFAULT_SCHEDULE, MAX_ATTEMPTS, parseDuration, parseRetryDelays, ScheduleError, type DeliverySchedule } from '../mock/delivery/schedule.js';
import { defaultSeedPath, generateSubscriptions, loadSeedSubscriptions, SeedError } from '../mock/emulator/seed.js';
import { BODY_BUDGET_BYTES, DEFAULT_HOST, DEFAULT_MAX_BODY_BYTES, DEFAULT_PORT, DEFAULT_PROJECT_ID, startMock } from '../mock/server.js';
import { readSigningIdentity, SigningIdentityError, type SigningIdentity } from '../mock/delivery/signing.js';
import { ENGINES, type EngineName } from '../mock/engine/validation.js';
import { STATE_BYTES, STATE_LIMITS, StateFileError, type Subscription } from '../mock/emulator/state.js';
import { PrismMissingError } from '../mock/engine/prism-package.js';
import { onStop, processIo, UsageError, type Command, type CommandIo, type OptionValues } from './command.js';
import { listenUsageError } from './listen-errors.js';
import { editionOption, integerOption, secretOption } from './option-values.js';

const here = (path: string): string => relative(process.cwd(), path) || path;

export const mockCommand: Command = {
  name: 'mock',
  usage: `Usage: smn-kit mock [--host HOST] [--port PORT] [--quiet] [--max-body BYTES]
                    [--stateless] [--state-file FILE] [--strict-topics]
                    [--subscriptions FILE | --seed-subscriptions N [--seed S]]
                    [--auth none|presence|token|aksk] [--token T] [--ak AK --sk SK]
                    [--admin-token T] [--allow-hosts HOST,... | --allow-hosts '*']
                    [--auto-confirm] [--https-port PORT] [--signing-key FILE --signing-cert FILE]
                    [--retry-delays LIST] [--blacklist DURATION] [--engine fast|prism]
                    [--edition huawei|otc]

Serves ListSmsEvent, UpdateSmsEvent, ListSubscriptions, and the topic operations:
CreateTopic, ListTopics, DeleteTopic, AddSubscription, ListSubscriptionsByTopic,
CancelSubscription, PublishMessage. Every request is validated against the contract
first, as Prism validates it (--engine prism: by Prism itself); an invalid one gets the
SMN or API-gateway error the real service sends (400 SMN.0015, 401 APIGW.0301, 404
APIGW.0101...).

By default the mock remembers: UpdateSmsEvent stores the callback bindings per project
and ListSmsEvent returns them; CreateTopic makes topics (idempotent: 201, then 200);
AddSubscription adds subscriptions that follow the confirmation flow; ListSubscriptions
lists them after the seed's, oldest first, paged by offset and limit. Inspection
endpoints beside the API: GET /_mock/state, POST /_mock/reset, GET|DELETE
/_mock/requests, POST /_mock/subscriptions, POST /_mock/subscriptions/confirm,
POST /_mock/topics, POST /_mock/templates, GET|DELETE /_mock/deliveries,
GET|DELETE /_mock/outbox, POST /_mock/sms/events (docs/mock.md). They need no
credentials while the mock listens on loopback; with --host beyond loopback they need
the API's credentials, or --admin-token when given.

Notifications are signed as SMN signs them (RSA, sha256WithRSA certificate served at
/smn/SMN_<region>_<hex>.pem on the mock). A new http(s) subscription starts unconfirmed
and receives a SubscriptionConfirmation; a GET of its subscribe_url confirms it; only
confirmed ones receive Notifications (PublishMessage answers once they are delivered);
its unsubscribe_url removes it and sends an UnsubscribeConfirmation. Messages are
delivered as SMN delivers them: 5 s per attempt; a 5xx or no answer is tried again,
${MAX_ATTEMPTS} attempts in all (the same message_id, timestamp and signature each time), then
dropped; any other answer is not retried; an endpoint that fails ${MAX_ATTEMPTS} attempts in a row is
left out for a while (SMN: 5 to 10 minutes); a published message is dropped once its
time_to_live (default 3600 s) has passed. SMN spaces its retries by hours; the mock
compresses them (--retry-delays). Every attempt is recorded in GET /_mock/deliveries.
A confirmed http(s) subscription's custom headers (extension.header) go with each
message but the SubscriptionConfirmation. An sms or email subscription gets its
confirmation, with the link, and its messages in the outbox (GET /_mock/outbox): what
the phone or mailbox would have received.

Published notifications go to loopback endpoints only (127.0.0.1, ::1, localhost),
unless --allow-hosts names other hosts. A mock listening beyond loopback that checks no
credential (--auth none or presence) delivers only to the hosts --allow-hosts names,
this machine included (nowhere without it), or give --auth token or aksk. A publication
reaches at most ${MAX_DELIVERIES} subscribers. A topic takes ${STATE_LIMITS.subscriptionsPerTopic.max} subscriptions, SMN's quota
(403 SMN.0007). The state holds at most ${STATE_LIMITS.projects.max} changed projects, ${STATE_LIMITS.subscriptions.max} subscriptions
of changed projects, ${STATE_LIMITS.topics.max} topics (made or added), ${STATE_LIMITS.templates.max} message templates and
${STATE_BYTES.max / 2 ** 20} MiB of JSON; past them a change gets 403 (SMN.0001, SMN.0007, SMN.0004, SMN.0044).
The state file (and FILE.journal, FILE.lock) is written 0600: it holds the signing key.
A second mock on the same file refuses to start.

Options:
  --host HOST              interface to listen on (default ${DEFAULT_HOST})
  --port PORT              port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --quiet                  no log line per request
  --max-body BYTES         largest request body accepted, larger ones get 413 (default ${DEFAULT_MAX_BODY_BYTES}).
                           All requests together hold at most ${BODY_BUDGET_BYTES} bytes of bodies (or BYTES,
                           if larger) until answered; past that, 503 APIGW.0202 with Retry-After: 1
  --stateless              no state: every answer is the contract's example (pure Prism)
  --state-file FILE        load the state from FILE at start and save it there after each change
  --strict-topics          refuse bindings to topics the mock does not know (SMN.0141/0143/0145);
                           it knows the topics CreateTopic made, those of the subscriptions and those
                           added with POST /_mock/topics
  --subscriptions FILE     the seed subscriptions, a JSON list (default ${here(defaultSeedPath)})
  --seed-subscriptions N   instead, N subscriptions generated from the contract's schema
  --seed S                 seed of the generated subscriptions (default "smn-kit"): same seed, same data
  --auth MODE              none: no check; presence (default): X-Auth-Token or Authorization must be
                           there; token: X-Auth-Token must equal --token; aksk: the SDK-HMAC-SHA256
                           signature must verify with --ak/--sk. Refusals are 401 APIGW.0301.
  --token T                the token --auth token accepts [SMN_MOCK_TOKEN, or --token-file FILE]
  --ak AK, --sk SK         the key pair --auth aksk accepts [SMN_MOCK_AK, SMN_MOCK_SK, or --sk-file FILE]
  --admin-token T          /_mock/ requests must carry X-Admin-Token: T (or Authorization: Bearer T)
                           [SMN_MOCK_ADMIN_TOKEN, or --admin-token-file FILE]
                           Secrets given on the command line show in the process list: prefer
                           the environment variable or the file (its first line).
  --allow-hosts LIST       also deliver notifications to these hosts (comma-separated), or to
                           every host with '*' (default: loopback only; with --host beyond
                           loopback and --auth none or presence, only the hosts named here)
  --auto-confirm           new subscriptions are confirmed at once, with no SubscriptionConfirmation
  --https-port PORT        also serve HTTPS on PORT (0 picks a free one) with the signing
                           certificate; notification links and signing_cert_url then use it
                           (SMN's are always https). Trust it with NODE_EXTRA_CA_CERTS=FILE or
                           curl --cacert FILE, FILE being the certificate (GET its URL)
  --signing-key FILE       sign notifications with this RSA private key (PEM) ...
  --signing-cert FILE      ... whose certificate (PEM) receivers verify with (default: a key and
                           a self-signed certificate made on first use, kept in --state-file)
  --retry-delays LIST      the delays before attempts 2 to 7 of a message that met a 5xx or no
                           answer: one to six durations (500ms, 2s, 1m, 1h), the last repeated
                           (default ${DEFAULT_RETRY_DELAYS}: a minute in all, where SMN takes hours)
  --blacklist DURATION     how long an endpoint that failed ${MAX_ATTEMPTS} attempts in a row is left out,
                           its messages dropped meanwhile (default ${DEFAULT_BLACKLIST}; SMN: 5 to 10 minutes;
                           0 never leaves one out)
  --engine ENGINE          who validates each request: fast (default: Prism's rules and answers,
                           compiled from the contract, held to Prism's verdicts by a test) or
                           prism (Prism itself on every request; slower, loads Prism at start;
                           an optional dependency: npm install @stoplight/prism-http
                           @stoplight/prism-core)
  --edition EDITION        huawei or otc: the mock as that edition of the vendor's documents describes
                           SMN. Where the editions differ, its stricter rule is hard (Huawei Cloud:
                           time_to_live at most 86400, a display_name of 1 byte or more, 10 tags
                           on a resource; Open Telekom
                           Cloud: templates' protocols, tags of smn_topic only...) and an operation
                           it does not document gets 404 APIGW.0101. Default: what either allows
  -h, --help               show this help

Example:
  smn-kit mock --port 4010 --state-file .smn-state.json
  curl -X PUT -H 'X-Auth-Token: any' -H 'Content-Type: application/json' \\
    http://127.0.0.1:4010/v2/${DEFAULT_PROJECT_ID}/notifications/sms/callback \\
    -d '{"callback":[{"event_type":"sms_fail_event","topic_urn":"urn:smn:cn-north-4:${DEFAULT_PROJECT_ID}:test_fail"}]}'
  curl -H 'X-Auth-Token: any' http://127.0.0.1:4010/v2/${DEFAULT_PROJECT_ID}/notifications/sms/callback`,
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    quiet: { type: 'boolean' },
    'max-body': { type: 'string' },
    stateless: { type: 'boolean' },
    'state-file': { type: 'string' },
    'strict-topics': { type: 'boolean' },
    subscriptions: { type: 'string' },
    'seed-subscriptions': { type: 'string' },
    seed: { type: 'string' },
    auth: { type: 'string' },
    token: { type: 'string' },
    'token-file': { type: 'string' },
    ak: { type: 'string' },
    sk: { type: 'string' },
    'sk-file': { type: 'string' },
    'admin-token': { type: 'string' },
    'admin-token-file': { type: 'string' },
    'allow-hosts': { type: 'string' },
    'auto-confirm': { type: 'boolean' },
    'https-port': { type: 'string' },
    'signing-key': { type: 'string' },
    'signing-cert': { type: 'string' },
    'retry-delays': { type: 'string' },
    blacklist: { type: 'string' },
    engine: { type: 'string' },
    edition: { type: 'string' },
  },
  async run(values, positionals, io: CommandIo = processIo()) {
    if (positionals.length > 0) {
      const [first] = positionals;
      const hint = /^\d+$/.test(first!) ? `; did you mean --port ${first}?` : '; run smn-kit mock --help';
      throw new UsageError(`mock takes no arguments, got "${first}"${hint}`);
    }
    const host = (values.host as string | undefined) ?? DEFAULT_HOST;
    const port = integerOption(values.port, '--port', DEFAULT_PORT, 0, 65535);
    const maxBodyBytes = integerOption(values['max-body'], '--max-body', DEFAULT_MAX_BODY_BYTES, 1, 2 ** 31);
    const auth = authOf(values, io.env);
    const stateless = values.stateless === true;
    if (stateless && (values['state-file'] !== undefined || values['strict-topics'] || values.subscriptions || values['seed-subscriptions'])) {
      throw new UsageError('--stateless keeps no state: drop --state-file, --strict-topics, --subscriptions and --seed-subscriptions, or drop --stateless');
    }
    if (stateless && (values['retry-delays'] !== undefined || values.blacklist !== undefined)) {
      throw new UsageError('--stateless delivers nothing: drop --retry-delays and --blacklist, or drop --stateless');
    }
    const deliverySchedule = scheduleOf(values);
    const seedSubscriptions = stateless ? undefined : seedOf(values);
    const adminToken = secretOption(values, { name: 'admin-token', variable: 'SMN_MOCK_ADMIN_TOKEN', what: 'the admin token' }, io.env);
    const httpsPort = values['https-port'] === undefined ? undefined : integerOption(values['https-port'], '--https-port', 0, 0, 65535);
    const signing = signingOf(values);
    const deliverTo = deliveryPolicyOf(values['allow-hosts'] as string | undefined);
    const edition = editionOption(values.edition);
    const engine = (values.engine as string | undefined) ?? 'fast';
    if (!(ENGINES as readonly string[]).includes(engine)) throw new UsageError(`--engine must be one of ${ENGINES.join(', ')}, got "${engine.slice(0, 40)}"`);
    const out = (line: string): void => void io.stdout.write(`${line}\n`);
    // The per-request lines are gathered and written once per turn of the event loop:
    // one write for a burst of requests rather than one each.
    let pending: string[] = [];
    const flushLog = (): void => {
      if (pending.length === 0) return;
      const text = pending.join('');
      pending = [];
      io.stdout.write(text);
    };
    const logLine = (line: string): void => {
      if (pending.length === 0) setImmediate(flushLog);
      pending.push(`${line}\n`);
    };
    const warn = (line: string): void => void io.stderr.write(`smn-kit mock: ${line}\n`);
    let mock;
    try {
      mock = await startMock({
        host,
        port,
        maxBodyBytes,
        log: values.quiet ? undefined : logLine,
        stateless,
        seedSubscriptions,
        stateFile: values['state-file'] as string | undefined,
        strictTopics: values['strict-topics'] === true,
        auth,
        adminToken,
        deliverTo,
        autoConfirm: values['auto-confirm'] === true,
        deliverySchedule,
        httpsPort,
        signing,
        engine: engine as EngineName,
        edition,
      });
    } catch (error) {
      if (error instanceof StateFileError) throw new UsageError(error.message);
      if (error instanceof SeedError) throw new UsageError(error.message);
      if (error instanceof PrismMissingError) throw new UsageError(error.message);
      throw listenUsageError(error, host, port) ?? error;
    }
    const mode = `${stateless ? 'stateless' : `stateful, ${seedSubscriptions?.length ?? 0} seed subscriptions${values['state-file'] ? `, state in ${values['state-file'] as string}` : ''}`}${engine === 'prism' ? ', engine prism' : ''}${edition ? `, edition ${edition}` : ''}`;
    out(`smn-kit mock: serving ${here(smnSpecPath)} on ${mock.url} (${mode}, auth ${auth.mode}; Ctrl-C to stop)`);
    if (mock.httpsUrl) {
      const certificate = mock.certificateUrl();
      out(`smn-kit mock: also on ${mock.httpsUrl} with a self-signed certificate; to trust it: curl -sk ${certificate} -o smn-kit-mock.pem, then NODE_EXTRA_CA_CERTS=smn-kit-mock.pem (Node) or curl --cacert smn-kit-mock.pem`);
    }
    if (!isLoopbackHost(host) && !stateless) {
      warn(
        adminToken
          ? `listening beyond loopback (${host}): /_mock/ needs the --admin-token`
          : `warning: listening beyond loopback (${host}): /_mock/ needs the API's credentials (auth ${auth.mode}${auth.mode === 'presence' || auth.mode === 'none' ? ', which anyone can meet: give --admin-token' : ''})`,
      );
      if (deliverTo === undefined && (auth.mode === 'presence' || auth.mode === 'none')) {
        warn(`warning: notifications are delivered nowhere, this machine included: anyone who can reach ${host} could otherwise make the mock POST to its loopback ports. Give --allow-hosts 127.0.0.1 (or other hosts), or --auth token or aksk`);
      }
    }
    // Nothing a request does may end the server: a failure that escapes every handler is
    // logged, and the mock keeps serving. Only when the mock owns the process (no io signal):
    // in another program, such failures are that program's to handle.
    const survive = (error: unknown): void => warn(`internal error, still serving: ${error instanceof Error ? error.message : String(error)}`);
    const ownsProcess = io.signal === undefined;
    if (ownsProcess) {
      process.on('uncaughtException', survive);
      process.on('unhandledRejection', survive);
    }
    let release = (): void => undefined;
    await new Promise<void>((resolve) => {
      release = onStop(io, resolve);
    });
    release();
    await mock.close();
    flushLog();
    if (ownsProcess) {
      process.off('uncaughtException', survive);
      process.off('unhandledRejection', survive);
    }
    return 0;
  },
};

function signingOf(values: OptionValues): SigningIdentity | undefined {
  const key = values['signing-key'] as string | undefined;
  const certificate = values['signing-cert'] as string | undefined;
  if (!key && !certificate) return undefined;
  if (!key || !certificate) throw new UsageError('--signing-key and --signing-cert go together: the RSA private key and its certificate, both PEM');
  try {
    return readSigningIdentity(key, certificate);
  } catch (error) {
    if (error instanceof SigningIdentityError) throw new UsageError(error.message);
    throw error;
  }
}

/** The schedule --retry-delays and --blacklist give; undefined without either (the default). */
function scheduleOf(values: OptionValues): DeliverySchedule | undefined {
  const delays = values['retry-delays'] as string | undefined;
  const blacklist = values.blacklist as string | undefined;
  if (delays === undefined && blacklist === undefined) return undefined;
  try {
    return {
      retryDelaysMs: delays === undefined ? DEFAULT_SCHEDULE.retryDelaysMs : parseRetryDelays(delays),
      blacklistMs: blacklist === undefined ? DEFAULT_SCHEDULE.blacklistMs : blacklist.trim() === '0' ? 0 : parseDuration(blacklist, '--blacklist'),
    };
  } catch (error) {
    if (error instanceof ScheduleError) throw new UsageError(error.message);
    throw error;
  }
}

/** The policy --allow-hosts gives; undefined without it (the mock's default: see deliveryPolicy). */
function deliveryPolicyOf(value: string | undefined): DeliveryPolicy | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '*') return 'any';
  const hosts = value.split(',').map((host) => host.trim()).filter(Boolean);
  if (hosts.length === 0) throw new UsageError(`--allow-hosts needs host names separated by commas, or '*'; got "${value}"`);
  return hosts;
}

function authOf(values: OptionValues, env: NodeJS.ProcessEnv): AuthConfig {
  const mode = (values.auth as string | undefined) ?? 'presence';
  if (!(AUTH_MODES as readonly string[]).includes(mode)) throw new UsageError(`--auth must be one of ${AUTH_MODES.join(', ')}, got "${mode}"`);
  // The environment only fills in the mode that uses it: SMN_MOCK_TOKEN set in a shell
  // must not make `--auth presence` fail.
  const config: AuthConfig = {
    mode: mode as AuthMode,
    token: mode === 'token' ? secretOption(values, { name: 'token', variable: 'SMN_MOCK_TOKEN', what: 'the token' }, env) : ((values.token ?? values['token-file']) as string | undefined),
    ak: mode === 'aksk' ? ((values.ak as string | undefined) ?? (env.SMN_MOCK_AK || undefined)) : (values.ak as string | undefined),
    sk: mode === 'aksk' ? secretOption(values, { name: 'sk', variable: 'SMN_MOCK_SK', what: 'the SK' }, env) : ((values.sk ?? values['sk-file']) as string | undefined),
  };
  if (config.mode === 'token' && !config.token) throw new UsageError('--auth token needs --token T (or SMN_MOCK_TOKEN, or --token-file FILE): the token to accept');
  if (config.mode === 'aksk' && !(config.ak && config.sk)) throw new UsageError('--auth aksk needs --ak AK and --sk SK (or SMN_MOCK_AK and SMN_MOCK_SK, or --sk-file FILE): the key pair to accept');
  if (config.mode !== 'token' && config.token) throw new UsageError('--token is only used with --auth token');
  if (config.mode !== 'aksk' && (config.ak || config.sk)) throw new UsageError('--ak and --sk are only used with --auth aksk');
  return config;
}

function seedOf(values: OptionValues): Subscription[] {
  if (values.subscriptions && values['seed-subscriptions']) throw new UsageError('give --subscriptions FILE or --seed-subscriptions N, not both');
  if (values.seed !== undefined && values['seed-subscriptions'] === undefined) throw new UsageError('--seed only applies to --seed-subscriptions N');
  try {
    if (values['seed-subscriptions'] !== undefined) {
      const count = integerOption(values['seed-subscriptions'], '--seed-subscriptions', 0, 0, 100_000);
      return generateSubscriptions(count, (values.seed as string | undefined) ?? 'smn-kit', DEFAULT_PROJECT_ID);
    }
    return loadSeedSubscriptions((values.subscriptions as string | undefined) ?? defaultSeedPath);
  } catch (error) {
    if (error instanceof SeedError) throw new UsageError(error.message);
    throw error;
  }
}
