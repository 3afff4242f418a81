import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'main', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/production/**'] },
      },
      {
        // Several `beats serve` processes, faults and fixed-rate load: after every other suite, one file at a
        // time, so they neither slow the timing-sensitive suites nor each other.
        extends: true,
        test: {
          name: 'production',
          include: ['test/production/**/*.test.ts'],
          sequence: { groupOrder: 1 },
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
