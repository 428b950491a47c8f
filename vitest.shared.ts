import { fileURLToPath } from 'node:url';

const src = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

/** Tests run against sources, so coverage counts and no build is needed between edits. */
export const sourceAliases: Record<string, string> = {
  '@sess/core/memory': src('core/src/memory.ts'),
  '@sess/core': src('core/src/index.ts'),
  '@sess/store-test-kit/vitest': src('store-test-kit/src/vitest.ts'),
  '@sess/store-test-kit': src('store-test-kit/src/index.ts'),
};
