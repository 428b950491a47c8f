/**
 * @sess/web: sess on the Fetch API alone, `Request` in and `Response` out, for Next.js route
 * handlers and middleware, Remix and React Router loaders and actions, SvelteKit hooks,
 * `Bun.serve`, `Deno.serve` and Cloudflare Workers. One factory, {@link createAuth}, returns the
 * session and CSRF checks, guards, a rate limiter, the auth handlers and one handler for every
 * auth route; every rule lives in `@sess/core`.
 *
 * @packageDocumentation
 */
export {
  type Auth,
  type AuthOptions,
  createAuth,
  type RequestExtras,
  type RoutesHandler,
  type SessHandler,
  type WebContext,
} from './auth.ts';
export type { SessResult } from './response.ts';
