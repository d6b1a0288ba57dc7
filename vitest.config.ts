import { defineConfig } from 'vitest/config';

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
