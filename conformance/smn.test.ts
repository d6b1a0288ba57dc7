// The SMN conformance suite: every check of src/conformance/checks.ts against every
// operation of the contract, one test each, against the implementation at SMN_TARGET.
//
//   SMN_TARGET=https://smn.cn-north-4.myhuaweicloud.com SMN_PROJECT_ID=... SMN_AUTH_TOKEN=... \
//     npx vitest run conformance/
//
// Also: SMN_AK + SMN_SK (signed requests), SMN_ALLOW_WRITES=1 (the checks that write:
// UpdateSmsEvent, and the other writes on resources of the run's own, deleted at the end),
// SMN_STRICT=1, SMN_EDITION (huawei or otc), SMN_RATE (requests/s), SMN_TIMEOUT (ms),
// SMN_MAX_BODY (bytes).
// `smn-kit conformance` runs the same checks in its own process and reports them. A
// check never throws on its own (a target that misbehaves is its verdict); a test fails
// here for a `fail` or an `error` verdict.
import { afterAll, describe, it } from 'vitest';
// The checks as they are in src/ (vitest compiles them: a change needs no rebuild). The
// installed smn-kit package ships dist/ and not src/: npm run package points its copy of
// this file at ../dist/ (scripts/package.mjs).
import type { Check } from '../src/conformance/check.js';
import { checksFor } from '../src/conformance/checks.js';
import { resourcesCleaned } from '../src/conformance/checks/cleanup.js';
import { CheckContext } from '../src/conformance/context.js';
import { optionsFromEnvironment } from '../src/conformance/options.js';
import { runCheck } from '../src/conformance/runner.js';

const context = new CheckContext(optionsFromEnvironment());

// resources_cleaned deletes what the run made; this catches what a run stopped early (a
// filtered or interrupted suite) would leave, and says what it could not delete.
afterAll(async () => {
  const { left } = await context.sandbox.cleanup();
  if (left.length > 0) console.error(`smn-kit: the run could not delete ${left.length} of its own resources: ${left.map((l) => `${l.urn} (${l.reason})`).join(', ')}`);
});

/** One check of one operation as a test: a `fail` or `error` verdict fails it, a `skip` skips it, a `warn` is printed. */
const test = (operationId: string, check: Check) =>
  it(check.name, async ({ skip }) => {
    const result = await runCheck(context, check, operationId);
    if (result.status === 'skip') skip(result.message);
    if (result.status === 'fail' || result.status === 'error') {
      throw new Error(`${result.status === 'error' ? 'error: ' : ''}${result.message}${result.reproducer ? `\n  reproduce: ${result.reproducer}` : ''}`);
    }
    if (result.status === 'warn') console.warn(`warning: ${operationId} ${check.name}: ${result.message}`);
  });

for (const operation of context.responses.operations) {
  describe(operation.operationId, () => {
    for (const check of checksFor(operation.operationId).filter((c) => c !== resourcesCleaned)) test(operation.operationId, check);
  });
}
// Last of all, whatever operation comes last in the contract: what the run made is deleted.
describe('CancelSubscription', () => test('CancelSubscription', resourcesCleaned));
