import { defineProject } from 'vitest/config';
import { noWarnings } from '../vitest.shared.ts';

export default defineProject({
  test: {
    setupFiles: [noWarnings],
    name: 'scripts',
    include: ['test/**/*.test.ts'],
  },
});
