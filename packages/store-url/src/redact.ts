import { storeKind } from './schemes.ts';

/**
 * `url` with its password replaced by `***`, for logs and messages; only the scheme when it does
 * not parse (a malformed URL can still hold a password). `file:` and `memory:` URLs hold none and
 * are returned as they are.
 *
 * @example
 * ```ts
 * redactUrl('redis://:hunter2@cache:6379/0'); // 'redis://:***@cache:6379/0'
 * ```
 */
export function redactUrl(url: string): string {
  const kind = storeKind(url);
  if (kind === 'sqlite' || kind === 'memory') return url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return `${url.split(':')[0]}://…`;
  }
}
