import { isSafeMethod } from '../csrf/protection.ts';
import { ConfigError, InvalidCredentialError, isSessError } from '../errors.ts';
import type { GuestChange, GuestSession } from '../guest.ts';
import type { SessionManager } from '../manager.ts';
import type { RequestLike } from '../request.ts';
import type { Issued } from '../results.ts';
import type { LoginGrant } from './contract.ts';
import { cookieHeaders, type HttpHeader, NO_STORE } from './reply.ts';
import type { AuthState } from './state.ts';

/** What a guest write hands back: the guest session, and the headers the response must carry. */
export interface GuestWrite {
  readonly guest: GuestSession;
  /** `Set-Cookie` of a new guest credential (with `no-store`), renewed session cookies; else none. */
  readonly headers: readonly HttpHeader[];
}

/** Guest data over HTTP (`http.guest`); every rule is `sess.guest`'s, CSRF included. */
export interface GuestHttp {
  /** The request's guest session, or null (no guest cookie, or a dead one). Never creates one. */
  get(state: AuthState): Promise<GuestSession | null>;
  /**
   * Writes guest data, creating the guest session on the first write. Only on unsafe methods
   * (ConfigError on GET or HEAD: a link must never create or change one), and only once the CSRF
   * checks pass: run here unless the binding's `csrf` middleware already passed this request.
   * @throws CsrfError (403), GuestDataTooLargeError (413), StoreError (503).
   */
  set(
    req: RequestLike,
    state: AuthState,
    change: GuestChange,
    formToken?: string | null,
  ): Promise<GuestWrite>;
}

/** @internal The guest half of `createHttpAuth`. */
export function createGuestHttp(
  manager: SessionManager,
  checkCsrf: (req: RequestLike, state: AuthState, formToken?: string | null) => Promise<void>,
  csrfPassed: (state: AuthState) => boolean,
): GuestHttp {
  // A tossed guest cookie (sent twice) is trusted as little as any other sess cookie.
  const cookieOf = (state: AuthState) => (state.ambiguous ? undefined : state.cookies.guest);
  return Object.freeze({
    get: (state: AuthState) => manager.guest.read(cookieOf(state)),
    async set(req: RequestLike, state: AuthState, change: GuestChange, formToken?: string | null) {
      if (isSafeMethod(req.method)) {
        throw new ConfigError([
          `guest.set: not on ${req.method}; guest data is written by unsafe requests only`,
        ]);
      }
      if (!csrfPassed(state)) await checkCsrf(req, state, formToken);
      const request = { userAgent: req.headers.get('user-agent'), ip: req.ip ?? null };
      const written = await manager.guest.write(cookieOf(state), change, { request });
      const headers =
        written.cookies.length === 0 ? [] : [NO_STORE, ...cookieHeaders(written.cookies)];
      return { guest: written.guest, headers };
    },
  });
}

/**
 * A login's user session: the request's guest session upgraded (carrying `carry`) when there is a
 * live one, else a new session. A guest another login just upgraded counts as none.
 */
export async function loginSession(
  manager: SessionManager,
  state: AuthState,
  userId: string,
  options: Omit<LoginGrant, 'userId' | 'body'> & {
    request: { userAgent: string | null; ip: string | null };
  },
): Promise<Issued> {
  const { carry, ...createOptions } = options;
  const guest = state.ambiguous ? undefined : state.cookies.guest;
  if (manager.guest.enabled && guest !== undefined) {
    try {
      return await manager.guest.upgrade(guest, userId, { ...createOptions, carry });
    } catch (error) {
      if (!isSessError(error) || error.code !== InvalidCredentialError.code) throw error;
    }
  }
  return manager.create(userId, createOptions);
}
