/**
 * @sess/hono: sess for Hono 4, on Node and wherever Hono runs. One factory, {@link createAuth},
 * returns the session and CSRF middleware, guards, a rate limiter and the ready auth handlers;
 * every rule lives in `@sess/core`.
 *
 * @packageDocumentation
 */
export { type Auth, type AuthOptions, createAuth } from './auth.ts';
