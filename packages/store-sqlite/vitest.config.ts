import { defineProject } from 'vitest/config';
import { noWarnings, sourceAliases } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: sourceAliases },
  // Property and model tests run hundreds of cases; on a loaded 2-core CI machine 5 s is too tight.
  test: {
    setupFiles: [noWarnings],
    testTimeout: 20_000,
    name: 'store-sqlite',
    include: ['test/**/*.test.ts'],
  },
});
