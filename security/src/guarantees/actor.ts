import { type ClientEventName, createClient, type SessClient } from '@sess/client';
import { type GuaranteeApp, USERS, type User } from './app.ts';
import { type Device, type Exchange, Wire } from './wire.ts';

/**
 * How the app is driven: `raw` is a browser page without `@sess/client` (cookie jar, Origin, the
 * CSRF token from the last body that carried one, and nothing done on its own), `cookie` and
 * `bearer` are `@sess/client` in its two modes.
 */
export type ClientMode = 'raw' | 'cookie' | 'bearer';

/** Every client mode, in matrix order. */
export const CLIENT_MODES: readonly ClientMode[] = ['raw', 'cookie', 'bearer'];

/** An event `@sess/client` emitted. */
export interface ClientEvent {
  readonly name: ClientEventName;
  readonly code: string | null;
  readonly remote: boolean;
}

let devices = 0;

/** A device no other actor uses. */
export function newDevice(): Device {
  devices++;
  return { userAgent: `guarantee-browser/${devices}`, ip: `10.0.${devices >> 8}.${devices & 255}` };
}

/**
 * One device using the app in one client mode. `request` is what the app's page (or service) does
 * for one call: through `@sess/client` in the client modes (which adds the CSRF token, refreshes
 * and retries on its own), or a single browser request in `raw` mode.
 */
export class Actor {
  readonly wire: Wire;
  readonly events: ClientEvent[] = [];
  readonly client: SessClient | null;

  constructor(
    readonly app: GuaranteeApp,
    readonly mode: ClientMode,
    device: Device = newDevice(),
    /** The wire of a page this one replaces (a reload): same jar, same tokens. */
    wire?: Wire,
  ) {
    this.wire =
      wire ?? new Wire(app.url, mode === 'bearer' ? null : app.url, device, app.clock.now);
    app.clock.track(() => this.wire.pending);
    if (mode === 'raw') {
      this.client = null;
      return;
    }
    const { clock } = app;
    this.client = createClient({
      mode,
      baseUrl: app.url,
      fetch: this.wire.fetch,
      now: clock.now,
      setTimeout: clock.setTimeout,
      clearTimeout: clock.clearTimeout,
      locks: null,
      channel: null,
      // A service keeps its tokens across restarts (a secret store, say); a page keeps nothing.
      ...(mode === 'bearer' && wire ? { tokens: { ...wire.tokens } } : {}),
    });
    for (const name of ['refreshed', 'expired', 'loggedOut'] as const) {
      this.client.on(name, (payload) => {
        const code = 'code' in payload ? payload.code : null;
        this.events.push({ name, code, remote: payload.remote });
      });
    }
  }

  /**
   * The page reloaded (or the service restarted) with the same cookies (or stored tokens): a new
   * client that knows nothing of the old one's timers and expiry. This actor's client is closed.
   */
  reload(): Actor {
    this.close();
    return new Actor(this.app, this.mode, this.wire.device, this.wire);
  }

  /** One call as the page or service makes it; resolves with the last exchange with `path`. */
  async request(method: string, path: string, json?: unknown): Promise<Exchange> {
    const init: RequestInit = { method };
    const headers: Record<string, string> = {};
    if (json !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(json);
    }
    if (this.client !== null) {
      await this.client.fetch(new URL(path, this.app.url).href, { ...init, headers });
    } else {
      if (method !== 'GET' && this.wire.csrfToken !== null) {
        headers['x-csrf-token'] = this.wire.csrfToken;
      }
      await this.wire.fetch(new URL(path, this.app.url), { ...init, headers });
    }
    await this.app.clock.settle();
    const last = this.wire.last(path, method);
    if (!last) throw new Error(`${method} ${path} never reached the server`);
    return last;
  }

  /** Signs in (the raw page fetches its CSRF token first, as a login form does). */
  async login(user: User = USERS.alice): Promise<Exchange> {
    if (this.mode === 'raw' && this.wire.csrfToken === null) await this.prepare();
    return this.request('POST', '/auth/login', { email: user.email, password: user.password });
  }

  /**
   * What a login page does before the form is sent: fetch a CSRF token. A bearer client needs
   * none, but makes the same request, so its connection is open too and logins that a test fires
   * at once reach the server at once.
   */
  async prepare(): Promise<void> {
    await this.request('GET', '/auth/csrf');
  }

  /**
   * Activity: `GET /me`. The client modes refresh on their own; the raw page refreshes after a
   * 401 and asks once more, as a hand-written page following the docs would.
   */
  async use(): Promise<Exchange> {
    const first = await this.request('GET', '/me');
    if (this.mode !== 'raw' || first.status !== 401) return first;
    const refreshed = await this.request('POST', '/auth/refresh');
    return refreshed.status === 200 ? this.request('GET', '/me') : first;
  }

  /**
   * `POST /auth/refresh` now: `client.refresh()` in the client modes (resolves with the refresh
   * exchange it made, or null when it made none), one request in raw mode.
   */
  async refresh(): Promise<Exchange | null> {
    if (this.client === null) return this.request('POST', '/auth/refresh');
    const before = this.wire.exchanges('/auth/refresh').length;
    await this.client.refresh().catch(() => false);
    await this.app.clock.settle();
    const after = this.wire.exchanges('/auth/refresh');
    return after.length > before ? (after.at(-1) ?? null) : null;
  }

  /** The credential that authenticates this actor's requests now (cookie or bearer token). */
  credential(): string | undefined {
    const names = this.app.sess.cookies.names;
    if (this.mode === 'bearer')
      return this.wire.tokens.accessToken ?? this.wire.tokens.sessionToken;
    return this.wire.cookie(names.session);
  }

  /** The id of the session this actor is using now (asks `GET /me`). */
  async sessionId(): Promise<string> {
    const me = await this.request('GET', '/me');
    if (me.status !== 200) throw new Error(`GET /me answered ${me.status}`);
    return me.body.session.id as string;
  }

  /**
   * "Log out everywhere" (or, with `exceptCurrent`, "log out other devices") as the app does it:
   * `client.logoutAll()` where the client has it, else a `POST` through the client; one request
   * in raw mode.
   */
  async logoutAll(exceptCurrent: boolean): Promise<Exchange> {
    const client = this.client as
      | (SessClient & { logoutAll?: (o: { exceptCurrent: boolean }) => Promise<Response> })
      | null;
    if (typeof client?.logoutAll !== 'function') {
      return this.request('POST', '/auth/logout-all', { exceptCurrent });
    }
    await client.logoutAll({ exceptCurrent });
    await this.app.clock.settle();
    return this.wire.last('/auth/logout-all', 'POST')!;
  }

  /** Events of one name, in order. */
  emitted(name: ClientEventName): ClientEvent[] {
    return this.events.filter((e) => e.name === name);
  }

  /** The ids of the user's live sessions, from the manager. */
  async liveSessions(user: User = USERS.alice): Promise<string[]> {
    return (await this.app.sess.list(user.id)).map((s) => s.id);
  }

  close(): void {
    this.client?.close();
  }
}

/**
 * A thief replaying this actor's credentials (cookies and CSRF token in the browser modes, bearer
 * tokens in bearer mode) from another device, with plain requests.
 */
export class Replay {
  readonly wire: Wire;

  constructor(
    readonly victim: Actor,
    device: Device,
  ) {
    this.wire = victim.wire.stolenBy(device);
  }

  async send(method: string, path: string, json?: Record<string, unknown>): Promise<Exchange> {
    const headers: Record<string, string> = {};
    let body = json;
    if (this.victim.mode === 'bearer') {
      const { accessToken, sessionToken, refreshToken } = this.wire.tokens;
      if (path === '/auth/refresh') {
        body = refreshToken ? { refreshToken } : { sessionToken };
      } else {
        const token = accessToken ?? sessionToken;
        if (token) headers.authorization = `Bearer ${token}`;
      }
    } else if (method !== 'GET' && this.wire.csrfToken !== null) {
      headers['x-csrf-token'] = this.wire.csrfToken;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    await this.wire.fetch(new URL(path, this.victim.app.url), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const last = this.wire.last(path, method);
    if (!last) throw new Error(`${method} ${path} never reached the server`);
    return last;
  }
}
