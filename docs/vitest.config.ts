import { defineProject } from 'vitest/config';
import { noWarnings } from '../vitest.shared.ts';

export default defineProject({
  test: {
    setupFiles: [noWarnings],
    name: 'docs',
    include: ['test/**/*.test.ts', 'snippets/custom-store/conformance.test.ts'],
  },
});
