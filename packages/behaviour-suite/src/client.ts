import { ORIGIN } from './fixture.ts';

/** One cookie as a `Set-Cookie` header described it. */
export interface SetCookie {
  readonly name: string;
  readonly value: string;
  /** Attributes, lower-cased names, in header order (`path=/`, `secure`, …). */
  readonly attributes: readonly string[];
}

/** A response, parsed. */
export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Headers;
  readonly cookies: readonly SetCookie[];
}

/** Per-request options. */
export interface RequestOptions {
  /** A JSON body. */
  json?: unknown;
  /** A raw body with its own content type. */
  raw?: { type: string; body: string };
  /** Extra or replacing headers; `null` removes a default header (`origin: null`). */
  headers?: Record<string, string | null>;
  /** Send the stored CSRF token (default), another token, or none. */
  csrf?: boolean | string;
  /** Send `Authorization: Bearer <token>` and no cookies. */
  bearer?: string;
  /** Leave the response out of the transcript (concurrent requests finish in any order). */
  quiet?: boolean;
}

/** Every response a case saw, reduced to what must be identical across bindings. */
export type Transcript = unknown[];

const REPORTED_HEADERS = ['cache-control', 'www-authenticate', 'retry-after', 'clear-site-data'];

/**
 * A browser-like HTTP client: a cookie jar that honours `Path` and `Max-Age=0`, `Origin` and
 * `Sec-Fetch-Site: same-origin` by default, and the CSRF token from the last body that had one.
 */
export class Client {
  readonly jar = new Map<string, { value: string; path: string }>();
  csrfToken: string | null = null;

  constructor(
    private readonly base: string,
    private readonly transcript: Transcript,
    private readonly userAgent = 'behaviour-suite/1',
  ) {}

  get(path: string, options: RequestOptions = {}): Promise<Reply> {
    return this.request('GET', path, options);
  }
  post(path: string, options: RequestOptions = {}): Promise<Reply> {
    return this.request('POST', path, options);
  }
  delete(path: string, options: RequestOptions = {}): Promise<Reply> {
    return this.request('DELETE', path, options);
  }

  /** The `Cookie` header this client would send to `path`. */
  cookieHeader(path: string): string | null {
    const pairs = [...this.jar]
      .filter(
        ([, c]) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`),
      )
      .map(([name, c]) => `${name}=${c.value}`);
    return pairs.length > 0 ? pairs.join('; ') : null;
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const headers: Record<string, string | null> = {
      origin: ORIGIN,
      'sec-fetch-site': 'same-origin',
      'user-agent': this.userAgent,
    };
    if (options.bearer !== undefined) {
      headers.authorization = `Bearer ${options.bearer}`;
      headers.origin = null;
      headers['sec-fetch-site'] = null;
    } else {
      headers.cookie = this.cookieHeader(path);
    }
    const csrf = options.csrf ?? true;
    if (typeof csrf === 'string') headers['x-csrf-token'] = csrf;
    else if (csrf && this.csrfToken !== null && options.bearer === undefined) {
      headers['x-csrf-token'] = this.csrfToken;
    }
    let body: string | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.raw) {
      headers['content-type'] = options.raw.type;
      body = options.raw.body;
    }
    Object.assign(headers, options.headers);
    const sent = Object.fromEntries(
      Object.entries(headers).filter((e): e is [string, string] => e[1] !== null),
    );
    const res = await fetch(this.base + path, { method, headers: sent, body, redirect: 'manual' });
    const text = await res.text();
    const parsed = text.length > 0 ? (JSON.parse(text) as Record<string, unknown>) : {};
    const cookies = res.headers.getSetCookie().map(parseSetCookie);
    for (const cookie of cookies) {
      const path = cookie.attributes.find((a) => a.startsWith('path='))?.slice(5) ?? '/';
      if (cookie.attributes.includes('max-age=0')) this.jar.delete(cookie.name);
      else this.jar.set(cookie.name, { value: cookie.value, path });
    }
    if (typeof parsed.csrfToken === 'string') this.csrfToken = parsed.csrfToken;
    const reply: Reply = { status: res.status, body: parsed, headers: res.headers, cookies };
    if (!options.quiet) this.transcript.push(summarize(method, path, reply));
    return reply;
  }
}

/** Parses one `Set-Cookie` header value. */
export function parseSetCookie(header: string): SetCookie {
  const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
  const eq = pair.indexOf('=');
  return {
    name: pair.slice(0, eq),
    value: pair.slice(eq + 1),
    attributes: attributes.map((a) => {
      const i = a.indexOf('=');
      return i === -1 ? a.toLowerCase() : `${a.slice(0, i).toLowerCase()}=${a.slice(i + 1)}`;
    }),
  };
}

function summarize(method: string, path: string, reply: Reply): unknown {
  const headers: Record<string, string | null> = {};
  for (const name of REPORTED_HEADERS) headers[name] = reply.headers.get(name);
  headers['content-type'] = reply.headers.get('content-type')?.split(';')[0] ?? null;
  return {
    request: `${method} ${path.replace(/[A-Za-z0-9_-]{22}/g, '<id>')}`,
    status: reply.status,
    body: opaque(reply.body),
    headers,
    cookies: reply.cookies.map((c) => ({
      name: c.name,
      value: c.value === '' ? '' : '<value>',
      attributes: c.attributes,
    })),
  };
}

// Tokens, ids and times differ from run to run; their presence and shape must not.
function opaque(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(opaque);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, opaque(v)]));
  }
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) return '<time>';
  if (typeof value === 'string' && /^[A-Za-z0-9_\-.]{20,}$/.test(value)) return '<opaque>';
  return value;
}
