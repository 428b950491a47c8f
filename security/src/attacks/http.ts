import { afterAll, beforeAll, beforeEach, expect, vi } from 'vitest';
import { DemoClient, type Target } from '../target.ts';

/** A response read in full, with its `Set-Cookie` lines parsed. */
export interface RawReply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: attack assertions probe arbitrary JSON fields.
  readonly body: Record<string, any>;
  readonly setCookies: readonly SetCookie[];
}

/** One `Set-Cookie` line: name, value and attributes (names lower-cased, flags as `true`). */
export interface SetCookie {
  readonly name: string;
  readonly value: string;
  readonly attributes: ReadonlyMap<string, string | true>;
  readonly line: string;
}

/** Parses a `Set-Cookie` line as a browser would read its name, value and attributes. */
export function parseSetCookie(line: string): SetCookie {
  const [pair = '', ...rest] = line.split(';');
  const eq = pair.indexOf('=');
  const attributes = new Map<string, string | true>();
  for (const part of rest) {
    const at = part.indexOf('=');
    const key = (at === -1 ? part : part.slice(0, at)).trim().toLowerCase();
    if (key) attributes.set(key, at === -1 ? true : part.slice(at + 1).trim());
  }
  return {
    name: pair.slice(0, eq).trim(),
    value: pair.slice(eq + 1).trim(),
    attributes,
    line,
  };
}

/** What a raw request sends: every header under the caller's control, and the body as given. */
export interface RawOptions {
  readonly headers?: Record<string, string>;
  /** A string goes as is; anything else as JSON (content-type set unless given). */
  readonly body?: unknown;
}

/**
 * A request with full control of its headers: nothing is added (no Origin, no Cookie, no token)
 * unless the caller puts it there. Redirects are never followed, so a `Location` stays visible.
 */
export async function raw(
  target: Pick<Target, 'url'>,
  method: string,
  path: string,
  options: RawOptions = {},
): Promise<RawReply> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (typeof options.body === 'string') body = options.body;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
  }
  const res = await fetch(new URL(path, target.url), {
    method,
    headers,
    body,
    redirect: 'manual',
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object') json = parsed as Record<string, unknown>;
  } catch {
    // not JSON (the HTML page, say)
  }
  return {
    status: res.status,
    headers: res.headers,
    text,
    body: json,
    setCookies: res.headers.getSetCookie().map(parseSetCookie),
  };
}

/** The `Cookie` header a client would send now. */
export function cookieHeader(client: DemoClient): string {
  return [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}

/**
 * A copy of a client's cookie jar and CSRF token: the attacker holding a stolen copy. The two
 * jars evolve apart from here on.
 */
export function cloneClient(client: DemoClient, userAgent = 'victim-browser/1'): DemoClient {
  const copy = new DemoClient(client.url, userAgent);
  for (const [name, value] of client.cookies) copy.cookies.set(name, value);
  copy.csrfToken = client.csrfToken;
  return copy;
}

/** The browser headers of `client` (its page's Origin, its cookies, its CSRF token). */
export function browserHeaders(client: DemoClient): Record<string, string> {
  return {
    origin: client.url,
    cookie: cookieHeader(client),
    'x-csrf-token': client.csrfToken,
    'user-agent': 'victim-browser/1',
  };
}

/** The demo's cookie names (from the manager, so a renamed cookie is still found). */
export function cookieNames(target: Target): { session: string; refresh: string; csrf: string } {
  return target.sess.cookies.names;
}

/**
 * The credential that `POST /auth/refresh` takes from this client: the refresh cookie in jwt and
 * hybrid, the session cookie itself in database (where refresh rotates the session credential).
 */
export function refreshCredential(target: Target, client: DemoClient): string {
  const names = cookieNames(target);
  const name = target.sess.strategy === 'database' ? names.session : names.refresh;
  const value = client.cookies.get(name);
  if (!value) throw new Error(`no ${name} cookie in the jar`);
  return value;
}

/** The body field a non-browser client sends its refresh credential in. */
export function bodyCredentialField(target: Target): 'sessionToken' | 'refreshToken' {
  return target.sess.strategy === 'database' ? 'sessionToken' : 'refreshToken';
}

/** Tokens of a non-browser (bearer) login: no Origin, no Cookie, tokens in the JSON body. */
export interface BearerTokens {
  readonly userId: string;
  readonly accessToken: string | null;
  /** The refresh credential (jwt, hybrid) or the session credential (database). */
  readonly credential: string;
}

/** Logs in as a non-browser client; the tokens come back in the body. */
export async function bearerLogin(
  target: Target,
  email = 'alice@example.com',
  password = email.startsWith('bob') ? 'bob-password-1' : 'alice-password-1',
): Promise<BearerTokens> {
  const reply = await raw(target, 'POST', '/auth/login', { body: { email, password } });
  if (reply.status !== 200) throw new Error(`bearer login failed: ${reply.status}`);
  const credential = reply.body[bodyCredentialField(target)] as string;
  return {
    userId: reply.body.user.id as string,
    accessToken: (reply.body.accessToken as string | undefined) ?? null,
    credential,
  };
}

/** A refresh as a non-browser client: no Origin, no Cookie, the credential in the body. */
export function bearerRefresh(target: Target, credential: string): Promise<RawReply> {
  return raw(target, 'POST', '/auth/refresh', {
    body: { [bodyCredentialField(target)]: credential },
  });
}

/**
 * `GET /me` as a non-browser client with `token`: the access token (jwt, hybrid) or the session
 * credential (database), as `Authorization: Bearer`.
 */
export function bearerMe(target: Target, token: string): Promise<RawReply> {
  return raw(target, 'GET', '/me', { headers: { authorization: `Bearer ${token}` } });
}

/** `GET /me` with nothing but this cookie header: a probe of whether a stolen jar still works. */
export function meWithCookies(target: Target, cookie: string): Promise<RawReply> {
  return raw(target, 'GET', '/me', { headers: { cookie } });
}

/** The demo's frozen clock: time moves only when a test says so, and only forward. */
export interface DemoClock {
  now(): number;
  advance(ms: number): void;
}

const demoClock: DemoClock = {
  now: () => Date.now(),
  advance(ms) {
    vi.setSystemTime(Date.now() + ms);
  },
};

/**
 * Freezes the clock of the demo under attack for the calling test file. The demo runs in this
 * process with sess's default clock (`Date.now`, for the manager and the SQLite store alike), so
 * faking `Date` alone (timers stay real, HTTP keeps working) freezes the manager's clock. Call it
 * at the top of the file, so it is installed before any target starts. Watermarks compare at
 * one-second resolution: each test starts two seconds past the last one's, so a "log out
 * everywhere" of one test never covers the next test's sessions.
 */
export function useFrozenDemoClock(): DemoClock {
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now());
  });
  afterAll(() => vi.useRealTimers());
  beforeEach(() => demoClock.advance(2_000));
  return demoClock;
}

/**
 * Fails the calling test file if the demo reported an unhandled error (`demo: …` on
 * `console.error`, with the error itself, which could quote the input): no hostile input may get
 * there.
 */
export function failOnUnhandledDemoErrors(): void {
  const unhandled: string[] = [];
  beforeAll(() => {
    const original = console.error;
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      if (String(args[0]).startsWith('demo:')) unhandled.push(String(args[0]));
      else original(...args);
    });
  });
  afterAll(() => {
    vi.restoreAllMocks();
    expect(unhandled).toEqual([]);
  });
}

/** The error code of a JSON error body, or undefined. */
export function errorCode(reply: { body: Record<string, unknown> }): string | undefined {
  const error = reply.body.error as { code?: string } | undefined;
  return error?.code;
}

/** Applies a raw reply's `Set-Cookie` lines to a client's jar, as a browser would. */
export function adopt(client: DemoClient, reply: RawReply): DemoClient {
  for (const cookie of reply.setCookies) {
    if (cookie.attributes.get('max-age') === '0') client.cookies.delete(cookie.name);
    else client.cookies.set(cookie.name, cookie.value);
  }
  if (typeof reply.body.csrfToken === 'string') client.csrfToken = reply.body.csrfToken;
  return client;
}

/** The value a reply set for cookie `name` (undefined when it set none, or cleared it). */
export function setCookieValue(reply: RawReply, name: string): string | undefined {
  const cookie = reply.setCookies.find((c) => c.name === name);
  return cookie && cookie.attributes.get('max-age') !== '0' ? cookie.value : undefined;
}

/**
 * A browser-like client whose session is created through the manager, not the login route: the
 * same session, cookies and CSRF token a login gives, without a scrypt per victim. For cases that
 * need many sessions (races run 20+ times); everything after creation goes over HTTP.
 */
export async function seededVictim(target: Target, userId = 'u-alice'): Promise<DemoClient> {
  const issued = await target.sess.create(userId, { request: { userAgent: 'victim-browser/1' } });
  const client = new DemoClient(target.url, 'victim-browser/1');
  for (const cookie of issued.cookies) client.cookies.set(cookie.name, cookie.value);
  client.csrfToken = await target.sess.csrf!.issue({ sessionId: issued.session.id });
  return client;
}

/** The ids of a user's live sessions, as the manager lists them. */
export async function liveSessionIds(target: Target, userId = 'u-alice'): Promise<string[]> {
  return (await target.sess.list(userId)).map((s) => s.id);
}

/** Whether a TCP service (Redis, Postgres) answers at `url`'s host and port, within a second. */
export async function reachable(url: string, defaultPort: number): Promise<boolean> {
  const { createConnection } = await import('node:net');
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({
      host: hostname || '127.0.0.1',
      port: Number(port) || defaultPort,
    });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
