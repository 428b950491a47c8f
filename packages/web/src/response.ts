import type { Validated } from '@sess/core';
import type { HttpHeader, HttpReply } from '@sess/core/http';

/**
 * What a sess handler decided about a request. When `response` is null the request goes on: the
 * app answers it, and passes its response through `auth.apply(response, result)` so that the
 * `headers` (renewed cookies, `Cache-Control: no-store`) reach the client.
 */
export interface SessResult {
  /** The authenticated session, or null. */
  readonly session: Validated | null;
  /**
   * sess's answer, to return as is: an error (401, 403, 413, 429, 503, each with its JSON body
   * and headers) or an auth route's reply. Null: the request goes on.
   */
  readonly response: Response | null;
  /** The headers sess added; already in `response` when there is one, else for `apply`. */
  readonly headers: readonly HttpHeader[];
}

/** A reply of core's HTTP layer as a JSON `Response`, carrying `headers` (in order). */
export function jsonResponse(reply: HttpReply, headers: readonly HttpHeader[]): Response {
  const out = new Headers();
  for (const [name, value] of headers) out.append(name, value);
  out.set('content-type', 'application/json; charset=utf-8');
  return new Response(JSON.stringify(reply.body), { status: reply.status, headers: out });
}

/** Every header of `headers`, one `Set-Cookie` entry per cookie even where iteration joins them. */
function entriesOf(headers: Headers): HttpHeader[] {
  const split = typeof headers.getSetCookie === 'function';
  const list: HttpHeader[] = [];
  headers.forEach((value, name) => {
    if (!split || name !== 'set-cookie') list.push([name, value]);
  });
  if (split) for (const cookie of headers.getSetCookie()) list.push(['set-cookie', cookie]);
  return list;
}

/**
 * `response` with sess's headers of `results` placed before its own (a cookie sess renewed and one
 * the response sets afterwards keep the order Express and Koa give them). The same object when
 * its headers can change; a copy when they are immutable (a `fetch` result, `Response.redirect`).
 */
export function applyHeaders(
  response: Response,
  results: readonly Pick<SessResult, 'headers'>[],
): Response {
  const added = results.flatMap((result) => result.headers);
  if (added.length === 0) return response;
  const own = entriesOf(response.headers);
  try {
    // An immutable Headers refuses the first change, so a failure never leaves half a merge.
    for (const [name] of own) response.headers.delete(name);
    for (const [name, value] of [...added, ...own]) response.headers.append(name, value);
    return response;
  } catch {
    const headers = new Headers();
    for (const [name, value] of [...added, ...own]) headers.append(name, value);
    const { status, statusText } = response;
    return new Response(response.body, { status, statusText, headers });
  }
}
