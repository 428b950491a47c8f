import { parseSetCookie, type SetCookie } from '../attacks/http.ts';

/** A JSON body, probed field by field in assertions. */
// biome-ignore lint/suspicious/noExplicitAny: cells read arbitrary nested fields and assert them.
export type Json = Record<string, any>;

/** One request and its answer, as it crossed the wire. */
export interface Exchange {
  readonly method: string;
  readonly path: string;
  /** When the answer arrived, on the test's clock. */
  readonly at: number;
  readonly sent: Headers;
  readonly status: number;
  /** `error.code` of the answer, or null. */
  readonly code: string | null;
  readonly body: Json;
  readonly headers: Headers;
  readonly setCookies: readonly SetCookie[];
}

/** The device a request comes from: its User-Agent and (through `X-Forwarded-For`) its IP. */
export interface Device {
  userAgent: string;
  ip: string;
}

interface JarCookie {
  value: string;
  path: string;
}

/**
 * What a browser (or, with `origin: null`, a Node service) puts on the wire, for one device:
 * a cookie jar that honours `Path` and `Max-Age=0`, the page's `Origin`, the device's User-Agent
 * and IP. Every exchange is recorded, with the last CSRF token and body tokens seen, so a cell can
 * assert what the server answered and a thief can copy the device's state.
 *
 * Cookie lifetimes other than `Max-Age=0` are not enforced: the server's clock is frozen and moved
 * by the test, the browser's is not, so a cookie past its `Max-Age` is still sent (as by a browser
 * whose clock lags, or a tab asleep past the expiry); the server must refuse it on its own.
 */
export class Wire {
  readonly jar = new Map<string, JarCookie>();
  readonly log: Exchange[] = [];
  /** The last `csrfToken` an answer carried. */
  csrfToken: string | null = null;
  /** The last tokens an answer's body carried (non-browser clients). */
  readonly tokens: { accessToken?: string; refreshToken?: string; sessionToken?: string } = {};
  pending = 0;
  /** False for a thief's copy: an attacker replays the stolen values and ignores `Set-Cookie`. */
  acceptCookies = true;

  constructor(
    readonly base: string,
    /** The page's origin, or null for a non-browser client (no Origin, no cookie jar). */
    readonly origin: string | null,
    readonly device: Device,
    /** The test's clock, to date each exchange. */
    readonly now: () => number = Date.now,
  ) {}

  /** A `fetch` for this device: the transport of `@sess/client`, and of raw requests. */
  readonly fetch: typeof fetch = async (input, init = {}) => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    const sent = new Headers(init.headers);
    const own = url.origin === new URL(this.base).origin;
    if (own) {
      sent.set('user-agent', this.device.userAgent);
      sent.set('x-forwarded-for', this.device.ip);
      if (this.origin !== null) {
        sent.set('origin', this.origin);
        const cookie = this.cookieHeader(url.pathname);
        if (cookie !== '') sent.set('cookie', cookie);
      }
    }
    this.pending++;
    try {
      const res = await fetch(url, { ...init, headers: sent });
      if (own) await this.#record(init.method ?? 'GET', url.pathname, sent, res);
      return res;
    } finally {
      this.pending--;
    }
  };

  /** The `Cookie` header this browser sends to `path`. */
  cookieHeader(path: string): string {
    return [...this.jar]
      .filter(([, c]) => c.path === '/' || path === c.path || path.startsWith(`${c.path}/`))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
  }

  /** The value of a cookie in the jar. */
  cookie(name: string): string | undefined {
    return this.jar.get(name)?.value;
  }

  /** The exchanges with `path` (and `method`), oldest first. */
  exchanges(path: string, method?: string): Exchange[] {
    return this.log.filter((e) => e.path === path && (method === undefined || e.method === method));
  }

  /** The last exchange with `path`. */
  last(path: string, method?: string): Exchange | undefined {
    return this.exchanges(path, method).at(-1);
  }

  /** A copy of this device's state (jar, CSRF token, tokens) on another device: a thief's copy. */
  stolenBy(device: Device): Wire {
    const copy = new Wire(this.base, this.origin, device, this.now);
    for (const [name, c] of this.jar) copy.jar.set(name, { ...c });
    copy.csrfToken = this.csrfToken;
    Object.assign(copy.tokens, this.tokens);
    copy.acceptCookies = false;
    return copy;
  }

  async #record(method: string, path: string, sent: Headers, res: Response): Promise<void> {
    const text = await res.clone().text();
    let body: Json = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === 'object') body = parsed as Json;
    } catch {
      // not JSON
    }
    const setCookies = res.headers.getSetCookie().map(parseSetCookie);
    if (this.origin !== null && this.acceptCookies) {
      for (const c of setCookies) {
        if (c.attributes.get('max-age') === '0') this.jar.delete(c.name);
        else {
          const p = c.attributes.get('path');
          this.jar.set(c.name, { value: c.value, path: typeof p === 'string' ? p : '/' });
        }
      }
    }
    if (typeof body.csrfToken === 'string') this.csrfToken = body.csrfToken;
    for (const key of ['accessToken', 'refreshToken', 'sessionToken'] as const) {
      if (typeof body[key] === 'string') this.tokens[key] = body[key];
    }
    const code = typeof body.error?.code === 'string' ? (body.error.code as string) : null;
    this.log.push({
      method,
      path,
      at: this.now(),
      sent,
      status: res.status,
      code,
      body,
      headers: res.headers,
      setCookies,
    });
  }
}
