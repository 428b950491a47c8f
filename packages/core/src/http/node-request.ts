import type { RequestLike } from '../request.ts';

/** Node's `IncomingMessage.headers`: lower-case names, `set-cookie` as an array. */
export type NodeHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * A {@link RequestLike} over Node's parsed headers (Express `req`, Koa `ctx.req`). Repeated
 * headers Node keeps as arrays are joined with `, `, which fails every strict parse downstream.
 *
 * @param ip the client IP as the framework resolved it (its `trust proxy` rules applied).
 */
export function nodeRequest(
  method: string,
  headers: NodeHeaders,
  ip: string | undefined,
): RequestLike {
  return {
    method,
    headers: {
      get(name: string): string | null {
        const value = headers[name.toLowerCase()];
        if (value === undefined) return null;
        return typeof value === 'string' ? value : value.join(', ');
      },
    },
    ip: ip ?? null,
  };
}
