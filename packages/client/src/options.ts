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
  /** Runs `callback` holding the lock `name`, released when its promise settles. */
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

/** {@link ClientOptions} with every default applied: what the rest of the client reads. */
export interface Settings {
  readonly bearer: boolean;
  readonly base: URL;
  readonly paths: Readonly<Required<NonNullable<ClientOptions['paths']>>>;
  readonly csrfHeader: string;
  readonly margin: number;
  readonly lockTimeout: number;
  /** Half the reuse window: how long after its first attempt a credential may be presented. */
  readonly half: number;
  readonly send: (input: string | URL, init?: RequestInit) => Promise<Response>;
  readonly now: () => number;
  readonly later: (fn: () => void, ms: number) => unknown;
  readonly cancel: (timer: unknown) => void;
  /** The channel (and lock) name, or null when the tabs do not coordinate. */
  readonly name: string | null;
  readonly locks: LockManagerLike | null;
}

/** Applies the defaults of {@link ClientOptions}, once. */
export function resolveOptions(options: ClientOptions): Settings {
  const g = globalThis as typeof globalThis & { location?: { origin: string } };
  const bearer = options.mode === 'bearer';
  const name = bearer ? null : options.channel === undefined ? 'sess' : options.channel;
  return {
    bearer,
    base: new URL(options.baseUrl ?? g.location?.origin ?? 'http://localhost'),
    paths: {
      csrf: '/auth/csrf',
      login: '/auth/login',
      refresh: '/auth/refresh',
      logout: '/auth/logout',
      logoutAll: '/auth/logout-all',
      ...options.paths,
    },
    csrfHeader: options.csrfHeader ?? 'x-csrf-token',
    margin: options.refreshMargin ?? 300_000,
    lockTimeout: options.lockTimeout ?? 10_000,
    // Retries with one credential stay in the first half of the reuse window: the other half is
    // for the last one to reach the server and be handled there.
    half: (options.reuseWindow ?? 10_000) / 2,
    send: options.fetch ?? ((input, init) => fetch(input, init)),
    now: options.now ?? Date.now,
    later: options.setTimeout ?? ((fn, ms) => setTimeout(fn, ms)),
    cancel: options.clearTimeout ?? ((t) => clearTimeout(t as number)),
    name,
    locks:
      name === null
        ? null
        : options.locks === undefined
          ? ((g.navigator as { locks?: LockManagerLike } | undefined)?.locks ?? null)
          : options.locks,
  };
}
