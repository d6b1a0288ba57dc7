// A vitest reporter that collects the verdicts the conformance suite attaches to its
// tests (task.meta.smn), and the errors that are not verdicts: a suite that could not
// start (a target's misbehaviour is always a check's verdict, never an error here).
import type {} from 'vitest';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import type { CheckResult } from './check.js';

declare module 'vitest' {
  interface TaskMeta {
    /** The verdict conformance/smn.test.ts attaches to each check's test. */
    smn?: CheckResult;
  }
}

export class ConformanceReporter implements Reporter {
  readonly results: CheckResult[] = [];
  /** Messages of errors that are not check verdicts. */
  readonly errors: { name: string; message: string }[] = [];

  onTestCaseResult(testCase: TestCase): void {
    const verdict = testCase.meta().smn;
    if (verdict) {
      this.results.push(verdict);
      return;
    }
    const result = testCase.result();
    if (result.state === 'failed') {
      for (const error of result.errors) this.errors.push({ name: error.name ?? 'Error', message: error.message });
    }
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<{ name?: string; message: string }>): void {
    for (const module of modules) {
      for (const error of module.errors()) this.errors.push({ name: error.name ?? 'Error', message: error.message });
    }
    for (const error of unhandled) this.errors.push({ name: error.name ?? 'Error', message: error.message });
  }
}
