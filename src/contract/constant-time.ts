// Comparing a secret with what a request carries (a signature, a token) in time that
// does not tell an attacker how much of it was right.
import { timingSafeEqual } from 'node:crypto';

/** Whether two strings are equal, compared in time that does not depend on where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // timingSafeEqual needs equal lengths; comparing `left` with itself keeps the
  // work the same when the lengths differ, and the answer is then false anyway.
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
