import { defineProject } from 'vitest/config';
import { noWarnings, sourceAliases } from '../vitest.shared.ts';

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    setupFiles: [noWarnings],
    name: 'security',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
