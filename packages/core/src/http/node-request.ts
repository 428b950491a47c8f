import type { RequestLike } from '../request.ts';

/** Node's `IncomingMessage.headers`: lower-case names, `set-cookie` as an array. */
export type NodeHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * A {@link RequestLike} over Node's parsed headers (Express `req`, Koa `ctx.req`). Repeated
 * headers Node keeps as arrays are joined with `, `, which fails every strict parse downstream.
 *
 * @param ip the client IP as the framework resolved it (its `trust proxy` rules applied), or a
 *   function resolving it, called only when something reads `ip` (binding checks, device facts
 *   at login): resolving it runs the framework's proxy rules, which most requests never need.
 * @example
 * ```ts
 * const view = nodeRequest(req.method, req.headers, () => req.ip); // Express
 * ```
 */
export function nodeRequest(
  method: string,
  headers: NodeHeaders,
  ip: string | undefined | (() => string | undefined),
): RequestLike {
  return new NodeRequest(method, new NodeHeaderView(headers), ip);
}

class NodeHeaderView {
  readonly #headers: NodeHeaders;

  constructor(headers: NodeHeaders) {
    this.#headers = headers;
  }

  get(name: string): string | null {
    const value = this.#headers[name.toLowerCase()];
    if (value === undefined) return null;
    return typeof value === 'string' ? value : value.join(', ');
  }
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
