import { defineProject } from 'vitest/config';
import { noWarnings } from '../../vitest.shared.ts';

export default defineProject({
  // `next build` runs once, in beforeAll: ~45 s alone on two cores, more beside other projects.
  test: {
    setupFiles: [noWarnings],
    name: 'nextjs',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
