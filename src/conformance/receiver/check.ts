// What a receiver check is: a named function that sends one delivery (or a short
// sequence) to the receiver under test and judges what came back, with the words a
// verdict needs: what was sent, what came back, and why it matters. Some verdicts can
// only be given once the run is over (did anyone fetch from the attacker's host, visit a
// forged link?): such a check returns a function, called after the last delivery.
import type { CheckVerdict } from '../check.js';
import { curlOf, describeAnswer, is2xx, answered, type ReceiverSender, type Sent } from './sender.js';
import type { Mask } from '../secrets.js';

export interface ReceiverCheckContext {
  sender: ReceiverSender;
  /** Replaces the run's secrets with `***`. */
  mask: Mask;
  /** Header names (lower case) whose values are the user's secrets: `***` in reproducers. */
  hiddenHeaders: ReadonlySet<string>;
  /** What the kit adds beyond the vendor's documents fails instead of warning. */
  strict: boolean;
}

/**
 * A verdict that waits for later deliveries of the run (whether a receiver took any push
 * of an encoding, say), given as soon as `ready()` says they have all been judged, or
 * when the run is over.
 */
export interface PendingVerdict {
  ready(): boolean;
  verdict(): CheckVerdict;
}

/** A verdict now, one given when the run is over, or one given once what it waits for is known. */
export type ReceiverOutcome = CheckVerdict | (() => CheckVerdict) | PendingVerdict;

export const isPending = (outcome: ReceiverOutcome): outcome is PendingVerdict => typeof outcome === 'object' && 'ready' in outcome;

export interface ReceiverCheck {
  /** Stable, like the SMN checks' names: `valid_event_accepted`. */
  name: string;
  /** What it is about: `sms request form`, `smn Notification sms_fail_event`. */
  operation: string;
  run(context: ReceiverCheckContext): Promise<ReceiverOutcome>;
}

/** The curl commands that send these deliveries again, in order. */
export const reproduce = (context: ReceiverCheckContext, ...sent: Sent[]): string => sent.map((s) => curlOf(s.request, context.mask, context.hiddenHeaders)).join(' ; ');

const verdict = (status: CheckVerdict['status'], message: string, context: ReceiverCheckContext, sent: Sent[]): CheckVerdict => ({
  status,
  message: context.mask(message),
  reproducer: sent.length > 0 && status !== 'pass' ? reproduce(context, ...sent) : undefined,
});

export const passed = (context: ReceiverCheckContext, message: string): CheckVerdict => verdict('pass', message, context, []);
export const failed = (context: ReceiverCheckContext, message: string, ...sent: Sent[]): CheckVerdict => verdict('fail', message, context, sent);
export const warned = (context: ReceiverCheckContext, message: string, ...sent: Sent[]): CheckVerdict => verdict('warn', message, context, sent);
export const errored = (context: ReceiverCheckContext, message: string, ...sent: Sent[]): CheckVerdict => verdict('error', message, context, sent);
export const skipped = (message: string): CheckVerdict => ({ status: 'skip', message });

/**
 * A kit rule broken: a warning, or a failure with --strict (the strictness policy:
 * what the vendor documents is a hard rule, what the kit adds is a warning).
 */
export const kitRule = (context: ReceiverCheckContext, message: string, ...sent: Sent[]): CheckVerdict =>
  verdict(context.strict ? 'fail' : 'warn', `${message} (the kit's rule, not the vendor's: ${context.strict ? 'failed under --strict' : 'a warning; --strict fails it'})`, context, sent);

/** `sent X; received 400 in 2.0 ms` */
export const sentAndGot = (sent: Sent): string => `sent ${sent.what}; received ${describeAnswer(sent.answer)}`;

/** Whether the receiver gave a usable answer; when not, the verdict that says so. */
function noAnswerVerdict(context: ReceiverCheckContext, sent: Sent, why: string): CheckVerdict | undefined {
  const { answer } = sent;
  if (answered(answer)) return undefined;
  if (answer.failure === 'unreachable' && answer.wentAway) {
    return failed(context, `${sentAndGot(sent)}: the receiver, which answered the deliveries before, went away on this one (it crashed?); whatever a sender sends must not stop a receiver`, sent);
  }
  if (answer.failure === 'unreachable') return errored(context, `${sentAndGot(sent)}: the receiver cannot be reached (it stopped earlier in the run)`, sent);
  return failed(context, `${sentAndGot(sent)}: ${why}`, sent);
}

const HANG = 'a receiver answers every delivery, and in time: a sender that gets no answer counts the delivery as failed and sends it again';

/** A delivery the receiver must accept (2xx): a valid one. `why` says what refusing it costs. */
export function expectAccepted(context: ReceiverCheckContext, sent: Sent, why: string): CheckVerdict {
  const silent = noAnswerVerdict(context, sent, HANG);
  if (silent) return silent;
  if (is2xx(sent.answer)) return passed(context, sentAndGot(sent));
  return failed(context, `${sentAndGot(sent)}: expected 2xx. ${why}`, sent);
}

/**
 * A delivery the receiver must refuse (any status but 2xx). Accepting it is `accepted`
 * (a failure, or kitRule's warning); a 5xx refuses it but says the receiver broke, so
 * it warns.
 */
export function expectRefused(context: ReceiverCheckContext, sent: Sent, accepted: (message: string) => CheckVerdict): CheckVerdict {
  const silent = noAnswerVerdict(context, sent, HANG);
  if (silent) return silent;
  const { status } = sent.answer as { status: number };
  if (is2xx(sent.answer)) return accepted(`${sentAndGot(sent)}: accepted`);
  if (status >= 500) {
    return warned(context, `${sentAndGot(sent)}: refused, but with a server error: a 5xx says the receiver failed, not that the delivery is bad, and a sender retries it; answer 4xx`, sent);
  }
  return passed(context, `${sentAndGot(sent)}: refused`);
}

/** Input no sender would send, which the receiver must answer with a 4xx: not accepted, not a crash, not a hang. */
export function expectClientError(context: ReceiverCheckContext, sent: Sent): CheckVerdict {
  const silent = noAnswerVerdict(context, sent, 'a malformed delivery must get an answer (4xx), not a hang or a closed connection (a crash?)');
  if (silent) return silent;
  const { status } = sent.answer as { status: number };
  if (status >= 400 && status < 500) return passed(context, sentAndGot(sent));
  if (status >= 500) return failed(context, `${sentAndGot(sent)}: expected 4xx; a 5xx means the receiver broke on input a client sent, which anyone can send again`, sent);
  if (status >= 200 && status < 300) return failed(context, `${sentAndGot(sent)}: expected 4xx; the receiver accepted a delivery it cannot have verified (it carries no valid signature)`, sent);
  return failed(context, `${sentAndGot(sent)}: expected 4xx`, sent);
}
