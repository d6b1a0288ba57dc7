// The heap in use after a full garbage collection: what a process keeps, without the
// garbage it has not collected yet (how much of that there is depends on the heap's size,
// so on what else the process has loaded).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export function heapAfterCollection(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
