import { availableParallelism } from 'node:os';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

// The kit's slowest files, started first (the longest first), so that the short files fill
// the workers around them and none of these is left to run alone at the end. A fresh clone
// has no timings of its own (vitest then orders by file size, which says little about time).
// The figures: seconds each took in a whole `npm test` on an idle 2-core machine, where
// the first three start together. A file that becomes slow belongs here.
const LONG_POLES = [
  'test/packages.test.ts', // 31-47: packs and installs the tarballs, compiles and runs the consumers and CI recipes
  'test/docs.test.ts', // 17-26: Chromium renders the reference pages
  'test/outgoing-deadline.test.ts', // 9: waits SMN's 5 s per attempt (started beside the two above, which compute)
  'test/conformance-writes.test.ts', // 17-39: over two hundred conformance runs, computing (slow beside the first two)
  'test/mock-contract.test.ts', // 14: Prism as a validating proxy
  'test/receiver-conformance.smn.test.ts', // 9: waits for the confirmations a receiver should make
  'test/validate-workers.test.ts', // 7
  'test/mock-engines.test.ts', // 7
  'test/cli.examples.test.ts', // 6: mostly waits on a conformance run at --rate 5
  'test/receiver-conformance.subhook.test.ts', // 5
];

class LongPolesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification): number => {
      const index = LONG_POLES.findIndex((pole) => file.moduleId.endsWith(pole));
      return index === -1 ? LONG_POLES.length : index;
    };
    return sorted.map((file, i) => ({ file, i })).sort((a, b) => rank(a.file) - rank(b.file) || a.i - b.i).map(({ file }) => file);
  }
}

// Two projects: the kit's own tests (`npm test` runs `--project kit`), and the
// conformance suites a user points at an SMN implementation with SMN_TARGET
// (`npx vitest run conformance/`, or `smn-kit conformance`).
export default defineConfig({
  test: {
    sequence: { sequencer: LongPolesFirst },
    projects: [
      {
        test: {
          name: 'kit',
          include: ['test/**/*.test.ts'],
          // The mock tests start real servers (Prism loads in about a second); give CI machines room.
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Child processes (forks), not threads: tests change directory, send signals and
          // measure their own heap. Not isolated: the files of a worker share its loaded
          // modules (Prism, Ajv, the contracts) instead of loading them again for each file;
          // every file closes what it starts and restores what it changes, and the helpers'
          // cleanups run after every test of every file (setup.ts).
          setupFiles: ['test/support/setup.ts'],
          pool: 'forks',
          isolate: false,
          // One worker more than the cores (vitest's default leaves one core to its main
          // process, which mostly waits): many files mostly wait (on child processes, sockets,
          // a browser, a vendor's timeout), and the extra worker computes meanwhile. The long
          // poles start first (the sequencer is the root's: vitest ignores a project's).
          maxWorkers: availableParallelism() + 1,
        },
      },
      {
        test: {
          name: 'conformance',
          include: ['conformance/**/*.test.ts'],
          // Each request has its own timeout (SMN_TIMEOUT); a rate-limited check may take long.
          testTimeout: 0,
          fileParallelism: false,
        },
      },
    ],
  },
});
