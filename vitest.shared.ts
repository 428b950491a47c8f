import { fileURLToPath } from 'node:url';

const src = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

/** Tests run against sources, so coverage counts and no build is needed between edits. */
export const sourceAliases: Record<string, string> = {
  '@sess/core/memory': src('core/src/memory.ts'),
  '@sess/core/http': src('core/src/http/index.ts'),
  '@sess/core': src('core/src/index.ts'),
  '@sess/store-redis': src('store-redis/src/index.ts'),
  '@sess/store-postgres': src('store-postgres/src/index.ts'),
  '@sess/store-sqlite': src('store-sqlite/src/index.ts'),
  '@sess/store-url': src('store-url/src/index.ts'),
  '@sess/migrate-express-session': src('migrate-express-session/src/index.ts'),
  '@sess/express': src('express/src/index.ts'),
  '@sess/fastify': src('fastify/src/index.ts'),
  '@sess/koa': src('koa/src/index.ts'),
  '@sess/hono': src('hono/src/index.ts'),
  '@sess/web': src('web/src/index.ts'),
  '@sess/client': src('client/src/index.ts'),
  '@sess/opentelemetry': src('opentelemetry/src/index.ts'),
  '@sess/behaviour-suite': src('behaviour-suite/src/index.ts'),
  '@sess/store-test-kit/vitest': src('store-test-kit/src/vitest.ts'),
  '@sess/store-test-kit': src('store-test-kit/src/index.ts'),
};

/**
 * A setup file for every project: a test file in which the process emits any warning fails. A
 * deprecation starts as a warning and becomes an error a few releases later.
 */
export const noWarnings: string = fileURLToPath(
  new URL('./vitest.no-warnings.ts', import.meta.url),
);
