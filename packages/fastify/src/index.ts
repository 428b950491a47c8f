/**
 * @sess/fastify: sess for Fastify 4 and 5. One factory, {@link createAuth}, returns a plugin that
 * installs the session and CSRF hooks, guards, a rate limiter, the ready auth handlers and a plugin
 * of every auth route; every rule lives in `@sess/core`.
 *
 * @packageDocumentation
 */
export { type Auth, type AuthOptions, createAuth, type SessHook } from './auth.ts';
