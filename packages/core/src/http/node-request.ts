import type { RequestLike } from '../request.ts';

/** Node's `IncomingMessage.headers`: lower-case names, `set-cookie` as an array. */
export type NodeHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** Node's `IncomingMessage.rawHeaders`: names and values alternating, as received. */
export type NodeRawHeaders = readonly string[];

/**
 * A {@link RequestLike} over Node's parsed headers (Express `req`, Koa `ctx.req`). Repeated
 * headers Node keeps as arrays are joined with `, `, which fails every strict parse downstream.
 *
 * Node keeps only the first of repeated `Authorization`, `Content-Type` and `Referer` headers
 * and drops the rest, so a request carrying two credentials would be judged on whichever came
 * first. Given `rawHeaders`, those repeats are joined too, and such a request fails.
 *
 * @param ip the client IP as the framework resolved it (its `trust proxy` rules applied), or a
 *   function resolving it, called only when something reads `ip` (binding checks, device facts
 *   at login): resolving it runs the framework's proxy rules, which most requests never need.
 * @param rawHeaders the request's `rawHeaders`, so that repeats Node drops are seen.
 * @example
 * ```ts
 * const view = nodeRequest(req.method, req.headers, () => req.ip, req.rawHeaders); // Express
 * ```
 */
export function nodeRequest(
  method: string,
  headers: NodeHeaders,
  ip: string | undefined | (() => string | undefined),
  rawHeaders?: NodeRawHeaders,
): RequestLike {
  return new NodeRequest(method, new NodeHeaderView(headers, rawHeaders), ip);
}

// The headers sess reads that Node de-duplicates by discarding (see `IncomingMessage.headers`).
const FIRST_ONLY = new Set(['authorization', 'content-type', 'referer']);

class NodeHeaderView {
  readonly #headers: NodeHeaders;
  readonly #raw: NodeRawHeaders | undefined;

  constructor(headers: NodeHeaders, raw: NodeRawHeaders | undefined) {
    this.#headers = headers;
    this.#raw = raw;
  }

  get(name: string): string | null {
    const key = name.toLowerCase();
    const value = this.#headers[key];
    if (value === undefined) return null;
    if (typeof value !== 'string') return value.join(', ');
    return this.#raw !== undefined && FIRST_ONLY.has(key) ? allOf(this.#raw, key, value) : value;
  }
}

/** Every value of `key` in `raw`, joined; `first` itself when it is the only one. */
function allOf(raw: NodeRawHeaders, key: string, first: string): string {
  let joined: string | null = null;
  for (let i = 0; i < raw.length - 1; i += 2) {
    const name = raw[i] as string;
    if (name.length !== key.length || name.toLowerCase() !== key) continue;
    joined = joined === null ? (raw[i + 1] as string) : `${joined}, ${raw[i + 1]}`;
  }
  return joined ?? first;
}

class NodeRequest implements RequestLike {
  readonly #ip: string | undefined | (() => string | undefined);

  constructor(
    readonly method: string,
    readonly headers: NodeHeaderView,
    ip: string | undefined | (() => string | undefined),
  ) {
    this.#ip = ip;
  }

  get ip(): string | null {
    const ip = this.#ip;
    return (typeof ip === 'function' ? ip() : ip) ?? null;
  }
}
