import {
  type Clock,
  ConfigError,
  type CookieInstruction,
  type Issued,
  type RequestLike,
  readCookies,
  type SameSite,
  type SessionData,
  type SessionManager,
  systemClock,
} from '@sess/core';
import type { LegacySession, LegacyStore } from './legacy-store.ts';
import { unsignLegacyCookie } from './signature.ts';

/** Who a legacy session belongs to, as the app decides it. */
export interface MigrationGrant {
  /** The user the new sess session is for. */
  userId: string;
  /** The sess session's data: whatever of the legacy session the app carries forward. @default {} */
  data?: SessionData;
  /** The sess session class (for example `'rememberMe'` for a long legacy cookie). @default 'standard' */
  sessionClass?: string;
}

/**
 * Asks the app which user a legacy session belongs to (usually `legacy.userId` or
 * `legacy.passport?.user`). `null` means "not a logged-in session" (an anonymous cart, say): it is
 * left untouched, for express-session to keep serving.
 */
export type LegacyResolver = (
  legacy: LegacySession,
  request: RequestLike,
) => MigrationGrant | null | Promise<MigrationGrant | null>;

/** The attributes express-session set its cookie with; the same are needed to clear it. */
export interface LegacyCookieOptions {
  /** express-session's `name`. @default 'connect.sid' */
  name?: string;
  /** `cookie.path`. @default '/' */
  path?: string;
  /** `cookie.domain`. @default host-only */
  domain?: string;
  /** `cookie.secure`. @default false */
  secure?: boolean;
  /** `cookie.sameSite`. @default not set */
  sameSite?: SameSite;
}

/** Options of {@link createMigration}. */
export interface MigrationOptions {
  /**
   * express-session's `secret`: one, or the whole list. Each is tried, so cookies signed by a
   * secret you had already rotated out of first place still convert. Never logged.
   */
  secret: string | readonly string[];
  /** Where the legacy sessions are: {@link connectRedisStore}, {@link connectPgSimpleStore}, … */
  store: LegacyStore;
  /** Which user a legacy session belongs to. */
  resolve: LegacyResolver;
  /** The legacy cookie's name and attributes. @default { name: 'connect.sid', path: '/' } */
  cookie?: LegacyCookieOptions;
  /** The clock legacy expiry is judged by (epoch ms). @default the wall clock */
  clock?: Clock;
}

/** Why a legacy cookie was refused; it is cleared in every case. */
export type MigrationRefusal =
  /** Not `s:<id>.<signature>`. */
  | 'malformed'
  /** Signed by none of the secrets (tampered, or a secret you no longer list). */
  | 'signature'
  /** The cookie name was sent twice (cookie tossing): neither copy is trusted. */
  | 'ambiguous'
  /** No such legacy session: never existed, expired in the store, or already converted. */
  | 'missing'
  /** The legacy session's own `cookie.expires` has passed. */
  | 'expired';

/** What {@link Migration.migrate} did with a request. Apply `cookies` to the response in every case. */
export type MigrationResult =
  | {
      /** No legacy cookie, or the request already carries a sess credential: nothing to do. */
      readonly outcome: 'none';
      readonly cookies: readonly CookieInstruction[];
    }
  | {
      /** The legacy session belongs to no user (the resolver said `null`): left as it is. */
      readonly outcome: 'anonymous';
      readonly cookies: readonly CookieInstruction[];
    }
  | {
      /** The legacy cookie was refused, and is cleared. */
      readonly outcome: 'refused';
      readonly reason: MigrationRefusal;
      readonly cookies: readonly CookieInstruction[];
    }
  | {
      /** Converted: a new sess session; the legacy record is gone and its cookie cleared. */
      readonly outcome: 'migrated';
      /** The new session, its credential and its cookies. Secret: never log it. */
      readonly issued: Issued;
      readonly userId: string;
      /** The new session's cookies, then the legacy cookie's clearing. */
      readonly cookies: readonly CookieInstruction[];
      /**
       * The request's `Cookie` header as it would be with the new cookies and without the legacy
       * one: put it on the request before sess's session middleware to serve this same request
       * as the converted user. Secret.
       */
      readonly cookieHeader: string;
    };

/** The migration adapter; see {@link createMigration}. */
export interface Migration {
  /** The legacy cookie's name. */
  readonly cookieName: string;
  /**
   * Converts the request's legacy cookie, if it carries one, into a sess session: at most once
   * per legacy session, whatever the number of concurrent requests carrying it.
   *
   * @throws StoreError (503) when the legacy store or sess's store fails; whatever the resolver
   *   throws.
   */
  migrate(request: RequestLike): Promise<MigrationResult>;
}

const NONE: MigrationResult = Object.freeze({ outcome: 'none', cookies: Object.freeze([]) });
const ANONYMOUS: MigrationResult = Object.freeze({
  outcome: 'anonymous',
  cookies: Object.freeze([]),
});

function expiresAt(legacy: LegacySession): number | null {
  const expires = legacy.cookie?.expires;
  if (expires === null || expires === undefined) return null;
  const at = new Date(expires).getTime();
  return Number.isNaN(at) ? null : at;
}

function resolveOptions(manager: SessionManager, options: MigrationOptions) {
  const problems: string[] = [];
  const secrets = typeof options?.secret === 'string' ? [options.secret] : options?.secret;
  if (
    !Array.isArray(secrets) ||
    secrets.length === 0 ||
    !secrets.every((s) => typeof s === 'string' && s.length > 0)
  ) {
    problems.push('secret: a non-empty string or list of strings (express-session’s secret)');
  }
  if (typeof options?.store?.peek !== 'function' || typeof options.store.take !== 'function') {
    problems.push('store: a LegacyStore (connectRedisStore, connectPgSimpleStore, …)');
  }
  if (typeof options?.resolve !== 'function') problems.push('resolve: a function');
  const cookie = options?.cookie ?? {};
  const name = cookie.name ?? 'connect.sid';
  if (typeof name !== 'string' || name.length === 0) problems.push('cookie.name: a string');
  const names = manager?.cookies?.names;
  if (names === undefined) problems.push('manager: a SessionManager');
  else if (Object.values(names).includes(name)) {
    problems.push(`cookie.name: '${name}' is one of sess's own cookie names`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const clear: CookieInstruction = Object.freeze({
    name,
    value: '',
    options: Object.freeze({
      path: cookie.path ?? '/',
      ...(cookie.domain === undefined ? {} : { domain: cookie.domain }),
      maxAge: 0,
      expires: new Date(0),
      httpOnly: true,
      ...(cookie.secure === undefined ? {} : { secure: cookie.secure }),
      ...(cookie.sameSite === undefined ? {} : { sameSite: cookie.sameSite }),
    }),
  });
  return {
    name,
    clear,
    secrets: (secrets as readonly string[]).map((s) => Buffer.from(s, 'utf8')),
    sessNames: [names?.session, names?.refresh].filter((n): n is string => n !== undefined),
  };
}

/** The Cookie header without `drop` and with `add` (name=value pairs, already encoded). */
function rewriteCookieHeader(header: string, drop: ReadonlySet<string>, add: readonly string[]) {
  const kept = header
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair.length > 0 && !drop.has(pair.split('=', 1)[0]?.trim() ?? ''));
  return [...kept, ...add].join('; ');
}

/**
 * The express-session migration: a legacy `connect.sid` cookie, checked against the old secret
 * list in constant time, is converted into a sess session once. The order makes it exactly once:
 * peek (nothing removed), ask the app (`resolve`), then `take` from the legacy store, which is
 * atomic (one racer receives the session, the rest `null`), and only the taker creates a sess
 * session. Options are validated here, once.
 *
 * @throws ConfigError listing every problem with the options.
 * @example
 * ```ts
 * const migration = createMigration(sess, {
 *   secret: [process.env.OLD_SESSION_SECRET!],
 *   store: connectRedisStore(legacyRedisStore),
 *   resolve: (legacy) => (typeof legacy.userId === 'string' ? { userId: legacy.userId } : null),
 * });
 * ```
 */
export function createMigration(manager: SessionManager, options: MigrationOptions): Migration {
  const { name, clear, secrets, sessNames } = resolveOptions(manager, options);
  const { store, resolve } = options;
  const clock = options.clock ?? systemClock;
  const cookieNames = Object.freeze({
    legacy: name,
    session: sessNames[0] ?? '',
    refresh: sessNames[1] ?? '',
  });
  const refused = (reason: MigrationRefusal): MigrationResult =>
    Object.freeze({ outcome: 'refused', reason, cookies: Object.freeze([clear]) });

  async function migrate(request: RequestLike): Promise<MigrationResult> {
    const header = request.headers.get('cookie');
    const { values, ambiguous } = readCookies(header, cookieNames);
    if (values.session !== undefined || values.refresh !== undefined) return NONE;
    if (ambiguous.includes('legacy')) return refused('ambiguous');
    const value = values.legacy;
    if (value === undefined) return NONE;
    const unsigned = unsignLegacyCookie(value, secrets);
    if ('failure' in unsigned) return refused(unsigned.failure);
    const { sid } = unsigned;
    const now = clock.now();
    const legacy = await store.peek(sid, now);
    if (legacy === null) return refused('missing');
    const expires = expiresAt(legacy);
    if (expires !== null && expires <= now) {
      await store.take(sid, now);
      return refused('expired');
    }
    const grant = await resolve(legacy, request);
    if (grant === null) return ANONYMOUS;
    // The one step that decides who converts: every racer but one gets null here.
    const taken = await store.take(sid, now);
    if (taken === null) return refused('missing');
    const issued = await manager.create(grant.userId, {
      ...(grant.data === undefined ? {} : { data: grant.data }),
      ...(grant.sessionClass === undefined ? {} : { sessionClass: grant.sessionClass }),
      request: { userAgent: request.headers.get('user-agent'), ip: request.ip ?? null },
      meta: { createdFrom: 'express-session' },
    });
    const set = issued.cookies.filter((c) => c.value !== '');
    const cookieHeader = rewriteCookieHeader(
      header ?? '',
      new Set([name, ...sessNames]),
      set.map((c) => `${c.name}=${encodeURIComponent(c.value)}`),
    );
    return Object.freeze({
      outcome: 'migrated',
      issued,
      userId: grant.userId,
      cookies: Object.freeze([...issued.cookies, clear]),
      cookieHeader,
    });
  }

  return Object.freeze({ cookieName: name, migrate });
}
