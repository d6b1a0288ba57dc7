import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The mock tests start real servers (Prism loads in ~1 s); give CI machines room.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
