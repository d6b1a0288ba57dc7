// The last checks of a run: the kit's promise that it leaves the target as it found it.
// The callback bindings are read and put back where they differ (bindings_restored);
// every resource the run made is deleted (resources_cleaned).
import { pass, guarded, type Check } from '../check.js';
import { describeLeftovers } from '../sandbox.js';
import { CANCEL_SUBSCRIPTION, UPDATE_SMS_EVENT } from '../operations.js';
import { reproducer } from '../target.js';

export const bindingsRestored: Check = {
  // Last of the write checks: the kit's promise that a run leaves the target's
  // bindings as it found them, verified by reading them, restored where they differ.
  name: 'bindings_restored',
  operations: [UPDATE_SMS_EVENT],
  run: guarded(async (context) => {
    const { bindings: before } = await context.bindings.initial();
    const { changed, unrestored } = await context.bindings.restore();
    if (unrestored) {
      return {
        status: 'error',
        message: `the callback bindings may differ from the start of the run and could not be restored: ${unrestored.reason}. Put them back with ${unrestored.request.method} ${new URL(unrestored.request.url).pathname} and the body ${unrestored.request.body}`,
        reproducer: reproducer(unrestored.request),
      };
    }
    if (changed) return pass(`found changed (${changed}); put back, and ListSmsEvent now reports the ${before.length} binding(s) of the start`);
    return pass(`ListSmsEvent reports the ${before.length} binding(s) found at the start`);
  }),
};

export const resourcesCleaned: Check = {
  // Last of all (the runner puts it there): the kit's promise that a run leaves nothing
  // of its own behind. Reported under CancelSubscription, where it has always been.
  name: 'resources_cleaned',
  operations: [CANCEL_SUBSCRIPTION],
  run: guarded(async (context) => {
    const { deleted, left } = await context.sandbox.cleanup();
    if (left.length > 0) {
      return {
        status: 'error',
        message: `the run could not delete ${left.length} of its own resources; delete them with: ${describeLeftovers(left)}`,
        reproducer: reproducer(left[0]!.request),
      };
    }
    return pass(`deleted the ${deleted.length} resource(s) the run made (named ${context.sandbox.topicName('').replace(/_\d+$/, '')}..., and what hangs on them); nothing of its own is left`);
  }),
};
