// A validate worker thread: judges the blocks of JSON Lines it is sent (blocks.ts), with
// the options of the run, and sends back their verdicts packed.
import { parentPort, workerData } from 'node:worker_threads';
import { judgeBlock, packVerdicts, type BlockVerdicts, type VerdictNames } from './blocks.js';
import type { JudgeOptions } from './judge.js';

const { options } = workerData as { options: JudgeOptions };
const names: VerdictNames = { byVerdict: new WeakMap(), byName: new Map() };

parentPort!.on('message', ({ id, bytes, first }: { id: number; bytes: Uint8Array; first: boolean }) => {
  const send = (judged: BlockVerdicts): void => {
    const packed = packVerdicts(judged, names);
    parentPort!.postMessage({ id, packed }, [packed.itemLines.buffer as ArrayBuffer, packed.codes.buffer as ArrayBuffer]);
  };
  const fail = (error: unknown): void => parentPort!.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  try {
    const judged = judgeBlock([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)], first, options);
    if (judged instanceof Promise) judged.then(send, fail);
    else send(judged);
  } catch (error) {
    fail(error);
  }
});
