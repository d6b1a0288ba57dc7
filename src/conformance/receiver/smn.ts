// The checks of an SMN notification receiver (`--product smn`): the kit plays SMN
// (signing with its key, serving its certificate and links on the host the receiver
// trusts, smn-hosts.ts) and an attacker (a key and certificate of its own, on a host the
// receiver must not trust). The message types, the SMS callback events, the headers, the
// signature versions and the bounds of a subscription's custom headers come from
// spec/smn.openapi.yaml (through notify/envelope.ts, generate/sms-callback.ts and
// notification/contract.ts); the facts about delivery (5 s, retries after a 5xx) are
// the vendor's, cited in each verdict.
import { smnResponses } from '../../contract/smn-responses.js';
import { createRandom } from '../../generate/random.js';
import { generateSmsCallbackEvent, smsCallbackEventTypes } from '../../generate/sms-callback.js';
import type { HttpDelivery } from '../../net/deliver.js';
import { smnNotification, type SmnNotification } from '../../notify/envelope.js';
import type { SmnSigner } from '../../notify/smn-signer.js';
import { smnNotificationContract } from '../../notification/index.js';
import type { CheckVerdict } from '../check.js';
import { errored, expectAccepted, expectRefused, failed, kitRule, passed, sentAndGot, type ReceiverCheck, type ReceiverCheckContext } from './check.js';
import { answered, is2xx, is4xx, USER_AGENT, type Sent } from './sender.js';
import { REGION, type SmnHosts } from './smn-hosts.js';
import { answersInTime } from './timing.js';

/** SMN waits this long for an answer, then counts the delivery as failed and retries it (the vendor's FAQ). */
export const SMN_TIMEOUT_MS = 5000;

export type Confirmation = 'get' | 'out-of-band';

export interface SmnReceiverOptions {
  url: URL;
  hosts: SmnHosts;
  /** How the receiver confirms a subscription: a GET of subscribe_url (SMN's way), or otherwise (not checked). */
  confirmation: Confirmation;
  /** How long to wait for the GET of subscribe_url after the answer. */
  confirmWaitMs: number;
  /** The custom headers (`extension.header`) the receiver's subscription is configured with: sent with every message to it once confirmed. */
  headers: Record<string, string>;
  /** The topic the receiver is subscribed to (it may take messages of its own topics only); default one made for the run. */
  topicUrn?: string | undefined;
}

type MessageType = 'SubscriptionConfirmation' | 'Notification' | 'UnsubscribeConfirmation';

const NOT_SMN = 'the receiver must verify the signature with SMN\'s certificate before it acts on a message (the vendor\'s rule); accepting this lets anyone make it act';

/** Custom headers at the contract's limits (as many as `extension.header` allows, its `x-max-total-length` in all), none of them the user's. */
function customHeaders(user: Record<string, string>): Record<string, string> {
  const schema = smnResponses().componentSchema('SubscriptionHeaders') as { maxProperties?: number; 'x-max-total-length'?: number };
  const most = schema.maxProperties ?? 1;
  const total = schema['x-max-total-length'] ?? 1024;
  const headers = { ...user };
  const room = Math.max(0, most - Object.keys(user).length);
  const used = Object.entries(user).reduce((total, [name, value]) => total + name.length + value.length, 0);
  // The vendor's bound on all names and values together.
  const each = Math.floor((total - used) / Math.max(1, room));
  for (let i = 1; i <= room; i++) {
    const name = `X-Kit-Custom-${i}`;
    headers[name] = 'v'.repeat(Math.max(1, each - name.length));
  }
  return headers;
}

/** A signature_version the contract does not know: the next after its own. */
function unknownSignatureVersion(): string {
  const responses = smnResponses();
  for (let n = 2; ; n++) if (responses.validateSchema('SmnSignatureVersion', `v${n}`).length > 0) return `v${n}`;
}

export function smnChecks(options: SmnReceiverOptions): ReceiverCheck[] {
  const { url, hosts } = options;
  const random = createRandom();
  const topicUrn = options.topicUrn ?? `urn:smn:${REGION}:${random.hex(32)}:smn_kit_receiver_conformance`;
  const subscriptionUrn = `${topicUrn}:${random.hex(32)}`;
  const eventTypes = smsCallbackEventTypes();
  const typeHeader = smnNotificationContract().headers.find((header) => header.bodyField === 'type')!.name;

  interface Making {
    event?: string;
    signer?: SmnSigner;
    certificateUrl?: string;
    /** The token of the message's links, to tell whether they were visited. */
    token?: string;
  }
  const notification = (type: MessageType, making: Making = {}): SmnNotification => {
    const signer = making.signer ?? hosts.smn.signer;
    const token = making.token ?? random.hex(64);
    const message =
      type === 'Notification'
        ? generateSmsCallbackEvent(making.event ?? eventTypes[0]!, { random })
        : type === 'SubscriptionConfirmation'
          ? `You are invited to subscribe to topic ${topicUrn}. To confirm the subscription, visit the subscribe_url included in this message.`
          : `You are unsubscribed from topic ${topicUrn}. To subscribe again, visit the subscribe_url included in this message.`;
    return smnNotification(topicUrn, message, {
      type,
      random,
      subscriptionUrn,
      signingCertUrl: making.certificateUrl ?? hosts.smn.certificateUrl,
      subscribeUrl: hosts.link(type === 'SubscriptionConfirmation' ? 'confirm' : 'resubscribe', token),
      unsubscribeUrl: hosts.link('unsubscribe', token),
      signer: { privateKey: signer.privateKey, hash: signer.hash },
    });
  };
  // Custom headers go with every message to a confirmed subscription: not with its SubscriptionConfirmation.
  const request = (sent: SmnNotification, extra: Record<string, string> = options.headers): HttpDelivery => ({
    method: 'POST',
    url,
    headers: { 'user-agent': USER_AGENT, ...sent.headers, ...(sent.body.type === 'SubscriptionConfirmation' ? {} : extra) },
    body: JSON.stringify(sent.body),
  });
  const send = (context: ReceiverCheckContext, sent: SmnNotification, what: string, extra?: Record<string, string>): Promise<Sent> => context.sender.send(request(sent, extra), what);
  const operation = (type: MessageType, event?: string): string => ['smn', type, event].filter(Boolean).join(' ');

  const checks: ReceiverCheck[] = [];

  // Whether the receiver took a valid Notification: until it has, its refusal of a forged
  // one says nothing of its signature check (it refuses everything, or this configuration).
  let tookValid = false;
  const refusalCounts = (context: ReceiverCheckContext, verdict: CheckVerdict): CheckVerdict =>
    verdict.status === 'pass' && !tookValid ? errored(context, `${verdict.message}; but no verdict: the receiver took no valid Notification, so a refusal here proves nothing`) : verdict;
  // What a receiver configured otherwise than the kit plays SMN refuses, and the option for it.
  const configurationHint = [
    hosts.smn.origin.startsWith('http:') ? 'one that fetches certificates over HTTPS only refuses the kit\'s http certificate URL: --smn-https' : undefined,
    options.topicUrn === undefined ? 'one that takes its own topics only: --smn-topic-urn' : undefined,
  ].filter(Boolean);
  const acceptValid = (context: ReceiverCheckContext, sent: Sent, why: string): CheckVerdict => {
    if (is2xx(sent.answer)) tookValid = true;
    return expectAccepted(context, sent, is4xx(sent.answer) && configurationHint.length > 0 ? `${why} (if the receiver is set up otherwise: ${configurationHint.join('; ')})` : why);
  };

  checks.push({
    name: 'subscription_confirmed',
    operation: operation('SubscriptionConfirmation'),
    run: async (context) => {
      const token = random.hex(64);
      const sent = await send(context, notification('SubscriptionConfirmation', { token }), 'a valid SubscriptionConfirmation, signed by SMN');
      if (!is2xx(sent.answer)) return expectAccepted(context, sent, 'SMN sends it when the subscription is added; the subscription stays unconfirmed (status 0) until the endpoint visits subscribe_url');
      if (options.confirmation === 'out-of-band') return passed(context, `${sentAndGot(sent)}; a GET of subscribe_url not expected (--confirmation out-of-band)`);
      const until = Date.now() + options.confirmWaitMs;
      while (!hosts.visited(token) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
      if (hosts.visited(token)) return passed(context, `${sentAndGot(sent)}, then a GET of its subscribe_url`);
      return failed(
        context,
        `${sentAndGot(sent)}, but no GET of its subscribe_url (${hosts.smn.origin}/smn/subscription/confirm) came within ${options.confirmWaitMs} ms: SMN keeps the subscription unconfirmed (status 0) and sends it no Notification until the endpoint visits subscribe_url, after verifying the signature. A receiver that confirms otherwise: --confirmation out-of-band`,
        sent,
      );
    },
  });

  checks.push({
    name: 'forged_confirmation_not_visited',
    operation: operation('SubscriptionConfirmation'),
    run: async (context) => {
      const token = random.hex(64);
      const sent = await send(context, notification('SubscriptionConfirmation', { token, signer: hosts.attacker.signer }), 'a SubscriptionConfirmation signed with another key than SMN\'s (its signing_cert_url SMN\'s), whose subscribe_url is on SMN\'s host');
      const answer = expectRefused(context, sent, (message) => failed(context, `${message}; ${NOT_SMN}`, sent));
      // Judged at the end of the run: a receiver may visit the link after it answered.
      return () => {
        if (!hosts.visited(token)) return answer;
        return failed(context, `${sentAndGot(sent)}; and the receiver visited its subscribe_url: it confirms subscriptions nobody verified, so anyone can subscribe it to a topic of theirs (or make it GET any URL); verify the signature first`, sent);
      };
    },
  });

  for (const eventType of eventTypes) {
    checks.push({
      name: 'valid_notification_accepted',
      operation: operation('Notification', eventType),
      run: async (context) =>
        acceptValid(context, await send(context, notification('Notification', { event: eventType }), `a valid Notification carrying an ${eventType}, signed by SMN`), 'SMN does not retry a 4xx: the event is lost, and a 5xx is retried until SMN gives up'),
    });
  }

  checks.push({
    name: 'custom_headers_accepted',
    operation: operation('Notification', eventTypes[0]),
    run: async (context) => {
      const headers = customHeaders(options.headers);
      const problems = smnResponses().validateSchema('SubscriptionRequestExtension', { header: headers });
      if (problems.length > 0) return errored(context, `the custom headers given do not fit the contract's extension.header: ${problems.map((p) => `${p.pointer}: expected ${p.expected}`).join('; ')}`);
      const names = Object.keys(headers);
      const sent = await send(context, notification('Notification'), `a valid Notification with the subscription's custom headers (extension.header, as SMN sends them: ${names.length} headers, ${names.reduce((n, name) => n + name.length + headers[name]!.length, 0)} characters)`, headers);
      return expectAccepted(context, sent, 'SMN sends a confirmed subscription\'s extension.header with every message (up to 10, 1,024 characters in all, names not starting with x-smn): a receiver must take them');
    },
  });

  checks.push({
    name: 'redelivery_accepted',
    operation: operation('Notification', eventTypes[0]),
    run: async (context) => {
      const message = request(notification('Notification'));
      const first = await context.sender.send(message, 'a valid Notification');
      if (!is2xx(first.answer)) return errored(context, `${sentAndGot(first)}: no verdict, as the first delivery was not accepted`, first);
      const again = await context.sender.send(message, 'the very same Notification again (message_id, timestamp, signature), as SMN redelivers it');
      if (is2xx(again.answer) || !answered(again.answer)) return expectAccepted(context, again, '');
      const why = 'SMN redelivers a message whose answer was a 5xx or did not come within 5 s, the same message_id again; use message_id to do the work once, and answer 2xx again';
      if (again.answer.status >= 500) return failed(context, `${sentAndGot(again)}: SMN retries a 5xx six more times, then drops the message and blacklists the endpoint for minutes; ${why}`, first, again);
      return kitRule(context, `${sentAndGot(again)}: SMN does not retry a 4xx, so the first delivery stands; but ${why}`, first, again);
    },
  });

  checks.push({
    name: 'tampered_message_refused',
    operation: operation('Notification', eventTypes[0]),
    run: async (context) => {
      const made = notification('Notification');
      const tampered = { ...made, body: { ...made.body, message: JSON.stringify(generateSmsCallbackEvent(eventTypes[0]!, { random })) } };
      const sent = await send(context, tampered, 'a Notification whose message was changed after SMN signed it (another valid event)');
      return refusalCounts(context, expectRefused(context, sent, (m) => failed(context, `${m}; ${NOT_SMN}`, sent)));
    },
  });

  checks.push({
    name: 'foreign_key_signature_refused',
    operation: operation('Notification', eventTypes[0]),
    run: async (context) => {
      const sent = await send(context, notification('Notification', { signer: hosts.attacker.signer }), 'a Notification signed with another key than SMN\'s, its signing_cert_url SMN\'s');
      return refusalCounts(context, expectRefused(context, sent, (m) => failed(context, `${m}; ${NOT_SMN}`, sent)));
    },
  });

  checks.push({
    name: 'foreign_certificate_host_refused',
    operation: operation('Notification', eventTypes[0]),
    run: async (context) => {
      const { attacker } = hosts;
      const host = new URL(attacker.certificateUrl).host;
      const sent = await send(
        context,
        notification('Notification', { signer: attacker.signer, certificateUrl: attacker.certificateUrl }),
        `a Notification signed by an attacker, its signing_cert_url on ${host} (a host the receiver must not trust), which serves the attacker's certificate`,
      );
      const answer = refusalCounts(context, expectRefused(context, sent, (m) => failed(context, `${m}; anyone can sign with a certificate of their own: the host of signing_cert_url is what makes a certificate SMN's, and the guide tells receivers to check it`, sent)));
      const unseen = attacker.unavailable ? ` (${attacker.unavailable}: a fetch there could not be seen)` : '';
      // Judged at the end of the run: a fetch may come after the answer.
      return () => {
        const fetched = attacker.requests.length;
        if (fetched === 0) return answer.status === 'pass' ? { ...answer, message: `${answer.message}; nothing fetched from ${host}${unseen}` } : answer;
        return failed(context, `${sentAndGot(sent)}; and the receiver requested ${attacker.requests.map((r) => `${r.method} ${r.target.split('?')[0]}`).join(', ')} from ${host}: it fetches certificates from any host, so it trusts whoever signs (and can be made to request any URL); fetch only from SMN's hosts, or keep SMN's certificate`, sent);
      };
    },
  });

  checks.push({
    name: 'unknown_signature_version_refused',
    operation: operation('Notification', eventTypes[0]),
    run: async (context) => {
      const made = notification('Notification');
      const version = unknownSignatureVersion();
      const sent = await send(context, { ...made, body: { ...made.body, signature_version: version } }, `a Notification signed by SMN with signature_version "${version}" (the documents know v1, written V1 in one edition)`);
      return refusalCounts(context, expectRefused(context, sent, (m) => failed(context, `${m}; a receiver verifies only the signature schemes it knows (the documents define v1): a scheme it does not know may sign other fields`, sent)));
    },
  });

  checks.push({
    name: 'header_mismatch_refused',
    operation: operation('Notification', eventTypes[0]),
    run: async (context) => {
      const made = notification('Notification');
      const other = [...smnNotificationContract().types.keys()].find((type) => type !== 'Notification')!;
      const sent = await send(context, { ...made, headers: { ...made.headers, [typeHeader]: other } }, `a Notification signed by SMN, its ${typeHeader} header saying ${other}`);
      return refusalCounts(context, expectRefused(context, sent, (m) => failed(context, `${m}; SMN's ${typeHeader} repeats the body's type (the vendor's rule), and headers are not signed: a receiver that trusts one that disagrees can be steered by anyone on the way`, sent)));
    },
  });

  // Last, as SMN sends it: once the subscription is removed, no Notification follows it.
  checks.push({
    name: 'unsubscribe_confirmation_accepted',
    operation: operation('UnsubscribeConfirmation'),
    run: async (context) =>
      expectAccepted(
        context,
        await send(context, notification('UnsubscribeConfirmation'), 'a valid UnsubscribeConfirmation, signed by SMN'),
        'SMN sends it when the subscription is removed, signed over its own fields (with subscribe_url, not subject); the guide\'s Node sample builds that signing string only for SubscriptionConfirmation, so a receiver copied from it refuses this',
      ),
  });

  checks.push(answersInTime('smn', 'SMN waits 5 s for an answer, then counts the delivery as failed and retries it (six more times, then drops it)', SMN_TIMEOUT_MS));
  return checks;
}
