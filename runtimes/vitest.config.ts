import { defineProject } from 'vitest/config';
import { noWarnings } from '../vitest.shared.ts';

// No source aliases: the job bundles and serves the built packages, as users get them.
export default defineProject({
  test: {
    setupFiles: [noWarnings],
    name: 'runtimes',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
