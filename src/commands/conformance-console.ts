// What `smn-kit conformance` shows while it runs: a line per verdict as it comes (the
// reason and a reproducer under each failure, error and warning), the skips grouped by
// their reason at the end (one line for the 53 checks that writes being off skips, not
// 53), and, on a terminal only, a progress line naming the check running. CI logs get no
// progress line: it is only for a person watching (stderr a TTY, CI unset).
import type { CheckResult } from '../conformance/check.js';
import type { Step } from '../conformance/runner.js';
import type { CommandIo } from './command.js';

const TAGS = { pass: 'PASS', fail: 'FAIL', error: 'ERROR', warn: 'WARN', skip: 'SKIP' } as const;
const CLEAR_LINE = '\r\x1b[K';

export interface ConformanceConsole {
  onStart(step: Step): void;
  onResult(result: CheckResult): void;
  /** Prints the skips, grouped, and clears the progress line. */
  finish(): void;
}

/** Whether a progress line may be drawn: a person at a terminal, not a CI log. */
export const wantsProgress = (io: CommandIo): boolean => Boolean((io.stderr as { isTTY?: boolean }).isTTY) && !io.env.CI;

export function conformanceConsole(out: (line: string) => void, io: CommandIo): ConformanceConsole {
  const progress = wantsProgress(io);
  const skipped = new Map<string, { operations: string[]; count: number }>();
  const clear = (): void => {
    if (progress) io.stderr.write(CLEAR_LINE);
  };
  return {
    onStart({ operation, check, index, total }) {
      if (progress) io.stderr.write(`${CLEAR_LINE}  [${index}/${total}] ${operation} ${check}`);
    },
    onResult(result) {
      if (result.status === 'skip') {
        const group = skipped.get(result.message) ?? { operations: [], count: 0 };
        if (!group.operations.includes(result.operation)) group.operations.push(result.operation);
        group.count++;
        skipped.set(result.message, group);
        return;
      }
      clear();
      out(`  ${TAGS[result.status]} ${result.operation} ${result.check}`);
      if (result.status === 'fail' || result.status === 'error' || result.status === 'warn') {
        out(`       ${result.message}`);
        if (result.reproducer) out(`       ${result.check === 'bindings_restored' ? 'restore' : 'reproduce'}: ${result.reproducer}`);
      }
    },
    finish() {
      clear();
      for (const [reason, { operations, count }] of skipped) {
        out(`  SKIP ${count} check${count === 1 ? '' : 's'} of ${operations.join(', ')}: ${reason}`);
      }
    },
  };
}
