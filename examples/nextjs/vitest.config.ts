import { defineProject } from 'vitest/config';

export default defineProject({
  // `next build` runs once, in beforeAll: about 45 s alone on two cores, more beside the other projects.
  test: {
    name: 'nextjs',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
