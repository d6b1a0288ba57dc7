// `smn-kit conformance --receiver`: the checks of one receiver, chosen by its product (a
// SUBHOOK product of the contract, or `smn` for an SMN notification endpoint), run in
// order against it; for `smn` the kit's SMN and attacker hosts are started for the run
// and stopped after it, whatever happened.
import type { CheckResult } from '../check.js';
import { secretMasker } from '../secrets.js';
import type { SmnSigner } from '../../notify/smn-signer.js';
import type { ReceiverCheckContext } from './check.js';
import { runReceiverChecks, type ReceiverRun } from './runner.js';
import { ReceiverSender } from './sender.js';
import { smnChecks, type Confirmation } from './smn.js';
import { startSmnHosts, type SmnHosts } from './smn-hosts.js';
import { subhookChecks } from './subhook.js';
import type { SubhookEncoding } from '../../notify/subhook-push.js';
import type { Override } from '../../generate/overrides.js';

/** The product of an SMN notification endpoint; the others are the contract's SUBHOOK products. */
export const SMN_PRODUCT = 'smn';

export interface SmnRoleOptions {
  /** The host the receiver trusts as SMN's, and its port (0: a free one). */
  host: string;
  port: number;
  /** The host the receiver must not trust, where the attacker's certificate is served. */
  attackerHost: string;
  /** SMN's key and certificate, for a receiver configured with the certificate; default one made for the run. */
  signer?: SmnSigner;
  confirmation: Confirmation;
  confirmWaitMs: number;
  /** The subscription's custom headers (`extension.header`). */
  headers: Record<string, string>;
  /** Serve SMN's host and the attacker's over HTTPS, with SMN's certificate. */
  https?: boolean;
  /** The topic the receiver is subscribed to; default one made for the run. */
  topicUrn?: string | undefined;
}

export interface ReceiverConformanceOptions {
  receiver: URL;
  /** `smn`, or a SUBHOOK product (`sms`, `intersms`). */
  product: string;
  /** The SUBHOOK key, for a SUBHOOK product. */
  key?: string;
  /** The encodings a SUBHOOK receiver takes (`--encoding`); undefined: every one SUBMAIL uses. */
  encodings?: readonly SubhookEncoding[] | undefined;
  /** Values of data fields a SUBHOOK receiver expects (`--set`). */
  sets?: readonly Override[];
  strict: boolean;
  /** How long each delivery waits for its answer. */
  timeoutMs: number;
  smn: SmnRoleOptions;
  /** Stops the run (Ctrl-C): the checks left are errors, the reports complete. */
  signal?: AbortSignal;
}

export interface ReceiverConformance extends ReceiverRun {
  /** Where the kit played SMN and the attacker, for the first line (smn only). */
  hosts?: Pick<SmnHosts, 'smn' | 'attacker'>;
}

/**
 * Runs every check of the product against the receiver. `started` is called once the
 * run is set up (for smn, once the kit's hosts listen), `onResult` with each result in order.
 */
export async function runReceiverConformance(
  options: ReceiverConformanceOptions,
  hooks: { started?: (hosts?: Pick<SmnHosts, 'smn' | 'attacker'>) => void; onResult?: (result: CheckResult) => void } = {},
): Promise<ReceiverConformance> {
  const hidden = new Set(Object.keys(options.smn.headers).map((name) => name.toLowerCase()));
  const context: ReceiverCheckContext = {
    sender: new ReceiverSender(options.timeoutMs, options.signal),
    mask: secretMasker([options.key, ...Object.values(options.smn.headers)]),
    hiddenHeaders: hidden,
    strict: options.strict,
  };
  if (options.product !== SMN_PRODUCT) {
    if (options.key === undefined) throw new TypeError('runReceiverConformance: a SUBHOOK product needs the key');
    hooks.started?.();
    return runReceiverChecks(subhookChecks({ url: options.receiver, product: options.product, key: options.key, encodings: options.encodings, sets: options.sets }), context, hooks.onResult);
  }
  const { smn } = options;
  const hosts = await startSmnHosts({ host: smn.host, port: smn.port, attackerHost: smn.attackerHost, signer: smn.signer, https: smn.https });
  try {
    hooks.started?.(hosts);
    const checks = smnChecks({ url: options.receiver, hosts, confirmation: smn.confirmation, confirmWaitMs: smn.confirmWaitMs, headers: smn.headers, topicUrn: smn.topicUrn });
    return { ...(await runReceiverChecks(checks, context, hooks.onResult)), hosts };
  } finally {
    await hosts.close();
  }
}
