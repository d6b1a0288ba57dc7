// The mock SMN: a node:http server (and an HTTPS one, when asked) whose requests the
// handler answers (handler.ts): validated against the contract as Prism validates them
// (engine/validation.ts: validators compiled from the contract, or Prism itself with the
// `prism` engine), with the emulator's state behind them (unless stateless).
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { loadSmnContractFile } from '../contract/smn.js';
import { smnResponses } from '../contract/smn-responses.js';
import { listenOn } from '../net/listen.js';
import { isLoopbackHost } from './delivery/policy.js';
import { answerClientErrors } from './engine/error-replies.js';
import { createHandler, loadPrismEngine } from './handler.js';
import { httpOperationsOf } from './engine/operations.js';
import { DEFAULT_HOST, DEFAULT_PORT, type MockOptions } from './options.js';
import { defaultSeedPath, loadSeedSubscriptions } from './emulator/seed.js';
import { generateSigningIdentity, restoreSigningIdentity, type SigningIdentity } from './delivery/signing.js';
import { EmulatorState } from './emulator/state.js';

export { createHandler } from './handler.js';
export { BODY_BUDGET_BYTES, DEFAULT_HOST, DEFAULT_MAX_BODY_BYTES, DEFAULT_PORT, DEFAULT_PROJECT_ID, type MockOptions } from './options.js';

export interface RunningMock {
  /** Base URL, e.g. `http://127.0.0.1:4010`. */
  url: string;
  /** The HTTPS base URL, with `httpsPort`. */
  httpsUrl?: string;
  server: Server;
  /** The certificate of the signing identity (also the HTTPS certificate), once there is one. */
  certificatePem(): string | undefined;
  /** Where the mock serves that certificate (the `signing_cert_url` of its notifications); made on first call when there is none yet. */
  certificateUrl(): string;
  /** The emulator's state; undefined when stateless. */
  state?: EmulatorState;
  /** Stops accepting requests, ends open connections and resolves when closed; the state file (and its lock) is given back. */
  close(): Promise<void>;
}

export async function startMock(options: MockOptions = {}): Promise<RunningMock> {
  // The kit's own contract is read in its JSON form (no YAML parser to load), and shared
  // with the rest of the kit, so that it is compiled once. Whichever it is, everything
  // the mock checks is checked against it: the API, /_mock/, the state file.
  const contract = options.specPath ? await loadSmnContractFile(options.specPath) : smnResponses().contract;
  const responses = smnResponses(contract);
  const operations = httpOperationsOf(contract);
  // The Prism engine is loaded before the first request when it decides them all.
  const prismEngine = options.engine === 'prism' ? await loadPrismEngine(contract, options.specPath, '--engine prism') : undefined;
  const state = options.stateless ? undefined : new EmulatorState(options.seedSubscriptions ?? loadSeedSubscriptions(defaultSeedPath, responses), options.stateFile, responses);
  const host = options.host ?? DEFAULT_HOST;
  // The signing identity: the user's, the state file's, or one made on first use (making
  // a key takes a while, and most runs never send a notification) and then kept.
  let identity = options.signing ?? (state?.storedSigningIdentity() && restoreSigningIdentity(state.storedSigningIdentity()!));
  const signingIdentity = (): SigningIdentity => {
    if (!identity) {
      identity = generateSigningIdentity();
      state?.keepSigningIdentity(identity.stored());
    }
    return identity;
  };
  let base = '';
  // Closing ends the notifications in flight and the retries waiting too: a subscriber
  // that never finishes its answer must not keep the process alive, nor a retry due later.
  const closing = new AbortController();
  const handler = createHandler(contract, operations, { ...options, state, exposed: !isLoopbackHost(host), signingIdentity, baseUrl: () => base, prismEngine, signal: closing.signal });
  const server = createServer(handler);
  server.keepAliveTimeout = 30_000;
  answerClientErrors(server, contract);
  let url: string;
  try {
    url = await listenOn(server, options.port ?? DEFAULT_PORT, host);
  } catch (error) {
    state?.close(); // the state file's lock, taken for nothing
    throw error;
  }
  let secure: Server | undefined;
  let httpsUrl: string | undefined;
  if (options.httpsPort !== undefined) {
    const { privateKey, certificatePem } = signingIdentity();
    secure = createHttpsServer({ key: privateKey.export({ type: 'pkcs8', format: 'pem' }), cert: certificatePem }, handler);
    secure.keepAliveTimeout = 30_000;
    answerClientErrors(secure, contract);
    try {
      httpsUrl = (await listenOn(secure, options.httpsPort, host)).replace(/^http:/, 'https:');
    } catch (error) {
      server.close();
      state?.close();
      throw error;
    }
  }
  base = httpsUrl ?? url;
  const closeServer = (which: Server): Promise<void> =>
    new Promise<void>((resolve) => {
      which.close(() => resolve());
      which.closeAllConnections();
    });
  return {
    url,
    httpsUrl,
    server,
    state,
    certificatePem: () => identity?.certificatePem,
    certificateUrl: () => `${base}/smn/${signingIdentity().certificateName}`,
    close: async () => {
      closing.abort();
      await Promise.all([closeServer(server), ...(secure ? [closeServer(secure)] : [])]);
      state?.close();
    },
  };
}
