import { Agent, request as httpRequest } from 'node:http';
import { credentialRef, type HistoryEvent, now, type Op, type Recorder } from './history.ts';

/** The demo's seeded accounts (DESIGN §5). */
export const ACCOUNTS = [
  { email: 'alice@example.com', password: 'alice-password-1' },
  { email: 'bob@example.com', password: 'bob-password-1' },
] as const;

/** Relative weights of what a logged-in virtual user does next. */
export interface Mix {
  readonly me: number;
  readonly refresh: number;
  readonly login: number;
  readonly logout: number;
  readonly logoutAll: number;
  readonly sessions: number;
}

/** The mix: 70% me, 15% refresh, 5% login, 5% logout, 2% logout-all, 3% session list. */
export const DEFAULT_MIX: Mix = {
  me: 70,
  refresh: 15,
  login: 5,
  logout: 5,
  logoutAll: 2,
  sessions: 3,
};

/**
 * A mix for durability checks: the demo has two accounts, so one logout-all ends the sessions of
 * half the virtual users at once, and the default mix leaves few sessions alive across a fault.
 */
export const STEADY_MIX: Mix = {
  me: 75,
  refresh: 15,
  login: 2,
  logout: 3,
  logoutAll: 0,
  sessions: 5,
};

/** Options of {@link Traffic}. */
export interface TrafficOptions {
  /** One demo, or several sharing a store (each request picks one at random). */
  readonly urls: readonly string[];
  readonly strategy: 'database' | 'jwt' | 'hybrid';
  readonly recorder: Recorder;
  /** Virtual users, each with its own cookie jar. @default 4 */
  readonly users?: number;
  /** Tabs per user: a refresh fires from all of them at once, beside a /me. @default 3 */
  readonly tabs?: number;
  /** @default DEFAULT_MIX */
  readonly mix?: Mix;
  /**
   * How many of the users (the first ones) only read and refresh: no login, logout or logout-all
   * of their own, so their sessions live through a fault unless another user's logout-all of the
   * same account ends them. @default 0
   */
  readonly steadyUsers?: number;
  /** Pause between two rounds of one user, in ms. @default 0 */
  readonly thinkMs?: number;
  /** Client-side limit of one request: past it the request counts as unanswered. @default 15_000 */
  readonly requestTimeoutMs?: number;
}

interface Cookie {
  value: string;
  path: string;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

const SESSION = /session$/;
const REFRESH = /refresh$/;
const CSRF = /csrf$/;

/** One browser: a cookie jar and a CSRF token shared by its tabs, and the account it is in. */
class Jar {
  readonly cookies = new Map<string, Cookie>();
  csrfToken = '';
  account: string | null = null;
  /** Raw credentials of sessions this user saw end, for the final replay. */
  readonly graveyard: Array<{ session?: string; refresh?: string }> = [];

  find(pattern: RegExp): string | undefined {
    for (const [name, cookie] of this.cookies) if (pattern.test(name)) return cookie.value;
    return undefined;
  }

  header(path: string): string {
    return [...this.cookies]
      .filter(([, c]) => path.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
  }

  apply(setCookie: string[] | undefined): { session?: string; refresh?: string } {
    const set: { session?: string; refresh?: string } = {};
    for (const line of setCookie ?? []) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const path = attributes.map((a) => /^\s*path=(.*)$/i.exec(a)?.[1]).find(Boolean) ?? '/';
      if (attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) {
        this.cookies.delete(name);
        continue;
      }
      this.cookies.set(name, { value, path });
      if (SESSION.test(name)) set.session = value;
      if (REFRESH.test(name)) set.refresh = value;
    }
    return set;
  }

  get loggedIn(): boolean {
    return this.find(SESSION) !== undefined;
  }

  bury(): void {
    const session = this.find(SESSION);
    const refresh = this.find(REFRESH);
    if (session || refresh) this.graveyard.push({ session, refresh });
  }

  clear(): void {
    for (const name of [...this.cookies.keys()]) if (!CSRF.test(name)) this.cookies.delete(name);
    this.account = null;
  }
}

/**
 * Mixed traffic from virtual users against the demo, every request and answer recorded in a
 * {@link Recorder} (credentials as fingerprints only). Each user runs rounds one after the other:
 * a refresh round fires from every tab at once (plus a /me beside them), every other round is one
 * request; a user that gets a 401 logs in again.
 */
export class Traffic {
  readonly #options: Required<Omit<TrafficOptions, 'recorder' | 'urls'>>;
  readonly #urls: readonly string[];
  readonly #recorder: Recorder;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 64 });
  /** For a retry after a stale keep-alive socket: a connection of its own. */
  readonly #fresh = new Agent({ keepAlive: false });
  readonly #jars: Jar[] = [];
  #running = false;
  #loops: Promise<void>[] = [];
  #weights: Array<[keyof Mix, number]>;
  #total: number;

  constructor(options: TrafficOptions) {
    this.#urls = options.urls;
    this.#recorder = options.recorder;
    this.#options = {
      strategy: options.strategy,
      users: options.users ?? 4,
      tabs: options.tabs ?? 3,
      mix: options.mix ?? DEFAULT_MIX,
      steadyUsers: options.steadyUsers ?? 0,
      thinkMs: options.thinkMs ?? 0,
      requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
    };
    this.#weights = Object.entries(this.#options.mix) as Array<[keyof Mix, number]>;
    this.#total = this.#weights.reduce((sum, [, w]) => sum + w, 0);
    for (let u = 0; u < this.#options.users; u++) this.#jars.push(new Jar());
  }

  /** Logs every user in (retrying until it works), then starts the loops. */
  async start(): Promise<void> {
    await Promise.all(
      this.#jars.map(async (jar, u) => {
        for (let attempt = 0; !jar.loggedIn; attempt++) {
          if (attempt > 50) throw new Error(`traffic: user ${u} could not log in`);
          await this.#login(jar, u, 0);
        }
      }),
    );
    this.#running = true;
    this.#loops = this.#jars.map((jar, u) => this.#loop(jar, u));
  }

  /** Stops after the rounds in flight. */
  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
    this.#loops = [];
  }

  /** One /me from every user, recorded like the rest (probes after a fault). */
  async probe(): Promise<void> {
    await Promise.all(
      this.#jars.map(async (jar, u) => {
        if (jar.loggedIn) await this.#send(jar, u, 0, 'me', 'GET', '/me');
      }),
    );
  }

  /**
   * Presents again every credential whose session its user saw end (logout, login over it,
   * logout-all, a 401): each must be refused. Catches a revoked session written back.
   */
  async replayDead(limit = 200): Promise<number> {
    let sent = 0;
    for (const [u, jar] of this.#jars.entries()) {
      for (const grave of jar.graveyard.slice(-Math.ceil(limit / this.#jars.length))) {
        // A client without cookies (no CSRF to pass): the dead credential travels as a bearer
        // token or in the refresh body, as a script that stole it would send it.
        if (grave.session) {
          await this.#send(new Jar(), u, 9, 'replay-me', 'GET', '/me', undefined, grave.session);
          sent++;
        }
        const rotating = this.#options.strategy === 'database' ? grave.session : grave.refresh;
        if (rotating) {
          const field = this.#options.strategy === 'database' ? 'sessionToken' : 'refreshToken';
          await this.#send(
            new Jar(),
            u,
            9,
            'replay-refresh',
            'POST',
            '/auth/refresh',
            {
              [field]: rotating,
            },
            rotating,
          );
          sent++;
        }
      }
    }
    return sent;
  }

  close(): void {
    this.#agent.destroy();
    this.#fresh.destroy();
  }

  async #loop(jar: Jar, u: number): Promise<void> {
    // After a 503 a user polls /me (as a page waiting for the service would) until an answer
    // that is not a 503, instead of carrying on with logouts and logins it cannot complete.
    let degraded = false;
    while (this.#running) {
      let statuses: number[];
      if (!jar.loggedIn) statuses = [await this.#login(jar, u, 0)];
      else statuses = await this.#round(jar, u, degraded ? 'me' : this.#pick(u));
      degraded = statuses.some((s) => s === 503 || s === 0);
      if (degraded) await pause(25);
      else if (this.#options.thinkMs > 0) await pause(this.#options.thinkMs);
    }
  }

  #pick(u: number): keyof Mix {
    if (u < this.#options.steadyUsers) {
      const r = Math.random();
      return r < 0.8 ? 'me' : r < 0.95 ? 'refresh' : 'sessions';
    }
    let r = Math.random() * this.#total;
    for (const [op, weight] of this.#weights) {
      r -= weight;
      if (r < 0) return op;
    }
    return 'me';
  }

  async #round(jar: Jar, u: number, op: keyof Mix): Promise<number[]> {
    switch (op) {
      case 'me':
        return [await this.#send(jar, u, 0, 'me', 'GET', '/me')];
      case 'sessions':
        return [await this.#send(jar, u, 0, 'sessions', 'GET', '/auth/sessions')];
      case 'refresh': {
        const tabs = Array.from({ length: this.#options.tabs }, (_, t) =>
          this.#send(jar, u, t, 'refresh', 'POST', '/auth/refresh', {}),
        );
        tabs.push(this.#send(jar, u, this.#options.tabs, 'me', 'GET', '/me'));
        return Promise.all(tabs);
      }
      case 'login':
        return [await this.#login(jar, u, 0)];
      case 'logout': {
        jar.bury();
        return [await this.#send(jar, u, 0, 'logout', 'POST', '/auth/logout', {})];
      }
      case 'logoutAll': {
        jar.bury();
        return [await this.#send(jar, u, 0, 'logout-all', 'POST', '/auth/logout-all', {})];
      }
    }
  }

  async #login(jar: Jar, u: number, tab: number): Promise<number> {
    if (!jar.loggedIn || jar.csrfToken === '') {
      const status = await this.#send(jar, u, tab, 'csrf', 'GET', '/auth/csrf');
      if (status !== 200) return status;
    }
    const account = ACCOUNTS[Math.floor(Math.random() * ACCOUNTS.length)]!;
    if (jar.loggedIn) jar.bury();
    return this.#send(jar, u, tab, 'login', 'POST', '/auth/login', {
      email: account.email,
      password: account.password,
    });
  }

  async #send(
    jar: Jar,
    u: number,
    tab: number,
    op: Op,
    method: string,
    path: string,
    json?: unknown,
    bare?: string,
  ): Promise<number> {
    const base = this.#urls[Math.floor(Math.random() * this.#urls.length)]!;
    const rotating =
      op === 'refresh' || op === 'replay-refresh'
        ? this.#options.strategy === 'database'
          ? jar.find(SESSION)
          : jar.find(REFRESH)
        : jar.find(SESSION);
    const sent = credentialRef(bare ?? rotating);
    const account = jar.account;
    const start = now();
    const answer = await this.#http(base, method, path, jar, json, bare);
    const end = now();
    const set = jar.apply(answer.headers['set-cookie'] as string[] | undefined);
    const issuedRaw = this.#options.strategy === 'database' ? set.session : set.refresh;
    const error = answer.body.error as { code?: unknown } | undefined;
    const event: Omit<HistoryEvent, 'seq'> = {
      client: `u${u}/t${tab}`,
      user: `u${u}`,
      account,
      op,
      start,
      end,
      status: answer.status,
      ...(typeof error?.code === 'string' ? { code: error.code } : {}),
      ...(answer.status === 503 ? { retryAfter: answer.headers['retry-after'] !== undefined } : {}),
      ...(sent ? { sent } : {}),
      ...(issuedRaw ? { issued: credentialRef(issuedRaw) } : {}),
    };
    if (typeof answer.body.csrfToken === 'string') jar.csrfToken = answer.body.csrfToken;
    if (op === 'login' && answer.status === 200) {
      const user = answer.body.user as { id?: unknown } | undefined;
      jar.account = typeof user?.id === 'string' ? user.id : null;
      Object.assign(event, { loggedInAs: jar.account });
    }
    if (op.startsWith('replay')) {
      // a ghost jar: the real one is untouched
    } else if (answer.status === 401 || (op === 'logout' && answer.status === 200)) {
      if (answer.status === 401) jar.bury();
      jar.clear();
    } else if (op === 'logout-all' && answer.status === 200) {
      jar.clear();
    }
    this.#recorder.record(event);
    return answer.status;
  }

  #http(
    base: string,
    method: string,
    path: string,
    jar: Jar,
    json: unknown,
    bare: string | undefined,
  ): Promise<Answer> {
    const url = new URL(path, base);
    const body = json === undefined ? undefined : JSON.stringify(json);
    const headers: Record<string, string> = { 'user-agent': 'sess-fault-traffic/1' };
    if (bare === undefined) {
      headers.origin = base;
      headers.cookie = jar.header(url.pathname);
      if (method !== 'GET') headers['x-csrf-token'] = jar.csrfToken;
    } else if (method === 'GET') {
      headers.authorization = `Bearer ${bare}`;
    }
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    return this.#once(url, method, headers, body).then((answer) =>
      // A keep-alive socket the server closed as the request went out (its idle timer fired): the
      // request never reached the app, and browsers send it again on a new connection.
      answer === 'stale-socket'
        ? this.#once(url, method, headers, body, this.#fresh).then(settled)
        : answer,
    );
  }

  #once(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
    agent: Agent = this.#agent,
  ): Promise<Answer | 'stale-socket'> {
    return new Promise<Answer | 'stale-socket'>((resolve) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: url.port,
          path: url.pathname,
          method,
          headers: { ...headers, host: url.host },
          agent,
          timeout: this.#options.requestTimeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            let parsed: Record<string, unknown> = {};
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<
                string,
                unknown
              >;
            } catch {
              // not JSON: the status says enough
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
          });
          res.on('error', () => resolve({ status: 0, body: {}, headers: {} }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('client timeout')));
      req.on('error', (error: NodeJS.ErrnoException) => {
        const stale = req.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
        resolve(stale ? 'stale-socket' : { status: 0, body: {}, headers: {} });
      });
      req.end(body);
    });
  }
}

const settled = (answer: Answer | 'stale-socket'): Answer =>
  answer === 'stale-socket' ? { status: 0, body: {}, headers: {} } : answer;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
