// answers_in_time: how long the receiver took over every delivery of the run, judged
// at the end. SMN gives an answer 5 s and then counts the delivery as failed (and
// retries it); SUBMAIL documents no figure, so there the bound is the run's --timeout.
// A delivery whose connection was closed is judged by its own check, not here.
import { answered, describeAnswer } from './sender.js';
import { failed, passed, type ReceiverCheck } from './check.js';

/** A check over every timed delivery; `limitMs` is the vendor's bound, when it documents one. */
export function answersInTime(operation: string, why: string, limitMs?: number): ReceiverCheck {
  return {
    name: 'answers_in_time',
    operation,
    run: (context) => {
      const { timed, timeoutMs } = context.sender;
      const bound = limitMs ?? timeoutMs;
      // A closed connection is no lateness: the check of that delivery judges it (a crash, or a body limit enforced so).
      const late = timed.filter(({ answer }) => (answered(answer) ? answer.ms > bound : /^timed out/.test(answer.reason)));
      if (timed.length === 0) return Promise.resolve(passed(context, 'no delivery reached the receiver'));
      if (late.length > 0) {
        const listed = late.slice(0, 5).map(({ what, answer }) => `${what}: ${describeAnswer(answer)}`).join('; ');
        return Promise.resolve(failed(context, `${late.length} of ${timed.length} deliveries got no answer within ${bound} ms (${listed}${late.length > 5 ? '; ...' : ''}); ${why}`));
      }
      const slowest = timed.reduce((a, b) => ((a.answer.ms ?? 0) >= (b.answer.ms ?? 0) ? a : b));
      return Promise.resolve(passed(context, `all ${timed.length} deliveries answered within ${bound} ms; the slowest ${slowest.answer.ms.toFixed(1)} ms (${slowest.what})`));
    },
  };
}
