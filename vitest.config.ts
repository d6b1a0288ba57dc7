import { availableParallelism } from 'node:os';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

// The kit's slowest files, mostly waiting on npm, a browser and child processes: started
// first, each in a worker of its own, so that the rest runs beside them rather than after.
const LONG_POLES = ['test/packages.test.ts', 'test/docs.test.ts'];

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
          // A worker per core (vitest's default leaves one core to its main process, which
          // mostly waits); the long poles start first.
          maxWorkers: Math.max(2, availableParallelism()),
          sequence: { sequencer: LongPolesFirst },
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
