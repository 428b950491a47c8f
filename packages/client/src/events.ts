/** Every event the client emits and its payload. `remote` is true when another tab caused it. */
export interface ClientEvents {
  /**
   * New credentials: a refresh, or a login through {@link SessClient.fetch}, here or in another
   * tab. `expiresAt` is the new access token's expiry (epoch ms), or null when there is none.
   */
  refreshed: { expiresAt: number | null; remote: boolean };
  /**
   * The session ended by timing out: the refresh endpoint answered 401 `ERR_SESS_EXPIRED`, also
   * when asked once more with a new CSRF token (the code can name a stale access token).
   */
  expired: { code: string; remote: boolean };
  /**
   * The session ended otherwise: any other 401 from the refresh endpoint (revoked, refresh token
   * reused, missing or invalid credential), or a successful logout: {@link SessClient.logout},
   * {@link SessClient.logoutAll} without `exceptCurrent`, or `POST` to the logout route through
   * {@link SessClient.fetch}. `code` is the server's error code, or null for a logout; or
   * `ERR_SESS_REFRESH_IN_DOUBT`: a refresh was needed, but the last one failed in a way that may
   * have rotated the credential, and its reuse window has passed (see
   * {@link ClientOptions.reuseWindow}). The session is over for this client, not revoked.
   */
  loggedOut: { code: string | null; remote: boolean };
}

/** The name of a client event. */
export type ClientEventName = keyof ClientEvents;

/** A listener of one of {@link ClientEvents}. */
export type Listener<E extends ClientEventName> = (payload: ClientEvents[E]) => void;

/** The client's listeners: `emit` calls them, `on` adds one. */
export interface Emitter {
  emit<E extends ClientEventName>(event: E, payload: ClientEvents[E]): void;
  on<E extends ClientEventName>(event: E, listener: Listener<E>): () => void;
}

type AnyListener = (payload: never) => void;

/** Creates the client's {@link Emitter}. */
export function createEmitter(): Emitter {
  const listeners: Record<ClientEventName, Set<AnyListener>> = {
    refreshed: new Set(),
    expired: new Set(),
    loggedOut: new Set(),
  };
  return {
    emit(event, payload) {
      for (const fn of listeners[event]) {
        try {
          (fn as Listener<typeof event>)(payload);
        } catch (error) {
          // A listener's bug must not break the request that triggered it.
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    },
    on(event, listener) {
      listeners[event].add(listener as AnyListener);
      return () => {
        listeners[event].delete(listener as AnyListener);
      };
    },
  };
}
