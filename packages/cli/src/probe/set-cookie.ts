/** The attributes of one `Set-Cookie` header; the value itself is never kept. */
export interface CookieAttributes {
  name: string;
  /** Bytes of name and value together (browsers refuse more than 4096). */
  size: number;
  secure: boolean;
  httpOnly: boolean;
  /** Lower-cased `SameSite`, or null when absent. */
  sameSite: string | null;
  path: string | null;
  domain: string | null;
  /** `Max-Age` in seconds, or null when absent or not a number. */
  maxAge: number | null;
  expires: string | null;
  partitioned: boolean;
}

/**
 * Reads the attributes of a `Set-Cookie` header the way browsers do (RFC 6265bis §5.6): the
 * name-value pair up to the first `;`, then `;`-separated attributes matched case-insensitively,
 * the last of a repeated attribute winning. The cookie's value is counted, never returned.
 */
export function parseSetCookie(header: string): CookieAttributes {
  const [pair = '', ...attributes] = header.split(';');
  const eq = pair.indexOf('=');
  const name = eq < 0 ? '' : pair.slice(0, eq).trim();
  const value = eq < 0 ? pair.trim() : pair.slice(eq + 1).trim();
  const cookie: CookieAttributes = {
    name,
    size: Buffer.byteLength(name + value),
    secure: false,
    httpOnly: false,
    sameSite: null,
    path: null,
    domain: null,
    maxAge: null,
    expires: null,
    partitioned: false,
  };
  for (const attribute of attributes) {
    const at = attribute.indexOf('=');
    const key = (at < 0 ? attribute : attribute.slice(0, at)).trim().toLowerCase();
    const arg = at < 0 ? '' : attribute.slice(at + 1).trim();
    if (key === 'secure') cookie.secure = true;
    else if (key === 'httponly') cookie.httpOnly = true;
    else if (key === 'partitioned') cookie.partitioned = true;
    else if (key === 'samesite') cookie.sameSite = arg.toLowerCase();
    else if (key === 'path') cookie.path = arg;
    else if (key === 'domain') cookie.domain = arg.replace(/^\./, '').toLowerCase();
    else if (key === 'max-age' && /^-?\d+$/.test(arg)) cookie.maxAge = Number(arg);
    else if (key === 'expires') cookie.expires = arg;
  }
  return cookie;
}
