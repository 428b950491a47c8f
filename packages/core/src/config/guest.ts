import type { Duration } from '../util/duration.ts';
import { type KnownOptions, unknownOptionIssues } from '../util/known-keys.ts';
import type { DurationReader, ResolvedSessionClass } from './sessions.ts';

/**
 * Guest sessions: a session before login holding app data (a cart, a locale, a return URL). Off
 * unless given. A guest session is created on its first write (never by a read or a GET), lives in
 * its own cookie, is CSRF-checked on every write, and is upgraded to a user session at login (new
 * id and secret, carrying only the keys the login names). See docs/guest-sessions.md.
 *
 * @example
 * ```ts
 * createSessionManager({ store, secret, csrf: { trustedOrigins }, guest: { lifetime: '30d' } });
 * ```
 */
export interface GuestOptions {
  /** The most a guest session lives, from its first write. @default '7d' */
  lifetime?: Duration;
  /** Ends a guest session after this long without a read or write; at most `lifetime`. @default lifetime */
  idleTimeout?: Duration;
  /** The most its data may take, as JSON in UTF-8 bytes; a larger write is refused (413). @default 4096 */
  maxBytes?: number;
}

/** {@link GuestOptions} after validation. */
export interface ResolvedGuest {
  /** The timeouts guest records live by (their session class is {@link GUEST_CLASS}). */
  readonly cls: ResolvedSessionClass;
  readonly maxBytes: number;
}

/**
 * The user id of a guest record starts with this: a guest is a user of one session, so no real
 * user's list, cap or count ever sees it. `create` refuses real user ids that start with it.
 */
export const GUEST_USER_PREFIX = 'sess:guest:';

/** The session class of guest records (reserved while guest sessions are on). */
export const GUEST_CLASS = 'guest';

const MAX_GUEST_BYTES = 1 << 20;

/** True when `userId` is a guest's internal user id. */
export function isGuestUserId(userId: string): boolean {
  return userId.startsWith(GUEST_USER_PREFIX);
}

const GUEST_KEYS = {
  lifetime: true,
  idleTimeout: true,
  maxBytes: true,
} as const satisfies KnownOptions<GuestOptions>;

/** Validates the `guest` option; null when guest sessions are off. */
export function resolveGuest(
  options: GuestOptions | undefined,
  context: { csrf: boolean; sessions: Record<string, unknown> | undefined },
  duration: DurationReader,
  issues: string[],
): ResolvedGuest | null {
  if (options === undefined) return null;
  if (options === null || typeof options !== 'object') {
    issues.push('guest: must be an object');
    return null;
  }
  issues.push(...unknownOptionIssues(options, GUEST_KEYS, { path: 'guest' }));
  const absoluteMs = duration(options.lifetime, 'guest.lifetime', '7d');
  const idleMs =
    options.idleTimeout === undefined
      ? absoluteMs
      : duration(options.idleTimeout, 'guest.idleTimeout', '7d');
  if (absoluteMs <= 0) issues.push('guest.lifetime: must be positive');
  if (idleMs <= 0 || idleMs > absoluteMs) {
    issues.push('guest.idleTimeout: must be positive and not longer than guest.lifetime');
  }
  const maxBytes = options.maxBytes ?? 4096;
  if (!Number.isInteger(maxBytes) || maxBytes < 2 || maxBytes > MAX_GUEST_BYTES) {
    issues.push(`guest.maxBytes: must be an integer from 2 to ${MAX_GUEST_BYTES}`);
  }
  // Guest writes ride a cookie: without CSRF protection any site could fill a visitor's cart.
  if (!context.csrf) issues.push('guest: needs the csrf option (guest writes ride a cookie)');
  const sessions = context.sessions;
  if (sessions !== null && typeof sessions === 'object' && Object.hasOwn(sessions, GUEST_CLASS)) {
    issues.push(
      `sessions.${GUEST_CLASS}: reserved for guest sessions (set guest.lifetime instead)`,
    );
  }
  return {
    cls: { idleMs, absoluteMs, renewalMs: null, persistent: true, noticeMs: 0 },
    maxBytes,
  };
}

/**
 * Why `userId` and `sessionClass` cannot start a user session (`create`), or null: a reserved
 * guest user id would let a real user pose as a guest (or the reverse), and the guest class is
 * for guest records only.
 */
export function createIssue(
  userId: unknown,
  sessionClass: string,
  guestOn: boolean,
): string | null {
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > 256) {
    return 'create: userId must be a non-empty string of at most 256 characters';
  }
  if (isGuestUserId(userId))
    return `create: user ids starting with "${GUEST_USER_PREFIX}" are reserved`;
  if (guestOn && sessionClass === GUEST_CLASS)
    return `create: the "${GUEST_CLASS}" class is for guest sessions`;
  return null;
}
