import { configDefaults, defineConfig } from 'vitest/config';

// Integration tests start real processes on loopback; give them room on a 2-core machine.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Fixture trees are data: test/lint/fixtures holds a *.test.ts that the dependency rules read.
    exclude: [...configDefaults.exclude, '**/fixtures/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
