/** The `SameSite` attribute: `'lax'` (default), `'strict'`, or `'none'` (requires `Secure`). */
export type SameSite = 'lax' | 'strict' | 'none';

/**
 * The attributes of one `Set-Cookie` header. Core fills every field it relies on; bindings apply
 * them as given (ideally through {@link serializeCookie}, which also enforces the size limit).
 */
export interface CookieOptions {
  /** `Path`; `/` for every cookie except the refresh cookie. */
  path?: string;
  /** `Domain`; absent unless configured, so the cookie stays host-only. */
  domain?: string;
  /** `Max-Age` in **seconds** (Express's `res.cookie` takes milliseconds: convert, or serialise). */
  maxAge?: number;
  /** `Expires`; core uses `maxAge` instead. */
  expires?: Date;
  /** `HttpOnly`: hidden from page scripts. */
  httpOnly?: boolean;
  /** `Secure`: sent over HTTPS only. */
  secure?: boolean;
  /** `SameSite`. */
  sameSite?: SameSite;
  /** `Partitioned` (CHIPS), for cookies used inside third-party iframes; requires `Secure`. */
  partitioned?: boolean;
  /** `Priority` (Chromium). */
  priority?: 'low' | 'medium' | 'high';
}

/**
 * One cookie to set or clear. Core decides every cookie; bindings only apply instructions.
 *
 * @example
 * ```ts
 * for (const cookie of instructions) res.append('Set-Cookie', serializeCookie(cookie));
 * ```
 */
export interface CookieInstruction {
  /** The cookie name, prefix included (for example `__Host-session`). */
  readonly name: string;
  /** The cookie value; `''` when clearing. Never log it. */
  readonly value: string;
  /** The attributes, identical between setting and clearing the same cookie. */
  readonly options: Readonly<CookieOptions>;
}
