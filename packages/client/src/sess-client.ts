import type { ClientEventName, ClientEvents } from './events.ts';

/** A client created by {@link createClient}. */
export interface SessClient {
  /**
   * `fetch` for the sess server. For requests to `baseUrl`'s origin it adds the CSRF header to
   * unsafe methods (fetching a token first if it has none), the bearer token in bearer mode, and
   * `credentials: 'include'` in cookie mode; it refreshes first when the access token is known to
   * be past its refresh time; after a 401 it refreshes once and retries once (a body that is a
   * stream is never retried). Responses from the login, refresh and CSRF routes are read for the
   * new expiry, CSRF token and (bearer mode) tokens; a successful logout ends the session (as
   * {@link SessClient.logout}). Each request to the server other than those auth routes counts as
   * {@link SessClient.activity}. It never throws for an HTTP status.
   */
  fetch(input: string | URL, init?: RequestInit): Promise<Response>;
  /**
   * Tells the client the user is here: call it on user input (a key, a click) that makes no
   * request. The client refreshes ahead of expiry only when the app was active since the last
   * refresh, in this tab or in any other tab of the channel (a request through
   * {@link SessClient.fetch} counts too): an idle app makes no background refresh, so the server's
   * idle timeout ends its session on time. Past the refresh time (or the expiry), a refresh starts
   * now. Cheap: call it as often as input arrives.
   *
   * @example
   * ```ts
   * for (const type of ['pointerdown', 'keydown']) {
   *   addEventListener(type, () => client.activity(), { capture: true, passive: true });
   * }
   * ```
   */
  activity(): void;
  /**
   * `POST` to the logout route. On success the session is over here: `loggedOut` (code null) in
   * this tab and, through the channel, in every other tab, which all stop refreshing.
   */
  logout(): Promise<Response>;
  /**
   * "Log out everywhere": `POST` to the logout-all route with `{ exceptCurrent }`. On success,
   * without `exceptCurrent`, it ends like {@link SessClient.logout} (`loggedOut` in every tab of
   * this browser; other devices learn it at their next refresh). With `exceptCurrent: true` only
   * the other sessions end, and this browser stays logged in.
   */
  logoutAll(options?: { exceptCurrent?: boolean }): Promise<Response>;
  /**
   * Rotates the credentials now. Concurrent calls share one request, and so do tabs: a tab that
   * finds another tab refreshed while it waited for the lock does not refresh again. Resolves true
   * when the session is fresh afterwards, false when it was not refreshed (the session ended, or a
   * failure such as a 503, which keeps the session and is retried within the reuse window: see
   * {@link ClientOptions.reuseWindow}). Rejects on a network error, which is retried too.
   */
  refresh(): Promise<boolean>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends ClientEventName>(name: E, listener: (payload: ClientEvents[E]) => void): () => void;
  /** The access token's expiry (epoch ms) as far as this client knows, or null. */
  readonly expiresAt: number | null;
  /** Stops the timer, closes the channel and releases the lock that records this tab's last refresh. */
  close(): void;
}
