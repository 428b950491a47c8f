import { createEmitter } from './events.ts';
import { errorOf, json, retriable, UNSAFE } from './http.ts';
import { type BearerTokens, type ClientOptions, resolveOptions } from './options.ts';
import type { SessClient } from './sess-client.ts';
import { openTabs } from './tabs.ts';

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
  // One closure, on purpose: the session's state lives in local variables, which the minifier
  // shortens. Shared across modules as an object it cost about 360 bytes of the size budget
  // (scripts/size.mjs), so only the parts that keep no session state live in other files.
  const settings = resolveOptions(options);
  const { bearer, base, paths, csrfHeader, margin, half, send, now, later, cancel } = settings;
  const tabs = openTabs(settings);
  const { post } = tabs;
  const { emit, on } = createEmitter();
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

  const url = (path: string) => new URL(path, base);

  // --- Refresh scheduling and activity ---

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

  // --- What the client learns of the session ---

  const fresh = (at: number | null, lifetime: number | null, remote: boolean) => {
    expiresAt = at;
    life = lifetime;
    ended = active = false;
    since = null;
    generation++;
    schedule();
    emit('refreshed', { expiresAt: at, remote });
  };
  /** New credentials obtained here: the other tabs learn them too. */
  const renew = (at: number | null, lifetime: number | null) => {
    fresh(at, lifetime, false);
    post({ type: 'refreshed', expiresAt, life, csrf });
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
    renew(now() + lifetime, lifetime);
    return true;
  };

  // --- Requests and the refresh ---

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
      if (!absorb(data)) renew(expiresAt, life);
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

  // A failure (a 503, a network error) that may have rotated on the server, its answer lost: the
  // session stands. Retry with the same credential, doubling the time since the first attempt,
  // while that stays in the reuse window (which recovers the same successor), then stop. The other
  // tabs hold the same cookie: they learn when it began.
  const doubt = (first: number) => {
    const elapsed = now() - first;
    const delay = Math.max(500, elapsed);
    post({ type: 'doubt', since: first });
    // A timer that fires late (a throttled tab) sends nothing: the next needed refresh ends it.
    if (elapsed + delay <= half) {
      wait(delay, () => void (now() - since! > half || refresh().catch(() => {})));
    }
  };

  const locked = async (seen: number): Promise<boolean> => {
    const before = await tabs.marks();
    return tabs.exclusive(async () => {
      // The holder posted its outcome just before releasing the lock: let the message land.
      if (tabs.shared) await tabs.settle();
      const after = await tabs.marks();
      // Another tab refreshed (or ended the session) while this one waited: nothing to do. Checked
      // after reading the marks, as the message may land while they are read.
      if (generation !== seen) return true;
      if (ended) return false;
      const landed = tabs.landed(before, after);
      if (landed !== undefined) {
        fresh(landed[0], landed[1], true);
        return true;
      }
      let outcome: boolean | null = null;
      try {
        outcome = await rotate();
      } finally {
        // (Unless another tab's refresh landed meanwhile: the cookie is its successor now.)
        if (outcome === null && since !== null) doubt(since);
      }
      if (outcome && expiresAt !== null) await tabs.record(expiresAt, life);
      return outcome === true;
    });
  };

  const refreshSince = (seen: number): Promise<boolean> =>
    (flight ??= locked(seen).finally(() => {
      flight = null;
    }));
  const refresh = () => refreshSince(generation);

  tabs.listen((m) => {
    if (m.type === 'refreshed') {
      if (m.csrf !== null) csrf = m.csrf;
      // Already learned from the lock manager (see `Tabs.record`).
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

  // --- The client ---

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
        if ((await errorOf(res)).code === 'ERR_SESS_CSRF') {
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
        // Database strategy: logged in, no expiry to track.
        if (!absorb(data) && path === paths.login) renew(null, null);
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
    on,
    get expiresAt() {
      return expiresAt;
    },
    close() {
      cancel(timer);
      tabs.close();
    },
  };
  return client;
}
