import { defineProject } from 'vitest/config';
import { noWarnings, sourceAliases } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    setupFiles: [noWarnings],
    name: 'cli',
    include: ['test/**/*.test.ts'],
    // Builds dist/cli.js once: the tests run the binary as a user would.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
