/**
 * The framework-neutral view of an incoming request that core reads. Every binding builds one per
 * request; a Web `Request` satisfies it as is (its `Headers` has the right `get`), and Express or Koa
 * adapt in a line.
 *
 * Core only reads headers through `get` (case-insensitive, `null` when absent) and never reads the URL:
 * tokens never travel in query strings.
 *
 * @example
 * ```ts
 * // Express
 * const view: RequestLike = {
 *   method: req.method,
 *   headers: { get: (name) => req.get(name) ?? null },
 *   ip: req.ip ?? null,
 * };
 * // Fetch / Hono: the Web Request works directly
 * await csrf.protect(c.req.raw, { sessionId });
 * ```
 */
export interface RequestLike {
  /** The HTTP method as received, for example `'POST'`. */
  readonly method: string;
  /** Header access by case-insensitive name; `null` when the header is absent. */
  readonly headers: { get(name: string): string | null };
  /** The client IP as the binding resolved it (after the app's trusted-proxy rules), when known. */
  readonly ip?: string | null;
}
