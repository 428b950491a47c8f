import { defineProject } from 'vitest/config';
import { noWarnings, sourceAliases } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    setupFiles: [noWarnings],
    name: 'web',
    include: ['test/**/*.test.ts'],
  },
});
