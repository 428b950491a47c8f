/**
 * The client half of sess, for browsers and Node: a `fetch` wrapper that adds the CSRF header,
 * refreshes ahead of access-token expiry while the app is in use (never for an idle app, so the
 * server's idle timeout holds), refreshes once at a time (within a page and across tabs), retries
 * a request once after a 401 that a refresh fixes, and ends every tab at a logout.
 *
 * @packageDocumentation
 */
export { createClient } from './client.ts';
export type { ClientEventName, ClientEvents } from './events.ts';
export type { BearerTokens, ClientOptions, LockManagerLike } from './options.ts';
export type { SessClient } from './sess-client.ts';
