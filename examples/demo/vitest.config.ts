import { defineProject } from 'vitest/config';
import { noWarnings, sourceAliases } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    setupFiles: [noWarnings],
    name: 'demo',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
