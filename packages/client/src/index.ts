/**
 * The client half of sess, for browsers and Node: a `fetch` wrapper that adds the CSRF header,
 * refreshes ahead of access-token expiry while the app is in use (never for an idle app, so the
 * server's idle timeout holds), refreshes once at a time (within a page and across tabs), retries
 * a request once after a 401 that a refresh fixes, and ends every tab at a logout.
 *
 * @packageDocumentation
 */

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

/** The credentials a bearer-mode client holds in memory (the field names of sess's JSON bodies). */
export interface BearerTokens {
  /** The access token sent as `Authorization: Bearer` (jwt and hybrid strategies). */
  accessToken?: string | null;
  /** The refresh token sent in the refresh body (jwt and hybrid strategies). */
  refreshToken?: string | null;
  /** The session token (database strategy): sent as the bearer token and in the refresh body. */
  sessionToken?: string | null;
  /** Seconds until the access token expires. */
  expiresIn?: number | null;
}

/** The subset of the Web Locks API the client uses (`navigator.locks`). */
export interface LockManagerLike {
  request<T>(
    name: string,
    options: { signal?: AbortSignal },
    callback: (lock: unknown) => Promise<T>,
  ): Promise<T>;
  /** Optional: with it, a tab also sees another tab's refresh whose message has not landed yet. */
  query?(): Promise<{ held?: { name?: string }[] }>;
}

/** Options of {@link createClient}; every one is optional. */
export interface ClientOptions {
  /**
   * `'cookie'` for browsers: credentials stay in `HttpOnly` cookies and nothing is stored by the
   * script. `'bearer'` for Node services: tokens are held in memory, sent as `Authorization:
   * Bearer`, and the refresh token travels in the JSON body. @default 'cookie'
   */
  mode?: 'cookie' | 'bearer';
  /** The server's URL; requests to any other origin pass through untouched. @default location.origin */
  baseUrl?: string;
  /** The auth routes, relative to `baseUrl`. @default { csrf: '/auth/csrf', login: '/auth/login', refresh: '/auth/refresh', logout: '/auth/logout', logoutAll: '/auth/logout-all' } */
  paths?: {
    csrf?: string;
    login?: string;
    refresh?: string;
    logout?: string;
    logoutAll?: string;
  };
  /** The CSRF header sent on unsafe requests in cookie mode. @default 'x-csrf-token' */
  csrfHeader?: string;
  /**
   * How long before expiry to refresh, when the app was active since the last refresh (see
   * {@link SessClient.activity}); half the token's lifetime when that is shorter. @default 300_000 (ms)
   */
  refreshMargin?: number;
  /** How long to wait for another tab's refresh lock before refreshing anyway. @default 10_000 (ms) */
  lockTimeout?: number;
  /**
   * The server's reuse window (`refresh.reuseWindow`), which this must not exceed. A refresh that
   * failed (a 503, any answer but 2xx and 401, a network error) may have rotated on the server, so
   * the client retries it with the same credential at about 0.5, 1, 2 and 4 s, all within the first
   * half of this window after the first attempt. Past that it never presents that credential
   * again: the session stands until the client needs a refresh, which then ends it in the client
   * (`loggedOut`, code `ERR_SESS_REFRESH_IN_DOUBT`). @default 10_000 (ms)
   */
  reuseWindow?: number;
  /**
   * The BroadcastChannel (and Web Lock) name shared by the tabs of one app; null turns cross-tab
   * coordination off. Bearer mode never broadcasts. @default 'sess'
   */
  channel?: string | null;
  /** Initial tokens (bearer mode), for example read from a secret store. */
  tokens?: BearerTokens;
  /** The fetch implementation. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** The clock, in epoch ms (tests freeze it). @default Date.now */
  now?: () => number;
  /** The timer used for proactive refresh (tests drive it). @default globalThis.setTimeout */
  setTimeout?: (fn: () => void, ms: number) => unknown;
  /** Cancels a timer from `setTimeout`. @default globalThis.clearTimeout */
  clearTimeout?: (timer: unknown) => void;
  /** The Web Locks manager; null for none. @default navigator.locks when present */
  locks?: LockManagerLike | null;
}

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

type Message =
  | { type: 'refreshed'; expiresAt: number | null; life: number | null; csrf: string | null }
  | { type: 'expired' | 'loggedOut'; code: string | null }
  | { type: 'active' }
  | { type: 'doubt'; since: number };

type Listener = (payload: never) => void;

const tick = () =>
  new Promise<void>((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(0);
  });

const UNSAFE = /^(?!GET$|HEAD$|OPTIONS$|TRACE$)/i;
const EXPIRED = 'ERR_SESS_EXPIRED';
const DOUBT = 'ERR_SESS_REFRESH_IN_DOUBT';

/**
 * Creates a client. Options are read once, here.
 *
 * @example
 * ```ts
 * const client = createClient();
 * client.on('loggedOut', () => showLoginForm());
 * await client.fetch('/auth/login', { method: 'POST', body: JSON.stringify(credentials) });
 * const me = await (await client.fetch('/me')).json();
 * ```
 */
export function createClient(options: ClientOptions = {}): SessClient {
  const g = globalThis as typeof globalThis & { location?: { origin: string } };
  const bearer = options.mode === 'bearer';
  const base = new URL(options.baseUrl ?? g.location?.origin ?? 'http://localhost');
  const paths = {
    csrf: '/auth/csrf',
    login: '/auth/login',
    refresh: '/auth/refresh',
    logout: '/auth/logout',
    logoutAll: '/auth/logout-all',
    ...options.paths,
  };
  const csrfHeader = options.csrfHeader ?? 'x-csrf-token';
  const margin = options.refreshMargin ?? 300_000;
  const lockTimeout = options.lockTimeout ?? 10_000;
  // Retries with one credential stay in the first half of the reuse window: the other half is for
  // the last one to reach the server and be handled there.
  const half = (options.reuseWindow ?? 10_000) / 2;
  const send = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? Date.now;
  const later = options.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
  const cancel = options.clearTimeout ?? ((t) => clearTimeout(t as number));
  const name = bearer ? null : options.channel === undefined ? 'sess' : options.channel;
  const locks =
    name === null
      ? null
      : options.locks === undefined
        ? ((g.navigator as { locks?: LockManagerLike } | undefined)?.locks ?? null)
        : options.locks;
  const channel =
    name !== null && typeof BroadcastChannel === 'function' ? new BroadcastChannel(name) : null;
  // Node's channel would keep the process alive.
  (channel as { unref?: () => void } | null)?.unref?.();

  const listeners: Record<ClientEventName, Set<Listener>> = {
    refreshed: new Set(),
    expired: new Set(),
    loggedOut: new Set(),
  };
  const { expiresIn: initial, ...tokens }: BearerTokens = { ...options.tokens };
  let csrf: string | null = null;
  let expiresAt: number | null = null;
  let life: number | null = null;
  let ended = false;
  // Whether the app was used since the last refresh (here or in another tab).
  let active = false;
  // Bumped whenever this client learns of a refresh, here or in another tab.
  let generation = 0;
  let flight: Promise<boolean> | null = null;
  // When the credential now held was first presented in a refresh that may have been applied (its
  // answer failed or is awaited), here or in another tab; null once a refresh succeeded.
  let since: number | null = null;
  let timer: unknown;

  const emit = <E extends ClientEventName>(event: E, payload: ClientEvents[E]) => {
    for (const fn of listeners[event]) {
      try {
        (fn as (p: ClientEvents[E]) => void)(payload);
      } catch (error) {
        // A listener's bug must not break the request that triggered it.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  };
  const post = (message: Message) => channel?.postMessage(message);
  const url = (path: string) => new URL(path, base);

  // The refresh time: the margin before expiry, or half the lifetime when that is shorter.
  const lead = () => Math.min(margin, (life ?? margin * 2) / 2);
  const due = () => expiresAt !== null && !ended && now() >= expiresAt - lead();
  // Only an app in use is kept alive: an idle one lets the server's idle timeout end the session.
  // Never while a refresh is in doubt: its retries are timed (see `half`).
  const ahead = () => {
    if (active && due() && since === null) refresh().catch(() => {});
  };
  const wait = (ms: number, fn = ahead) => {
    cancel(timer);
    timer = later(fn, ms);
    (timer as { unref?: () => void } | null)?.unref?.();
  };

  const schedule = () => {
    cancel(timer);
    if (expiresAt !== null && !ended) {
      wait(Math.min(Math.max(0, expiresAt - lead() - now()), 2 ** 31 - 1));
    }
  };

  const activity = (remote?: boolean) => {
    // One message per refresh period: the other tabs only need to know the app is in use.
    if (!active && !remote) post({ type: 'active' });
    active = true;
    ahead();
  };

  const fresh = (at: number | null, lifetime: number | null, remote: boolean) => {
    expiresAt = at;
    life = lifetime;
    ended = active = false;
    since = null;
    generation++;
    schedule();
    emit('refreshed', { expiresAt: at, remote });
  };

  const end = (code: string | null, remote: boolean) => {
    const kind = code === EXPIRED ? 'expired' : 'loggedOut';
    ended = true;
    expiresAt = life = csrf = null;
    tokens.accessToken = tokens.refreshToken = tokens.sessionToken = null;
    cancel(timer);
    if (!remote) post({ type: kind, code });
    emit(kind, { code: code as string, remote });
  };

  /** Reads what a sess auth body carries; true when it carried an expiry (a new access token). */
  const absorb = (body: Record<string, unknown> | null): boolean => {
    if (body === null) return false;
    if (typeof body.csrfToken === 'string') csrf = body.csrfToken;
    if (bearer) {
      for (const key of ['accessToken', 'refreshToken', 'sessionToken'] as const) {
        if (typeof body[key] === 'string') tokens[key] = body[key] as string;
      }
    }
    const seconds = body.expiresIn;
    if (typeof seconds !== 'number') return false;
    const lifetime = seconds * 1000;
    fresh(now() + lifetime, lifetime, false);
    post({ type: 'refreshed', expiresAt, life, csrf });
    return true;
  };

  const json = async (res: Response): Promise<Record<string, unknown> | null> => {
    try {
      const body = await res.clone().json();
      return body !== null && typeof body === 'object' ? body : null;
    } catch {
      return null;
    }
  };
  const errorOf = async (res: Response) =>
    ((await json(res))?.error ?? {}) as { code?: string; details?: { limit?: string } };
  const errorCode = async (res: Response) => (await errorOf(res)).code ?? null;

  const loadCsrf = async () => {
    absorb(await json(await send(url(paths.csrf), { credentials: 'include' })));
  };

  /** One request, decorated; the CSRF token is fetched first when an unsafe request needs one. */
  const request = async (target: URL, init: RequestInit, unsafe: boolean) => {
    const headers = new Headers(init.headers);
    if (bearer) {
      const token = tokens.accessToken ?? tokens.sessionToken;
      if (token && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
    } else if (unsafe) {
      if (csrf === null) await loadCsrf();
      if (csrf !== null) headers.set(csrfHeader, csrf);
    }
    return send(target, {
      ...init,
      headers,
      ...(bearer ? {} : { credentials: init.credentials ?? 'include' }),
    });
  };

  /** The refresh request itself; resolves true (refreshed), false (session over) or null (failed). */
  const rotate = async (again = true): Promise<boolean | null> => {
    // Past the window, this credential may be superseded: presenting it would be reuse, which
    // revokes the session as a theft. The session is over for this client; the server's idle
    // timeout ends it there.
    if (since !== null && now() - since > half) {
      end(DOUBT, false);
      return false;
    }
    since ??= now();
    const body = bearer
      ? JSON.stringify(
          tokens.refreshToken
            ? { refreshToken: tokens.refreshToken }
            : { sessionToken: tokens.sessionToken },
        )
      : undefined;
    const res = await request(
      url(paths.refresh),
      { method: 'POST', headers: { 'content-type': 'application/json' }, body },
      true,
    );
    if (res.ok) {
      const data = await json(res);
      // The database strategy has no expiry to learn: it is still a refresh.
      if (!absorb(data)) {
        fresh(expiresAt, life, false);
        post({ type: 'refreshed', expiresAt, life, csrf });
      }
      return true;
    }
    const { code = null, details } = await errorOf(res);
    // Once more with a new CSRF token: after a 403 (the token is stale: the session changed in
    // another tab), and after an expired access token sent beside the refresh cookie (its CSRF
    // token is then checked against a session the server cannot see). Never after the session
    // itself timed out (`limit` idle or absolute): that is the answer.
    if (
      again &&
      !bearer &&
      (res.status === 403 || (code === EXPIRED && details?.limit === 'token'))
    ) {
      csrf = null;
      return rotate(false);
    }
    if (res.status === 401) {
      end(code, false);
      return false;
    }
    return null;
  };

  // A refresh is also recorded in the lock manager: the tab that refreshed holds a lock named after
  // the new expiry (until its next refresh), taken before it releases the refresh lock. A message
  // can land after the next tab gets the refresh lock; this name cannot.
  const mark = `${name}:done:`;
  let unmark: (() => void) | undefined;
  const marks = async () =>
    ((locks?.query && (await locks.query()).held) || [])
      .map((lock) => lock.name ?? '')
      .filter((lock) => lock.startsWith(mark));

  const locked = async (seen: number): Promise<boolean> => {
    const before = await marks();
    const inside = async () => {
      // The holder posted its outcome just before releasing the lock: let the message land (a
      // MessageChannel task, which fake clocks leave alone) before looking.
      if (channel !== null) await tick();
      // Another tab refreshed (or ended the session) while this one waited: nothing to do.
      if (generation !== seen) return true;
      if (ended) return false;
      const newer = (await marks()).find((lock) => !before.includes(lock));
      if (newer !== undefined) {
        const [at, lifetime] = newer.slice(mark.length).split(':').map(Number);
        fresh(at!, lifetime || null, true);
        return true;
      }
      let outcome: boolean | null = null;
      try {
        outcome = await rotate();
      } finally {
        // (Unless another tab's refresh landed meanwhile: the cookie is its successor now.)
        if (outcome === null && since !== null) {
          // A failure (a 503, a network error) that may have rotated on the server, its answer
          // lost: the session stands. Retry with the same credential, doubling the time since
          // the first attempt, while that stays in the reuse window (which recovers the same
          // successor), then stop. The other tabs hold the same cookie: they learn when it began.
          const elapsed = now() - since;
          const delay = Math.max(500, elapsed);
          post({ type: 'doubt', since });
          // A timer that fires late (a throttled tab) sends nothing: the next needed refresh ends it.
          if (elapsed + delay <= half) {
            wait(delay, () => void (now() - since! > half || refresh().catch(() => {})));
          }
        }
      }
      if (outcome && expiresAt !== null && locks?.query) {
        const previous = unmark;
        await new Promise<void>((granted) => {
          void locks.request(`${mark}${expiresAt}:${life}:${Math.random()}`, {}, () => {
            granted();
            previous?.();
            return new Promise<void>((release) => {
              unmark = release;
            });
          });
        });
      }
      return outcome === true;
    };
    if (locks === null) return inside();
    const abort = new AbortController();
    const stop = later(() => abort.abort(), lockTimeout);
    try {
      return await locks.request(`${name}:refresh`, { signal: abort.signal }, () => {
        cancel(stop);
        return inside();
      });
    } catch (error) {
      // An orphaned lock never deadlocks: past the timeout, refresh anyway (the server's reuse
      // window makes a concurrent refresh idempotent).
      if (abort.signal.aborted) return inside();
      throw error;
    } finally {
      cancel(stop);
    }
  };

  const refreshSince = (seen: number): Promise<boolean> =>
    (flight ??= locked(seen).finally(() => {
      flight = null;
    }));
  const refresh = () => refreshSince(generation);

  channel?.addEventListener('message', (event: MessageEvent<Message>) => {
    const m = event.data;
    if (m.type === 'refreshed') {
      if (m.csrf !== null) csrf = m.csrf;
      // Already learned from the lock manager (see `mark`).
      if (m.expiresAt === null || m.expiresAt !== expiresAt) fresh(m.expiresAt, m.life, true);
    } else if (m.type === 'active') {
      activity(true);
    } else if (m.type === 'doubt') {
      since = Math.min(m.since, since ?? m.since);
    } else if ((m.type === 'expired' || m.type === 'loggedOut') && !ended) {
      // Named, not "anything else": a message type from a newer client in another tab (say, during
      // a deploy) must not end this tab's session.
      end(m.code, true);
    }
  });

  if (typeof initial === 'number') {
    life = initial * 1000;
    expiresAt = now() + life;
    schedule();
  }

  const retriable = (body: RequestInit['body']) =>
    body == null || typeof body === 'string' || !('getReader' in body);

  const client: SessClient = {
    async fetch(input, init = {}) {
      const target = url(String(input));
      if (target.origin !== base.origin) return send(input, init);
      const path = target.pathname;
      const unsafe = UNSAFE.test(init.method ?? 'GET');
      const auth = path === paths.login || path === paths.refresh || path === paths.csrf;
      if (!auth) {
        // Past the refresh time, a background refresh; past the expiry, the request waits for it.
        activity();
        if (expiresAt !== null && !ended && now() >= expiresAt) await refresh();
      }
      const seen = generation;
      let res = await request(target, init, unsafe);
      if (res.status === 403 && unsafe && !bearer && retriable(init.body)) {
        if ((await errorCode(res)) === 'ERR_SESS_CSRF') {
          csrf = null;
          res = await request(target, init, unsafe);
        }
      }
      if (res.status === 401 && !auth && !ended && retriable(init.body)) {
        // A refresh that happened since this request left is enough: just retry.
        if (generation !== seen || (await refreshSince(seen))) {
          res = await request(target, init, unsafe);
        }
      }
      if (auth && res.ok) {
        const data = await json(res);
        if (!absorb(data) && path === paths.login) {
          // Database strategy: logged in, no expiry to track.
          fresh(null, null, false);
          post({ type: 'refreshed', expiresAt: null, life: null, csrf });
        }
      }
      if (path === paths.logout && res.ok && !ended) end(null, false);
      return res;
    },
    activity: () => activity(),
    logout: () => client.fetch(paths.logout, { method: 'POST' }),
    async logoutAll({ exceptCurrent = false } = {}) {
      const res = await client.fetch(paths.logoutAll, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ exceptCurrent }),
      });
      if (res.ok && !exceptCurrent && !ended) end(null, false);
      return res;
    },
    refresh,
    on(event, listener) {
      listeners[event].add(listener as Listener);
      return () => {
        listeners[event].delete(listener as Listener);
      };
    },
    get expiresAt() {
      return expiresAt;
    },
    close() {
      unmark?.();
      cancel(timer);
      channel?.close();
    },
  };
  return client;
}
