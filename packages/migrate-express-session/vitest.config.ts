import { defineProject } from 'vitest/config';
import { noWarnings, sourceAliases } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    setupFiles: [noWarnings],
    name: 'migrate-express-session',
    include: ['test/**/*.test.ts'],
  },
});
